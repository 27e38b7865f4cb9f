// Every error names its line and column and says what is expected; validation
// reports all problems at once.
#include <gtest/gtest.h>

#include "document/promptapp.h"

namespace ps {
namespace {

// The error at (line, column) whose message contains `text`, or nullptr.
const DocumentError* findError(const QList<DocumentError>& errors, int line, int column,
                               const QString& text) {
    for (const DocumentError& error : errors) {
        if (error.line == line && error.column == column && error.message.contains(text)) return &error;
    }
    return nullptr;
}

std::string dump(const QList<DocumentError>& errors) {
    return formatDocumentErrors(errors).toStdString();
}

TEST(PromptAppErrors, CollectsAllValidationErrorsWithPositions) {
    const char* text = R"(---
promptapp: 1
description: everything wrong at once
icon: not an emoji
kind: dialog
output: html
inputs:
  - name: topic
    type: dropdown
  - name: topic
  - name: 2nd field
  - name: tone
    type: choice
  - name: size
    type: choice
    options: [small, large]
    default: medium
  - name: count
    type: number
    min: 10
    max: 5
  - name: flag
    type: boolean
    default: maybe
  - label: no name here
parameters:
  temperature: 3
  top_p: 1.5
  min_p: -0.1
  top_k: -1
  repeat_penalty: 0
  max_tokens: -5
  seed: -2
examples:
  - inputs:
      unknown_input: x
    expect:
      matches: "(unclosed"
      min_words: 10
      max_words: 2
---
Write about {{ topic }} in a {{ tone }} tone for {{ audience }}.
)";
    const PromptAppLoadResult result = parsePromptApp(text);
    ASSERT_TRUE(result.loaded);
    const auto& errors = result.errors;
    const std::string all = dump(errors);
    EXPECT_TRUE(findError(errors, 2, 1, "missing 'name'")) << all;
    EXPECT_TRUE(findError(errors, 4, 7, "'icon' must be a single emoji")) << all;
    EXPECT_TRUE(findError(errors, 5, 7, "'kind' must be one of form, chat, completion")) << all;
    EXPECT_TRUE(findError(errors, 6, 9, "'output' must be one of markdown, text, json")) << all;
    EXPECT_TRUE(findError(errors, 9, 11,
                          "'type' must be one of text, paragraph, number, choice, boolean, file"))
        << all;
    // A name other tools use gets a hint towards ours.
    EXPECT_TRUE(findError(errors, 9, 11, "(did you mean choice?)")) << all;
    EXPECT_TRUE(findError(errors, 10, 11, "input name 'topic' is used twice (first by input 1, line 8)")) << all;
    EXPECT_TRUE(findError(errors, 11, 11, "'2nd field' is not a valid input name")) << all;
    EXPECT_TRUE(findError(errors, 13, 11, "choice input 'tone' needs 'options'")) << all;
    EXPECT_TRUE(findError(errors, 17, 14, "default 'medium' is not one of the options (small, large)")) << all;
    EXPECT_TRUE(findError(errors, 20, 10, "'min' (10) is greater than 'max' (5)")) << all;
    EXPECT_TRUE(findError(errors, 24, 14, "must be true or false")) << all;
    EXPECT_TRUE(findError(errors, 25, 5, "input 8 has no 'name'")) << all;
    EXPECT_TRUE(findError(errors, 27, 16, "'temperature' must be between 0 and 2")) << all;
    EXPECT_TRUE(findError(errors, 28, 10, "'top_p' must be between 0 and 1")) << all;
    EXPECT_TRUE(findError(errors, 29, 10, "'min_p' must be between 0 and 1")) << all;
    EXPECT_TRUE(findError(errors, 30, 10, "'top_k' must be 0 (off) or more")) << all;
    EXPECT_TRUE(findError(errors, 31, 19, "'repeat_penalty' must be above 0")) << all;
    EXPECT_TRUE(findError(errors, 32, 15, "'max_tokens' must be between 0")) << all;
    EXPECT_TRUE(findError(errors, 33, 9, "'seed' must be 0 or more")) << all;
    EXPECT_TRUE(findError(errors, 36, 22, "sets 'unknown_input', which is not an input")) << all;
    EXPECT_TRUE(findError(errors, 38, 16, "'matches' is not a valid regular expression")) << all;
    EXPECT_TRUE(findError(errors, 39, 18, "'min_words' (10) is greater than 'max_words' (2)")) << all;
    EXPECT_TRUE(findError(errors, 42, 53,
                          "uses '{{ audience }}' but there is no input named 'audience' "
                          "(inputs: topic, 2nd field, tone, size, count, flag)"))
        << all;
    // The column is that of the variable's name, inside its tag.
    EXPECT_TRUE(findError(errors, 42, 53, "audience")) << all;
    // The invalid type does not cascade into "options only apply to choice inputs".
    for (const DocumentError& error : errors) EXPECT_FALSE(error.message.contains("only apply")) << all;
    // Sorted by position.
    for (int i = 1; i < errors.size(); ++i) EXPECT_LE(errors[i - 1].line, errors[i].line) << all;
}

TEST(PromptAppErrors, MessageFormatNamesLineAndColumn) {
    const PromptAppLoadResult result =
        parsePromptApp("---\nname: x\ninputs:\n  - name: a\n    type: list\n---\n{{ a }}\n");
    ASSERT_EQ(result.errors.size(), 1) << dump(result.errors);
    EXPECT_EQ(result.errors[0].toString(),
              "line 5, column 11: 'type' must be one of text, paragraph, number, choice, boolean, file");
    EXPECT_EQ(result.errorText("a.promptapp"),
              "a.promptapp: line 5, column 11: 'type' must be one of text, paragraph, number, "
              "choice, boolean, file");
}

TEST(PromptAppErrors, YamlSyntaxErrorHasPositionAndHint) {
    const PromptAppLoadResult result =
        parsePromptApp("---\nname: x\ndescription: a: b\n---\nbody\n");
    EXPECT_FALSE(result.loaded);
    ASSERT_EQ(result.errors.size(), 1);
    EXPECT_EQ(result.errors[0].line, 3);
    EXPECT_GT(result.errors[0].column, 0);
    EXPECT_TRUE(result.errors[0].message.contains("not valid YAML")) << dump(result.errors);
    EXPECT_TRUE(result.errors[0].message.contains("quotes")) << dump(result.errors);

    const PromptAppLoadResult tabs = parsePromptApp("---\nname: x\ninputs:\n\t- name: a\n---\nbody\n");
    ASSERT_EQ(tabs.errors.size(), 1);
    EXPECT_EQ(tabs.errors[0].line, 4);
    EXPECT_TRUE(tabs.errors[0].message.contains("tabs")) << dump(tabs.errors);
}

TEST(PromptAppErrors, MissingOrUnclosedFrontMatter) {
    const PromptAppLoadResult none = parsePromptApp("name: x\nHello\n");
    EXPECT_FALSE(none.loaded);
    ASSERT_EQ(none.errors.size(), 1);
    EXPECT_EQ(none.errors[0].toString(),
              "line 1, column 1: expected '---' on the first line: a .promptapp file starts with "
              "'---', then its settings (YAML), then '---' and the template");
    const PromptAppLoadResult open = parsePromptApp("---\nname: x\nHello\n");
    EXPECT_FALSE(open.loaded);
    ASSERT_EQ(open.errors.size(), 1);
    EXPECT_TRUE(open.errors[0].message.contains("never closed")) << dump(open.errors);
}

TEST(PromptAppErrors, WrongShapesAreReported) {
    const char* text = R"(---
name: [a, list]
tags: {a: 1}
inputs: just text
parameters:
  temperature: warm
  max_tokens: 1.5
  stop: {a: b}
examples: nope
---
Hi
)";
    const PromptAppLoadResult result = parsePromptApp(text);
    ASSERT_TRUE(result.loaded);
    const std::string all = dump(result.errors);
    EXPECT_TRUE(findError(result.errors, 2, 7, "'name' must be text")) << all;
    EXPECT_TRUE(findError(result.errors, 3, 7, "'tags' must be a list of texts")) << all;
    EXPECT_TRUE(findError(result.errors, 4, 9, "'inputs' must be a list")) << all;
    EXPECT_TRUE(findError(result.errors, 6, 16, "'temperature' must be a number")) << all;
    EXPECT_TRUE(findError(result.errors, 7, 15, "'max_tokens' must be a whole number")) << all;
    EXPECT_TRUE(findError(result.errors, 8, 9, "'stop' must be a list of texts")) << all;
    EXPECT_TRUE(findError(result.errors, 9, 11, "'examples' must be a list")) << all;
}

TEST(PromptAppErrors, DuplicateKeysAndTemplateSyntax) {
    const PromptAppLoadResult result =
        parsePromptApp("---\nname: a\nname: b\n---\nline one\n  {{ oops\n");
    ASSERT_TRUE(result.loaded);
    const std::string all = dump(result.errors);
    EXPECT_TRUE(findError(result.errors, 3, 1, "'name' is given twice (first on line 2)")) << all;
    ASSERT_EQ(result.errors.size(), 2) << all;
    EXPECT_EQ(result.errors[1].line, 6) << all;
    EXPECT_EQ(result.errors[1].column, 3) << all;
    EXPECT_TRUE(result.errors[1].message.startsWith("the template: ")) << all;
}

TEST(PromptAppErrors, ExampleMissingRequiredInputAndWrongValues) {
    const char* text = R"(---
name: x
inputs:
  - name: topic
    required: true
  - name: level
    type: choice
    options: [easy, hard]
  - name: n
    type: number
examples:
  - inputs:
      level: medium
      n: lots
---
{{ topic }} {{ level }} {{ n }}
)";
    const PromptAppLoadResult result = parsePromptApp(text);
    const std::string all = dump(result.errors);
    EXPECT_TRUE(findError(result.errors, 13, 7, "has no value for the required input 'topic'")) << all;
    EXPECT_TRUE(findError(result.errors, 13, 14, "'medium' is not one of the options of 'level'")) << all;
    EXPECT_TRUE(findError(result.errors, 14, 10, "'n' must be a number")) << all;
}

TEST(PromptAppErrors, CompletionAppsTakeNoInstructionsAndFormsNeedATemplate) {
    const PromptAppLoadResult completion =
        parsePromptApp("---\nname: x\nkind: completion\ninstructions: be nice\n---\nOnce\n");
    EXPECT_TRUE(findError(completion.errors, 4, 15, "do not use 'instructions'")) << dump(completion.errors);
    const PromptAppLoadResult empty = parsePromptApp("---\nname: x\n---\n");
    EXPECT_TRUE(findError(empty.errors, 4, 1, "the template")) << dump(empty.errors);
    const PromptAppLoadResult chat = parsePromptApp("---\nname: x\nkind: chat\n---\n");
    EXPECT_TRUE(chat.ok()) << dump(chat.errors);
}

TEST(PromptAppErrors, ValidateWorksOnAppsBuiltInCode) {
    PromptApp app;
    app.templateText = "{{ x }}";
    PromptInput input;
    input.name = "if";
    app.inputs << input;
    const QList<DocumentError> errors = validatePromptApp(app);
    ASSERT_EQ(errors.size(), 3) << dump(errors);  // no name, reserved input name, unknown x
    for (const DocumentError& error : errors) EXPECT_EQ(error.line, 0);
    EXPECT_FALSE(isValidInputName("if"));
    EXPECT_FALSE(isValidInputName("my topic"));
    EXPECT_TRUE(isValidInputName("_topic2"));
}

TEST(PromptAppErrors, UnreadableFile) {
    const PromptAppLoadResult result = loadPromptApp("/nonexistent/dir/x.promptapp");
    EXPECT_FALSE(result.loaded);
    ASSERT_EQ(result.errors.size(), 1);
    EXPECT_TRUE(result.errors[0].message.contains("/nonexistent/dir/x.promptapp"));
}

}  // namespace
}  // namespace ps
