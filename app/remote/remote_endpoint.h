#pragma once
// Where a remote OpenAI-compatible server is and how to reach it: the base URL
// ("http://127.0.0.1:8080/v1", as OpenAI clients' base_url), the API key, the
// model, and how long to wait. Also the one call that needs no generation:
// listing the server's models.
#include <QString>
#include <QStringList>

#include <string>

namespace ps {

struct RemoteEndpoint {
    QString baseUrl;
    QString apiKey;  // empty = send no Authorization header
    QString model;   // empty = the first model the server lists
    int connectTimeoutSeconds = 5;
    int readTimeoutSeconds = 120;  // the longest silence while waiting for the next piece

    // "http://host:port" and "/v1" from the base URL. Throws GenerationServiceError
    // saying what a base URL looks like when it is not one.
    std::string schemeHostPort() const;
    std::string pathPrefix() const;
    // The base URL without a trailing slash, for messages.
    QString displayUrl() const;
};

// The model ids of GET {base}/models. Throws GenerationServiceError with a
// sentence for people (refused, timed out, 401, not an OpenAI server...).
QStringList listRemoteModels(const RemoteEndpoint& endpoint);

}  // namespace ps
