// Prompty import (files shaped like those of the Prompty runtimes' own test suites)
// and export round trips.
#include <gtest/gtest.h>

#include <QTemporaryDir>

#include "document/promptapp.h"

namespace ps {
namespace {

// Inputs as a map of specs with samples, authors, an Azure configuration.
const char* kSupportPrompty = R"(---
name: Support Answer
description: Answers a customer question using their name
authors:
  - sethjuarez
  - jietong
model:
  api: chat
  configuration:
    type: azure_openai
    azure_endpoint: ${env:AZURE_OPENAI_ENDPOINT}
    azure_deployment: gpt-35-turbo
  parameters:
    max_tokens: 300
    temperature: 0.2
    top_p: 0.95
    frequency_penalty: 0.5
    stop: ["###"]
inputs:
  firstName:
    type: string
    description: The first name of the customer
    sample: Jane
    default: User
  age:
    type: number
    default: 18
    sample: 45
  vip:
    type: boolean
    default: false
  question:
    type: string
    description: What the customer asks
    sample: What is the meaning of life?
template:
  format: jinja2
  parser: prompty
---
system:
You are an AI assistant who helps people find information.
As the assistant, you answer questions briefly, succinctly,
and in a personable manner.

# Customer
You are helping {{firstName}}, age {{age}}.

user:
{{question}}
)";

// Inputs given as sample values, metadata block, a few-shot conversation.
const char* kFewShotPrompty = R"(---
name: Sentiment
description: Classifies the sentiment of a review
metadata:
  authors: [alice]
  tags: [classification, demo]
  version: "2.0"
model:
  api: chat
  configuration:
    type: openai
    name: gpt-4o-mini
inputs:
  review: The food was cold and the waiter ignored us.
---
system:
Answer with one word: positive, negative or neutral.

user:
I loved every minute of it!

assistant:
positive

user:
{{review}}
)";

// A completion api prompt with a top-level sample and a tools section kept as is.
const char* kCompletionPrompty = R"(---
name: Story Opener
model:
  api: completion
  parameters:
    max_tokens: 60
sample:
  animal: fox
tools:
  - name: search
    type: bing
---
Once upon a time, a little {{animal}} went into the forest.
)";

TEST(PromptyImport, ChatPromptWithTypedInputs) {
    const PromptAppLoadResult result = parsePrompty(kSupportPrompty);
    ASSERT_TRUE(result.loaded);
    EXPECT_TRUE(result.errors.isEmpty()) << result.errorText().toStdString();
    const PromptApp& app = result.app;
    EXPECT_EQ(app.name, "Support Answer");
    EXPECT_EQ(app.author, "sethjuarez, jietong");
    EXPECT_EQ(app.kind, AppKind::Form);
    EXPECT_EQ(app.model, "gpt-35-turbo");
    EXPECT_TRUE(app.instructions.startsWith("You are an AI assistant"));
    EXPECT_TRUE(app.instructions.endsWith("You are helping {{firstName}}, age {{age}}."));
    EXPECT_EQ(app.templateText, "{{question}}\n");
    ASSERT_EQ(app.inputs.size(), 4);
    EXPECT_EQ(app.inputs[0].name, "firstName");
    EXPECT_EQ(app.inputs[0].help, "The first name of the customer");
    EXPECT_EQ(app.inputs[0].defaultValue, QVariant("User"));
    EXPECT_EQ(app.inputs[1].type, InputType::Number);
    EXPECT_EQ(app.inputs[2].type, InputType::Boolean);
    EXPECT_DOUBLE_EQ(*app.parameters.temperature, 0.2);
    EXPECT_EQ(*app.parameters.maxTokens, 300);
    EXPECT_EQ(*app.parameters.stop, QStringList({"###"}));
    ASSERT_EQ(app.parameters.unknownKeys.size(), 1);
    EXPECT_EQ(app.parameters.unknownKeys[0].key, "frequency_penalty");
    ASSERT_EQ(app.examples.size(), 1);
    EXPECT_EQ(app.examples[0].inputs.value("firstName"), QVariant("Jane"));
    EXPECT_EQ(app.examples[0].inputs.value("age").toInt(), 45);
    EXPECT_TRUE(app.unknownKeys.isEmpty());  // template: jinja2 is what we use
    EXPECT_TRUE(app.filePath.isEmpty());     // never saved over the .prompty
    EXPECT_FALSE(result.notices.isEmpty());
}

TEST(PromptyImport, FewShotConversationAndMetadata) {
    const PromptAppLoadResult result = parsePrompty(kFewShotPrompty);
    ASSERT_TRUE(result.loaded);
    EXPECT_TRUE(result.errors.isEmpty()) << result.errorText().toStdString();
    const PromptApp& app = result.app;
    EXPECT_EQ(app.author, "alice");
    EXPECT_EQ(app.tags, QStringList({"classification", "demo"}));
    EXPECT_EQ(app.model, "gpt-4o-mini");
    EXPECT_EQ(app.instructions, "Answer with one word: positive, negative or neutral.");
    EXPECT_EQ(app.templateText,
              "I loved every minute of it!\n\nassistant:\npositive\n\nuser:\n{{review}}\n");
    ASSERT_EQ(app.inputs.size(), 1);
    EXPECT_EQ(app.inputs[0].defaultValue.toString(), "The food was cold and the waiter ignored us.");
    ASSERT_EQ(app.unknownKeys.size(), 1);
    EXPECT_EQ(app.unknownKeys[0].key, "metadata");
    EXPECT_TRUE(app.unknownKeys[0].yaml.contains("version")) << app.unknownKeys[0].yaml.toStdString();
    EXPECT_FALSE(app.unknownKeys[0].yaml.contains("authors"));
}

TEST(PromptyImport, CompletionApiAndSample) {
    const PromptAppLoadResult result = parsePrompty(kCompletionPrompty);
    ASSERT_TRUE(result.loaded);
    EXPECT_TRUE(result.errors.isEmpty()) << result.errorText().toStdString();
    const PromptApp& app = result.app;
    EXPECT_EQ(app.kind, AppKind::Completion);
    EXPECT_TRUE(app.instructions.isEmpty());
    EXPECT_EQ(app.templateText, "Once upon a time, a little {{animal}} went into the forest.\n");
    ASSERT_EQ(app.inputs.size(), 1);
    EXPECT_EQ(app.inputs[0].name, "animal");
    ASSERT_EQ(app.examples.size(), 1);
    EXPECT_EQ(app.examples[0].inputs.value("animal"), QVariant("fox"));
    ASSERT_EQ(app.unknownKeys.size(), 1);
    EXPECT_EQ(app.unknownKeys[0].key, "tools");
}

TEST(PromptyImport, UnknownVariablesAreReportedWithBodyPositions) {
    const PromptAppLoadResult result =
        parsePrompty("---\nname: x\n---\nsystem:\nUse {{ context }}.\nuser:\n{{ q }}\n");
    ASSERT_TRUE(result.loaded);
    ASSERT_EQ(result.errors.size(), 2) << result.errorText().toStdString();
    EXPECT_EQ(result.errors[0].line, 5);
    EXPECT_EQ(result.errors[0].column, 8);  // the variable's name: "Use {{ context }}."
    EXPECT_TRUE(result.errors[0].message.contains("'instructions' uses '{{ context }}'"));
    EXPECT_EQ(result.errors[1].line, 7);
    EXPECT_EQ(result.errors[1].column, 4);  // "{{ q }}"
}

TEST(PromptyImport, NamelessFileIsNamedAfterItsFile) {
    QTemporaryDir dir;
    const QString path = dir.filePath("quick-question.prompty");
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("user:\nWhat is 2 + 2?\n");
    file.close();
    const PromptAppLoadResult result = loadPrompty(path);
    ASSERT_TRUE(result.ok()) << result.errorText().toStdString();
    EXPECT_EQ(result.app.name, "quick-question");
    EXPECT_EQ(result.app.templateText, "What is 2 + 2?\n");
}

TEST(PromptyExport, RoundTripKeepsWhatPromptyCanHold) {
    for (const char* source : {kSupportPrompty, kFewShotPrompty, kCompletionPrompty}) {
        const PromptAppLoadResult imported = parsePrompty(source);
        ASSERT_TRUE(imported.loaded);
        const QString exported = exportPrompty(imported.app);
        const PromptAppLoadResult again = parsePrompty(exported);
        ASSERT_TRUE(again.loaded) << exported.toStdString();
        EXPECT_TRUE(again.errors.isEmpty()) << again.errorText().toStdString() << exported.toStdString();
        const PromptApp& a = imported.app;
        const PromptApp& b = again.app;
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.description, b.description);
        EXPECT_EQ(a.author, b.author);
        EXPECT_EQ(a.tags, b.tags);
        EXPECT_EQ(a.kind, b.kind);
        EXPECT_EQ(a.model, b.model);
        EXPECT_EQ(a.instructions, b.instructions);
        EXPECT_EQ(a.templateText, b.templateText) << exported.toStdString();
        EXPECT_EQ(a.parameters, b.parameters) << exported.toStdString();
        EXPECT_EQ(a.unknownKeys, b.unknownKeys) << exported.toStdString();
        ASSERT_EQ(a.inputs.size(), b.inputs.size()) << exported.toStdString();
        for (int i = 0; i < a.inputs.size(); ++i) {
            EXPECT_EQ(a.inputs[i].name, b.inputs[i].name);
            EXPECT_EQ(a.inputs[i].type == InputType::Paragraph ? InputType::Text : a.inputs[i].type,
                      b.inputs[i].type == InputType::Paragraph ? InputType::Text : b.inputs[i].type);
            EXPECT_EQ(a.inputs[i].defaultValue, b.inputs[i].defaultValue);
            EXPECT_EQ(a.inputs[i].help, b.inputs[i].help);
        }
        ASSERT_EQ(a.examples.size(), b.examples.size());
        if (!a.examples.isEmpty()) {
            EXPECT_EQ(a.examples[0].inputs, b.examples[0].inputs);
        }
    }
}

TEST(PromptyExport, PromptAppBecomesAValidPrompty) {
    PromptApp app;
    app.name = "Translate";
    app.author = "Ana, Ben";
    app.instructions = "You translate text.";
    app.templateText = "Translate into {{ language }}:\n\n{{ text }}\n";
    PromptInput language;
    language.name = "language";
    language.type = InputType::Choice;
    language.options = {"French", "German"};
    language.defaultValue = QString("French");
    PromptInput text;
    text.name = "text";
    text.type = InputType::Paragraph;
    text.required = true;
    text.help = "The text to translate";
    app.inputs << language << text;
    app.parameters.temperature = 0.3;
    app.parameters.topK = 40;  // no Prompty equivalent: left out
    const QString exported = exportPrompty(app);
    EXPECT_TRUE(exported.startsWith("---\nname: Translate\nauthors: [Ana, Ben]\nmodel:\n  api: chat\n"))
        << exported.toStdString();
    EXPECT_TRUE(exported.contains("---\nsystem:\nYou translate text.\n\nuser:\nTranslate into"))
        << exported.toStdString();
    EXPECT_FALSE(exported.contains("top_k"));
    const PromptAppLoadResult again = parsePrompty(exported);
    ASSERT_TRUE(again.ok()) << again.errorText().toStdString();
    EXPECT_EQ(again.app.templateText, app.templateText);
    EXPECT_TRUE(again.app.inputs[1].required);

    QTemporaryDir dir;
    QString error;
    ASSERT_TRUE(savePrompty(app, dir.filePath("t.prompty"), &error)) << error.toStdString();
    EXPECT_TRUE(loadPrompty(dir.filePath("t.prompty")).ok());
}

}  // namespace
}  // namespace ps
