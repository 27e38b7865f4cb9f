#include "server/openai_protocol.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUuid>

#include <cmath>
#include <limits>
#include <optional>

namespace ps::server {

namespace {

QString jsonTypeName(const QJsonValue& value) {
    switch (value.type()) {
        case QJsonValue::Null: return QStringLiteral("null");
        case QJsonValue::Bool: return QStringLiteral("a boolean");
        case QJsonValue::Double: return QStringLiteral("a number");
        case QJsonValue::String: return QStringLiteral("a string");
        case QJsonValue::Array: return QStringLiteral("an array");
        case QJsonValue::Object: return QStringLiteral("an object");
        case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

[[noreturn]] void throwWrongType(const QString& param, const char* expected, const QJsonValue& value) {
    throwBadRequest(param.toStdString(), QStringLiteral("'%1' must be %2, not %3")
                                             .arg(param, QString::fromLatin1(expected), jsonTypeName(value))
                                             .toStdString());
}

// A number field, or nothing when absent or null.
std::optional<double> numberField(const QJsonObject& body, const QString& key) {
    const QJsonValue value = body.value(key);
    if (value.isUndefined() || value.isNull()) return std::nullopt;
    if (!value.isDouble()) throwWrongType(key, "a number", value);
    return value.toDouble();
}

std::optional<qint64> integerField(const QJsonObject& body, const QString& key) {
    const auto number = numberField(body, key);
    if (!number) return std::nullopt;
    if (*number != std::floor(*number) || std::fabs(*number) > 9.0e15) {
        throwBadRequest(key.toStdString(), QStringLiteral("'%1' must be a whole number").arg(key).toStdString());
    }
    return static_cast<qint64>(*number);
}

// A message's content: a string, or OpenAI's array of parts ({"type": "text", "text": ...}).
std::string messageContent(const QJsonValue& content, const QString& param) {
    if (content.isString()) return content.toString().toStdString();
    if (content.isNull() || content.isUndefined()) return {};
    if (!content.isArray()) throwWrongType(param, "a string or an array of text parts", content);
    std::string text;
    const QJsonArray parts = content.toArray();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString partParam = QStringLiteral("%1[%2]").arg(param).arg(i);
        const QJsonObject part = parts.at(i).toObject();
        if (!parts.at(i).isObject() || part.value("type").toString() != QLatin1String("text") ||
            !part.value("text").isString()) {
            throwBadRequest(partParam.toStdString(),
                            QStringLiteral("'%1' must be {\"type\": \"text\", \"text\": \"...\"}; only text is served")
                                .arg(partParam)
                                .toStdString());
        }
        text += part.value("text").toString().toStdString();
    }
    return text;
}

QString newId(const char* prefix) {
    return QString::fromLatin1(prefix) + QUuid::createUuid().toString(QUuid::Id128).left(24);
}

}  // namespace

std::string ApiError::body() const {
    const QJsonObject error{
        {"message", QString::fromStdString(message)},
        {"type", QString::fromStdString(type)},
        {"param", param.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(param))},
        {"code", code.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(code))},
    };
    return QJsonDocument(QJsonObject{{"error", error}}).toJson(QJsonDocument::Compact).toStdString() + "\n";
}

void throwBadRequest(const std::string& param, const std::string& message) {
    ApiError error;
    error.status = 400;
    error.param = param;
    error.message = message;
    throw ApiErrorException(std::move(error));
}

QJsonObject parseJsonObject(const std::string& body) {
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray::fromRawData(body.data(), static_cast<qsizetype>(body.size())), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        throwBadRequest({}, QStringLiteral("The request body is not valid JSON: %1 at byte %2")
                                .arg(parseError.errorString())
                                .arg(parseError.offset)
                                .toStdString());
    }
    if (!document.isObject()) throwBadRequest({}, "The request body must be a JSON object.");
    return document.object();
}

void applyRequestParameters(const QJsonObject& body, int maxTokensCap, GenerationParameters* parameters) {
    QVariantMap values;
    for (const char* key : {"temperature", "top_p", "min_p", "repeat_penalty"}) {
        if (const auto number = numberField(body, QString::fromLatin1(key))) values.insert(key, *number);
    }
    if (const auto topK = integerField(body, "top_k")) values.insert("top_k", *topK);
    if (const auto seed = integerField(body, "seed")) {
        // OpenAI allows negative seeds; ours are unsigned: keep the bits.
        values.insert("seed", QString::number(static_cast<quint64>(*seed)));
    }
    std::optional<qint64> maxTokens = integerField(body, "max_completion_tokens");
    if (!maxTokens) maxTokens = integerField(body, "max_tokens");
    if (maxTokens && *maxTokens < 1) {
        throwBadRequest("max_tokens", "'max_tokens' must be at least 1");
    }
    // More than the cap, or no limit asked for: the cap.
    const qint64 cap = maxTokensCap > 0 ? maxTokensCap : std::numeric_limits<int>::max();
    values.insert("max_tokens", maxTokens ? std::min(*maxTokens, cap) : (maxTokensCap > 0 ? cap : 0));
    const QJsonValue stop = body.value("stop");
    if (stop.isString()) {
        values.insert("stop", stop.toString());
    } else if (stop.isArray()) {
        QStringList sequences;
        for (const QJsonValue& sequence : stop.toArray()) {
            if (!sequence.isString()) throwWrongType("stop", "a string or an array of strings", stop);
            sequences << sequence.toString();
        }
        if (sequences.size() > 4) throwBadRequest("stop", "'stop' may hold at most 4 sequences");
        values.insert("stop", sequences);
    } else if (!stop.isUndefined() && !stop.isNull()) {
        throwWrongType("stop", "a string or an array of strings", stop);
    }
    QStringList errors;
    parameters->apply(values, &errors);
    if (!errors.isEmpty()) {
        const QString first = errors.first();
        throwBadRequest(first.section(':', 0, 0).toStdString(), errors.join("; ").toStdString());
    }
}

void readStreamOptions(const QJsonObject& body, CompletionRequest* request) {
    const QJsonValue stream = body.value("stream");
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool()) throwWrongType("stream", "a boolean", stream);
    request->stream = stream.toBool(false);
    const QJsonValue options = body.value("stream_options");
    if (options.isObject()) {
        const QJsonValue usage = options.toObject().value("include_usage");
        if (!usage.isUndefined() && !usage.isBool()) {
            throwWrongType("stream_options.include_usage", "a boolean", usage);
        }
        request->includeUsage = usage.toBool(false);
    } else if (!options.isUndefined() && !options.isNull()) {
        throwWrongType("stream_options", "an object", options);
    }
    if (const auto n = integerField(body, "n"); n && *n != 1) {
        throwBadRequest("n", "only n = 1 is served (one answer per request)");
    }
    const QJsonValue model = body.value("model");
    if (!model.isUndefined() && !model.isNull() && !model.isString()) throwWrongType("model", "a string", model);
    request->model = model.toString();
}

CompletionRequest parseChatRequest(const QJsonObject& body, int maxTokensCap) {
    CompletionRequest request;
    readStreamOptions(body, &request);
    const QJsonValue messages = body.value("messages");
    if (!messages.isArray()) {
        if (messages.isUndefined()) throwBadRequest("messages", "'messages' is required");
        throwWrongType("messages", "an array", messages);
    }
    const QJsonArray list = messages.toArray();
    if (list.isEmpty()) throwBadRequest("messages", "'messages' must hold at least one message");
    request.input.kind = GenerationInput::Kind::Chat;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString param = QStringLiteral("messages[%1]").arg(i);
        if (!list.at(i).isObject()) throwWrongType(param, "an object", list.at(i));
        const QJsonObject message = list.at(i).toObject();
        const QJsonValue role = message.value("role");
        if (!role.isString()) throwWrongType(param + ".role", "a string", role);
        QString roleName = role.toString();
        if (roleName == QLatin1String("developer")) roleName = QStringLiteral("system");  // OpenAI's newer name
        if (roleName != QLatin1String("system") && roleName != QLatin1String("user") &&
            roleName != QLatin1String("assistant")) {
            throwBadRequest((param + ".role").toStdString(),
                            QStringLiteral("'%1.role' must be system, user or assistant, not '%2'")
                                .arg(param, roleName)
                                .toStdString());
        }
        request.input.messages.push_back(
            {roleName.toStdString(), messageContent(message.value("content"), param + ".content")});
    }
    applyRequestParameters(body, maxTokensCap, &request.parameters);
    return request;
}

CompletionRequest parseCompletionRequest(const QJsonObject& body, int maxTokensCap) {
    CompletionRequest request;
    readStreamOptions(body, &request);
    const QJsonValue prompt = body.value("prompt");
    request.input.kind = GenerationInput::Kind::Completion;
    if (prompt.isString()) {
        request.input.prompt = prompt.toString().toStdString();
    } else if (prompt.isArray() && prompt.toArray().size() == 1 && prompt.toArray().first().isString()) {
        request.input.prompt = prompt.toArray().first().toString().toStdString();
    } else if (prompt.isUndefined()) {
        throwBadRequest("prompt", "'prompt' is required");
    } else {
        throwWrongType("prompt", "a string (or an array of one string)", prompt);
    }
    applyRequestParameters(body, maxTokensCap, &request.parameters);
    return request;
}

const char* finishReason(StopReason reason) {
    switch (reason) {
        case StopReason::MaxTokens:
        case StopReason::ContextFull: return "length";
        case StopReason::EndOfGeneration:
        case StopReason::StopSequence:
        case StopReason::Cancelled: break;
    }
    return "stop";
}

std::string serverSentEvent(const QJsonObject& chunk) {
    return "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact).toStdString() + "\n\n";
}

AnswerWriter::AnswerWriter(Shape shape, QString model, QString app)
    : shape_(shape),
      id_(newId(shape == Shape::Chat ? "chatcmpl-" : "cmpl-")),
      model_(std::move(model)),
      app_(std::move(app)),
      created_(QDateTime::currentSecsSinceEpoch()) {}

QJsonObject AnswerWriter::chunkObject(const QJsonObject& choice) const {
    QJsonObject chunk{
        {"id", id_},
        {"object", shape_ == Shape::Chat ? "chat.completion.chunk" : "text_completion"},
        {"created", created_},
        {"model", model_},
        {"choices", choice.isEmpty() ? QJsonArray() : QJsonArray{choice}},
    };
    if (!app_.isEmpty()) chunk.insert("app", app_);
    return chunk;
}

std::string AnswerWriter::roleChunk() const {
    if (shape_ != Shape::Chat) return {};
    return serverSentEvent(chunkObject(QJsonObject{
        {"index", 0}, {"delta", QJsonObject{{"role", "assistant"}, {"content", ""}}}, {"finish_reason", QJsonValue()}}));
}

std::string AnswerWriter::textChunk(const std::string& text) const {
    const QString piece = QString::fromStdString(text);
    if (shape_ == Shape::Chat) {
        return serverSentEvent(chunkObject(
            QJsonObject{{"index", 0}, {"delta", QJsonObject{{"content", piece}}}, {"finish_reason", QJsonValue()}}));
    }
    return serverSentEvent(chunkObject(
        QJsonObject{{"index", 0}, {"text", piece}, {"logprobs", QJsonValue()}, {"finish_reason", QJsonValue()}}));
}

std::string AnswerWriter::finishChunk(StopReason reason) const {
    QJsonObject choice{{"index", 0}, {"finish_reason", finishReason(reason)}};
    if (shape_ == Shape::Chat) {
        choice.insert("delta", QJsonObject());
    } else {
        choice.insert("text", "");
        choice.insert("logprobs", QJsonValue());
    }
    return serverSentEvent(chunkObject(choice));
}

QJsonObject AnswerWriter::usage(const GenerationStats& stats) {
    return QJsonObject{{"prompt_tokens", stats.promptTokens},
                       {"completion_tokens", stats.generatedTokens},
                       {"total_tokens", stats.promptTokens + stats.generatedTokens}};
}

std::string AnswerWriter::usageChunk(const GenerationStats& stats) const {
    QJsonObject chunk = chunkObject({});
    chunk.insert("usage", usage(stats));
    return serverSentEvent(chunk);
}

QJsonObject AnswerWriter::whole(const GenerationResult& result) const {
    const QString text = QString::fromStdString(result.text);
    QJsonObject choice{{"index", 0}, {"finish_reason", finishReason(result.stopReason)}};
    if (shape_ == Shape::Chat) {
        choice.insert("message", QJsonObject{{"role", "assistant"}, {"content", text}});
    } else {
        choice.insert("text", text);
        choice.insert("logprobs", QJsonValue());
    }
    QJsonObject answer{
        {"id", id_},
        {"object", shape_ == Shape::Chat ? "chat.completion" : "text_completion"},
        {"created", created_},
        {"model", model_},
        {"choices", QJsonArray{choice}},
        {"usage", usage(result.stats)},
    };
    if (!app_.isEmpty()) answer.insert("app", app_);
    return answer;
}

}  // namespace ps::server
