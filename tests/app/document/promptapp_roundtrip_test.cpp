// Load -> save -> load keeps everything: known fields, unknown keys (in order),
// multi-line text, unicode and emoji, the leading comment block.
#include <gtest/gtest.h>

#include "document/promptapp.h"

namespace ps {
namespace {

const char* kFullApp = R"(---
# Written by hand; this comment block survives a save.
# Second line of it.
promptapp: 1
name: Email from notes
description: Turns rough notes into a polite email.
icon: 📧
author: Zoë Müller
tags: [email, writing]
kind: form
model: llama-3.2-3b-instruct
output: markdown
inputs:
  - name: notes
    label: Your notes
    type: paragraph
    required: true
    placeholder: "- meeting moved to Friday"
    help: |
      Bullet points are fine.
      The app keeps every fact.
  - name: tone
    type: choice
    default: friendly
    options: [friendly, formal, "yes"]
  - name: words
    type: number
    default: 120
    min: 20
    max: 400.5
  - name: sign
    type: boolean
    default: false
    x-widget: toggle
instructions: |
  You write clear emails.
  Keep it short.
parameters:
  temperature: 0.7
  top_p: 0.9
  top_k: 40
  min_p: 0.05
  repeat_penalty: 1.1
  max_tokens: 400
  seed: 42
  stop: ["\n\nUser:", END]
  mirostat: 2
examples:
  - name: short
    inputs:
      notes: "- lunch at 12"
      tone: formal
      words: 80
      sign: true
    expect:
      contains: [lunch]
      not_contains: [TODO]
      matches: (?i)dear|hello
      min_words: 5
      max_words: 150
      similarity: 0.8
zz_custom: keep me
aa_list:
  - one
  - two: 2
---
Notes:
{{ notes }}

Tone: {{ tone }}, about {{ words }} words.{% if sign %} Sign it.{% endif %}
)";

TEST(PromptAppRoundTrip, ReadsEveryField) {
    const PromptAppLoadResult result = parsePromptApp(kFullApp);
    ASSERT_TRUE(result.loaded);
    EXPECT_TRUE(result.errors.isEmpty()) << result.errorText().toStdString();
    const PromptApp& app = result.app;
    EXPECT_EQ(app.name, "Email from notes");
    EXPECT_EQ(app.icon, QString::fromUtf8("📧"));
    EXPECT_EQ(app.author, QString::fromUtf8("Zoë Müller"));
    EXPECT_EQ(app.tags, QStringList({"email", "writing"}));
    EXPECT_EQ(app.kind, AppKind::Form);
    EXPECT_EQ(app.output, OutputFormat::Markdown);
    ASSERT_EQ(app.inputs.size(), 4);
    EXPECT_EQ(app.inputs[0].type, InputType::Paragraph);
    EXPECT_TRUE(app.inputs[0].required);
    EXPECT_EQ(app.inputs[0].placeholder, "- meeting moved to Friday");
    EXPECT_EQ(app.inputs[0].help, "Bullet points are fine.\nThe app keeps every fact.\n");
    EXPECT_EQ(app.inputs[1].options, QStringList({"friendly", "formal", "yes"}));
    EXPECT_EQ(app.inputs[1].defaultValue, QVariant("friendly"));
    EXPECT_EQ(app.inputs[2].defaultValue.toInt(), 120);
    EXPECT_DOUBLE_EQ(*app.inputs[2].max, 400.5);
    EXPECT_EQ(app.inputs[3].defaultValue, QVariant(false));
    ASSERT_EQ(app.inputs[3].unknownKeys.size(), 1);
    EXPECT_EQ(app.inputs[3].unknownKeys[0].key, "x-widget");
    EXPECT_EQ(app.instructions, "You write clear emails.\nKeep it short.\n");
    EXPECT_DOUBLE_EQ(*app.parameters.temperature, 0.7);
    EXPECT_EQ(*app.parameters.topK, 40);
    EXPECT_EQ(*app.parameters.seed, 42);
    EXPECT_EQ(*app.parameters.stop, QStringList({"\n\nUser:", "END"}));
    ASSERT_EQ(app.parameters.unknownKeys.size(), 1);
    EXPECT_EQ(app.parameters.unknownKeys[0].key, "mirostat");
    ASSERT_EQ(app.examples.size(), 1);
    EXPECT_EQ(app.examples[0].inputs.value("words").toInt(), 80);
    EXPECT_EQ(app.examples[0].inputs.value("sign"), QVariant(true));
    EXPECT_EQ(app.examples[0].inputOrder, QStringList({"notes", "tone", "words", "sign"}));
    EXPECT_EQ(app.examples[0].expect.contains, QStringList({"lunch"}));
    EXPECT_EQ(*app.examples[0].expect.maxWords, 150);
    EXPECT_EQ(app.examples[0].expect.unknownKeys.size(), 1);
    ASSERT_EQ(app.unknownKeys.size(), 2);
    EXPECT_EQ(app.unknownKeys[0].key, "zz_custom");  // file order, not sorted
    EXPECT_EQ(app.unknownKeys[1].key, "aa_list");
    EXPECT_TRUE(app.leadingComment.startsWith("# Written by hand"));
    EXPECT_TRUE(app.templateText.startsWith("Notes:\n{{ notes }}\n"));
}

TEST(PromptAppRoundTrip, SaveThenLoadKeepsContentAndIsStable) {
    const PromptAppLoadResult first = parsePromptApp(kFullApp);
    ASSERT_TRUE(first.ok()) << first.errorText().toStdString();
    const QString written = serializePromptApp(first.app);
    const PromptAppLoadResult second = parsePromptApp(written);
    ASSERT_TRUE(second.ok()) << second.errorText().toStdString() << "\n" << written.toStdString();
    EXPECT_TRUE(first.app.sameContent(second.app)) << written.toStdString();
    // Writing again gives the same bytes: the output is canonical.
    EXPECT_EQ(serializePromptApp(second.app), written);
}

TEST(PromptAppRoundTrip, HandWrittenCanonicalFileIsUnchanged) {
    // This file is written the way the writer writes: saving it changes nothing.
    EXPECT_EQ(serializePromptApp(parsePromptApp(kFullApp).app), QString::fromUtf8(kFullApp));
}

TEST(PromptAppRoundTrip, UnknownKeysKeepOrderAndNesting) {
    const QString written = serializePromptApp(parsePromptApp(kFullApp).app);
    const int custom = written.indexOf("zz_custom: keep me\n");
    const int list = written.indexOf("aa_list:\n  - one\n  - two: 2\n");
    ASSERT_GE(custom, 0) << written.toStdString();
    ASSERT_GE(list, 0) << written.toStdString();
    EXPECT_LT(custom, list);
    EXPECT_NE(written.indexOf("    x-widget: toggle\n"), -1);
    EXPECT_NE(written.indexOf("  mirostat: 2\n"), -1);
    EXPECT_NE(written.indexOf("      similarity: 0.8\n"), -1);
}

TEST(PromptAppRoundTrip, MultiLineUnicodeAndTrickyStringsSurvive) {
    PromptApp app;
    app.name = QString::fromUtf8("Ünïcödé 🦊 app: with colon");
    app.description = "line one\nline two without newline at end";
    app.icon = QString::fromUtf8("👩‍💻");
    app.tags = {"true", "42", "null", "a, b", "#hash", "- dash"};
    app.instructions = "Ends with two newlines\n\n";
    PromptInput input;
    input.name = "text";
    input.type = InputType::Paragraph;
    input.defaultValue = QString("007");
    input.placeholder = "  leading spaces";
    input.help = "tab\there and \"quotes\" and back\\slash";
    app.inputs << input;
    AppExample example;
    example.inputs.insert("text", QString::fromUtf8("Grüße\n  indented line\nend ✓"));
    app.examples << example;
    app.templateText = "Text: {{ text }}";  // no final newline
    const QString written = serializePromptApp(app);
    const PromptAppLoadResult loaded = parsePromptApp(written);
    ASSERT_TRUE(loaded.ok()) << loaded.errorText().toStdString() << "\n" << written.toStdString();
    EXPECT_TRUE(app.sameContent(loaded.app)) << written.toStdString();
    EXPECT_EQ(loaded.app.inputs[0].defaultValue.typeId(), QMetaType::QString);
    EXPECT_EQ(loaded.app.tags, app.tags);
    EXPECT_NE(written.indexOf("description: |-\n  line one\n"), -1) << written.toStdString();
    EXPECT_NE(written.indexOf("instructions: |+\n"), -1) << written.toStdString();
}

TEST(PromptAppRoundTrip, DefaultsAreNotAddedToHandWrittenFiles) {
    const char* minimal = "---\npromptapp: 1\nname: Tiny\ninputs:\n  - name: topic\n---\nAbout {{ topic }}\n";
    const PromptAppLoadResult loaded = parsePromptApp(minimal);
    ASSERT_TRUE(loaded.ok()) << loaded.errorText().toStdString();
    EXPECT_EQ(serializePromptApp(loaded.app), QString(minimal));
}

TEST(PromptAppRoundTrip, ParametersConvertForTheRunner) {
    const PromptApp app = parsePromptApp(kFullApp).app;
    const QVariantMap values = app.parameters.toVariantMap();
    EXPECT_DOUBLE_EQ(values.value("temperature").toDouble(), 0.7);
    EXPECT_EQ(values.value("max_tokens").toInt(), 400);
    EXPECT_EQ(values.value("stop").toStringList().size(), 2);
    EXPECT_FALSE(values.contains("mirostat"));
}

TEST(PromptAppRoundTrip, CrLfAndBomAreAccepted) {
    QString text = QString(QChar(0xfeff)) + QString::fromUtf8(kFullApp);
    text.replace("\n", "\r\n");
    const PromptAppLoadResult loaded = parsePromptApp(text);
    ASSERT_TRUE(loaded.ok()) << loaded.errorText().toStdString();
    EXPECT_TRUE(loaded.app.sameContent(parsePromptApp(kFullApp).app));
}

TEST(Expectations, CheckAnswers) {
    AppExpectations expect;
    expect.contains = {"dear"};
    expect.notContains = {"TODO"};
    expect.maxWords = 5;
    EXPECT_TRUE(checkExpectations(expect, "Dear Sam, thanks!").passed());
    const ExpectationResult failed = checkExpectations(expect, "Hi Sam, TODO write more words here");
    EXPECT_EQ(failed.failures.size(), 3) << failed.failures.join("; ").toStdString();
    AppExpectations json;
    json.validJson = true;
    EXPECT_TRUE(checkExpectations(json, "```json\n{\"a\": 1}\n```").passed());
    EXPECT_FALSE(checkExpectations(json, "{a: 1}").passed());
    EXPECT_EQ(countWords("  one two\nthree  "), 3);
}

}  // namespace
}  // namespace ps
