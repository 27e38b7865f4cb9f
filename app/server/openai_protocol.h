#pragma once
// The OpenAI HTTP API as the server speaks it: request bodies of
// /v1/chat/completions and /v1/completions turned into a GenerationInput and
// GenerationParameters (types checked, every problem a 400 naming the field), and
// the answers written the way OpenAI writes them, whole or as server-sent events
// (`data: {json}\n\n` per chunk, then `data: [DONE]\n\n`).
// Reference: https://platform.openai.com/docs/api-reference/chat
#include <QJsonObject>
#include <QString>

#include <stdexcept>
#include <string>

#include "runner/generation_service.h"

namespace ps::server {

// An answer other than 200, as OpenAI shapes it:
// {"error": {"message", "type", "param", "code"}}.
struct ApiError {
    int status = 400;
    std::string type = "invalid_request_error";
    std::string message;
    std::string param;  // the field at fault, or empty
    std::string code;   // a machine-readable reason, or empty
    int retryAfterSeconds = 0;  // 429 and 503: the Retry-After header

    std::string body() const;  // the JSON text
};

class ApiErrorException : public std::runtime_error {
public:
    explicit ApiErrorException(ApiError error) : std::runtime_error(error.message), error_(std::move(error)) {}
    const ApiError& error() const { return error_; }

private:
    ApiError error_;
};

// 400 with `param` and `message`.
[[noreturn]] void throwBadRequest(const std::string& param, const std::string& message);

// Parses a request body as a JSON object, or throws a 400 saying where it broke.
QJsonObject parseJsonObject(const std::string& body);

struct CompletionRequest {
    GenerationInput input;
    GenerationParameters parameters;
    bool stream = false;
    bool includeUsage = false;  // stream_options.include_usage
    QString model;              // as the client named it (may be empty)
};

// The sampling fields a request may carry (temperature, top_p, max_tokens or
// max_completion_tokens, stop, seed, and the local extensions top_k, min_p,
// repeat_penalty), applied on top of `parameters`. A max_tokens above
// `maxTokensCap`, or none, becomes the cap.
void applyRequestParameters(const QJsonObject& body, int maxTokensCap, GenerationParameters* parameters);
// stream, stream_options.include_usage, and n (only 1 is served).
void readStreamOptions(const QJsonObject& body, CompletionRequest* request);

CompletionRequest parseChatRequest(const QJsonObject& body, int maxTokensCap);
CompletionRequest parseCompletionRequest(const QJsonObject& body, int maxTokensCap);

// "stop" or "length" (OpenAI's finish_reason).
const char* finishReason(StopReason reason);

// `data: {json}\n\n`, the framing of one server-sent event.
std::string serverSentEvent(const QJsonObject& chunk);
inline constexpr const char* kServerSentDone = "data: [DONE]\n\n";

// Writes one answer's JSON: whole (non-streamed) or chunk by chunk.
class AnswerWriter {
public:
    enum class Shape { Chat, Completion };
    AnswerWriter(Shape shape, QString model, QString app = {});

    // Streamed: the first chunk (chat: the assistant role), each text piece, the
    // final chunk with finish_reason, and (include_usage) one with the usage.
    std::string roleChunk() const;
    std::string textChunk(const std::string& text) const;
    std::string finishChunk(StopReason reason) const;
    std::string usageChunk(const GenerationStats& stats) const;
    // Not streamed: the whole answer.
    QJsonObject whole(const GenerationResult& result) const;

private:
    QJsonObject chunkObject(const QJsonObject& choice) const;
    static QJsonObject usage(const GenerationStats& stats);

    Shape shape_;
    QString id_;
    QString model_;
    QString app_;
    qint64 created_;
};

}  // namespace ps::server
