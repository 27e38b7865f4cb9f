#pragma once
// A short list of models worth starting with, and whether each fits this
// computer: on its GPU, in its memory, or neither.
//
// Sizes are approximate (the files change when their makers requantize);
// the shape numbers (layers, heads, ...) are the models' own and give the KV
// cache size through ModelSummary::gpuBytesNeeded, the Models page's estimate.
#include <QList>
#include <QString>

#include <cstdint>

#include "models/model_summary.h"

namespace ps {

struct RecommendedModel {
    QString name;          // "Llama 3.2 1B Instruct"
    QString goodAt;        // one line for people
    QString licence;       // "Llama 3.2 Community License"
    QString quantization;  // "Q4_K_M"
    QString address;       // "hf:OWNER/REPO/FILE.gguf"
    uint64_t approximateBytes = 0;
    // The shape, for the memory estimate.
    int layers = 0;
    int embeddingLength = 0;
    int heads = 0;
    int kvHeads = 0;
    int vocabSize = 0;

    // A ModelSummary carrying the size and shape (no path: not on disk yet).
    ModelSummary shape() const;
};

// Smallest first.
const QList<RecommendedModel>& recommendedModels();

enum class ModelFit { OnGpu, InMemory, TooBig };

struct FitEstimate {
    ModelFit fit = ModelFit::TooBig;
    uint64_t gpuBytes = 0;  // weights + FP16 KV cache + scratch
    uint64_t cpuBytes = 0;  // weights + FP32 KV cache + scratch (the CPU backend's cache)
};

// Where a model of this shape runs at `context` positions, given the GPU's free
// memory (0 = no GPU) and the memory available to programs (0 = unknown: then
// the model is taken to fit in memory).
FitEstimate estimateFit(const ModelSummary& shape, uint64_t gpuFreeBytes,
                        uint64_t memoryAvailableBytes, int context = 4096);

// "Fits on your GPU" / "Fits in memory (runs on the CPU)" / "Too big for this computer".
QString describeFit(const FitEstimate& estimate);

// MemAvailable of /proc/meminfo (what programs can use without swapping), or 0.
uint64_t availableMemoryBytes();

}  // namespace ps
