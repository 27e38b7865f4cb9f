#pragma once
// Finds GGUF models already on this computer: Ollama's model store, LM Studio's and
// GPT4All's model folders, the Hugging Face cache, ~/Downloads, and folders the
// user adds. Files are recognised by their GGUF header, not their extension.
// The scan runs on a background thread; results arrive as queued signals.
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

#include "models/model_summary.h"

class QThread;

namespace ps {

struct ModelLocation {
    QString label;  // "Ollama", "LM Studio", ...
    QString path;
};

class ModelScanner : public QObject {
    Q_OBJECT
public:
    explicit ModelScanner(QObject* parent = nullptr);
    ~ModelScanner() override;

    // The usual places under `home` (the folder downloads go to first), plus
    // `extraFolders` (labelled "Added folder").
    static QList<ModelLocation> defaultLocations(const QString& home,
                                                 const QStringList& extraFolders = {});

    // Starts scanning (a running scan is cancelled first).
    void start(const QList<ModelLocation>& locations);
    void cancel();
    bool isRunning() const;

signals:
    void modelFound(const ps::ModelSummary& model);
    void finished(int modelsFound);

private:
    QThread* thread_ = nullptr;
    std::shared_ptr<std::atomic<bool>> cancel_;
};

// Where models downloaded by Prompt Studio go (the GUI and promptstudio-cli
// download): $XDG_DATA_HOME/PromptStudio/models, by default under
// `home`/.local/share. The scan looks there first.
QString modelDownloadFolder(const QString& home);

// The blocking scan itself (used by the thread, and by tests and the CLI).
// Calls `onModel` for each model found; stops early when `cancel` becomes true.
int scanForModels(const QList<ModelLocation>& locations,
                  const std::function<void(const ModelSummary&)>& onModel,
                  const std::atomic<bool>* cancel = nullptr);

}  // namespace ps

Q_DECLARE_METATYPE(ps::ModelSummary)
