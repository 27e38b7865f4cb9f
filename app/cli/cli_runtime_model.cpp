// Model, backend and tokenizer loading for the runtime commands.
#include "cli/cli_runtime_model.h"

#include <QFileInfo>
#include <QTextStream>

#include "cli/app_command_support.h"
#include "cli/cli_options.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "models/demo_model.h"
#include "tokenizer/tokenizer.h"

namespace ps::cli {
namespace {

// Missing files and folders get a plain message before any parser sees them.
void checkReadableFile(const QString& path) {
    const QFileInfo info(path);
    if (!info.exists()) throw std::runtime_error(path.toStdString() + ": no such file");
    if (info.isDir())
        throw std::runtime_error(path.toStdString() + ": is a folder, not a model file");
    if (!info.isReadable())
        throw std::runtime_error(path.toStdString() + ": cannot be read (permissions)");
}

// The loaders' messages already name the file; others get the path put first.
std::runtime_error withPath(const QString& path, const std::exception& error) {
    const std::string message = error.what();
    if (message.find(path.toStdString()) != std::string::npos) return std::runtime_error(message);
    return std::runtime_error(path.toStdString() + ": " + message);
}

}  // namespace

QString modelPathForCommand(const QCommandLineParser& parser, const QCommandLineOption& model,
                            const QString& command) {
    if (parser.isSet(model)) return requiredValue(parser, model);
    const QString fromEnvironment = qEnvironmentVariable("PROMPTSTUDIO_MODEL");
    if (!fromEnvironment.isEmpty()) return fromEnvironment;
    if (demoModelPath().isEmpty()) return requiredValue(parser, model);  // "--model is required"
    printRuntimeError(command, demoModelNote());
    return demoModelPath();
}

LoadedTokenizer::LoadedTokenizer() = default;
LoadedTokenizer::LoadedTokenizer(LoadedTokenizer&&) noexcept = default;
LoadedTokenizer::~LoadedTokenizer() = default;

std::shared_ptr<const Model> loadModelFile(const QString& path) {
    checkReadableFile(path);
    try {
        return Model::load(path.toStdString());
    } catch (const std::exception& error) {
        throw withPath(path, error);
    }
}

LoadedTokenizer loadTokenizerFile(const QString& path) {
    checkReadableFile(path);
    LoadedTokenizer loaded;
    try {
        if (path.endsWith(".model", Qt::CaseInsensitive)) {
            loaded.tokenizer = Tokenizer::fromModelFile(path.toStdString());
        } else {
            loaded.gguf = GgufFile::open(path.toStdString());
            loaded.tokenizer = Tokenizer::fromGguf(*loaded.gguf);
        }
    } catch (const std::exception& error) {
        throw withPath(path, error);
    }
    return loaded;
}

std::unique_ptr<Backend> createBackendForCommand(const std::shared_ptr<const Model>& model,
                                                 const BackendOptions& options) {
    BackendSelection selection = createBackend(model, options);
    if (!selection.fallbackReason.empty() && options.choice != BackendOptions::Choice::Cpu &&
        (options.choice == BackendOptions::Choice::Cuda || options.choice == BackendOptions::Choice::CudaEmulated ||
         cudaBackendCompiled())) {
        QTextStream(stderr) << "promptstudio-cli: running on the CPU: "
                            << QString::fromStdString(selection.fallbackReason) << "\n";
    }
    return std::move(selection.backend);
}

}  // namespace ps::cli
