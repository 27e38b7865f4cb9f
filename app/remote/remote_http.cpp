#include "remote/remote_http.h"

#include <algorithm>

#include <QJsonDocument>
#include <QJsonObject>

namespace ps::remote_http {

std::unique_ptr<httplib::Client> makeClient(const RemoteEndpoint& endpoint) {
    auto client = std::make_unique<httplib::Client>(endpoint.schemeHostPort());
    client->set_connection_timeout(endpoint.connectTimeoutSeconds, 0);
    client->set_read_timeout(endpoint.readTimeoutSeconds, 0);
    client->set_write_timeout(endpoint.readTimeoutSeconds, 0);
    client->set_keep_alive(false);
    client->set_tcp_nodelay(true);
    client->set_follow_location(true);
    return client;
}

ClientWatchdog::ClientWatchdog(httplib::Client& client, const std::atomic<bool>* cancel, int quietSeconds)
    : client_(client),
      cancel_(cancel),
      quiet_(std::chrono::seconds(std::max(quietSeconds, 1))),
      lastProgress_(Clock::now().time_since_epoch().count()) {
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!finished_) {
            if (!expired_ && Clock::now() - Clock::time_point(Clock::duration(lastProgress_.load())) > quiet_) {
                expired_ = true;
            }
            // Again on every wake: a stop() that came before the socket was opened
            // (during the connect) would otherwise be lost.
            if (expired_ || (cancel_ && cancel_->load())) client_.stop();
            wake_.wait_for(lock, std::chrono::milliseconds(10));
        }
    });
}

ClientWatchdog::~ClientWatchdog() {
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void ClientWatchdog::touch() { lastProgress_ = Clock::now().time_since_epoch().count(); }

httplib::Headers authorizationHeaders(const RemoteEndpoint& endpoint) {
    httplib::Headers headers;
    if (!endpoint.apiKey.isEmpty()) {
        headers.emplace("Authorization", "Bearer " + endpoint.apiKey.trimmed().toStdString());
    }
    return headers;
}

QString transportFailure(const RemoteEndpoint& endpoint, httplib::Error error, bool answerStarted) {
    const QString url = endpoint.displayUrl();
    switch (error) {
        case httplib::Error::Connection:
            return QStringLiteral("Cannot connect to the server at %1: the connection was refused or the computer "
                                  "could not be reached. Is the server running, and is the address right?")
                .arg(url);
        case httplib::Error::ConnectionTimeout:
            return QStringLiteral("The server at %1 did not accept the connection within %2 seconds.")
                .arg(url)
                .arg(endpoint.connectTimeoutSeconds);
        case httplib::Error::Read:
            return answerStarted
                       ? QStringLiteral("The server at %1 stopped sending in the middle of the answer (nothing "
                                        "came for %2 seconds, or it closed the connection).")
                             .arg(url)
                             .arg(endpoint.readTimeoutSeconds)
                       : QStringLiteral("The server at %1 did not answer within %2 seconds (or closed the "
                                        "connection without answering).")
                             .arg(url)
                             .arg(endpoint.readTimeoutSeconds);
        case httplib::Error::Write:
            return QStringLiteral("The connection to %1 broke while sending the request.").arg(url);
        case httplib::Error::SSLConnection:
        case httplib::Error::SSLLoadingCerts:
        case httplib::Error::SSLServerVerification:
            return QStringLiteral("Cannot make a secure (https) connection to %1: its certificate could not be "
                                  "verified or the secure handshake failed.")
                .arg(url);
        case httplib::Error::ExceedRedirectCount:
            return QStringLiteral("The server at %1 redirects in circles.").arg(url);
        default: break;
    }
    return QStringLiteral("The request to %1 failed (%2).")
        .arg(url, QString::fromStdString(httplib::to_string(error)));
}

QString errorMessageOf(const std::string& body) {
    // A server's words go into a sentence for people: a few lines at most.
    constexpr qsizetype kMaxCharacters = 300;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(body));
    const QJsonValue error = document.object().value("error");
    QString text = error.isObject()   ? error.toObject().value("message").toString()
                   : error.isString() ? error.toString()
                                      : QString::fromUtf8(body.data(), static_cast<qsizetype>(std::min<size_t>(
                                                                           body.size(), kMaxCharacters)));
    text = text.trimmed();
    if (text.size() > kMaxCharacters) text = text.left(kMaxCharacters) + QStringLiteral("…");
    return text;
}

QString statusFailure(const RemoteEndpoint& endpoint, int status, const std::string& body,
                      const std::string& retryAfter) {
    const QString url = endpoint.displayUrl();
    const QString detail = errorMessageOf(body);
    const QString said = detail.isEmpty() ? QString() : QStringLiteral(" It said: %1").arg(detail);
    switch (status) {
        case 401:
        case 403:
            return endpoint.apiKey.isEmpty()
                       ? QStringLiteral("The server at %1 needs an API key (HTTP %2). Enter the key it was given.")
                             .arg(url)
                             .arg(status)
                       : QStringLiteral("The server at %1 refused the API key (HTTP %2). Check that the key is "
                                        "right and still valid.")
                             .arg(url)
                             .arg(status);
        case 404:
            return QStringLiteral("The server at %1 has no model named '%2', or no such endpoint (HTTP 404). "
                                  "Choose one of the models it lists, and check that the address ends with /v1.%3")
                .arg(url, endpoint.model, said);
        case 429: {
            const QString wait = retryAfter.empty()
                                     ? QStringLiteral("Try again in a moment.")
                                     : QStringLiteral("Try again in %1 seconds.")
                                           .arg(QString::fromStdString(retryAfter.substr(0, 32)));
            return QStringLiteral("The server at %1 is busy: too many requests (HTTP 429). %2").arg(url, wait);
        }
        case 413:
            return QStringLiteral("The server at %1 refused the request as too large (HTTP 413).%2").arg(url, said);
        default: break;
    }
    if (status >= 500) {
        return QStringLiteral("The server at %1 failed (HTTP %2).%3").arg(url).arg(status).arg(said);
    }
    return QStringLiteral("The server at %1 refused the request (HTTP %2).%3").arg(url).arg(status).arg(said);
}

}  // namespace ps::remote_http
