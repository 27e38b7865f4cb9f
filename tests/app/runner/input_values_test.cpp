#include "runner/input_values.h"

#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

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
    EXPECT_TRUE(checked.errors[0].contains("missing.txt: cannot read")) << checked.errors[0].toStdString();

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
