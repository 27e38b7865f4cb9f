// promptstudio-cli chat-template: prints exactly the text a conversation becomes
// under a model's chat template (or a template file), for checking templates.
#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

#include "cli/app_command_support.h"
#include "cli/app_commands.h"
#include "cli/cli_command.h"
#include "gguf/gguf_file.h"
#include "limits/input_file.h"
#include "templating/chat_template.h"

namespace ps::cli {

namespace {

const QString kCommand = QStringLiteral("chat-template");

QByteArray readFile(const QString& path) {
    QString error;
    std::optional<QByteArray> bytes = readInputFileBytes(path, &error);
    if (!bytes) throw std::runtime_error(error.toStdString());
    return *std::move(bytes);
}

// A JSON array of {role, content}, or an object holding one under "messages"
// (as the entries of the chat-template test cases do).
std::vector<templating::ChatMessage> readMessages(const QString& path) {
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(readFile(path), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        throw std::runtime_error(QStringLiteral("%1: not JSON: %2 at offset %3")
                                     .arg(path, parseError.errorString())
                                     .arg(parseError.offset)
                                     .toStdString());
    }
    const QJsonArray array =
        document.isArray() ? document.array() : document.object().value("messages").toArray();
    if (array.isEmpty()) {
        throw std::runtime_error(
            QStringLiteral("%1: expected a list of messages ([{\"role\": \"user\", \"content\": \"...\"}])")
                .arg(path)
                .toStdString());
    }
    std::vector<templating::ChatMessage> messages;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject message = array[i].toObject();
        if (!message.value("role").isString() || !message.value("content").isString()) {
            throw std::runtime_error(QStringLiteral("%1: message %2 needs a text \"role\" and \"content\"")
                                         .arg(path)
                                         .arg(i + 1)
                                         .toStdString());
        }
        messages.push_back({message.value("role").toString().toStdString(),
                            message.value("content").toString().toStdString()});
    }
    return messages;
}

struct ModelTemplate {
    std::string source;
    std::string bosToken;
    std::string eosToken;
};

// The template and special tokens from GGUF metadata alone (no weights are read).
ModelTemplate templateOfModel(const QString& path) {
    const auto file = GgufFile::open(path.toStdString());
    ModelTemplate result;
    result.source = file->getString("tokenizer.chat_template").value_or("");
    const auto tokens = file->getStringArray("tokenizer.ggml.tokens");
    auto tokenText = [&](const char* key) -> std::string {
        const auto id = file->getInteger(key);
        if (!tokens || !id || *id < 0 || *id >= static_cast<int64_t>(tokens->size())) return {};
        return (*tokens)[static_cast<size_t>(*id)];
    };
    result.bosToken = tokenText("tokenizer.ggml.bos_token_id");
    result.eosToken = tokenText("tokenizer.ggml.eos_token_id");
    return result;
}

int runChatTemplate(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption modelOption("model", "Take the chat template from this GGUF model.", "M");
    const QCommandLineOption templateOption("template", "Take the chat template (Jinja) from this file.",
                                            "FILE");
    const QCommandLineOption messagesOption(
        "messages", "The conversation: a JSON list of {\"role\", \"content\"} objects.", "FILE.json");
    const QCommandLineOption bosOption("bos-token", "Text of the BOS token (default: the model's).", "T");
    const QCommandLineOption eosOption("eos-token", "Text of the EOS token (default: the model's).", "T");
    const QCommandLineOption noPromptOption("no-generation-prompt",
                                            "Do not end with the cue for the assistant's turn.");
    const QCommandLineOption noMergeOption(
        "no-system-merge",
        "Render exactly as Hugging Face does: a template that rejects the system role fails.");
    parser.addOptions(
        {modelOption, templateOption, messagesOption, bosOption, eosOption, noPromptOption, noMergeOption});
    if (auto exit = parseCommandLine(
            parser, arguments,
            "chat-template (--model M | --template FILE) --messages FILE.json [--bos-token T --eos-token T] "
            "[--no-generation-prompt] [--no-system-merge]",
            "Prints exactly the text a conversation becomes under a chat template. A model without "
            "a template gets the Llama 2 format; a template that rejects the system role gets the "
            "system text merged into the first user message, as runs do.")) {
        return *exit;
    }
    if (parser.isSet(modelOption) == parser.isSet(templateOption) || !parser.isSet(messagesOption)) {
        printCommandError(kCommand, "give --messages and one of --model or --template");
        return kExitUsage;
    }
    try {
        ModelTemplate chatTemplate;
        if (parser.isSet(modelOption)) {
            chatTemplate = templateOfModel(parser.value(modelOption));
        } else {
            chatTemplate.source = readFile(parser.value(templateOption)).toStdString();
        }
        templating::ChatTemplateOptions options;
        options.bosToken = parser.isSet(bosOption) ? parser.value(bosOption).toStdString() : chatTemplate.bosToken;
        options.eosToken = parser.isSet(eosOption) ? parser.value(eosOption).toStdString() : chatTemplate.eosToken;
        options.addGenerationPrompt = !parser.isSet(noPromptOption);
        const auto messages = readMessages(parser.value(messagesOption));
        writeStdout(parser.isSet(noMergeOption)
                        ? templating::renderChatTemplate(chatTemplate.source, messages, options)
                        : templating::renderChatTemplateMergingSystem(chatTemplate.source, messages, options));
        return kExitOk;
    } catch (const std::exception& error) {
        printCommandError(kCommand, QString::fromUtf8(error.what()));
        return kExitFailure;
    }
}

}  // namespace

CliCommand chatTemplateCommand() {
    return {kCommand, "Print the text a conversation becomes under a chat template", runChatTemplate};
}

}  // namespace ps::cli
