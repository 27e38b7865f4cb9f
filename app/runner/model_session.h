#pragma once
// Loads a model for the local runtime in the background, so that the window (or
// the CLI's event loop) never waits on reading a multi-gigabyte file: load()
// returns at once, `loaded` or `loadFailed` follows on the caller's thread.
#include <QObject>
#include <QString>

#include <memory>

#include "backend/backend.h"

class QThread;

namespace ps {

class LocalGenerationService;

class ModelSession : public QObject {
    Q_OBJECT
public:
    explicit ModelSession(QObject* parent = nullptr);
    // Waits for a load in progress (it cannot be interrupted half-way).
    ~ModelSession() override;

    // Starts loading `path`. A load started while another is going supersedes it:
    // only the newest one reports.
    void load(const QString& path, const BackendOptions& options = {});
    bool isLoading() const { return loading_ != nullptr; }
    // The loaded service, or null before the first successful load.
    std::shared_ptr<LocalGenerationService> service() const { return service_; }

signals:
    void loadingStarted(const QString& path);
    // `description` says what runs where ("stories260K.gguf on CPU (2 threads)");
    // `fallbackReason` why a GPU request ended on the CPU, or empty.
    void loaded(const QString& description, const QString& fallbackReason);
    void loadFailed(const QString& message);

private:
    void finishLoad(int ticket, std::shared_ptr<LocalGenerationService> service, const QString& error);

    std::shared_ptr<LocalGenerationService> service_;
    QThread* loading_ = nullptr;  // the newest load's thread
    int ticket_ = 0;
};

}  // namespace ps
