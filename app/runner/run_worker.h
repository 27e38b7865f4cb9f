#pragma once
// The object that lives on the Runner's worker thread and does the one blocking
// thing: GenerationService::generate. It reports through signals, which Qt
// delivers to the Runner's thread in the order they were sent (queued
// connections from one thread to one receiver keep their order), so every
// tokenReceived arrives before the generated/failed that ends the run.
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

#include "runner/generation_service.h"

namespace ps {

class RunWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Runs on the worker thread (the Runner queues the call there).
    void generate(std::shared_ptr<GenerationService> service, GenerationInput input,
                  GenerationParameters parameters, std::shared_ptr<std::atomic<bool>> cancel);

signals:
    void tokenReceived(const QString& text);
    void generated(const ps::GenerationResult& result);
    void failed(const QString& message);
    // The prompt (with the conversation so far) does not fit the model's context.
    void promptTooLong(qint64 promptTokens, int contextTokens, const QString& technicalMessage);
};

}  // namespace ps

Q_DECLARE_METATYPE(ps::GenerationResult)
