#pragma once
// A web server on 127.0.0.1 that answers like Hugging Face, for download and
// search tests (no test reaches the internet):
//   GET /OWNER/REPO/resolve/main/PATH  -> 302 to /cdn/OWNER/REPO/PATH on a second
//       port (another origin, like the hub's download servers) with
//       X-Linked-Etag (the SHA-256) and X-Linked-Size, as the hub does; 404 for
//       unknown files; 401 for gated files without the right token
//   GET /cdn/OWNER/REPO/PATH           -> the bytes: 206 for "Range: bytes=N-",
//       or 200 when the file is set to ignore ranges; optionally a connection
//       broken mid-file, or the body sent slowly
//   GET /api/models?...                -> the search reply set by the test
//   GET /api/models/OWNER/REPO/tree/main -> the repository's files as JSON
// It runs on the test's own thread: wait with QSignalSpy or a QEventLoop, never
// with a blocking call.
#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace ps::test {

class FakeHuggingFace : public QObject {
    Q_OBJECT
public:
    struct File {
        QByteArray content;
        QByteArray linkedSha256;     // what X-Linked-Etag says; empty = the real SHA-256
        bool redirect = true;        // resolve answers 302 (false: the bytes at once)
        bool acceptRanges = true;    // false: every request gets 200 and the whole file
        qint64 breakAfterBytes = -1; // the first body sent stops after this many bytes
        int bytesPerTick = 0;        // > 0: the body goes out this many bytes per 5 ms
        QByteArray requiredToken;    // gated: resolve needs "Authorization: Bearer TOKEN"
    };

    explicit FakeHuggingFace(QObject* parent = nullptr);

    QUrl endpoint() const;
    void addFile(const QString& repo, const QString& path, const File& file);
    void setSearchReply(const QByteArray& json) { searchReply_ = json; }

    // "GET /path?query" per request, with " Range=..." and " Authorization=..." when sent.
    QStringList requests() const { return requests_; }

    static QByteArray sha256Hex(const QByteArray& data);

private:
    void onConnection(QTcpServer* server);
    void onReadable(QTcpSocket* socket);
    void respond(QTcpSocket* socket, const QByteArray& method, const QByteArray& target,
                 const QHash<QByteArray, QByteArray>& headers);
    void sendBody(QTcpSocket* socket, const QString& key, int status, const QByteArray& headers,
                  const QByteArray& body, qint64 contentLength);
    static void sendSimple(QTcpSocket* socket, int status, const QByteArray& body,
                           const QByteArray& extraHeaders = {});

    QTcpServer server_;
    QTcpServer cdn_;  // the same answers on another port: where resolve redirects to
    QHash<QString, File> files_;  // "OWNER/REPO/PATH"
    QHash<QString, bool> broken_;
    QByteArray searchReply_ = "[]";
    QStringList requests_;
};

}  // namespace ps::test
