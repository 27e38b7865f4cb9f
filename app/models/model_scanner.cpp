#include "models/model_scanner.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QSet>
#include <QThread>

namespace ps {

namespace {

// GGUF files smaller than this are vocabularies or test files, not models a
// person would pick; larger scans stay quick by not opening every small file.
constexpr qint64 kMinimumModelBytes = 1 << 20;
// Folders deeper than this below a location are not searched (a home-folder
// Downloads can be a deep tree).
constexpr int kMaximumDepth = 6;

bool isCandidate(const QFileInfo& info) {
    if (!info.isFile() || info.size() < kMinimumModelBytes) return false;
    const QString suffix = info.suffix().toLower();
    // Extension-less files are Ollama blobs; .gguf is the common case; anything
    // else (zip, safetensors, images) is skipped without opening it.
    return suffix == "gguf" || suffix.isEmpty() || info.fileName().startsWith("sha256");
}

}  // namespace

QList<ModelLocation> ModelScanner::defaultLocations(const QString& home,
                                                    const QStringList& extraFolders) {
    QList<ModelLocation> locations = {
        {QObject::tr("Prompt Studio"), modelDownloadFolder(home)},
        {QObject::tr("Ollama"), home + "/.ollama/models/blobs"},
        {QObject::tr("Ollama"), "/usr/share/ollama/.ollama/models/blobs"},
        {QObject::tr("LM Studio"), home + "/.lmstudio/models"},
        {QObject::tr("LM Studio"), home + "/.cache/lm-studio/models"},
        {QObject::tr("GPT4All"), home + "/.local/share/nomic.ai/GPT4All"},
        {QObject::tr("Hugging Face"), home + "/.cache/huggingface/hub"},
        {QObject::tr("Downloads"), home + "/Downloads"},
    };
    for (const QString& folder : extraFolders) {
        locations.append({QObject::tr("Added folder"), folder});
    }
    return locations;
}

QString modelDownloadFolder(const QString& home) {
    QString data = qEnvironmentVariable("XDG_DATA_HOME");
    if (data.isEmpty() || !QDir::isAbsolutePath(data)) data = home + "/.local/share";
    return QDir::cleanPath(data + "/PromptStudio/models");
}

int scanForModels(const QList<ModelLocation>& locations,
                  const std::function<void(const ModelSummary&)>& onModel,
                  const std::atomic<bool>* cancel) {
    QSet<QString> seen;  // canonical paths: HF snapshots link into blobs
    int found = 0;
    for (const ModelLocation& location : locations) {
        if (!QFileInfo(location.path).isDir()) continue;
        const int baseDepth = QDir::cleanPath(location.path).count('/');
        QDirIterator it(location.path, QDir::Files | QDir::NoDotAndDotDot | QDir::Hidden,
                        QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
        while (it.hasNext()) {
            if (cancel && cancel->load()) return found;
            const QString path = it.next();
            const QFileInfo info = it.fileInfo();
            if (QDir::cleanPath(path).count('/') - baseDepth > kMaximumDepth) continue;
            if (!isCandidate(info)) continue;
            const QString canonical = info.canonicalFilePath();
            if (seen.contains(canonical)) continue;
            seen.insert(canonical);
            if (!looksLikeGguf(canonical)) continue;
            if (auto summary = readModelSummary(path)) {
                summary->sourceLabel = location.label;
                onModel(*summary);
                ++found;
            }
        }
    }
    return found;
}

ModelScanner::ModelScanner(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ps::ModelSummary>();
}

ModelScanner::~ModelScanner() { cancel(); }

bool ModelScanner::isRunning() const { return thread_ && thread_->isRunning(); }

void ModelScanner::cancel() {
    if (!thread_) return;
    if (cancel_) cancel_->store(true);
    thread_->wait();
    delete thread_;
    thread_ = nullptr;
}

void ModelScanner::start(const QList<ModelLocation>& locations) {
    cancel();
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancelFlag = cancel_;
    thread_ = QThread::create([this, locations, cancelFlag] {
        const int found = scanForModels(
            locations,
            [this](const ModelSummary& model) {
                QMetaObject::invokeMethod(this, [this, model] { emit modelFound(model); },
                                          Qt::QueuedConnection);
            },
            cancelFlag.get());
        if (!cancelFlag->load()) {
            QMetaObject::invokeMethod(this, [this, found] { emit finished(found); },
                                      Qt::QueuedConnection);
        }
    });
    thread_->start(QThread::LowPriority);
}

}  // namespace ps
