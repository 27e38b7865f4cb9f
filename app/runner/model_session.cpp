#include "runner/model_session.h"

#include <QThread>

#include "runner/local_generation_service.h"

namespace ps {

ModelSession::ModelSession(QObject* parent) : QObject(parent) {}

ModelSession::~ModelSession() {
    // Superseded loads delete themselves when done; wait for every one still
    // running so that none outlives the objects it reports to.
    for (QThread* thread : findChildren<QThread*>(QString(), Qt::FindDirectChildrenOnly)) {
        thread->wait();
    }
}

void ModelSession::load(const QString& path, const BackendOptions& options) {
    const int ticket = ++ticket_;
    QThread* thread = QThread::create([this, ticket, path, options] {
        std::shared_ptr<LocalGenerationService> service;
        QString error;
        try {
            service = LocalGenerationService::load(path.toStdString(), options);
        } catch (const std::exception& exception) {
            error = QString::fromUtf8(exception.what());
        }
        // Back on the session's thread; dropped if the session is gone.
        QMetaObject::invokeMethod(
            this, [this, ticket, service, error] { finishLoad(ticket, service, error); },
            Qt::QueuedConnection);
    });
    thread->setParent(this);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    loading_ = thread;
    emit loadingStarted(path);
    thread->start();
}

void ModelSession::finishLoad(int ticket, std::shared_ptr<LocalGenerationService> service,
                              const QString& error) {
    if (ticket != ticket_) return;  // superseded by a newer load
    loading_ = nullptr;
    if (!service) {
        emit loadFailed(error);
        return;
    }
    service_ = std::move(service);
    emit loaded(service_->describe(), QString::fromStdString(service_->fallbackReason()));
}

}  // namespace ps
