// promptstudio-cli's prompt-app commands end to end: the built program run with
// QProcess, in a temporary folder with its own data directory (XDG_DATA_HOME),
// so that history goes to a fresh file.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "support/shared_data.h"

namespace {

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
};

class CliAppsTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(dir_.isValid()); }

    QString path(const QString& name) const { return dir_.filePath(name); }

    void writeFile(const QString& name, const QByteArray& content) const {
        QFile file(path(name));
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(content);
    }

    CliResult cli(const QStringList& arguments, int timeoutMs = 120000) const {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("HOME", dir_.filePath("home"));
        environment.insert("XDG_DATA_HOME", dir_.filePath("data"));
        environment.remove("PROMPTSTUDIO_MODEL");
        process.setProcessEnvironment(environment);
        process.setWorkingDirectory(dir_.path());
        process.start(QStringLiteral(PROMPTSTUDIO_CLI_PATH), arguments);
        CliResult result;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            ADD_FAILURE() << "promptstudio-cli " << arguments.join(' ').toStdString() << " timed out";
            return result;
        }
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        result.out = QString::fromUtf8(process.readAllStandardOutput());
        result.err = QString::fromUtf8(process.readAllStandardError());
        return result;
    }

    QTemporaryDir dir_;
};

std::string describe(const CliResult& result) {
    return "exit " + std::to_string(result.exitCode) + "\nstdout:\n" + result.out.toStdString() + "\nstderr:\n" +
           result.err.toStdString();
}

// A completion app that continues its input: with temperature 0 it must give the
// model's greedy continuation.
const QByteArray kCompletionApp =
    "---\n"
    "promptapp: 1\n"
    "name: Story starter\n"
    "kind: completion\n"
    "inputs:\n"
    "  - name: opening\n"
    "    type: text\n"
    "    required: true\n"
    "parameters:\n"
    "  temperature: 0\n"
    "  repeat_penalty: 1\n"
    "  max_tokens: 24\n"
    "---\n"
    "{{ opening }}";

TEST_F(CliAppsTest, ValidateAcceptsAGoodFileAndReportsBadOnesWithPositions) {
    writeFile("good.promptapp", kCompletionApp);
    // Line 7: an unknown input type; line 11: a temperature out of range.
    writeFile("bad.promptapp",
              "---\n"                       // 1
              "promptapp: 1\n"              // 2
              "name: Broken\n"              // 3
              "inputs:\n"                   // 4
              "  - name: topic\n"           // 5
              "    required: true\n"        // 6
              "    type: colour\n"          // 7
              "  - name: count\n"           // 8
              "    type: number\n"          // 9
              "parameters:\n"               // 10
              "  temperature: 7\n"          // 11
              "---\n"                       // 12
              "Write about {{ topic }}.\n");

    const CliResult good = cli({"validate", "good.promptapp"});
    EXPECT_EQ(good.exitCode, 0) << describe(good);
    EXPECT_TRUE(good.out.contains("good.promptapp: ok")) << describe(good);

    const CliResult bad = cli({"validate", "good.promptapp", "bad.promptapp"});
    EXPECT_EQ(bad.exitCode, 1) << describe(bad);
    EXPECT_TRUE(bad.err.contains("bad.promptapp:7:")) << describe(bad);
    EXPECT_TRUE(bad.err.contains("bad.promptapp:11:")) << describe(bad);
    EXPECT_FALSE(bad.err.contains("good.promptapp")) << describe(bad);

    const CliResult missing = cli({"validate", "nowhere.promptapp"});
    EXPECT_EQ(missing.exitCode, 1) << describe(missing);
    EXPECT_TRUE(missing.err.contains("nowhere.promptapp")) << describe(missing);

    // Decks are checked as decks.
    writeFile("talk.promptdeck", "promptdeck: 1\nname: Talk\nslides:\n  - app: good.promptapp\n");
    writeFile("broken.promptdeck", "promptdeck: 1\nslides:\n  - note: no app\n  - app: x.promptapp\n    race: maybe\n");
    const CliResult decks = cli({"validate", "talk.promptdeck", "broken.promptdeck"});
    EXPECT_EQ(decks.exitCode, 1) << describe(decks);
    EXPECT_TRUE(decks.out.contains("talk.promptdeck: ok")) << describe(decks);
    EXPECT_TRUE(decks.err.contains("broken.promptdeck:3:")) << describe(decks);
    EXPECT_TRUE(decks.err.contains("broken.promptdeck:5:")) << describe(decks);

    const CliResult usage = cli({"validate"});
    EXPECT_EQ(usage.exitCode, 2) << describe(usage);
    const CliResult unknownOption = cli({"validate", "--bogus", "good.promptapp"});
    EXPECT_EQ(unknownOption.exitCode, 2) << describe(unknownOption);
}

TEST_F(CliAppsTest, NewWritesAStarterThatValidates) {
    const CliResult created = cli({"new", "Meeting Notes"});
    EXPECT_EQ(created.exitCode, 0) << describe(created);
    ASSERT_TRUE(QFile::exists(path("meeting-notes.promptapp"))) << describe(created);
    QFile file(path("meeting-notes.promptapp"));
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    EXPECT_TRUE(text.contains("# ")) << "the starter explains itself in comments:\n" << text.toStdString();
    EXPECT_TRUE(text.contains("Meeting Notes"));
    EXPECT_TRUE(text.contains("docs/promptapp-format.md")) << text.toStdString();
    EXPECT_TRUE(text.contains("examples:")) << "the starter shows how to test it:\n" << text.toStdString();

    const CliResult validated = cli({"validate", "meeting-notes.promptapp"});
    EXPECT_EQ(validated.exitCode, 0) << describe(validated);

    // No silent overwrite; --output picks the file.
    const CliResult again = cli({"new", "Meeting Notes"});
    EXPECT_EQ(again.exitCode, 1) << describe(again);
    const CliResult elsewhere = cli({"new", "Other", "--output", "sub-other.promptapp"});
    EXPECT_EQ(elsewhere.exitCode, 0) << describe(elsewhere);
    EXPECT_TRUE(QFile::exists(path("sub-other.promptapp")));
}

TEST_F(CliAppsTest, ImportTurnsAPromptyIntoAValidApp) {
    writeFile("support.prompty",
              "---\n"
              "name: Support Reply\n"
              "description: Answers a customer\n"
              "authors:\n"
              "  - Ada\n"
              "model:\n"
              "  api: chat\n"
              "  parameters:\n"
              "    temperature: 0.2\n"
              "    max_tokens: 200\n"
              "inputs:\n"
              "  question:\n"
              "    type: string\n"
              "sample:\n"
              "  question: Where is my parcel?\n"
              "---\n"
              "system:\n"
              "You answer customer questions politely.\n"
              "\n"
              "user:\n"
              "{{question}}\n");
    const CliResult imported = cli({"import", "support.prompty", "--output", "support.promptapp"});
    EXPECT_EQ(imported.exitCode, 0) << describe(imported);
    ASSERT_TRUE(QFile::exists(path("support.promptapp"))) << describe(imported);
    const CliResult validated = cli({"validate", "support.promptapp"});
    EXPECT_EQ(validated.exitCode, 0) << describe(validated);
    QFile file(path("support.promptapp"));
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    EXPECT_TRUE(text.contains("You answer customer questions politely.")) << text.toStdString();
    EXPECT_TRUE(text.contains("question")) << text.toStdString();
}

TEST_F(CliAppsTest, RunPrintsJsonAndTheRunShowsInHistory) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(reference, "models/stories260K.greedy-256.txt");
    writeFile("story.promptapp", kCompletionApp);
    const QString modelPath = QString::fromStdString(model.string());

    const CliResult run = cli({"run", "story.promptapp", "--input", "opening=Once upon a time", "--model",
                               modelPath, "--json", "--backend", "cpu", "--threads", "2"});
    ASSERT_EQ(run.exitCode, 0) << describe(run);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    ASSERT_EQ(error.error, QJsonParseError::NoError) << describe(run);
    const QJsonObject result = document.object();
    EXPECT_EQ(result.value("model").toString(), modelPath);
    EXPECT_EQ(result.value("stopReason").toString(), "max-tokens");  // the generator's stopReasonName
    EXPECT_EQ(result.value("stats").toObject().value("generatedTokens").toInt(), 24);
    EXPECT_GT(result.value("stats").toObject().value("promptTokens").toInt(), 1);
    const QString output = result.value("output").toString();
    EXPECT_FALSE(output.isEmpty());
    QFile referenceFile(QString::fromStdString(reference.string()));
    ASSERT_TRUE(referenceFile.open(QIODevice::ReadOnly));
    EXPECT_TRUE(QString::fromUtf8(referenceFile.readAll()).startsWith(output)) << output.toStdString();

    // Streaming (no --json) prints the same text, then a newline.
    const CliResult streamed = cli({"run", "story.promptapp", "--input", "opening=Once upon a time", "--model",
                                    modelPath, "--backend", "cpu", "--no-history"});
    ASSERT_EQ(streamed.exitCode, 0) << describe(streamed);
    EXPECT_EQ(streamed.out, output + "\n");

    // One run recorded (the --no-history one is not).
    const CliResult history = cli({"history", "--json"});
    ASSERT_EQ(history.exitCode, 0) << describe(history);
    const QJsonArray runs = QJsonDocument::fromJson(history.out.toUtf8()).array();
    ASSERT_EQ(runs.size(), 1) << describe(history);
    const QJsonObject row = runs[0].toObject();
    EXPECT_EQ(row.value("app").toString(), "Story starter");
    EXPECT_EQ(row.value("outcome").toString(), "finished");
    EXPECT_EQ(row.value("output").toString(), output);
    EXPECT_EQ(row.value("inputs").toObject().value("opening").toString(), "Once upon a time");
    EXPECT_TRUE(QFile::exists(path("data/promptstudio-cli/history.sqlite")) ||
                QDir(path("data")).entryList(QDir::AllDirs | QDir::NoDotAndDotDot).size() > 0);

    const CliResult listing = cli({"history", "--app", "Story starter"});
    ASSERT_EQ(listing.exitCode, 0) << describe(listing);
    EXPECT_TRUE(listing.out.contains("Story starter")) << describe(listing);
    EXPECT_TRUE(listing.out.contains("finished")) << describe(listing);
    const CliResult none = cli({"history", "--app", "Nothing"});
    EXPECT_EQ(none.exitCode, 0) << describe(none);
    EXPECT_FALSE(none.out.contains("Story starter")) << describe(none);
}

TEST_F(CliAppsTest, RunRefusesMissingInputsAndMissingModelsClearly) {
    writeFile("story.promptapp", kCompletionApp);
    const CliResult noInput = cli({"run", "story.promptapp", "--model", "/nowhere.gguf"});
    EXPECT_EQ(noInput.exitCode, 1) << describe(noInput);
    EXPECT_TRUE(noInput.err.contains("'opening'")) << describe(noInput);

    const CliResult noModel = cli({"run", "story.promptapp", "--input", "opening=Hi", "--model", "/nowhere.gguf"});
    EXPECT_EQ(noModel.exitCode, 1) << describe(noModel);
    EXPECT_TRUE(noModel.err.contains("--model /nowhere.gguf: no such file")) << describe(noModel);

    const CliResult badAssignment = cli({"run", "story.promptapp", "--input", "opening"});
    EXPECT_EQ(badAssignment.exitCode, 2) << describe(badAssignment);
}

TEST_F(CliAppsTest, TestCommandChecksExamples) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    // The greedy continuation of "Once upon a time" starts with ", there was a little girl".
    QByteArray app = kCompletionApp;
    app.replace("---\n{{ opening }}",
                "examples:\n"
                "  - name: passes\n"
                "    inputs:\n"
                "      opening: Once upon a time\n"
                "    expect:\n"
                "      contains: [there was]\n"
                "  - name: fails\n"
                "    inputs:\n"
                "      opening: Once upon a time\n"
                "    expect:\n"
                "      contains: [spaceship]\n"
                "---\n{{ opening }}");
    writeFile("checked.promptapp", app);
    const QString modelPath = QString::fromStdString(model.string());
    const CliResult tested = cli({"test", "checked.promptapp", "--model", modelPath, "--backend", "cpu"});
    EXPECT_EQ(tested.exitCode, 1) << describe(tested);
    EXPECT_TRUE(tested.out.contains("PASS example 1 (passes)")) << describe(tested);
    EXPECT_TRUE(tested.out.contains("FAIL example 2 (fails)")) << describe(tested);
    EXPECT_TRUE(tested.out.contains("spaceship")) << describe(tested);
}

TEST_F(CliAppsTest, EverySampleAppValidates) {
    const QDir samples(QStringLiteral(PROMPTSTUDIO_SAMPLE_APPS_DIR));
    QStringList arguments{"validate"};
    for (const QString& name : samples.entryList({"*.promptapp"}, QDir::Files, QDir::Name)) {
        arguments << samples.filePath(name);
    }
    ASSERT_GE(arguments.size(), 13);
    const CliResult validated = cli(arguments);
    EXPECT_EQ(validated.exitCode, 0) << describe(validated);
    EXPECT_EQ(validated.out.count(": ok\n"), arguments.size() - 1) << describe(validated);
}

// Nothing configured (no --model, no PROMPTSTUDIO_MODEL, no model in the app):
// the built-in demo model runs the app, and stderr says so.
TEST_F(CliAppsTest, RunWithoutAModelUsesTheBuiltInDemoModelAndSaysSo) {
    const QString app = QDir(QStringLiteral(PROMPTSTUDIO_SAMPLE_APPS_DIR)).filePath("bedtime-story.promptapp");
    const CliResult run = cli({"run", app, "--input", "hero=a little fox", "--max-tokens", "30", "--temperature",
                               "0", "--backend", "cpu", "--threads", "2", "--no-history"});
    ASSERT_EQ(run.exitCode, 0) << describe(run);
    EXPECT_TRUE(run.err.contains("promptstudio-cli run: no model given: using the built-in demo model"))
        << describe(run);
    EXPECT_TRUE(run.err.contains("resources/models/stories260K.gguf")) << describe(run);
    EXPECT_GE(run.out.split(' ', Qt::SkipEmptyParts).size(), 5) << describe(run);

    // A model named in the environment wins over the demo model.
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("PROMPTSTUDIO_MODEL", "/nowhere/else.gguf");
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(PROMPTSTUDIO_CLI_PATH), {"run", app, "--input", "hero=a fox", "--no-history"});
    ASSERT_TRUE(process.waitForFinished(60000));
    const QString err = QString::fromUtf8(process.readAllStandardError());
    EXPECT_EQ(process.exitCode(), 1) << err.toStdString();
    EXPECT_TRUE(err.contains("PROMPTSTUDIO_MODEL=/nowhere/else.gguf: no such file")) << err.toStdString();
    EXPECT_FALSE(err.contains("demo model")) << err.toStdString();
}

// What the installer test does with the packaged sample: a story on the tiny model.
TEST_F(CliAppsTest, BedtimeStorySampleRunsOnTheStoriesModel) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    const QString app = QStringLiteral(PROMPTSTUDIO_SAMPLE_APPS_DIR) + "/bedtime-story.promptapp";
    const CliResult story =
        cli({"run", app, "--model", QString::fromStdString(model.string()), "--input", "hero=a little fox",
             "--max-tokens", "40", "--temperature", "0", "--no-history"});
    ASSERT_EQ(story.exitCode, 0) << describe(story);
    EXPECT_GE(story.out.split(' ', Qt::SkipEmptyParts).size(), 5) << describe(story);
    // --no-history: nothing was recorded.
    const CliResult history = cli({"history", "--json"});
    ASSERT_EQ(history.exitCode, 0) << describe(history);
    EXPECT_EQ(QJsonDocument::fromJson(history.out.toUtf8()).array().size(), 0) << describe(history);

    // The same run with --json reports the overrides it ran with.
    const CliResult json =
        cli({"run", app, "--model", QString::fromStdString(model.string()), "--input", "hero=a little fox",
             "--max-tokens", "40", "--temperature", "0", "--no-history", "--json"});
    ASSERT_EQ(json.exitCode, 0) << describe(json);
    const QJsonObject result = QJsonDocument::fromJson(json.out.toUtf8()).object();
    EXPECT_EQ(result.value("output").toString() + "\n", story.out);
    EXPECT_LE(result.value("stats").toObject().value("generatedTokens").toInt(), 40);
}

// Every one of the 87 real cases through the command line, byte for byte; the cases
// whose template raises fail with the template's message (--no-system-merge renders
// as Hugging Face does; without it, a refused system message is merged instead).
TEST_F(CliAppsTest, ChatTemplateMatchesEveryRealCase) {
    PS_REQUIRE_SHARED_FILE(casesPath, "chat-templates/cases.json");
    QFile casesFile(QString::fromStdString(casesPath.string()));
    ASSERT_TRUE(casesFile.open(QIODevice::ReadOnly));
    const QJsonArray cases = QJsonDocument::fromJson(casesFile.readAll()).array();
    ASSERT_EQ(cases.size(), 87);
    int rendered = 0;
    int raised = 0;
    for (const QJsonValue& value : cases) {
        const QJsonObject entry = value.toObject();
        const std::string name =
            (entry.value("name").toString() + " / " + entry.value("conversation").toString()).toStdString();
        writeFile("template.jinja", entry.value("template").toString().toUtf8());
        writeFile("messages.json", QJsonDocument(entry.value("messages").toArray()).toJson());
        QStringList arguments{"chat-template", "--template", "template.jinja", "--messages", "messages.json",
                              "--bos-token", entry.value("bos_token").toString(), "--eos-token",
                              entry.value("eos_token").toString(), "--no-system-merge"};
        if (!entry.value("add_generation_prompt").toBool()) arguments << "--no-generation-prompt";
        const CliResult result = cli(arguments);
        if (entry.contains("expected")) {
            EXPECT_EQ(result.exitCode, 0) << name << "\n" << describe(result);
            EXPECT_EQ(result.out, entry.value("expected").toString()) << name;
            ++rendered;
        } else {
            EXPECT_EQ(result.exitCode, 1) << name << "\n" << describe(result);
            EXPECT_TRUE(result.out.isEmpty()) << name << "\n" << describe(result);
            EXPECT_TRUE(result.err.contains(entry.value("expected_error").toString())) << name << "\n"
                                                                                      << describe(result);
            ++raised;
            if (entry.value("expected_error").toString() == "System role not supported") {
                // Without --no-system-merge, the system text joins the first user message.
                arguments.removeAll("--no-system-merge");
                const CliResult merged = cli(arguments);
                EXPECT_EQ(merged.exitCode, 0) << name << "\n" << describe(merged);
                const QString system = entry.value("messages").toArray().first().toObject().value("content").toString();
                EXPECT_TRUE(merged.out.contains(system)) << name << "\n" << describe(merged);
            }
        }
    }
    EXPECT_EQ(rendered + raised, 87);
    EXPECT_GE(raised, 1);
}

TEST_F(CliAppsTest, ChatTemplatePrintsExactlyTheExpectedText) {
    PS_REQUIRE_SHARED_FILE(casesPath, "chat-templates/cases.json");
    QFile casesFile(QString::fromStdString(casesPath.string()));
    ASSERT_TRUE(casesFile.open(QIODevice::ReadOnly));
    const QJsonArray cases = QJsonDocument::fromJson(casesFile.readAll()).array();
    // Two real templates: ChatML with a system message, and the first template that
    // writes the BOS token itself.
    std::vector<QJsonObject> picked;
    for (const QJsonValue& value : cases) {
        const QJsonObject entry = value.toObject();
        if (entry.value("name").toString() == "teknium/OpenHermes-2.5-Mistral-7B" &&
            entry.value("conversation").toString() == "with-system") {
            picked.push_back(entry);
            break;
        }
    }
    for (const QJsonValue& value : cases) {
        const QJsonObject entry = value.toObject();
        if (entry.contains("expected") && entry.value("template").toString().contains("bos_token")) {
            picked.push_back(entry);
            break;
        }
    }
    ASSERT_EQ(picked.size(), 2u);
    for (const QJsonObject& entry : picked) {
        const std::string name = entry.value("name").toString().toStdString();
        writeFile("template.jinja", entry.value("template").toString().toUtf8());
        writeFile("messages.json", QJsonDocument(entry.value("messages").toArray()).toJson());
        QStringList arguments{"chat-template", "--template", "template.jinja", "--messages", "messages.json",
                              "--bos-token", entry.value("bos_token").toString(), "--eos-token",
                              entry.value("eos_token").toString()};
        if (!entry.value("add_generation_prompt").toBool()) arguments << "--no-generation-prompt";
        const CliResult rendered = cli(arguments);
        EXPECT_EQ(rendered.exitCode, 0) << name << "\n" << describe(rendered);
        EXPECT_EQ(rendered.out, entry.value("expected").toString()) << name;
        EXPECT_TRUE(rendered.err.isEmpty()) << name << "\n" << describe(rendered);
    }

    // The model's own template (stories260K has none: the Llama 2 fallback).
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    writeFile("chat.json", R"([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])");
    const CliResult fromModel =
        cli({"chat-template", "--model", QString::fromStdString(model.string()), "--messages", "chat.json"});
    EXPECT_EQ(fromModel.exitCode, 0) << describe(fromModel);
    EXPECT_EQ(fromModel.out, "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]") << describe(fromModel);

    const CliResult usage = cli({"chat-template", "--messages", "chat.json"});
    EXPECT_EQ(usage.exitCode, 2) << describe(usage);
    writeFile("broken.json", "[{\"role\": \"user\"");
    const CliResult broken = cli({"chat-template", "--template", "template.jinja", "--messages", "broken.json"});
    EXPECT_EQ(broken.exitCode, 1) << describe(broken);
    EXPECT_TRUE(broken.err.contains("broken.json")) << describe(broken);
}

}  // namespace

// ---- hostile inputs (issue: a bad-input probe of the CLI) ---------------------------------

TEST_F(CliAppsTest, OutputFilesAreNotWrittenThroughSymbolicLinks) {
    // `new` on a dangling link created the link's target; --force wrote through a link.
    ASSERT_TRUE(QFile::link(path("nowhere/target.promptapp"), path("dangling.promptapp")));
    for (const QStringList& extra : {QStringList{}, QStringList{"--force"}}) {
        const CliResult result = cli(QStringList{"new", "X", "--output", "dangling.promptapp"} + extra);
        EXPECT_EQ(result.exitCode, 1) << describe(result);
        EXPECT_TRUE(result.err.contains("symbolic link")) << describe(result);
    }
    EXPECT_FALSE(QFile::exists(path("nowhere/target.promptapp")));
    writeFile("real.promptapp", "keep");
    ASSERT_TRUE(QFile::link(path("real.promptapp"), path("link.promptapp")));
    const CliResult forced = cli({"new", "X", "--output", "link.promptapp", "--force"});
    EXPECT_EQ(forced.exitCode, 1) << describe(forced);
    QFile real(path("real.promptapp"));
    ASSERT_TRUE(real.open(QIODevice::ReadOnly));
    EXPECT_EQ(real.readAll(), QByteArray("keep"));
}

TEST_F(CliAppsTest, EvalDoesNotOverwriteLogitsWithoutForce) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    const QString modelPath = QString::fromStdString(model.string());
    writeFile("logits.f32", "keep");
    const CliResult refused =
        cli({"eval", "--model", modelPath, "--prompt", "Once", "--logits-out", "logits.f32"});
    EXPECT_EQ(refused.exitCode, 1) << describe(refused);
    EXPECT_TRUE(refused.err.contains("--force")) << describe(refused);
    QFile kept(path("logits.f32"));
    ASSERT_TRUE(kept.open(QIODevice::ReadOnly));
    EXPECT_EQ(kept.readAll(), QByteArray("keep"));
    kept.close();
    const CliResult forced =
        cli({"eval", "--model", modelPath, "--prompt", "Once", "--logits-out", "logits.f32", "--force"});
    EXPECT_EQ(forced.exitCode, 0) << describe(forced);
    EXPECT_EQ(QFileInfo(path("logits.f32")).size(), 512 * 4);
    ASSERT_TRUE(QFile::link(path("logits.f32"), path("link.f32")));
    const CliResult throughLink =
        cli({"eval", "--model", modelPath, "--prompt", "Once", "--logits-out", "link.f32", "--force"});
    EXPECT_EQ(throughLink.exitCode, 1) << describe(throughLink);
}

TEST_F(CliAppsTest, TemplateTextReachesTheTerminalEscaped) {
    // A model's template could retitle or clear the terminal through raise_exception.
    writeFile("evil.jinja", "{{ raise_exception('\x1b]0;owned\x07\x1b[2Jgone') }}");
    writeFile("messages.json", R"([{"role": "user", "content": "hi"}])");
    const CliResult result = cli({"chat-template", "--template", "evil.jinja", "--messages", "messages.json"});
    EXPECT_EQ(result.exitCode, 1) << describe(result);
    EXPECT_FALSE(result.err.contains(QChar(0x1b))) << describe(result);
    EXPECT_TRUE(result.err.contains("\\x1b]0;owned\\x07")) << describe(result);
}

TEST_F(CliAppsTest, SpecialFilesAreRefusedAtOnce) {
    writeFile("messages.json", R"([{"role": "user", "content": "hi"}])");
    for (const QStringList& arguments :
         {QStringList{"validate", "/dev/zero"}, QStringList{"import", "/dev/zero", "--output", "x.promptapp"},
          QStringList{"chat-template", "--template", "/dev/zero", "--messages", "messages.json"},
          QStringList{"info", "--model", "/dev/zero"}, QStringList{"validate", "."}}) {
        const CliResult result = cli(arguments, 20000);
        EXPECT_NE(result.exitCode, 0) << describe(result);
        EXPECT_TRUE(result.err.contains("not a regular file")) << arguments.join(' ').toStdString() << "\n"
                                                                << describe(result);
    }
}
