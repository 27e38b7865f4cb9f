#include "runner/input_values.h"

#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "runner/app_prompt.h"

namespace ps {
namespace {

PromptInput makeInput(const QString& name, InputType type) {
    PromptInput input;
    input.name = name;
    input.type = type;
    return input;
}

PromptApp formApp() {
    PromptApp app;
    app.name = "Form";
    PromptInput count = makeInput("count", InputType::Number);
    count.min = 1;
    count.max = 5;
    PromptInput tone = makeInput("tone", InputType::Choice);
    tone.options = {"friendly", "formal"};
    tone.defaultValue = "friendly";
    PromptInput urgent = makeInput("urgent", InputType::Boolean);
    PromptInput notes = makeInput("notes", InputType::File);
    PromptInput name = makeInput("name", InputType::Text);
    name.required = true;
    app.inputs = {count, tone, urgent, notes, name};
    return app;
}

TEST(InputValuesTest, ValuesAreTypedAndDefaultsFillIn) {
    const CheckedInputs checked = checkInputs(formApp(), {{"count", "3"}, {"urgent", "yes"}, {"name", "Ada"}});
    ASSERT_TRUE(checked.ok()) << checked.errors.join("\n").toStdString();
    EXPECT_EQ(checked.values.value("count").typeId(), QMetaType::LongLong);
    EXPECT_EQ(checked.values.value("count").toLongLong(), 3);
    EXPECT_EQ(checked.values.value("urgent"), QVariant(true));
    EXPECT_EQ(checked.values.value("tone").toString(), "friendly");
    EXPECT_EQ(checked.values.value("name").toString(), "Ada");
    EXPECT_FALSE(checked.values.contains("notes"));  // optional, not given
}

TEST(InputValuesTest, EveryProblemIsReportedWithTheInputName) {
    const CheckedInputs checked = checkInputs(
        formApp(), {{"count", 9}, {"tone", "angry"}, {"urgent", "maybe"}, {"name", "   "}, {"extra", 1}});
    ASSERT_EQ(checked.errors.size(), 5) << checked.errors.join("\n").toStdString();
    const QString all = checked.errors.join("\n");
    EXPECT_TRUE(all.contains("input 'extra': the app has no such input")) << all.toStdString();
    EXPECT_TRUE(all.contains("input 'count': 9 is above the maximum 5")) << all.toStdString();
    EXPECT_TRUE(all.contains("input 'tone': 'angry' is not one of friendly, formal")) << all.toStdString();
    EXPECT_TRUE(all.contains("input 'urgent': 'maybe'")) << all.toStdString();
    EXPECT_TRUE(all.contains("input 'name' (Name) is required")) << all.toStdString();

    const CheckedInputs low = checkInputs(formApp(), {{"count", 0.5}, {"name", "x"}});
    ASSERT_EQ(low.errors.size(), 1);
    EXPECT_TRUE(low.errors[0].contains("below the minimum 1"));
    const CheckedInputs nan = checkInputs(formApp(), {{"count", "many"}, {"name", "x"}});
    ASSERT_EQ(nan.errors.size(), 1);
    EXPECT_TRUE(nan.errors[0].contains("'many' is not a number"));
}

TEST(InputValuesTest, FileInputsBecomeTheTextOfTheFile) {
    QTemporaryDir dir;
    const QString text = dir.filePath("notes.txt");
    {
        QFile file(text);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write("Meeting at 10.\nBring caf\xC3\xA9.\n");
    }
    CheckedInputs checked = checkInputs(formApp(), {{"notes", text}, {"name", "x"}});
    ASSERT_TRUE(checked.ok()) << checked.errors.join("\n").toStdString();
    EXPECT_EQ(checked.values.value("notes").toString(), QString::fromUtf8("Meeting at 10.\nBring caf\xC3\xA9.\n"));

    const QString binary = dir.filePath("image.png");
    {
        QFile file(binary);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("\x89PNG\r\n\x1a\n\0\0\0", 11));
    }
    checked = checkInputs(formApp(), {{"notes", binary}, {"name", "x"}});
    ASSERT_EQ(checked.errors.size(), 1);
    EXPECT_TRUE(checked.errors[0].contains("input 'notes'")) << checked.errors[0].toStdString();
    EXPECT_TRUE(checked.errors[0].contains("not a text file")) << checked.errors[0].toStdString();

    checked = checkInputs(formApp(), {{"notes", dir.filePath("missing.txt")}, {"name", "x"}});
    ASSERT_EQ(checked.errors.size(), 1);
    EXPECT_TRUE(checked.errors[0].contains("missing.txt: cannot open")) << checked.errors[0].toStdString();

    const QString big = dir.filePath("big.txt");
    {
        QFile file(big);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(100, 'a'));
    }
    EXPECT_THROW(readInputFile(big, 99), InputFileError);
    EXPECT_EQ(readInputFile(big, 100).size(), 100);
}

}  // namespace
}  // namespace ps

namespace ps {
namespace {

// An app's prompt: optional inputs left empty are empty (so `{% if %}` works), the
// instructions may use inputs too, and a typo is an error naming it and its line.
TEST(AppPromptTest, OptionalInputsLeftEmptyAreEmptyAndInstructionsUseInputs) {
    PromptApp app = formApp();
    app.instructions = "You help {{ name }}.\n";
    app.templateText =
        "Hello{% if notes %} with notes{% endif %}{% if urgent %}, urgently{% endif %}"
        "{% if count is none %}, no count{% endif %} ({{ tone }}).\n";
    const AppPrompt prompt = buildAppPrompt(app, {{"name", "Ada"}});
    EXPECT_EQ(prompt.instructions, "You help Ada.");
    EXPECT_EQ(prompt.userText, "Hello, no count (friendly).");
    const AppPrompt urgent = buildAppPrompt(app, {{"name", "Ada"}, {"urgent", "yes"}, {"count", "2"}});
    EXPECT_EQ(urgent.userText, "Hello, urgently (friendly).");

    // Plain instructions are sent exactly as written (braces and all), trimmed.
    app.instructions = "  Answer in JSON like {\"a\": 1}.  ";
    EXPECT_EQ(buildAppPrompt(app, {{"name", "Ada"}}).instructions, "Answer in JSON like {\"a\": 1}.");

    app.source.bodyFirstLine = 12;
    app.templateText = "Hello\n{{ nmae }}";
    try {
        buildAppPrompt(app, {{"name", "Ada"}});
        FAIL() << "a misspelt variable must be an error";
    } catch (const AppPromptError& error) {
        EXPECT_NE(std::string(error.what()).find("template line 13, column 4"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("nmae"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace ps
