#pragma once
// The OpenAI-compatible HTTP server: one model (a GenerationService) and the
// user's apps, for other programs.
//
//   GET  /v1/models               the model, as OpenAI lists models
//   POST /v1/chat/completions     OpenAI chat completions, streamed (SSE) or not
//   POST /v1/completions          OpenAI (legacy) text completions
//   GET  /v1/apps                 the apps, each with its inputs as a JSON Schema
//   POST /v1/apps/{id}/run        {"inputs": {...}, "stream": true, ...}: runs an app
//   GET  /health                  {"status": "ok"}
//
// Safe by default: it listens on the loopback unless told otherwise and then
// refuses to start without an API key; bodies, max_tokens, the generation queue
// and the connections are bounded (bounded_http_server.h, generation_queue.h);
// generations run one at a time in the order they came. Browsers: CORS answers
// any origin when a key is set, only pages served from this computer otherwise.
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <stdexcept>
#include <thread>

#include "runner/generation_service.h"
#include "server/connection_limits.h"
#include "server/served_apps.h"

namespace ps::server {

class BoundedHttpServer;
class GenerationQueue;

struct ServerOptions {
    QString host = QStringLiteral("127.0.0.1");
    int port = 8080;  // 0 = any free port (tests)
    QString apiKey;   // required unless the host is a loopback address
    QStringList appFolders;
    QString modelId;  // the id /v1/models lists; empty = the model file's base name
    int maxTokensCap = 2048;
    int maxWaitingGenerations = 64;
    ConnectionLimits connections;  // includes the request size limit
    // One line per request ("POST /v1/chat/completions 200"), from any thread.
    std::function<void(const QString&)> log;
};

class ServerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class OpenAiServer {
public:
    // `service` must stay usable from the server's worker thread: wrap a service
    // others use too in a SerializedService.
    OpenAiServer(std::shared_ptr<GenerationService> service, ServerOptions options);
    // Stops: cancels generations, closes connections, joins the threads.
    ~OpenAiServer();

    // Binds and serves on background threads. Throws ServerError with a sentence
    // for people (no key beyond the loopback, address in use).
    void start();
    void stop();
    bool isRunning() const { return listener_.joinable(); }

    int port() const { return port_; }
    // "http://127.0.0.1:8080/v1" (what an OpenAI client's base_url takes).
    QString baseUrl() const;
    const QString& modelId() const { return modelId_; }
    // Connections open now (served or waiting for a thread).
    int openConnections() const;
    const ServerOptions& options() const { return options_; }

    static bool isLoopbackHost(const QString& host);

private:
    void addRoutes();

    std::shared_ptr<GenerationService> service_;
    ServerOptions options_;
    QString modelId_;
    ServedApps apps_;
    std::unique_ptr<GenerationQueue> queue_;
    std::unique_ptr<BoundedHttpServer> http_;
    std::thread listener_;
    int port_ = 0;
};

}  // namespace ps::server
