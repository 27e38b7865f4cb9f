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

RaceEngines loadConfiguredRace(const QString& leftModel, const QString& rightModel, const DeckRace& race,
                               const RaceOptions& options, const std::function<void()>& sideLoaded) {
    const bool twoModels = QFileInfo(leftModel).absoluteFilePath() != QFileInfo(rightModel).absoluteFilePath();
    const auto load = [&](const QString& model, const DeckRaceEngine& side) {
        BackendOptions::Choice choice = BackendOptions::Choice::Automatic;
        if (side.device == RaceDevice::Gpu) choice = BackendOptions::Choice::Cuda;  // says "CPU" where none
        else if (side.device == RaceDevice::Cpu || !options.tryGpu) choice = BackendOptions::Choice::Cpu;
        auto service = loadOn(model, choice, side.threads > 0 ? side.threads : options.cpuThreads, options.contextLength);
        QString label = deviceLabel(*service);
        if (twoModels) label = QStringLiteral("%1 · %2").arg(QFileInfo(model).completeBaseName(), label);
        if (sideLoaded) sideLoaded();
        return RaceEngine{label, service};
    };
    RaceEngines engines;
    engines.first = load(leftModel, race.left);
    engines.second = load(rightModel, race.right);
    return engines;
}

namespace {

// What the stage says while a side loads: "stories260K on the CPU, 1 thread".
QString sideText(const QString& model, const DeckRaceEngine& side) {
    const QString name = QFileInfo(model).completeBaseName();
    if (side.device == RaceDevice::Gpu) return QStringLiteral("%1 on the GPU").arg(name);
    if (side.threads == 1) return QStringLiteral("%1 on 1 thread").arg(name);
    if (side.threads > 1) return QStringLiteral("%1 on %2 threads").arg(name).arg(side.threads);
    return name;
}

}  // namespace

void loadRacesInBackground(QObject* context, const QList<RaceRequest>& requests, const RaceOptions& options,
                           std::function<void(int, QString)> progress, std::function<void(QList<RaceOutcome>)> done) {
    QThread* thread = QThread::create([context, requests, options, progress = std::move(progress),
                                       done = std::move(done)] {
        // `context` waits for this thread before it goes (see the header), so it is alive
        // whenever a queued call below runs.
        int loaded = 0;
        const auto report = [&](const QString& next) {
            QMetaObject::invokeMethod(context, [progress, loaded, next] { progress(loaded, next); },
                                      Qt::QueuedConnection);
        };
        QList<RaceOutcome> outcomes;
        for (const RaceRequest& request : requests) {
            RaceOutcome outcome;
            outcome.key = request.key;
            const int before = loaded;
            try {
                if (request.setup) {
                    report(sideText(request.leftModel, request.setup->left));
                    outcome.engines = loadConfiguredRace(request.leftModel, request.rightModel, *request.setup,
                                                         options, [&] {
                                                             ++loaded;
                                                             if (loaded - before == 1)
                                                                 report(sideText(request.rightModel,
                                                                                 request.setup->right));
                                                         });
                } else {
                    report(QFileInfo(request.leftModel).completeBaseName());
                    outcome.engines = loadRaceEngines(request.leftModel, options);
                }
            } catch (const std::exception& exception) {
                outcome.error = QString::fromUtf8(exception.what());
                outcome.engines = {};
            }
            loaded = before + 2;  // a side that failed counts as done: nothing more to wait for
            outcomes.append(outcome);
        }
        report(QString());
        QMetaObject::invokeMethod(context, [done, outcomes] { done(outcomes); }, Qt::QueuedConnection);
    });
    thread->setParent(context);
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

}  // namespace ps
