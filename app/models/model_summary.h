#pragma once
// What the model manager shows about a GGUF file, read from its header alone
// (metadata and tensor table; no weights are touched, so it is fast even for
// multi-gigabyte files).
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace ps {

struct ModelSummary {
    QString path;
    QString name;          // general.name, else the file name without extension
    QString architecture;  // general.architecture
    QString family;        // the architecture for people ("Qwen 2", "Gemma 2"), or empty
    QString mainTensorType;  // the type holding most weight bytes ("Q4_K")
    QString sourceLabel;   // where it was found ("Ollama", "LM Studio", "Downloads", ...)
    uint64_t fileBytes = 0;
    uint64_t parameterCount = 0;
    int contextLength = 0;
    int vocabSize = 0;
    int layerCount = 0;
    int embeddingLength = 0;
    int kvHeadCount = 0;
    int headCount = 0;
    bool hasChatTemplate = false;
    // The runtime's support check (inference/model/model_support.h), from the
    // header alone: architecture, hyperparameters, tensors, vocabulary.
    bool runnable = false;
    QString problem;         // why it cannot run, for people ("Gemma 2 models are not supported yet")
    QDateTime modified;

    // One line saying whether it runs: "Runs" or "Cannot run: <why>".
    QString supportLine() const;

    // Bytes the model needs on a GPU at `context` positions: weights, FP16 KV cache
    // and a scratch estimate.
    uint64_t gpuBytesNeeded(int context) const;
};

// True when the file starts with the GGUF magic (extension does not matter:
// Ollama stores models as extension-less blobs).
bool looksLikeGguf(const QString& path);

// Reads the summary, or nullopt with `error` set for files that are not valid GGUF.
std::optional<ModelSummary> readModelSummary(const QString& path, QString* error = nullptr);

// "1.1 B", "7.2 B", "260 K"
QString formatParameterCount(uint64_t count);
// "638 MiB", "3.8 GiB"
QString formatBytes(uint64_t bytes);

}  // namespace ps
