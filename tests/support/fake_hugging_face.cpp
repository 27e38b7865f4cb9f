#include "support/fake_hugging_face.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace ps::test {

namespace {

QByteArray reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 206: return "Partial Content";
        case 302: return "Found";
        case 401: return "Unauthorized";
        case 404: return "Not Found";
        case 416: return "Range Not Satisfiable";
        default: return "Status";
    }
}

QByteArray statusLine(int status) {
    return "HTTP/1.1 " + QByteArray::number(status) + " " + reason(status) + "\r\n";
}

}  // namespace

FakeHuggingFace::FakeHuggingFace(QObject* parent) : QObject(parent) {
    server_.listen(QHostAddress::LocalHost, 0);
    cdn_.listen(QHostAddress::LocalHost, 0);
    connect(&server_, &QTcpServer::newConnection, this, [this] { onConnection(&server_); });
    connect(&cdn_, &QTcpServer::newConnection, this, [this] { onConnection(&cdn_); });
}

QUrl FakeHuggingFace::endpoint() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort()));
}

QByteArray FakeHuggingFace::sha256Hex(const QByteArray& data) {
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

void FakeHuggingFace::addFile(const QString& repo, const QString& path, const File& file) {
    files_.insert(repo + '/' + path, file);
}

void FakeHuggingFace::onConnection(QTcpServer* server) {
    while (QTcpSocket* socket = server->nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FakeHuggingFace::onReadable(QTcpSocket* socket) {
    QByteArray buffer = socket->property("request").toByteArray() + socket->readAll();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        socket->setProperty("request", buffer);
        return;
    }
    socket->setProperty("request", QByteArray());
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    QHash<QByteArray, QByteArray> headers;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0) headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    respond(socket, requestLine.value(0), requestLine.value(1), headers);
}

void FakeHuggingFace::sendSimple(QTcpSocket* socket, int status, const QByteArray& body,
                                 const QByteArray& extraHeaders) {
    socket->write(statusLine(status) + extraHeaders + "Content-Length: " +
                  QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}

void FakeHuggingFace::respond(QTcpSocket* socket, const QByteArray& method, const QByteArray& target,
                              const QHash<QByteArray, QByteArray>& headers) {
    QString log = QString::fromLatin1(method + ' ' + target);
    if (headers.contains("range")) log += " Range=" + QString::fromLatin1(headers["range"]);
    if (headers.contains("authorization")) {
        log += " Authorization=" + QString::fromLatin1(headers["authorization"]);
    }
    requests_.append(log);

    const QUrl url(QString::fromLatin1(target));
    const QString path = url.path(QUrl::FullyDecoded);
    if (path == "/api/models") {
        sendSimple(socket, 200, searchReply_, "Content-Type: application/json\r\n");
        return;
    }
    if (path.startsWith("/api/models/") && path.endsWith("/tree/main")) {
        const QString repo = path.mid(12, path.size() - 12 - 10);
        QJsonArray entries;
        for (auto it = files_.cbegin(); it != files_.cend(); ++it) {
            if (!it.key().startsWith(repo + '/')) continue;
            const QString filePath = it.key().mid(repo.size() + 1);
            const qint64 size = it->content.size();
            entries.append(QJsonObject{
                {"type", "file"},
                {"path", filePath},
                {"size", size},
                {"oid", "0123456789abcdef0123456789abcdef01234567"},
                {"lfs", QJsonObject{{"oid", QString::fromLatin1(sha256Hex(it->content))},
                                    {"size", size},
                                    {"pointerSize", 135}}}});
        }
        entries.append(QJsonObject{{"type", "file"}, {"path", "README.md"}, {"size", 1200}});
        if (entries.size() == 1) {
            sendSimple(socket, 404, R"({"error":"Repository not found"})");
            return;
        }
        sendSimple(socket, 200, QJsonDocument(entries).toJson(QJsonDocument::Compact),
                   "Content-Type: application/json\r\n");
        return;
    }

    // /OWNER/REPO/resolve/main/PATH or /cdn/OWNER/REPO/PATH
    const QStringList segments = path.split('/', Qt::SkipEmptyParts);
    QString key;
    bool isResolve = false;
    if (segments.size() >= 5 && segments[2] == "resolve" && segments[3] == "main") {
        key = segments[0] + '/' + segments[1] + '/' + segments.mid(4).join('/');
        isResolve = true;
    } else if (segments.size() >= 4 && segments[0] == "cdn") {
        key = segments.mid(1).join('/');
    }
    if (!files_.contains(key)) {
        sendSimple(socket, 404, "Entry not found", "X-Error-Code: EntryNotFound\r\n");
        return;
    }
    const File& file = files_[key];
    const QByteArray sha = file.linkedSha256.isEmpty() ? sha256Hex(file.content) : file.linkedSha256;
    const QByteArray linked = "X-Linked-Etag: \"" + sha + "\"\r\nX-Linked-Size: " +
                              QByteArray::number(file.content.size()) + "\r\n";
    if (isResolve) {
        if (!file.requiredToken.isEmpty() &&
            headers.value("authorization") != "Bearer " + file.requiredToken) {
            sendSimple(socket, 401, "Access to this model is restricted.");
            return;
        }
        if (file.redirect) {
            const QByteArray location = "http://127.0.0.1:" + QByteArray::number(cdn_.serverPort()) +
                                        "/cdn/" + QUrl::toPercentEncoding(key, "/");
            sendSimple(socket, 302, "", linked + "Location: " + location + "\r\n");
            return;
        }
    }
    qint64 first = 0;
    const QByteArray range = headers.value("range");
    if (file.acceptRanges && range.startsWith("bytes=") && range.endsWith('-')) {
        first = range.mid(6, range.size() - 7).toLongLong();
        const qint64 size = file.content.size();
        if (first >= size) {
            sendSimple(socket, 416, "", "Content-Range: bytes */" + QByteArray::number(size) + "\r\n");
            return;
        }
        const QByteArray headerLines =
            (isResolve ? linked : QByteArray()) + "Accept-Ranges: bytes\r\nContent-Range: bytes " +
            QByteArray::number(first) + "-" + QByteArray::number(size - 1) + "/" +
            QByteArray::number(size) + "\r\n";
        sendBody(socket, key, 206, headerLines, file.content.mid(first), size - first);
        return;
    }
    sendBody(socket, key, 200, isResolve ? linked : QByteArray(), file.content, file.content.size());
}

void FakeHuggingFace::sendBody(QTcpSocket* socket, const QString& key, int status,
                               const QByteArray& headers, const QByteArray& body,
                               qint64 contentLength) {
    const File& file = files_[key];
    QByteArray toSend = body;
    if (file.breakAfterBytes >= 0 && !broken_.value(key)) {
        broken_[key] = true;
        toSend = body.left(file.breakAfterBytes);  // and then the connection closes
    }
    socket->write(statusLine(status) + headers + "Content-Type: application/octet-stream\r\n" +
                  "Content-Length: " + QByteArray::number(contentLength) +
                  "\r\nConnection: close\r\n\r\n");
    if (file.bytesPerTick <= 0) {
        socket->write(toSend);
        socket->disconnectFromHost();  // after the data is written; early when broken
        return;
    }
    // Slowly, so a test can pause in the middle.
    auto* timer = new QTimer(socket);
    auto offset = std::make_shared<qint64>(0);
    const int chunk = file.bytesPerTick;
    QPointer<QTcpSocket> guard(socket);
    connect(timer, &QTimer::timeout, socket, [guard, timer, toSend, offset, chunk] {
        if (!guard || guard->state() != QAbstractSocket::ConnectedState) return;
        guard->write(toSend.mid(*offset, chunk));
        *offset += chunk;
        if (*offset >= toSend.size()) {
            timer->stop();
            guard->disconnectFromHost();
        }
    });
    timer->start(5);
}

}  // namespace ps::test
