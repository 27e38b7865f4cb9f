#include "server/openai_server.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "runner/app_prompt.h"
#include "server/bounded_http_server.h"
#include "server/connection_stream.h"
#include "server/generation_queue.h"
#include "server/openai_protocol.h"

namespace ps::server {

namespace {

constexpr std::chrono::milliseconds kUpdateWait{25};
constexpr const char* kJson = "application/json";

void sendJson(httplib::Response& res, int status, const QJsonObject& object) {
    res.status = status;
    res.set_content(QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString() + "\n", kJson);
}

void sendError(httplib::Response& res, const ApiError& error) {
    res.status = error.status;
    if (error.retryAfterSeconds > 0) res.set_header("Retry-After", std::to_string(error.retryAfterSeconds));
    res.set_content(error.body(), kJson);
}

ApiError makeError(int status, std::string type, std::string message, std::string code = {}) {
    ApiError error;
    error.status = status;
    error.type = std::move(type);
    error.message = std::move(message);
    error.code = std::move(code);
    return error;
}

// Compares without stopping at the first difference, so that the time taken
// does not tell how much of a guessed key was right.
bool sameSecret(const std::string& a, const std::string& b) {
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i) difference |= a[i] ^ b[i % std::max<size_t>(1, b.size())];
    return difference == 0;
}

bool isLocalOrigin(const std::string& origin) {
    static const QRegularExpression local(
        QStringLiteral(R"(^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$)"));
    return local.match(QString::fromStdString(origin)).hasMatch();
}

}  // namespace

OpenAiServer::OpenAiServer(std::shared_ptr<GenerationService> service, ServerOptions options)
    : service_(std::move(service)), options_(std::move(options)), apps_(options_.appFolders) {
    modelId_ = options_.modelId;
    if (modelId_.isEmpty()) {
        const QString name = service_->modelName();
        modelId_ = name.contains('/') || name.endsWith(QLatin1String(".gguf")) ? QFileInfo(name).completeBaseName()
                                                                             : name;
    }
}

OpenAiServer::~OpenAiServer() { stop(); }

bool OpenAiServer::isLoopbackHost(const QString& host) {
    return host == QLatin1String("127.0.0.1") || host == QLatin1String("::1") ||
           host == QLatin1String("localhost") || host.startsWith(QLatin1String("127."));
}

QString OpenAiServer::baseUrl() const {
    const QString host = options_.host.contains(':') ? QStringLiteral("[%1]").arg(options_.host) : options_.host;
    return QStringLiteral("http://%1:%2/v1").arg(host).arg(port_);
}

int OpenAiServer::openConnections() const { return http_ ? http_->openConnections() : 0; }

void OpenAiServer::start() {
    if (isRunning()) return;
    if (!isLoopbackHost(options_.host) && options_.apiKey.isEmpty()) {
        throw ServerError(QStringLiteral("Listening on %1 would let other computers use the model: give it an API "
                                         "key (--api-key, or $PROMPTSTUDIO_API_KEY), or listen on 127.0.0.1 only.")
                              .arg(options_.host)
                              .toStdString());
    }
    queue_ = std::make_unique<GenerationQueue>(service_, options_.maxWaitingGenerations);
    http_ = std::make_unique<BoundedHttpServer>(options_.connections);
    addRoutes();
    port_ = http_->bind(options_.host.toStdString(), options_.port);
    if (port_ < 0) {
        http_.reset();
        queue_.reset();
        throw ServerError(QStringLiteral("Cannot listen on %1 port %2: another program may be using the port, or "
                                         "the address is not one of this computer's.")
                              .arg(options_.host)
                              .arg(options_.port)
                              .toStdString());
    }
    listener_ = std::thread([http = http_.get()] { http->listen_after_bind(); });
}

void OpenAiServer::stop() {
    if (!http_) return;
    // Generations end first (cancelled), so that streaming connections end
    // promptly; the queue lives until no connection can reach it.
    queue_->close();
    http_->stop();
    if (listener_.joinable()) listener_.join();
    http_.reset();
    queue_.reset();
}

void OpenAiServer::addRoutes() {
    httplib::Server& http = *http_;
    const std::string apiKey = options_.apiKey.toStdString();
    const size_t maxBody = options_.connections.maxRequestBytes;

    // Before routing (and before a body is read): CORS, the key, the body's size.
    http.set_pre_routing_handler([apiKey, maxBody](const httplib::Request& req, httplib::Response& res) {
        const std::string origin = req.get_header_value("Origin");
        if (!origin.empty() && (!apiKey.empty() || isLocalOrigin(origin))) {
            res.set_header("Access-Control-Allow-Origin", apiKey.empty() ? origin : std::string("*"));
            res.set_header("Vary", "Origin");
        }
        if (req.method == "OPTIONS") {  // a browser's preflight: no key needed
            res.status = 204;
            res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            res.set_header("Access-Control-Max-Age", "600");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (!apiKey.empty() && req.path != "/health") {
            const std::string authorization = req.get_header_value("Authorization");
            const std::string prefix = "Bearer ";
            if (authorization.rfind(prefix, 0) != 0 || !sameSecret(authorization.substr(prefix.size()), apiKey)) {
                sendError(res, makeError(401, "authentication_error",
                                         authorization.empty()
                                             ? "This server needs an API key: send 'Authorization: Bearer KEY'."
                                             : "The API key is not the one this server was given.",
                                         "invalid_api_key"));
                res.set_header("WWW-Authenticate", "Bearer");
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        if (req.has_header("Transfer-Encoding")) {
            sendError(res, makeError(411, "invalid_request_error",
                                     "Send the body with a Content-Length (chunked request bodies are not taken)."));
            res.set_header("Connection", "close");
            BoundedHttpServer::closeAfterResponse();
            return httplib::Server::HandlerResponse::Handled;
        }
        const size_t length = static_cast<size_t>(std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10));
        if (length > maxBody) {
            sendError(res, makeError(413, "invalid_request_error",
                                     "The request body is " + std::to_string(length) + " bytes; this server takes at most " +
                                         std::to_string(maxBody) + ".",
                                     "request_too_large"));
            res.set_header("Connection", "close");
            BoundedHttpServer::closeAfterResponse();  // the body is not read
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // httplib's own refusals (no route, unparsable request) as OpenAI error objects.
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        switch (res.status) {
            case 404:
                sendError(res, makeError(404, "not_found_error", "There is no " + req.method + " " + req.path +
                                                                     " here; see GET /v1/models and GET /v1/apps."));
                break;
            case 413:
                sendError(res, makeError(413, "invalid_request_error", "The request body is too large."));
                break;
            default:
                sendError(res, makeError(res.status, res.status >= 500 ? "server_error" : "invalid_request_error",
                                         "The request could not be read (HTTP " + std::to_string(res.status) + ")."));
                break;
        }
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr failure) {
        std::string message = "The server failed.";
        try {
            if (failure) std::rethrow_exception(failure);
        } catch (const std::exception& error) {
            message = std::string("The server failed: ") + error.what();
        } catch (...) {
        }
        sendError(res, makeError(500, "server_error", message));
    });
    if (options_.log) {
        http.set_logger([log = options_.log](const httplib::Request& req, const httplib::Response& res) {
            log(QStringLiteral("%1 %2 %3").arg(QString::fromStdString(req.method), QString::fromStdString(req.path))
                    .arg(res.status));
        });
    }

    http.Get("/health", [](const httplib::Request&, httplib::Response& res) {
        sendJson(res, 200, QJsonObject{{"status", "ok"}});
    });
    http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
        const QJsonObject model{{"id", modelId_},
                                {"object", "model"},
                                {"created", 0},
                                {"owned_by", "promptstudio"},
                                {"description", service_->describe()}};
        sendJson(res, 200, QJsonObject{{"object", "list"}, {"data", QJsonArray{model}}});
    });
    http.Get("/v1/apps", [this](const httplib::Request&, httplib::Response& res) {
        QJsonArray data;
        for (const ServedApp& app : apps_.list()) data.append(describeApp(app));
        sendJson(res, 200, QJsonObject{{"object", "list"}, {"data", data}});
    });

    // The three generating endpoints share everything after parsing.
    auto generate = [this](httplib::Response& res, CompletionRequest request, AnswerWriter::Shape shape,
                           const QString& appId) {
        if (!request.model.isEmpty() && request.model != modelId_ && appId.isEmpty()) {
            throw ApiErrorException(makeError(
                404, "invalid_request_error",
                QStringLiteral("The model '%1' does not exist here; this server serves '%2' (GET /v1/models).")
                    .arg(request.model, modelId_)
                    .toStdString(),
                "model_not_found"));
        }
        auto job = std::make_shared<GenerationJob>(std::move(request.input), request.parameters);
        const int socket = BoundedHttpServer::currentSocket();
        job->setClientSocket(socket);
        if (!queue_->submit(job)) {
            ApiError busy = makeError(429, "rate_limit_error",
                                      "The server is busy: too many requests are waiting. Try again shortly.",
                                      "queue_full");
            busy.retryAfterSeconds = queue_->retryAfterSeconds();
            throw ApiErrorException(busy);
        }
        auto writer = std::make_shared<AnswerWriter>(shape, modelId_, appId);
        if (!request.stream) {
            for (;;) {
                const GenerationJob::Update update = job->waitForUpdate(kUpdateWait);
                if (update.done) break;
                if (peerHasHungUp(socket)) {
                    job->cancel();  // nobody is left to answer
                    return;
                }
            }
            if (!job->errorMessage().empty()) {
                throw ApiErrorException(makeError(job->promptTooLong() ? 400 : 500,
                                                  job->promptTooLong() ? "invalid_request_error" : "server_error",
                                                  job->errorMessage(),
                                                  job->promptTooLong() ? "context_length_exceeded" : ""));
            }
            sendJson(res, 200, writer->whole(job->result()));
            return;
        }
        res.set_header("Cache-Control", "no-cache");
        res.set_header("X-Accel-Buffering", "no");  // proxies: do not hold events back
        const bool includeUsage = request.includeUsage;
        auto started = std::make_shared<bool>(false);
        res.set_chunked_content_provider(
            "text/event-stream",
            [job, writer, includeUsage, started, socket](size_t, httplib::DataSink& sink) {
                auto send = [&sink, &job](const std::string& event) {
                    if (event.empty() || sink.write(event.data(), event.size())) return true;
                    job->cancel();  // the reader is gone or took nothing for the write timeout
                    return false;
                };
                if (!*started) {
                    *started = true;
                    if (!send(writer->roleChunk())) return false;
                }
                const GenerationJob::Update update = job->waitForUpdate(kUpdateWait);
                for (const std::string& piece : update.pieces) {
                    if (!send(writer->textChunk(piece))) return false;
                }
                if (update.done) {
                    if (!job->errorMessage().empty()) {
                        // Mid-stream the status is sent already: the error travels as an event.
                        const ApiError error = makeError(job->promptTooLong() ? 400 : 500,
                                                         job->promptTooLong() ? "invalid_request_error" : "server_error",
                                                         job->errorMessage());
                        if (!send("data: " + error.body() + "\n")) return false;
                    } else {
                        if (!send(writer->finishChunk(job->result().stopReason))) return false;
                        if (includeUsage && !send(writer->usageChunk(job->result().stats))) return false;
                    }
                    if (!send(kServerSentDone)) return false;
                    sink.done();
                    return true;
                }
                if (peerHasHungUp(socket)) {
                    job->cancel();
                    return false;
                }
                return true;
            },
            [job](bool) { job->cancel(); });  // however the response ended, stop generating
    };

    auto guarded = [](auto handler) {
        return [handler](const httplib::Request& req, httplib::Response& res) {
            try {
                handler(req, res);
            } catch (const ApiErrorException& error) {
                sendError(res, error.error());
            }
        };
    };
    const int cap = options_.maxTokensCap;
    http.Post("/v1/chat/completions", guarded([generate, cap](const httplib::Request& req, httplib::Response& res) {
                  CompletionRequest request = parseChatRequest(parseJsonObject(req.body), cap);
                  generate(res, std::move(request), AnswerWriter::Shape::Chat, {});
              }));
    http.Post("/v1/completions", guarded([generate, cap](const httplib::Request& req, httplib::Response& res) {
                  CompletionRequest request = parseCompletionRequest(parseJsonObject(req.body), cap);
                  generate(res, std::move(request), AnswerWriter::Shape::Completion, {});
              }));
    http.Post(R"(/v1/apps/([^/]+)/run)",
              guarded([this, generate, cap](const httplib::Request& req, httplib::Response& res) {
                  const QString id = QString::fromStdString(req.matches[1]);
                  const std::optional<ServedApp> app = apps_.find(id);
                  if (!app) {
                      throw ApiErrorException(makeError(
                          404, "not_found_error",
                          QStringLiteral("There is no app '%1' here (GET /v1/apps lists them).").arg(id).toStdString(),
                          "app_not_found"));
                  }
                  const QJsonObject body = parseJsonObject(req.body.empty() ? std::string("{}") : req.body);
                  CompletionRequest request;
                  readStreamOptions(body, &request);
                  request.model.clear();  // an app runs on the server's model
                  request.input = appGenerationInput(app->app, inputsFromJson(app->app, body.value("inputs")));
                  QStringList errors;
                  request.parameters.apply(appParameterValues(app->app), &errors);
                  // The app's own max_tokens unless the request asks for another, within the cap.
                  QJsonObject overrides = body;
                  if (!overrides.contains("max_tokens") && !overrides.contains("max_completion_tokens")) {
                      overrides.insert("max_tokens", request.parameters.maxTokens > 0 ? request.parameters.maxTokens
                                                                                     : cap);
                  }
                  applyRequestParameters(overrides, cap, &request.parameters);
                  generate(res, std::move(request), AnswerWriter::Shape::Chat, id);
              }));
}

}  // namespace ps::server
