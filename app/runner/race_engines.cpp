#include "runner/race_engines.h"

#include <QFileInfo>
#include <QThread>

#include <algorithm>

#include "runner/local_generation_service.h"

namespace ps {

namespace {

std::shared_ptr<LocalGenerationService> loadOn(const QString& path, BackendOptions::Choice choice, int threads,
                                               int contextLength) {
    BackendOptions options;
    options.choice = choice;
    options.threads = threads;
    options.contextLength = contextLength;
    return LocalGenerationService::load(path.toStdString(), options);
}

QString deviceLabel(LocalGenerationService& service) {
    // The CPU backend names itself ("CPU (16 threads, AVX-512)"); a GPU is named by its model.
    const QString device = QString::fromStdString(service.backend().deviceName());
    return service.backend().kind() == BackendKind::Cuda ? QStringLiteral("GPU: %1").arg(device) : device;
}

}  // namespace

RaceEngines loadRaceEngines(const QString& modelPath, const RaceOptions& options) {
    const int cores = std::max(2, QThread::idealThreadCount());
    RaceEngines engines;
    if (!options.secondModel.isEmpty()) {
        const auto choice = options.tryGpu ? BackendOptions::Choice::Automatic : BackendOptions::Choice::Cpu;
        engines.first = {QFileInfo(modelPath).completeBaseName(),
                         loadOn(modelPath, choice, options.cpuThreads, options.contextLength)};
        engines.second = {QFileInfo(options.secondModel).completeBaseName(),
                          loadOn(options.secondModel, choice, options.cpuThreads, options.contextLength)};
        return engines;
    }
    if (options.tryGpu) {
        auto gpu = loadOn(modelPath, BackendOptions::Choice::Cuda, 0, options.contextLength);
        if (gpu->backend().kind() == BackendKind::Cuda) {
            auto cpu = loadOn(modelPath, BackendOptions::Choice::Cpu, options.cpuThreads, options.contextLength);
            engines.first = {deviceLabel(*gpu), gpu};
            engines.second = {deviceLabel(*cpu), cpu};
            return engines;
        }
    }
    // No GPU: every core against one.
    auto many = loadOn(modelPath, BackendOptions::Choice::Cpu, options.cpuThreads > 0 ? options.cpuThreads : cores,
                       options.contextLength);
    auto one = loadOn(modelPath, BackendOptions::Choice::Cpu, 1, options.contextLength);
    engines.first = {deviceLabel(*many), many};
    engines.second = {deviceLabel(*one), one};
    return engines;
}

void loadRaceEnginesInBackground(QObject* context, const QString& modelPath, const RaceOptions& options,
                                 std::function<void(RaceEngines, QString)> done) {
    QThread* thread = QThread::create([context, modelPath, options, done = std::move(done)] {
        RaceEngines engines;
        QString error;
        try {
            engines = loadRaceEngines(modelPath, options);
        } catch (const std::exception& exception) {
            error = QString::fromUtf8(exception.what());
        }
        // `context` waits for this thread before it goes (see the header), so it is alive here.
        QMetaObject::invokeMethod(context, [done, engines, error] { done(engines, error); }, Qt::QueuedConnection);
    });
    thread->setParent(context);
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

}  // namespace ps
