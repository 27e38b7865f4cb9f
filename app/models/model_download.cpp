#include "models/model_download.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QThread>
#include <QTimer>

#include <unistd.h>

#include "models/model_summary.h"
#include "models/network_error_text.h"
#include "version.h"

namespace ps {

namespace {

constexpr int kMaximumRedirects = 10;
// The network layer holds at most this much unread data per reply, so a slow
// disk makes the download wait instead of filling memory.
constexpr qint64 kReadBufferBytes = 4 << 20;
constexpr qint64 kHashChunkBytes = 1 << 20;

// `"abc…"`, `W/"abc…"` -> the SHA-256 in lower case, or empty when the value is
// not one (a git blob id for small files, a CDN's MD5).
QString sha256FromEtag(QByteArray value) {
    value = value.trimmed();
    if (value.startsWith("W/")) value = value.mid(2);
    if (value.startsWith('"') && value.endsWith('"') && value.size() >= 2) {
        value = value.mid(1, value.size() - 2);
    }
    static const QRegularExpression sha256(QStringLiteral("^[0-9a-fA-F]{64}$"));
    const QString text = QString::fromLatin1(value);
    return sha256.match(text).hasMatch() ? text.toLower() : QString();
}

// "bytes 100-199/1000" -> {100, 1000}; the total is -1 for "*".
bool parseContentRange(const QByteArray& value, qint64* first, qint64* total) {
    static const QRegularExpression pattern(QStringLiteral("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$"));
    const auto match = pattern.match(QString::fromLatin1(value.trimmed()));
    if (!match.hasMatch()) return false;
    *first = match.captured(1).toLongLong();
    *total = match.captured(3) == "*" ? -1 : match.captured(3).toLongLong();
    return true;
}

bool sameOrigin(const QUrl& a, const QUrl& b) {
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 &&
           a.port(a.scheme() == "https" ? 443 : 80) == b.port(b.scheme() == "https" ? 443 : 80);
}

}  // namespace

ModelDownload::ModelDownload(const ModelSource& source, const QString& folder, QObject* parent)
    : QObject(parent),
      source_(source),
      folder_(QDir::cleanPath(folder)),
      targetPath_(QDir(folder_).filePath(source.fileName)),
      network_(new QNetworkAccessManager(this)),
      retryTimer_(new QTimer(this)),
      freeSpace_([](const QString& path) { return QStorageInfo(path).bytesAvailable(); }) {
    if (!source_.repo.isEmpty()) token_ = huggingFaceToken();
    retryTimer_->setSingleShot(true);
    connect(retryTimer_, &QTimer::timeout, this, [this] {
        currentUrl_ = source_.url;  // the signed download address may have expired
        redirects_ = 0;
        sendRequest();
    });
}

ModelDownload::~ModelDownload() {
    stopReply();
    stopHashing();
    releasePart(false);
}

void ModelDownload::setExpectedSha256(const QString& hex) {
    expectedSha256_ = sha256FromEtag(hex.toLatin1());
}

void ModelDownload::setAutomaticRetries(int count, int delayMs) {
    retryCount_ = retriesLeft_ = std::max(0, count);
    retryDelayMs_ = std::max(0, delayMs);
}

void ModelDownload::setFreeSpaceFunction(std::function<qint64(const QString&)> function) {
    freeSpace_ = std::move(function);
}

bool ModelDownload::canResume() const {
    return (state_ == State::Paused || state_ == State::Failed) && QFileInfo(partPath()).size() > 0;
}

void ModelDownload::setState(State state) {
    if (state_ == state) return;
    state_ = state;
    emit stateChanged(state);
}

void ModelDownload::start() {
    if (state_ == State::Checking || state_ == State::Downloading) return;
    errorText_.clear();
    retryTimer_->stop();
    retriesLeft_ = retryCount_;
    restartedOnce_ = false;
    currentUrl_ = source_.url;
    redirects_ = 0;
    if (QFileInfo(targetPath_).isFile()) {
        // Only a whole, verified download is ever renamed to the target.
        received_ = total_ = QFileInfo(targetPath_).size();
        setState(State::Finished);
        QMetaObject::invokeMethod(this, [this] { emit finished(targetPath_); }, Qt::QueuedConnection);
        return;
    }
    if (!QDir().mkpath(folder_)) {
        fail(tr("Cannot create the folder %1.").arg(folder_));
        return;
    }
    if (!openPart()) return;
    received_ = part_->size();
    if (received_ == 0) {
        hash_ = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
        hashedBytes_ = 0;
        sendRequest();
    } else if (!hash_ || hashedBytes_ != received_) {
        hashExistingPart();
    } else {
        sendRequest();
    }
}

bool ModelDownload::openPart() {
    if (!lock_) {
        lock_ = std::make_unique<QLockFile>(partPath() + QStringLiteral(".lock"));
        if (!lock_->tryLock(0)) {
            lock_.reset();
            fail(tr("%1 is already being downloaded by another program.").arg(source_.fileName));
            return false;
        }
    }
    if (!part_) {
        part_ = std::make_unique<QFile>(partPath());
        if (!part_->open(QIODevice::ReadWrite)) {
            const QString why = part_->errorString();
            part_.reset();
            fail(tr("Cannot write %1: %2").arg(partPath(), why), true);
            return false;
        }
    }
    part_->seek(part_->size());
    return true;
}

void ModelDownload::hashExistingPart() {
    stopHashing();
    setState(State::Checking);
    emit note(tr("Checking the %1 already downloaded…").arg(formatBytes(received_)));
    hashCancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancelled = hashCancel_;
    const QString path = partPath();
    const qint64 length = received_;
    part_->flush();
    hashThread_ = QThread::create([this, path, length, cancelled] {
        auto hash = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
        QFile file(path);
        qint64 done = 0;
        bool ok = file.open(QIODevice::ReadOnly);
        QByteArray buffer(kHashChunkBytes, Qt::Uninitialized);
        while (ok && done < length && !cancelled->load()) {
            const qint64 n = file.read(buffer.data(), std::min(kHashChunkBytes, length - done));
            if (n <= 0) {
                ok = false;
                break;
            }
            hash->addData(QByteArrayView(buffer.constData(), n));
            done += n;
        }
        QMetaObject::invokeMethod(
            this,
            [this, hash, ok, done, cancelled] {
                if (cancelled->load() || state_ != State::Checking) return;
                hash_ = hash;
                hashedBytes_ = done;
                if (!ok) {
                    restartFromZero(tr("The partial file could not be read: starting over."));
                    return;
                }
                sendRequest();
            },
            Qt::QueuedConnection);
    });
    hashThread_->start(QThread::LowPriority);
}

void ModelDownload::stopHashing() {
    if (hashCancel_) hashCancel_->store(true);
    if (hashThread_) {
        hashThread_->wait();
        delete hashThread_;
        hashThread_ = nullptr;
    }
}

void ModelDownload::sendRequest() {
    setState(State::Downloading);
    QNetworkRequest request(currentUrl_);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("User-Agent", "promptstudio/" PROMPTSTUDIO_VERSION);
    // The bytes as stored: a compressed answer could not be resumed by range.
    request.setRawHeader("Accept-Encoding", "identity");
    if (received_ > 0) request.setRawHeader("Range", "bytes=" + QByteArray::number(received_) + "-");
    if (!token_.isEmpty() && sameOrigin(currentUrl_, source_.url)) {
        request.setRawHeader("Authorization", "Bearer " + token_);
    }
    request.setTransferTimeout(stallTimeoutMs_);
    bodyAccepted_ = false;
    reply_ = network_->get(request);
    reply_->setReadBufferSize(kReadBufferBytes);
    connect(reply_, &QNetworkReply::metaDataChanged, this, &ModelDownload::onHeaders);
    connect(reply_, &QNetworkReply::readyRead, this, &ModelDownload::onData);
    connect(reply_, &QNetworkReply::finished, this, &ModelDownload::onReplyFinished);
}

bool ModelDownload::hasRoomFor(qint64 bytes) {
    const qint64 free = freeSpace_ ? freeSpace_(folder_) : -1;
    if (free < 0 || bytes <= free) return true;
    fail(tr("Not enough disk space in %1: the model needs %2 more and %3 is free.")
             .arg(folder_, formatBytes(bytes), formatBytes(free)));
    return false;
}

void ModelDownload::onHeaders() {
    if (!reply_) return;
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // Hugging Face announces the file's SHA-256 and size on its resolve answer
    // (usually the redirect to the download server).
    if (const QString sha = sha256FromEtag(reply_->rawHeader("X-Linked-Etag")); !sha.isEmpty()) {
        expectedSha256_ = sha;
    }
    bool sizeOk = false;
    const qint64 linkedSize = reply_->rawHeader("X-Linked-Size").toLongLong(&sizeOk);
    if (sizeOk && linkedSize >= 0) announcedSize_ = linkedSize;

    const qint64 length = reply_->header(QNetworkRequest::ContentLengthHeader).isValid()
                              ? reply_->header(QNetworkRequest::ContentLengthHeader).toLongLong()
                              : -1;
    if (status == 200) {
        if (received_ > 0) {
            emit note(tr("The server cannot continue a partial download: starting over."));
            part_->resize(0);
            part_->seek(0);
            hash_ = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
            hashedBytes_ = received_ = 0;
        }
        total_ = length >= 0 ? length : announcedSize_;
    } else if (status == 206) {
        qint64 first = -1;
        qint64 total = -1;
        if (!parseContentRange(reply_->rawHeader("Content-Range"), &first, &total) ||
            first != received_) {
            restartFromZero(tr("The server resumed at the wrong place: starting over."));
            return;
        }
        total_ = total >= 0 ? total : (length >= 0 ? received_ + length : announcedSize_);
        if (received_ > 0) emit note(tr("Resuming at %1.").arg(formatBytes(received_)));
    } else {
        return;  // a redirect or an error: onReplyFinished decides
    }
    bodyAccepted_ = true;
    if (total_ >= 0 && !hasRoomFor(total_ - received_)) return;
    reportProgress(true);
}

void ModelDownload::onData() {
    if (!reply_) return;
    if (!bodyAccepted_) {
        reply_->skip(reply_->bytesAvailable());  // a redirect's or an error page's text
        return;
    }
    const QByteArray data = reply_->readAll();
    if (data.isEmpty()) return;
    if (total_ >= 0 && received_ + data.size() > total_) {
        fail(tr("The server sent more than the %1 it announced.").arg(formatBytes(total_)), false);
        return;
    }
    if (part_->write(data) != data.size()) {
        fail(tr("Cannot write %1: %2").arg(partPath(), part_->errorString()));
        return;
    }
    hash_->addData(data);
    hashedBytes_ += data.size();
    received_ += data.size();
    retriesLeft_ = retryCount_;  // it makes progress: a later break gets its retries again
    reportProgress(false);
}

void ModelDownload::reportProgress(bool force) {
    if (!force && progressClock_.isValid() && progressClock_.elapsed() < 100) return;
    progressClock_.start();
    emit progress(received_, total_);
}

void ModelDownload::onReplyFinished() {
    if (!reply_) return;
    onData();  // what is left in the buffer
    if (!reply_) return;  // onData failed
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError error = reply->error();

    if (status >= 300 && status < 400 && status != 304) {
        const QUrl target = currentUrl_.resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
        if (++redirects_ > kMaximumRedirects) {
            fail(tr("%1 redirects too many times.").arg(source_.url.host()));
        } else if (!target.isValid() || (target.scheme() != "https" && target.scheme() != "http")) {
            fail(tr("%1 redirects to an address that cannot be used.").arg(currentUrl_.host()));
        } else if (currentUrl_.scheme() == "https" && target.scheme() == "http") {
            fail(tr("%1 redirects to an insecure (http) address; not followed.")
                     .arg(currentUrl_.host()));
        } else {
            currentUrl_ = target;
            sendRequest();
        }
        return;
    }
    if (bodyAccepted_) {
        if (error == QNetworkReply::NoError && (total_ < 0 || received_ == total_)) {
            completeDownload();
            return;
        }
        const QString why = error == QNetworkReply::NoError
                                ? tr("the connection ended early.")
                                : describeNetworkFailure(error, status, currentUrl_, reply->errorString());
        retryOrFail(tr("The download stopped at %1 of %2: %3")
                        .arg(formatBytes(received_),
                             total_ >= 0 ? formatBytes(total_) : tr("an unknown size"), why));
        return;
    }
    if (status == 416 && received_ > 0) {
        // The range starts at or past the end: the .part may be whole already.
        if (announcedSize_ == received_) {
            total_ = received_;
            completeDownload();
        } else {
            restartFromZero(tr("The server could not continue the partial file: starting over."));
        }
        return;
    }
    const QString message = describeNetworkFailure(error, status, currentUrl_, reply->errorString());
    if (isTransientNetworkFailure(error, status)) {
        retryOrFail(message);
    } else {
        fail(message);
    }
}

void ModelDownload::restartFromZero(const QString& why) {
    stopReply();
    if (restartedOnce_) {
        fail(why);
        return;
    }
    restartedOnce_ = true;
    emit note(why);
    if (part_) {
        part_->resize(0);
        part_->seek(0);
    }
    hash_ = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
    hashedBytes_ = received_ = 0;
    total_ = -1;
    currentUrl_ = source_.url;
    redirects_ = 0;
    sendRequest();
}

void ModelDownload::retryOrFail(const QString& message) {
    if (part_) part_->flush();
    if (retriesLeft_ > 0) {
        --retriesLeft_;
        emit note(tr("%1 Trying again…").arg(message));
        setState(State::Downloading);
        retryTimer_->start(retryDelayMs_);
        return;
    }
    fail(received_ > 0 ? tr("%1 The %2 already downloaded is kept: resume to continue.")
                             .arg(message, formatBytes(received_))
                       : message);
}

void ModelDownload::completeDownload() {
    // The hash grew with every chunk that arrived: checking it costs nothing here.
    if (!expectedSha256_.isEmpty()) {
        const QString actual = QString::fromLatin1(hash_->result().toHex());
        if (hashedBytes_ != received_ || actual != expectedSha256_) {
            fail(tr("The downloaded file is damaged: its SHA-256 is %1 but the server lists %2. "
                    "The partial file was deleted; download it again.")
                     .arg(actual, expectedSha256_),
                 false);
            return;
        }
    }
    // Writing gigabytes still in the page cache to disk (fsync) takes seconds: on a
    // thread of its own, so the window keeps answering at the end of a download.
    part_->flush();
    stopHashing();
    setState(State::Checking);
    hashCancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancelled = hashCancel_;
    const QString path = partPath();
    const bool gguf = source_.fileName.endsWith(QStringLiteral(".gguf"), Qt::CaseInsensitive);
    hashThread_ = QThread::create([this, path, gguf, cancelled] {
        QFile file(path);
        bool synced = false;
        QByteArray magic;
        if (file.open(QIODevice::ReadOnly)) {
            // Linux writes back the file's data whichever descriptor fsync is given.
            synced = ::fsync(file.handle()) == 0;
            magic = file.read(4);
        }
        QMetaObject::invokeMethod(
            this,
            [this, synced, magic, gguf, cancelled] {
                if (cancelled->load() || state_ != State::Checking) return;
                if (!synced) {
                    fail(tr("Cannot write %1 to disk (is the disk full?).").arg(partPath()));
                    return;
                }
                // A .gguf that does not start like one is a login page or another file.
                if (gguf && magic != "GGUF") {
                    fail(tr("What the server sent is not a GGUF model file; it was deleted."), false);
                    return;
                }
                renameIntoPlace();
            },
            Qt::QueuedConnection);
    });
    hashThread_->start();
}

void ModelDownload::renameIntoPlace() {
    part_->close();
    part_.reset();
    if (!QFile::rename(partPath(), targetPath_)) {
        fail(tr("Cannot rename %1 to %2 (does a file of that name exist?).")
                 .arg(partPath(), targetPath_));
        return;
    }
    releasePart(false);
    setState(State::Finished);
    reportProgress(true);
    emit finished(targetPath_);
}

void ModelDownload::pause() {
    if (state_ != State::Checking && state_ != State::Downloading) return;
    stopReply();
    stopHashing();
    retryTimer_->stop();
    if (part_) part_->flush();
    setState(State::Paused);
}

void ModelDownload::cancel() {
    if (state_ == State::Finished || state_ == State::Cancelled) return;
    stopReply();
    stopHashing();
    retryTimer_->stop();
    if (!lock_) {
        // Not downloading now (failed or idle): the .part may only be removed
        // when no other program is writing it.
        lock_ = std::make_unique<QLockFile>(partPath() + QStringLiteral(".lock"));
        if (!lock_->tryLock(0)) {
            lock_.reset();
            setState(State::Cancelled);
            return;
        }
    }
    releasePart(true);
    received_ = 0;
    setState(State::Cancelled);
}

void ModelDownload::fail(const QString& message, bool keepPart) {
    stopReply();
    retryTimer_->stop();
    releasePart(!keepPart);
    errorText_ = message;
    setState(State::Failed);
    emit failed(message);
}

void ModelDownload::stopReply() {
    if (!reply_) return;
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
}

void ModelDownload::releasePart(bool remove) {
    // Only the holder of the lock touches the file: another program may be writing it.
    const bool owned = lock_ != nullptr;
    if (part_) {
        part_->close();
        part_.reset();
    }
    // An empty .part is nothing to resume.
    const QFileInfo info(partPath());
    if (owned && (remove || (info.exists() && info.size() == 0))) QFile::remove(partPath());
    if (remove) {
        hash_.reset();
        hashedBytes_ = 0;
    }
    if (lock_) {
        lock_->unlock();
        lock_.reset();
    }
}

}  // namespace ps
