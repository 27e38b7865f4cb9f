#include "shell/single_instance.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>

#include <memory>

namespace ps::ui {

namespace {

// A request is one line: a JSON array of file paths. Paths may hold any
// character but a newline is escaped by JSON, so the line is always whole.
constexpr qint64 kLongestRequest = 1 << 20;

}  // namespace

SingleInstance::SingleInstance(const QString& name, QObject* parent) : QObject(parent), name_(name) {}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::defaultName() {
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) user = qEnvironmentVariable("USERNAME");
    // Hashed, so the name is a valid socket name whatever the user is called.
    const QByteArray hash = QCryptographicHash::hash(user.toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    return QStringLiteral("promptstudio-") + QString::fromLatin1(hash);
}

bool SingleInstance::forwardToRunning(const QStringList& files, int timeoutMs) {
    QLocalSocket socket;
    socket.connectToServer(name_);
    if (!socket.waitForConnected(timeoutMs)) return false;
    QByteArray request = QJsonDocument(QJsonArray::fromStringList(files)).toJson(QJsonDocument::Compact);
    request.append('\n');
    socket.write(request);
    if (!socket.waitForBytesWritten(timeoutMs)) return false;
    socket.disconnectFromServer();
    if (socket.state() != QLocalSocket::UnconnectedState) socket.waitForDisconnected(timeoutMs);
    return true;
}

bool SingleInstance::listen(QString* error) {
    if (server_) return true;
    auto* server = new QLocalServer(this);
    server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!server->listen(name_)) {
        // Nobody answered forwardToRunning(), so the socket is a crashed
        // instance's leftover: remove it and try once more.
        QLocalServer::removeServer(name_);
        if (!server->listen(name_)) {
            if (error) *error = server->errorString();
            delete server;
            return false;
        }
    }
    server_ = server;
    connect(server_, &QLocalServer::newConnection, this, &SingleInstance::readRequest);
    return true;
}

void SingleInstance::readRequest() {
    while (QLocalSocket* socket = server_->nextPendingConnection()) {
        // The request may already be waiting, or arrive later, or together with
        // the disconnection: each of the three reads it once it is whole.
        auto handled = std::make_shared<bool>(false);
        const auto handle = [this, socket, handled] {
            if (*handled) return;
            if (!socket->canReadLine()) {
                if (socket->bytesAvailable() > kLongestRequest) socket->abort();
                return;
            }
            *handled = true;
            const QJsonDocument request = QJsonDocument::fromJson(socket->readLine());
            QStringList files;
            for (const QJsonValue& value : request.array())
                if (value.isString()) files << value.toString();
            emit filesReceived(files);
        };
        connect(socket, &QLocalSocket::readyRead, this, handle);
        connect(socket, &QLocalSocket::disconnected, this, [socket, handle] {
            handle();
            socket->deleteLater();
        });
        handle();
    }
}

}  // namespace ps::ui
