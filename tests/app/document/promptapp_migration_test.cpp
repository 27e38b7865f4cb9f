// Format versions: format 0 (legacy) is migrated, newer formats are refused clearly.
#include <gtest/gtest.h>

#include "document/promptapp.h"
#include "document/legacy_format.h"

namespace ps {
namespace {

TEST(PromptAppMigration, Format0WithFrontMatterIsMigrated) {
    const char* legacy = R"(---
promptapp: 0
title: Blog outline
system: You plan blog posts.
prompt: |
  Write an outline about {topic} for {audience}.
  Use {{curly}} braces literally.
variables:
  - topic
  - name: audience
    description: Who will read it
    default: beginners
  - name: depth
    choices: [short, long]
temperature: 0.6
max_tokens: 300
legacy_extra: kept
---
)";
    const PromptAppLoadResult result = parsePromptApp(legacy);
    ASSERT_TRUE(result.loaded);
    EXPECT_TRUE(result.errors.isEmpty()) << result.errorText().toStdString();
    const PromptApp& app = result.app;
    EXPECT_EQ(app.migratedFromVersion, 0);
    EXPECT_EQ(app.formatVersion, 1);
    EXPECT_EQ(app.name, "Blog outline");
    EXPECT_EQ(app.instructions, "You plan blog posts.");
    EXPECT_EQ(app.templateText,
              "Write an outline about {{ topic }} for {{ audience }}.\n"
              "Use {{ '{' }}curly{{ '}' }} braces literally.\n");
    ASSERT_EQ(app.inputs.size(), 3);
    EXPECT_EQ(app.inputs[0].name, "topic");
    EXPECT_TRUE(app.inputs[0].required);
    EXPECT_EQ(app.inputs[1].label, "Who will read it");
    EXPECT_EQ(app.inputs[1].defaultValue, QVariant("beginners"));
    EXPECT_FALSE(app.inputs[1].required);
    EXPECT_EQ(app.inputs[2].type, InputType::Choice);
    EXPECT_EQ(app.inputs[2].options, QStringList({"short", "long"}));
    EXPECT_DOUBLE_EQ(*app.parameters.temperature, 0.6);
    EXPECT_EQ(*app.parameters.maxTokens, 300);
    ASSERT_EQ(app.unknownKeys.size(), 1);
    EXPECT_EQ(app.unknownKeys[0].key, "legacy_extra");
    ASSERT_EQ(result.notices.size(), 1);
    EXPECT_TRUE(result.notices[0].contains("migrated from format 0"));

    // Saving writes format 1, which reads back as the same app.
    const QString saved = serializePromptApp(app);
    EXPECT_TRUE(saved.startsWith("---\npromptapp: 1\nname: Blog outline\n")) << saved.toStdString();
    const PromptAppLoadResult again = parsePromptApp(saved);
    ASSERT_TRUE(again.ok()) << again.errorText().toStdString();
    EXPECT_EQ(again.app.migratedFromVersion, -1);
    EXPECT_TRUE(again.app.sameContent(app)) << saved.toStdString();
}

TEST(PromptAppMigration, BareYamlLegacyFileIsMigrated) {
    const PromptAppLoadResult result =
        parsePromptApp("name: Haiku\nprompt: Write a haiku about {subject}.\nvariables: [subject]\n");
    ASSERT_TRUE(result.loaded) << result.errorText().toStdString();
    EXPECT_TRUE(result.errors.isEmpty()) << result.errorText().toStdString();
    EXPECT_EQ(result.app.templateText, "Write a haiku about {{ subject }}.");
    EXPECT_EQ(result.app.inputs.size(), 1);
}

TEST(PromptAppMigration, LegacyErrorsStillHavePositions) {
    const PromptAppLoadResult result =
        parsePromptApp("---\ntitle: X\nprompt: |\n  About {topic} and {missing}.\nvariables: [topic]\n---\n");
    ASSERT_EQ(result.errors.size(), 1) << result.errorText().toStdString();
    EXPECT_EQ(result.errors[0].line, 4);
    EXPECT_TRUE(result.errors[0].message.contains("'missing'"));
}

TEST(PromptAppMigration, LegacyTemplateConversion) {
    EXPECT_EQ(migrateLegacyTemplate("{a} { b } {0} {%x} {"), "{{ a }} {{ b }} {0} {{ '{' }}%x} {");
}

TEST(PromptAppMigration, NewerFormatIsRefusedWithAClearMessage) {
    const PromptAppLoadResult result =
        parsePromptApp("---\npromptapp: 2\nname: From the future\nnew_thing: [1, 2]\n---\nHi\n");
    EXPECT_FALSE(result.loaded);
    ASSERT_EQ(result.errors.size(), 1);
    EXPECT_EQ(result.errors[0].toString(),
              "line 2, column 12: this app was made with a newer Prompt Studio (format 2); this "
              "version reads format 1");
}

TEST(PromptAppMigration, BadVersionValue) {
    const PromptAppLoadResult result = parsePromptApp("---\npromptapp: one\nname: x\n---\nHi\n");
    EXPECT_FALSE(result.loaded);
    ASSERT_EQ(result.errors.size(), 1);
    EXPECT_EQ(result.errors[0].line, 2);
}

}  // namespace
}  // namespace ps
