#pragma once
// Downloads one model file into a folder: follows redirects, resumes a partial
// file with HTTP ranges, checks the SHA-256 Hugging Face announces, and renames
// the file into place only when it is whole and verified.
//
// While it runs the data goes to FILE.part beside the target (FILE.part.lock
// keeps a second program off it). Pausing, a broken connection or quitting keep
// the .part; the next start() continues from its end when the server supports
// ranges (206) and starts over when it does not (200). The SHA-256 comes from
// the `X-Linked-Etag` header of Hugging Face's resolve answer (the file's LFS
// object id); the hash is computed while the data arrives, so the check at the
// end costs nothing. A mismatch deletes the .part and says so.
//
// Lives on the thread that calls it (the network is asynchronous); the long work,
// hashing an existing .part before resuming and writing the whole file to disk
// (fsync) at the end, runs on a thread of its own (state Checking meanwhile).
#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>

#include "models/model_source.h"

class QCryptographicHash;
class QFile;
class QLockFile;
class QNetworkAccessManager;
class QNetworkReply;
class QThread;
class QTimer;

namespace ps {

class ModelDownload : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Checking, Downloading, Paused, Finished, Failed, Cancelled };
    Q_ENUM(State)

    ModelDownload(const ModelSource& source, const QString& folder, QObject* parent = nullptr);
    // Stops a running download and keeps its .part for later.
    ~ModelDownload() override;

    // Sent as "Authorization: Bearer" to the source's own host only (defaults to
    // HF_TOKEN for Hugging Face sources).
    void setToken(const QByteArray& token) { token_ = token; }
    // The SHA-256 to expect when the server does not announce one (for example from
    // the repository's file list); an X-Linked-Etag header takes precedence.
    void setExpectedSha256(const QString& hex);
    // After a broken connection the download continues by itself this many times,
    // waiting `delayMs` first. Default 3 times, 2 s.
    void setAutomaticRetries(int count, int delayMs);
    // A connection that sends nothing for this long is broken. Default 60 s.
    void setStallTimeout(int ms) { stallTimeoutMs_ = ms; }
    // How much room the folder has; QStorageInfo by default (tests substitute it).
    void setFreeSpaceFunction(std::function<qint64(const QString& folder)> function);

    const ModelSource& source() const { return source_; }
    QString targetPath() const { return targetPath_; }
    QString partPath() const { return targetPath_ + QStringLiteral(".part"); }
    State state() const { return state_; }
    qint64 receivedBytes() const { return received_; }
    qint64 totalBytes() const { return total_; }  // -1 while unknown
    QString expectedSha256() const { return expectedSha256_; }
    QString errorText() const { return errorText_; }
    // True when the failure left a .part that start() continues from.
    bool canResume() const;

public slots:
    // Starts, or continues a paused or failed download. A target that already
    // exists counts as finished.
    void start();
    // Stops and keeps the .part.
    void pause();
    // Stops and deletes the .part.
    void cancel();

signals:
    void stateChanged(ps::ModelDownload::State state);
    void progress(qint64 receivedBytes, qint64 totalBytes);
    // A step worth telling ("Resuming at 1.2 GiB", "The server cannot resume: starting over").
    void note(const QString& text);
    void finished(const QString& path);
    void failed(const QString& message);

private:
    void setState(State state);
    void fail(const QString& message, bool keepPart = true);
    bool openPart();
    void hashExistingPart();
    void sendRequest();
    void onHeaders();
    void onData();
    void onReplyFinished();
    void restartFromZero(const QString& why);
    void retryOrFail(const QString& message);
    void reportProgress(bool force);
    void completeDownload();
    void renameIntoPlace();
    void stopReply();
    void stopHashing();
    bool hasRoomFor(qint64 bytes);
    void releasePart(bool remove);

    ModelSource source_;
    QString folder_;
    QString targetPath_;
    QByteArray token_;
    QString expectedSha256_;
    QNetworkAccessManager* network_ = nullptr;
    QNetworkReply* reply_ = nullptr;
    QUrl currentUrl_;
    std::unique_ptr<QFile> part_;
    std::unique_ptr<QLockFile> lock_;
    std::shared_ptr<QCryptographicHash> hash_;
    qint64 hashedBytes_ = 0;  // how much of the .part hash_ covers
    QThread* hashThread_ = nullptr;
    std::shared_ptr<std::atomic<bool>> hashCancel_;
    QTimer* retryTimer_ = nullptr;
    State state_ = State::Idle;
    qint64 received_ = 0;
    qint64 total_ = -1;
    qint64 announcedSize_ = -1;  // X-Linked-Size
    int redirects_ = 0;
    int retriesLeft_ = 3;
    int retryCount_ = 3;
    int retryDelayMs_ = 2000;
    int stallTimeoutMs_ = 60000;
    bool bodyAccepted_ = false;  // the current reply's body is the file (200/206)
    bool restartedOnce_ = false;
    QElapsedTimer progressClock_;  // progress() at most every 100 ms
    std::function<qint64(const QString&)> freeSpace_;
    QString errorText_;
};

}  // namespace ps
