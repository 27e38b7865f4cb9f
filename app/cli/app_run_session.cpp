#include "cli/app_run_session.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>

#include <atomic>
#include <csignal>

#include "cli/app_command_support.h"
#include "document/prompt_app.h"
#include "runner/local_generation_service.h"
#include "runner/runner.h"

namespace ps::cli {

namespace {

std::atomic<bool> interrupted{false};

// Internal linkage (no extern "C"): cli_interrupt.cpp has a handler of its own.
void onRunInterrupt(int) { interrupted.store(true); }

}  // namespace

std::shared_ptr<LocalGenerationService> loadModelForApp(const QString& command, const QCommandLineParser& parser,
                                                        const ModelOptions& options, const PromptApp& app,
                                                        bool* usageError) {
    *usageError = false;
    BackendOptions backend;
    const QString choice = parser.value(options.backend).toLower();
    if (choice == "cpu") {
        backend.choice = BackendOptions::Choice::Cpu;
    } else if (choice == "cuda" || choice == "gpu") {
        backend.choice = BackendOptions::Choice::Cuda;
    } else if (choice != "auto") {
        printCommandError(command, QStringLiteral("--backend %1: expected auto, cpu or cuda").arg(choice));
        *usageError = true;
        return nullptr;
    }
    for (const auto& [option, target] : {std::pair{&options.threads, &backend.threads},
                                         std::pair{&options.context, &backend.contextLength}}) {
        if (!parser.isSet(*option)) continue;
        bool ok = false;
        *target = parser.value(*option).toInt(&ok);
        if (!ok || *target < 1) {
            printCommandError(command, QStringLiteral("--%1 %2: expected a number above 0")
                                           .arg(option->names().first(), parser.value(*option)));
            *usageError = true;
            return nullptr;
        }
    }
    QString error, note;
    const QString appFolder = app.filePath.isEmpty() ? QString() : QFileInfo(app.filePath).absolutePath();
    const QString modelPath = resolveModelPath(parser.value(options.model), app.model, appFolder, &error, &note);
    if (modelPath.isEmpty()) {
        printCommandError(command, error);
        return nullptr;
    }
    if (!note.isEmpty()) printCommandError(command, note);
    try {
        auto service = LocalGenerationService::load(modelPath.toStdString(), backend);
        if (!service->fallbackReason().empty()) {
            printCommandError(command, QStringLiteral("running on the CPU: %1")
                                           .arg(QString::fromStdString(service->fallbackReason())));
        }
        return service;
    } catch (const std::exception& exception) {
        printCommandError(command, QString::fromUtf8(exception.what()));
        return nullptr;
    }
}

RunEnd runToEnd(Runner& runner, const QVariantMap& inputs, const QVariantMap& overrides,
                const std::function<void(const QString&)>& onToken) {
    RunEnd end;
    QEventLoop loop;
    bool ended = false;
    auto finish = [&](RunEnd::Kind kind) {
        end.kind = kind;
        ended = true;
        loop.quit();
    };
    QObject context;  // disconnects everything below when this function returns
    if (onToken) QObject::connect(&runner, &Runner::tokenReceived, &context, onToken);
    QObject::connect(&runner, &Runner::finished, &context, [&](const RunResult& result) {
        end.result = result;
        finish(RunEnd::Kind::Finished);
    });
    QObject::connect(&runner, &Runner::cancelled, &context, [&](const RunResult& result) {
        end.result = result;
        finish(RunEnd::Kind::Cancelled);
    });
    QObject::connect(&runner, &Runner::failed, &context, [&](const QString& message) {
        end.error = message;
        finish(RunEnd::Kind::Failed);
    });

    interrupted.store(false);
    const auto previous = std::signal(SIGINT, onRunInterrupt);
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, &context, [&runner] {
        if (interrupted.load()) runner.cancel();
    });
    interruptPoll.start(50);

    // A run refused before it starts has already reported `failed` here.
    if (runner.start(inputs, overrides) && !ended) loop.exec();
    std::signal(SIGINT, previous);
    return end;
}

}  // namespace ps::cli
