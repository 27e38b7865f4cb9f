#pragma once
// What Settings -> Sharing sets in motion in the window: the HTTP server that
// shares the loaded model and the apps (started, restarted on a new model or new
// settings, stopped), and which service an app runs on (the local model, or the
// remote server for all apps or for this one).
#include <QObject>
#include <QString>

#include <memory>

#include "settings/sharing_preferences.h"

namespace ps {
class GenerationService;
class RemoteGenerationService;
namespace server {
class OpenAiServer;
}
}  // namespace ps

namespace ps::ui {

class SharingController : public QObject {
    Q_OBJECT
public:
    explicit SharingController(QObject* parent = nullptr);
    ~SharingController() override;

    // The model everybody shares (the window's SerializedService), and where the
    // apps are (the user's folder and the samples).
    void setLocalService(std::shared_ptr<GenerationService> service);
    void setAppFolders(const QStringList& folders);
    // Starts, restarts or stops the server as the preferences now say.
    void apply();

    // The service `appPath` runs on: the remote one when the preferences say so
    // (and a server address is set), else the local model (may be null).
    std::shared_ptr<GenerationService> serviceFor(const QString& appPath);

    bool isServing() const { return server_ != nullptr; }
    // "Sharing at http://127.0.0.1:8080/v1" / why it is not, for the status bar.
    QString status() const { return status_; }

signals:
    void statusChanged(const QString& status);

private:
    void setStatus(const QString& status);

    SharingPreferences preferences_;
    std::shared_ptr<GenerationService> local_;
    std::shared_ptr<RemoteGenerationService> remote_;
    std::unique_ptr<server::OpenAiServer> server_;
    QStringList appFolders_;
    QString status_;
};

}  // namespace ps::ui
