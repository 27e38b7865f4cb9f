#include "remote/remote_endpoint.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <optional>

#include "remote/remote_http.h"
#include "runner/generation_service.h"

namespace ps {

namespace {

QUrl checkedUrl(const QString& baseUrl) {
    const QUrl url(baseUrl.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty()) {
        throw GenerationServiceError(
            QStringLiteral("'%1' is not a server address: give one like http://127.0.0.1:8080/v1").arg(baseUrl)
                .toStdString());
    }
    return url;
}

}  // namespace

std::string RemoteEndpoint::schemeHostPort() const {
    const QUrl url = checkedUrl(baseUrl);
    const int port = url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
    const QString host = url.host().contains(':') ? QStringLiteral("[%1]").arg(url.host()) : url.host();
    return QStringLiteral("%1://%2:%3").arg(url.scheme(), host).arg(port).toStdString();
}

std::string RemoteEndpoint::pathPrefix() const {
    QString path = checkedUrl(baseUrl).path();
    while (path.endsWith('/')) path.chop(1);
    return path.toStdString();
}

QString RemoteEndpoint::displayUrl() const {
    QString url = baseUrl.trimmed();
    while (url.endsWith('/')) url.chop(1);
    return url;
}

QStringList listRemoteModels(const RemoteEndpoint& endpoint) {
    // A model list is a few kilobytes; the whole exchange is one read timeout at most,
    // so a server that trickles bytes or sends a list without end is cut off too.
    constexpr size_t kMaxListBytes = size_t{4} << 20;
    auto client = remote_http::makeClient(endpoint);
    int status = 0;
    std::string retryAfter;
    std::string body;
    bool tooLarge = false;
    std::optional<remote_http::ClientWatchdog> watchdog;
    watchdog.emplace(*client, nullptr, endpoint.readTimeoutSeconds + 1);
    const httplib::Result result = client->Get(
        (endpoint.pathPrefix() + "/models").c_str(), remote_http::authorizationHeaders(endpoint),
        [&](const httplib::Response& response) {
            status = response.status;
            retryAfter = response.get_header_value("Retry-After");
            return true;
        },
        [&](const char* data, size_t size) {
            if (body.size() + size > kMaxListBytes) {
                tooLarge = true;
                return false;
            }
            body.append(data, size);
            return true;
        });
    const bool quietTooLong = watchdog->expired();
    watchdog.reset();
    if (tooLarge || quietTooLong) {
        throw GenerationServiceError(
            QStringLiteral("%1 does not answer like an OpenAI-compatible server (GET /models %2).")
                .arg(endpoint.displayUrl(),
                     tooLarge ? QStringLiteral("sent more than %1 MiB").arg(kMaxListBytes >> 20)
                              : QStringLiteral("took more than %1 seconds").arg(endpoint.readTimeoutSeconds + 1))
                .toStdString());
    }
    if (!result) {
        throw GenerationServiceError(
            remote_http::transportFailure(endpoint, result.error(), false).toStdString());
    }
    if (status != 200) {
        throw GenerationServiceError(remote_http::statusFailure(endpoint, status, body, retryAfter).toStdString());
    }
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(body));
    QStringList models;
    for (const QJsonValue& model : document.object().value("data").toArray()) {
        const QString id = model.toObject().value("id").toString();
        if (!id.isEmpty()) models << id;
    }
    if (!document.isObject() || !document.object().value("data").isArray()) {
        throw GenerationServiceError(QStringLiteral("%1 does not answer like an OpenAI-compatible server (GET "
                                                    "/models gave no model list). Check the address; it usually "
                                                    "ends with /v1.")
                                         .arg(endpoint.displayUrl())
                                         .toStdString());
    }
    return models;
}

}  // namespace ps
