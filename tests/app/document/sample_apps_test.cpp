// Every sample app in resources/apps loads without errors, round-trips, and has
// examples with expectations.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include "document/promptapp.h"

namespace ps {
namespace {

QStringList sampleFiles() {
    const QDir dir(PROMPTSTUDIO_SAMPLE_APPS_DIR);
    QStringList files;
    for (const QString& name : dir.entryList({"*.promptapp"}, QDir::Files, QDir::Name)) {
        files << dir.filePath(name);
    }
    return files;
}

TEST(SampleApps, ThereAreAtLeastTwelveWithKebabCaseNames) {
    const QStringList files = sampleFiles();
    EXPECT_GE(files.size(), 12);
    static const QRegularExpression kebab("^[a-z0-9]+(-[a-z0-9]+)*\\.promptapp$");
    for (const QString& file : files) {
        EXPECT_TRUE(kebab.match(QFileInfo(file).fileName()).hasMatch()) << file.toStdString();
    }
    // Nothing else lies there (a stray .bak or .txt would be installed or ignored).
    const QStringList all = QDir(PROMPTSTUDIO_SAMPLE_APPS_DIR).entryList(QDir::Files);
    EXPECT_EQ(all.size(), files.size()) << all.join(", ").toStdString();
}

TEST(SampleApps, EachValidatesAndRoundTrips) {
    QStringList names;
    for (const QString& file : sampleFiles()) {
        SCOPED_TRACE(file.toStdString());
        const PromptAppLoadResult result = loadPromptApp(file);
        ASSERT_TRUE(result.loaded) << result.errorText(file).toStdString();
        EXPECT_TRUE(result.errors.isEmpty()) << result.errorText(file).toStdString();
        EXPECT_TRUE(result.notices.isEmpty());
        const PromptApp& app = result.app;
        EXPECT_FALSE(app.description.isEmpty());
        EXPECT_FALSE(app.icon.isEmpty());
        EXPECT_FALSE(names.contains(app.name));
        names << app.name;
        EXPECT_FALSE(app.tags.isEmpty());
        // Every input is explained to a newcomer: a label and a help or placeholder text.
        for (const PromptInput& input : app.inputs) {
            EXPECT_FALSE(input.label.isEmpty()) << input.name.toStdString();
            EXPECT_FALSE(input.help.isEmpty() && input.placeholder.isEmpty()) << input.name.toStdString();
        }
        EXPECT_FALSE(app.parameters.isEmpty());
        ASSERT_FALSE(app.examples.isEmpty());
        for (const AppExample& example : app.examples) EXPECT_FALSE(example.expect.isEmpty());
        if (app.kind != AppKind::Completion) {
            EXPECT_FALSE(app.instructions.isEmpty()) << file.toStdString();
        }
        const QString written = serializePromptApp(app);
        const PromptAppLoadResult again = parsePromptApp(written);
        ASSERT_TRUE(again.ok());
        EXPECT_TRUE(again.app.sameContent(app));
        // Written the way Prompt Studio writes: opening and saving a sample changes nothing.
        QFile source(file);
        ASSERT_TRUE(source.open(QIODevice::ReadOnly));
        EXPECT_EQ(written.toStdString(), QString::fromUtf8(source.readAll()).toStdString());
    }
}

TEST(SampleApps, BedtimeStoryIsACompletionAppForTinyModels) {
    const PromptAppLoadResult result =
        loadPromptApp(QString(PROMPTSTUDIO_SAMPLE_APPS_DIR) + "/bedtime-story.promptapp");
    ASSERT_TRUE(result.ok()) << result.errorText().toStdString();
    EXPECT_EQ(result.app.kind, AppKind::Completion);
    EXPECT_TRUE(result.app.instructions.isEmpty());
    EXPECT_TRUE(result.app.templateText.startsWith("Once upon a time"));
    for (const AppExample& example : result.app.examples) {
        EXPECT_TRUE(example.expect.contains.isEmpty());  // tiny models use few words
        EXPECT_TRUE(example.expect.maxWords.has_value());
    }
}

TEST(SampleApps, ExtractFieldsAnswersInJson) {
    const PromptAppLoadResult result =
        loadPromptApp(QString(PROMPTSTUDIO_SAMPLE_APPS_DIR) + "/extract-fields.promptapp");
    ASSERT_TRUE(result.ok()) << result.errorText().toStdString();
    EXPECT_EQ(result.app.output, OutputFormat::Json);
    for (const AppExample& example : result.app.examples) EXPECT_TRUE(example.expect.validJson);
}

// The apps the issue names are there, under the names the installer and docs use.
TEST(SampleApps, TheNewcomerSetIsComplete) {
    const QDir dir(PROMPTSTUDIO_SAMPLE_APPS_DIR);
    for (const char* name : {"email-from-notes", "summarize-text", "translate", "explain-code",
                             "fix-grammar-and-tone", "meeting-action-items", "brainstorm-names",
                             "recipe-from-ingredients", "extract-fields", "social-post",
                             "study-flashcards", "bedtime-story"}) {
        EXPECT_TRUE(dir.exists(QString(name) + ".promptapp")) << name;
    }
}

}  // namespace
}  // namespace ps
