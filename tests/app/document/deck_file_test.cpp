// Decks (.promptdeck): a deck round-trips through its file text and through an
// atomic save; broken decks are refused with every problem and its line; a deck
// from a newer format is refused in words.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <unistd.h>

#include "deck/deck_file.h"

namespace ps {
namespace {

Deck sampleDeck() {
    Deck deck;
    deck.name = "Workstation demo";
    deck.attractAfterSeconds = 90;
    DeckSlide story;
    story.app = "bedtime-story.promptapp";
    story.inputs = {{"hero", "a little fox"}, {"moral", "be kind: always"}, {"pages", 3}, {"rhymes", true}};
    story.inputOrder = {"hero", "moral", "pages", "rhymes"};
    story.note = "Point at the tokens/s.\nThen press R.";
    DeckSlide race;
    race.app = "/opt/apps/email.promptapp";
    race.inputs = {{"text", "42"}};  // a text that looks like a number stays text
    race.race = true;
    deck.slides = {story, race};
    return deck;
}

QList<int> linesOf(const QList<DocumentError>& errors) {
    QList<int> lines;
    for (const DocumentError& error : errors) lines << error.line;
    return lines;
}

TEST(DeckFile, RoundTripsThroughItsText) {
    const Deck deck = sampleDeck();
    const QString text = serializeDeck(deck);
    const DeckLoadResult read = parseDeck(text);
    ASSERT_TRUE(read.ok()) << read.errorText().toStdString() << "\n" << text.toStdString();
    EXPECT_EQ(read.deck, deck);
    EXPECT_EQ(read.deck.slides[0].inputs.value("pages").typeId(), QMetaType::LongLong);
    EXPECT_EQ(read.deck.slides[0].inputs.value("rhymes").typeId(), QMetaType::Bool);
    EXPECT_EQ(read.deck.slides[1].inputs.value("text").typeId(), QMetaType::QString);
    // Written in the order given, not QVariantMap's.
    EXPECT_LT(text.indexOf("hero:"), text.indexOf("moral:"));
    EXPECT_TRUE(text.startsWith("promptdeck: 1\n")) << text.toStdString();
    EXPECT_EQ(serializeDeck(read.deck), text);  // stable
}

TEST(DeckFile, SavesAtomicallyAndResolvesAppsFromItsFolder) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("talk.promptdeck");
    QString error;
    ASSERT_TRUE(saveDeck(sampleDeck(), path, &error)) << error.toStdString();
    const DeckLoadResult read = loadDeck(path);
    ASSERT_TRUE(read.ok()) << read.errorText(path).toStdString();
    EXPECT_EQ(read.deck, sampleDeck());
    EXPECT_EQ(read.deck.filePath, path);
    EXPECT_EQ(read.deck.appPathOf(read.deck.slides[0]), QDir(dir.path()).filePath("bedtime-story.promptapp"));
    EXPECT_EQ(read.deck.appPathOf(read.deck.slides[1]), "/opt/apps/email.promptapp");
    EXPECT_FALSE(QFile::exists(path + ".bak"));
    // Nothing but the deck is left in the folder (no temporary file).
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files), QStringList{"talk.promptdeck"});

    // A folder that cannot be written: the save fails in words and the old file stays.
    if (geteuid() != 0) {
        const QByteArray before = [&] { QFile f(path); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner);
        Deck other = sampleDeck();
        other.name = "Changed";
        EXPECT_FALSE(saveDeck(other, path, &error));
        EXPECT_TRUE(error.contains("talk.promptdeck")) << error.toStdString();
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QFile file(path);
        ASSERT_TRUE(file.open(QIODevice::ReadOnly));
        EXPECT_EQ(file.readAll(), before);
    }
}

TEST(DeckFile, BrokenDecksNameEveryProblemWithItsLine) {
    const DeckLoadResult result = parseDeck(
        "promptdeck: 1\n"               // 1
        "name: [not, text]\n"           // 2
        "attract_after: -5\n"           // 3
        "slides:\n"                     // 4
        "  - app: story.promptapp\n"    // 5
        "    race: maybe\n"             // 6
        "  - note: no app here\n"       // 7
        "  - app: x.promptapp\n"        // 8
        "    inputs:\n"                 // 9
        "      hero: [a, list]\n"       // 10
        "    colour: blue\n"            // 11
        "speed: fast\n");               // 12
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(linesOf(result.errors), (QList<int>{2, 3, 6, 7, 10, 11, 12})) << result.errorText().toStdString();
    const QString text = result.errorText("talk.promptdeck");
    EXPECT_TRUE(text.contains("talk.promptdeck: line 6, column 11: 'race' must be true or false")) << text.toStdString();
    EXPECT_TRUE(text.contains("slide 2 has no 'app'")) << text.toStdString();
    EXPECT_TRUE(text.contains("unknown key 'colour'")) << text.toStdString();
}

TEST(DeckFile, InvalidYamlGivesItsLine) {
    const DeckLoadResult result = parseDeck("promptdeck: 1\nslides:\n  - app: a.promptapp\n    note: {unclosed\n");
    ASSERT_EQ(result.errors.size(), 1);
    EXPECT_GE(result.errors[0].line, 4);
    EXPECT_TRUE(result.errors[0].message.contains("not valid YAML")) << result.errors[0].message.toStdString();
}

TEST(DeckFile, ANewerFormatOrNoDeckAtAllIsRefusedInWords) {
    const DeckLoadResult newer = parseDeck("promptdeck: 7\nslides: []\n");
    ASSERT_EQ(newer.errors.size(), 1);
    EXPECT_EQ(newer.errors[0].line, 1);
    EXPECT_TRUE(newer.errors[0].message.contains("newer Prompt Studio")) << newer.errors[0].message.toStdString();

    const DeckLoadResult plain = parseDeck("just some text\n");
    ASSERT_FALSE(plain.ok());
    EXPECT_EQ(plain.errors[0].line, 1);

    const DeckLoadResult missing = loadDeck("/nonexistent/folder/talk.promptdeck");
    ASSERT_EQ(missing.errors.size(), 1);
    EXPECT_EQ(missing.errors[0].line, 0);
    EXPECT_TRUE(missing.errors[0].message.contains("talk.promptdeck")) << missing.errors[0].message.toStdString();
}

TEST(DeckFile, ARaceSaysWhatItRacesInFormat2AndOldDecksStillLoad) {
    Deck deck = sampleDeck();
    DeckRace race;
    race.left = {"models/small-Q4_K_M.gguf", RaceDevice::Gpu, 0};
    race.right = {"", RaceDevice::Cpu, 8};
    deck.slides[1].raceSetup = race;
    const QString text = serializeDeck(deck);
    // Format 2 only because a slide names its engines: older builds refuse it in words.
    EXPECT_TRUE(text.startsWith("promptdeck: 2\n")) << text.toStdString();
    EXPECT_TRUE(text.contains("device: gpu")) << text.toStdString();
    const DeckLoadResult read = parseDeck(text);
    ASSERT_TRUE(read.ok()) << read.errorText().toStdString() << "\n" << text.toStdString();
    EXPECT_EQ(read.deck, deck);
    ASSERT_TRUE(read.deck.slides[1].raceSetup);
    EXPECT_EQ(read.deck.slides[1].raceSetup->right.threads, 8);
    EXPECT_EQ(serializeDeck(read.deck), text);

    // A format-1 deck, as the first demo builds wrote it, reads as before.
    const DeckLoadResult old = parseDeck("promptdeck: 1\nname: Old\nslides:\n  - app: a.promptapp\n    race: true\n");
    ASSERT_TRUE(old.ok()) << old.errorText().toStdString();
    EXPECT_TRUE(old.deck.slides[0].race);
    EXPECT_FALSE(old.deck.slides[0].raceSetup);

    // Models relative to the deck's folder; none = the window's model.
    Deck placed;
    placed.filePath = "/talks/gtc/talk.promptdeck";
    EXPECT_EQ(placed.modelPathOf(race.left), "/talks/gtc/models/small-Q4_K_M.gguf");
    EXPECT_EQ(placed.modelPathOf(race.right), "");

    // Each wrong side, with its line.
    const DeckLoadResult broken = parseDeck(
        "promptdeck: 2\n"                            // 1
        "slides:\n"                                  // 2
        "  - app: a.promptapp\n"                     // 3
        "    race:\n"                                // 4
        "      left: {device: tpu}\n"                // 5
        "      right: {threads: -1, colour: red}\n"  // 6
        "      middle: {}\n"                         // 7
        "  - app: b.promptapp\n"                     // 8
        "    race: {left: {threads: 2}}\n");         // 9
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(linesOf(broken.errors), (QList<int>{5, 6, 6, 7, 9})) << broken.errorText().toStdString();
    const QString message = broken.errorText();
    EXPECT_TRUE(message.contains("'device' must be auto, gpu or cpu, not 'tpu'")) << message.toStdString();
    EXPECT_TRUE(message.contains("'threads' must be between 0")) << message.toStdString();
    EXPECT_TRUE(message.contains("'left' and 'right'")) << message.toStdString();
}

TEST(DeckFile, AHostileDeckIsRefusedQuickly) {
    // Nesting far past the YAML limit: refused before yaml-cpp recurses through it.
    const QString deep = "promptdeck: 1\nslides: " + QString(5000, '[') + QString(5000, ']') + "\n";
    const DeckLoadResult result = parseDeck(deep);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errors[0].line, 2);
}

}  // namespace
}  // namespace ps
