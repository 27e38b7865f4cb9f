#pragma once
// Loading what a runtime command works on, with errors that name the file:
// a model (GGUF), a backend for it, or just a tokenizer (GGUF vocabulary or a
// SentencePiece .model file).
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <memory>
#include <stdexcept>

#include "backend/backend.h"

namespace ps {
class GgufFile;
class Model;
class Tokenizer;
}  // namespace ps

namespace ps::cli {

// The model a generating command runs on: --model, else $PROMPTSTUDIO_MODEL, else
// the built-in demo model (saying so on stderr). UsageError when there is none.
QString modelPathForCommand(const QCommandLineParser& parser, const QCommandLineOption& model,
                            const QString& command);

// Throws std::runtime_error with "PATH: what is wrong".
std::shared_ptr<const Model> loadModelFile(const QString& path);

// The tokenizer of a GGUF file (no weights needed) or of a SentencePiece .model
// file (by its suffix). Throws std::runtime_error naming the file.
struct LoadedTokenizer {
    std::shared_ptr<GgufFile> gguf;  // kept open while the tokenizer lives
    std::unique_ptr<Tokenizer> tokenizer;
    LoadedTokenizer();
    LoadedTokenizer(LoadedTokenizer&&) noexcept;
    ~LoadedTokenizer();  // out of line: Tokenizer is incomplete here
};
LoadedTokenizer loadTokenizerFile(const QString& path);

// createBackend(), with a note on stderr when CUDA was asked for (or automatic
// found a GPU build) and the CPU took over.
std::unique_ptr<Backend> createBackendForCommand(const std::shared_ptr<const Model>& model,
                                                 const BackendOptions& options);

}  // namespace ps::cli
