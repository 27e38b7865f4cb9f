#include "remote/remote_generation_service.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <optional>

#include "remote/remote_http.h"
#include "remote/server_sent_events.h"

namespace ps {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxErrorBodyBytes = 64 * 1024;
// The most text one answer may bring (streamed, or whole when the server ignored
// "stream"): far past any context a model has; a server sending more never stops.
constexpr size_t kMaxAnswerBytes = size_t{64} << 20;

double millisecondsBetween(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

QJsonObject requestBody(const RemoteEndpoint& endpoint, const GenerationInput& input,
                        const GenerationParameters& parameters) {
    QJsonObject body{{"model", endpoint.model}, {"stream", true},
                     {"stream_options", QJsonObject{{"include_usage", true}}}};
    if (input.kind == GenerationInput::Kind::Chat) {
        QJsonArray messages;
        for (const templating::ChatMessage& message : input.messages) {
            messages.append(QJsonObject{{"role", QString::fromStdString(message.role)},
                                        {"content", QString::fromStdString(message.content)}});
        }
        body.insert("messages", messages);
    } else {
        body.insert("prompt", QString::fromStdString(input.prompt));
    }
    // The fields every OpenAI-compatible server takes; top_k, min_p and the
    // repetition penalty are not among them (OpenAI itself refuses unknown ones).
    const SamplingParams& sampling = parameters.sampling;
    body.insert("temperature", static_cast<double>(sampling.temperature));
    body.insert("top_p", static_cast<double>(sampling.topP));
    if (parameters.maxTokens > 0) body.insert("max_tokens", parameters.maxTokens);
    if (sampling.seed != 0) body.insert("seed", static_cast<double>(sampling.seed & ((uint64_t{1} << 53) - 1)));
    if (!parameters.stop.empty()) {
        QJsonArray stop;
        for (const std::string& sequence : parameters.stop) stop.append(QString::fromStdString(sequence));
        body.insert("stop", stop);
    }
    return body;
}

// What one streamed answer has told so far.
struct StreamedAnswer {
    GenerationResult result;
    int chunks = 0;  // non-empty text deltas (a token each on every server we know)
    bool sawUsage = false;
    bool sawDone = false;
    bool pastMaxTokens = false;  // more text than max_tokens allows: the server ignores it
    bool tooMuchText = false;    // past kMaxAnswerBytes
    QString streamError;  // an error event in the middle of the stream
    Clock::time_point firstText{};
    Clock::time_point lastText{};
};

}  // namespace

RemoteGenerationService::RemoteGenerationService(RemoteEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

std::shared_ptr<RemoteGenerationService> RemoteGenerationService::connect(RemoteEndpoint endpoint) {
    const QStringList models = listRemoteModels(endpoint);
    if (endpoint.model.isEmpty()) {
        if (models.isEmpty()) {
            throw GenerationServiceError(
                QStringLiteral("The server at %1 lists no models.").arg(endpoint.displayUrl()).toStdString());
        }
        endpoint.model = models.first();
    } else if (!models.isEmpty() && !models.contains(endpoint.model)) {
        // A server may list thousands (OpenRouter and the like): a dozen say enough.
        constexpr qsizetype kNamesShown = 12;
        QString names = models.mid(0, kNamesShown).join(", ");
        if (models.size() > kNamesShown) names += QStringLiteral(" and %1 more").arg(models.size() - kNamesShown);
        throw GenerationServiceError(QStringLiteral("The server at %1 has no model named '%2'. It has: %3.")
                                         .arg(endpoint.displayUrl(), endpoint.model, names)
                                         .toStdString());
    }
    return std::make_shared<RemoteGenerationService>(std::move(endpoint));
}

QString RemoteGenerationService::describe() const {
    const RemoteEndpoint endpoint = this->endpoint();
    return QStringLiteral("%1 at %2")
        .arg(endpoint.model.isEmpty() ? QStringLiteral("the first model") : endpoint.model, endpoint.displayUrl());
}

QString RemoteGenerationService::modelName() const { return endpoint().model; }

RemoteEndpoint RemoteGenerationService::endpoint() const {
    std::lock_guard lock(mutex_);
    return endpoint_;
}

std::string RemoteGenerationService::renderPrompt(const GenerationInput& input) const {
    return input.kind == GenerationInput::Kind::Completion ? input.prompt : std::string();
}

GenerationResult RemoteGenerationService::generate(const GenerationInput& input,
                                                   const GenerationParameters& parameters,
                                                   const TextCallback& onText, const std::atomic<bool>* cancel) {
    const bool chat = input.kind == GenerationInput::Kind::Chat;
    RemoteEndpoint server = endpoint();  // this generation's copy
    if (server.model.isEmpty()) {
        const QStringList models = listRemoteModels(server);
        if (models.isEmpty()) {
            throw GenerationServiceError(
                QStringLiteral("The server at %1 lists no models.").arg(server.displayUrl()).toStdString());
        }
        server.model = models.first();
        std::lock_guard lock(mutex_);
        endpoint_.model = server.model;
    }
    auto client = remote_http::makeClient(server);

    httplib::Request request;
    request.method = "POST";
    request.path = server.pathPrefix() + (chat ? "/chat/completions" : "/completions");
    request.headers = remote_http::authorizationHeaders(server);
    request.set_header("Accept", "text/event-stream");
    request.set_header("Content-Type", "application/json");
    request.body = QJsonDocument(requestBody(server, input, parameters)).toJson(QJsonDocument::Compact).toStdString();

    const Clock::time_point start = Clock::now();
    StreamedAnswer answer;
    int status = 0;
    bool eventStream = false;
    std::string retryAfter;
    std::string plainBody;  // an error, or an answer that did not stream
    bool stoppedByCaller = false;
    ServerSentEventReader events;
    // Cancelling must not wait for the server's next byte, and a server that keeps the
    // connection busy without sending text is cut off like a silent one (a second after
    // httplib's read timeout, which reports plain silence in its own words).
    std::optional<remote_http::ClientWatchdog> watchdog;

    auto handleEvent = [&](const std::string& data) {
        if (data == "[DONE]") {
            answer.sawDone = true;
            return true;
        }
        const QJsonObject chunk = QJsonDocument::fromJson(QByteArray::fromStdString(data)).object();
        if (chunk.contains("error")) {
            answer.streamError = remote_http::errorMessageOf(data);
            return false;
        }
        const QJsonObject usage = chunk.value("usage").toObject();
        if (!usage.isEmpty()) {
            answer.sawUsage = true;
            answer.result.stats.promptTokens = usage.value("prompt_tokens").toInt();
            answer.result.stats.generatedTokens = usage.value("completion_tokens").toInt();
        }
        const QJsonObject choice = chunk.value("choices").toArray().first().toObject();
        const QString text =
            chat ? choice.value("delta").toObject().value("content").toString() : choice.value("text").toString();
        const QString finish = choice.value("finish_reason").toString();
        if (finish == QLatin1String("length")) answer.result.stopReason = StopReason::MaxTokens;
        if (finish == QLatin1String("stop")) answer.result.stopReason = StopReason::EndOfGeneration;
        if (text.isEmpty()) return true;
        // Each piece is at least one token: a server that sends more pieces than
        // max_tokens does not honour it, and would go on for as long as it likes.
        if (parameters.maxTokens > 0 && answer.chunks >= parameters.maxTokens) {
            answer.pastMaxTokens = true;
            return false;
        }
        const std::string piece = text.toStdString();
        if (answer.result.text.size() + piece.size() > kMaxAnswerBytes) {
            answer.tooMuchText = true;
            return false;
        }
        const Clock::time_point now = Clock::now();
        if (answer.chunks == 0) {
            answer.firstText = now;
            answer.result.stats.timeToFirstTokenMs = millisecondsBetween(start, now);
        }
        answer.lastText = now;
        ++answer.chunks;
        watchdog->touch();
        answer.result.text += piece;
        if (onText && !onText(piece)) {
            stoppedByCaller = true;
            return false;
        }
        return true;
    };

    request.response_handler = [&](const httplib::Response& response) {
        watchdog->touch();
        status = response.status;
        retryAfter = response.get_header_value("Retry-After");
        eventStream = response.get_header_value("Content-Type").find("text/event-stream") != std::string::npos;
        return true;
    };
    request.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
        if (cancel && cancel->load()) return false;
        if (status != 200 || !eventStream) {
            if (plainBody.size() + size > (status == 200 ? kMaxAnswerBytes : kMaxErrorBodyBytes)) {
                answer.tooMuchText = status == 200;
                return false;
            }
            plainBody.append(data, size);
            return true;
        }
        return events.feed(std::string_view(data, size), handleEvent);
    };

    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    watchdog.emplace(*client, cancel, server.readTimeoutSeconds + 1);
    const bool sent = client->send(request, response, error);
    const bool quietTooLong = watchdog->expired();
    watchdog.reset();

    const bool cancelled = stoppedByCaller || (cancel && cancel->load());
    if (cancelled) {
        answer.result.stopReason = StopReason::Cancelled;
    } else if (answer.pastMaxTokens) {
        answer.result.stopReason = StopReason::MaxTokens;  // everything asked for has come
    } else if (answer.tooMuchText || events.tooLarge()) {
        throw GenerationServiceError(
            QStringLiteral("The server at %1 sent %2; it does not answer like an OpenAI-compatible server.")
                .arg(server.displayUrl(),
                     answer.tooMuchText ? QStringLiteral("more than %1 MiB of text").arg(kMaxAnswerBytes >> 20)
                                        : QStringLiteral("a streamed event larger than %1 MiB")
                                              .arg(ServerSentEventReader::kMaxEventBytes >> 20))
                .toStdString());
    } else if (quietTooLong) {
        throw GenerationServiceError(
            QStringLiteral("The server at %1 sent no text for more than %2 seconds%3.")
                .arg(server.displayUrl())
                .arg(server.readTimeoutSeconds)
                .arg(answer.chunks > 0 ? QStringLiteral(" in the middle of the answer") : QString())
                .toStdString());
    } else if (!answer.streamError.isEmpty()) {
        throw GenerationServiceError(QStringLiteral("The server at %1 failed in the middle of the answer: %2")
                                         .arg(server.displayUrl(), answer.streamError)
                                         .toStdString());
    } else if (!sent && error != httplib::Error::Canceled) {
        throw GenerationServiceError(
            remote_http::transportFailure(server, error, answer.chunks > 0).toStdString());
    } else if (status != 200) {
        throw GenerationServiceError(
            remote_http::statusFailure(server, status, plainBody, retryAfter).toStdString());
    } else if (!eventStream) {
        // A server that ignored "stream": the whole answer at once.
        const QJsonObject whole = QJsonDocument::fromJson(QByteArray::fromStdString(plainBody)).object();
        const QJsonObject choice = whole.value("choices").toArray().first().toObject();
        const QString text =
            chat ? choice.value("message").toObject().value("content").toString() : choice.value("text").toString();
        if (!whole.contains("choices")) {
            throw GenerationServiceError(QStringLiteral("The server at %1 sent an answer that is not an OpenAI "
                                                        "completion.")
                                             .arg(server.displayUrl())
                                             .toStdString());
        }
        answer.result.stats.timeToFirstTokenMs = millisecondsBetween(start, Clock::now());
        answer.result.text = text.toStdString();
        if (onText && !text.isEmpty()) onText(answer.result.text);
        const QJsonObject usage = whole.value("usage").toObject();
        answer.result.stats.promptTokens = usage.value("prompt_tokens").toInt();
        answer.result.stats.generatedTokens = usage.value("completion_tokens").toInt();
        answer.result.stopReason = choice.value("finish_reason").toString() == QLatin1String("length")
                                       ? StopReason::MaxTokens
                                       : StopReason::EndOfGeneration;
        return answer.result;
    }

    GenerationStats& stats = answer.result.stats;
    if (!answer.sawUsage) stats.generatedTokens = answer.chunks;
    if (answer.chunks > 1) {
        stats.decodeSteps = std::max(answer.chunks, stats.generatedTokens) - 1;
        stats.decodeMs = millisecondsBetween(answer.firstText, answer.lastText);
    }
    return answer.result;
}

}  // namespace ps
