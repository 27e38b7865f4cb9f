#include "shell/sharing_controller.h"

#include "remote/remote_generation_service.h"
#include "server/openai_server.h"

namespace ps::ui {

SharingController::SharingController(QObject* parent) : QObject(parent) {}

SharingController::~SharingController() = default;

void SharingController::setLocalService(std::shared_ptr<GenerationService> service) {
    local_ = std::move(service);
    apply();
}

void SharingController::setAppFolders(const QStringList& folders) { appFolders_ = folders; }

void SharingController::apply() {
    server_.reset();
    if (!preferences_.serving()) {
        setStatus(QString());
        return;
    }
    if (!local_) {
        setStatus(tr("Sharing starts when a model is loaded."));
        return;
    }
    server::ServerOptions options;
    options.host = preferences_.servingBeyondThisComputer() ? QStringLiteral("0.0.0.0") : QStringLiteral("127.0.0.1");
    options.port = preferences_.servingPort();
    options.apiKey = preferences_.servingKey();
    options.appFolders = appFolders_;
    auto server = std::make_unique<server::OpenAiServer>(local_, options);
    try {
        server->start();
    } catch (const server::ServerError& error) {
        setStatus(tr("Not sharing: %1").arg(QString::fromUtf8(error.what())));
        return;
    }
    server_ = std::move(server);
    setStatus(tr("Sharing at %1").arg(server_->baseUrl()));
}

std::shared_ptr<GenerationService> SharingController::serviceFor(const QString& appPath) {
    if (!preferences_.runsRemotely(appPath)) return local_;
    RemoteEndpoint endpoint;
    endpoint.baseUrl = preferences_.remoteBaseUrl();
    endpoint.apiKey = preferences_.remoteKey();
    endpoint.model = preferences_.remoteModel();
    const RemoteEndpoint current = remote_ ? remote_->endpoint() : RemoteEndpoint();
    // One service per endpoint (its model, once resolved, is kept).
    if (!remote_ || current.baseUrl != endpoint.baseUrl || current.apiKey != endpoint.apiKey ||
        (!endpoint.model.isEmpty() && current.model != endpoint.model)) {
        remote_ = std::make_shared<RemoteGenerationService>(endpoint);
    }
    return remote_;
}

void SharingController::setStatus(const QString& status) {
    if (status == status_) return;
    status_ = status;
    emit statusChanged(status_);
}

}  // namespace ps::ui
