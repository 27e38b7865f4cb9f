#pragma once
// Running an app from the terminal, shared by `run` and `test`: the model and
// backend options, loading the local runtime, and one run driven to its end
// by an event loop (Ctrl+C cancels it).
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <QVariantMap>

#include <functional>
#include <memory>

#include "runner/run_result.h"

namespace ps {
class LocalGenerationService;
class PromptApp;
class Runner;
}  // namespace ps

namespace ps::cli {

// --model, --threads, --backend, --context.
struct ModelOptions {
    QCommandLineOption model{"model",
                             "The GGUF model to run on (else the app's model, else $PROMPTSTUDIO_MODEL, else the "
                             "built-in demo model).",
                             "M"};
    QCommandLineOption threads{"threads", "CPU threads (default: one per core).", "N"};
    QCommandLineOption backend{"backend", "auto, cpu or cuda (default auto: the GPU when one fits).", "B",
                               "auto"};
    QCommandLineOption context{"context", "KV cache positions (default: the model's, at most 4096).", "N"};
    void addTo(QCommandLineParser& parser) const { parser.addOptions({model, threads, backend, context}); }
};

// Loads the model `options` and the app point to. Prints what went wrong (naming
// the command) and returns null on failure; `usageError` tells a bad option
// (exit 2) from a model that would not load (exit 1).
std::shared_ptr<LocalGenerationService> loadModelForApp(const QString& command, const QCommandLineParser& parser,
                                                        const ModelOptions& options, const PromptApp& app,
                                                        bool* usageError);

struct RunEnd {
    enum class Kind { Finished, Failed, Cancelled };
    Kind kind = Kind::Failed;
    RunResult result;
    QString error;
};

// Starts `runner` and spins an event loop until the run ends. `onToken` sees
// each piece of text as it streams. SIGINT (Ctrl+C) cancels the run.
RunEnd runToEnd(Runner& runner, const QVariantMap& inputs, const QVariantMap& overrides,
                const std::function<void(const QString&)>& onToken = {});

}  // namespace ps::cli
