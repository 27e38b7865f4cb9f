#include "models/model_catalog.h"

#include <QFile>
#include <QObject>
#include <QRegularExpression>

namespace ps {

namespace {

constexpr uint64_t kMiB = 1ull << 20;

QList<RecommendedModel> makeCatalog() {
    // Every file below is runnable by this program: its architecture (llama,
    // qwen2, phi3) and its tensor types (Q4_K + Q6_K for Q4_K_M, or Q8_0). Two
    // entries are Q8_0 on purpose: Qwen 2.5 0.5B's 896-wide rows are not a
    // multiple of 256, so its Q4_K_M falls back to Q5_0 tensors; Phi-3.5's Q4_K_M
    // stores the fused attention in Q5_K. This runtime has neither type.
    // Sizes are the files' on the hub as of late 2024, rounded.
    return {
        {QObject::tr("Qwen 2.5 0.5B Instruct"),
         QObject::tr("Tiny and quick: short answers, rewording, simple extraction. Runs on any "
                     "computer."),
         QStringLiteral("Apache 2.0"), QStringLiteral("Q8_0"),
         QStringLiteral("hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q8_0.gguf"),
         530 * kMiB, 24, 896, 14, 2, 151936},
        {QObject::tr("Llama 3.2 1B Instruct"),
         QObject::tr("Small and fast: summaries, rewriting, everyday questions in English."),
         QStringLiteral("Llama 3.2 Community License"), QStringLiteral("Q4_K_M"),
         QStringLiteral("hf:bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf"),
         810 * kMiB, 16, 2048, 32, 8, 128256},
        {QObject::tr("Qwen 2.5 1.5B Instruct"),
         QObject::tr("Small with good instruction following; many languages; some code."),
         QStringLiteral("Apache 2.0"), QStringLiteral("Q4_K_M"),
         QStringLiteral("hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF/Qwen2.5-1.5B-Instruct-Q4_K_M.gguf"),
         990 * kMiB, 28, 1536, 12, 2, 151936},
        {QObject::tr("Qwen 2.5 3B Instruct"),
         QObject::tr("A good all-rounder for a laptop: writing, structured answers, many "
                     "languages."),
         QStringLiteral("Qwen Research (non-commercial)"), QStringLiteral("Q4_K_M"),
         QStringLiteral("hf:bartowski/Qwen2.5-3B-Instruct-GGUF/Qwen2.5-3B-Instruct-Q4_K_M.gguf"),
         1930 * kMiB, 36, 2048, 16, 2, 151936},
        {QObject::tr("Llama 3.2 3B Instruct"),
         QObject::tr("Better writing and reasoning than the 1B; a good default with a GPU."),
         QStringLiteral("Llama 3.2 Community License"), QStringLiteral("Q4_K_M"),
         QStringLiteral("hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf"),
         2020 * kMiB, 28, 3072, 24, 8, 128256},
        {QObject::tr("Phi-3.5 mini Instruct"),
         QObject::tr("Strong reasoning and maths for its size; English first."),
         QStringLiteral("MIT"), QStringLiteral("Q8_0"),
         QStringLiteral("hf:bartowski/Phi-3.5-mini-instruct-GGUF/Phi-3.5-mini-instruct-Q8_0.gguf"),
         4060 * kMiB, 32, 3072, 32, 32, 32064},
        {QObject::tr("Mistral 7B Instruct v0.3"),
         QObject::tr("A proven 7B: fluent writing and chat; wants a GPU with 6 GB or more."),
         QStringLiteral("Apache 2.0"), QStringLiteral("Q4_K_M"),
         QStringLiteral(
             "hf:bartowski/Mistral-7B-Instruct-v0.3-GGUF/Mistral-7B-Instruct-v0.3-Q4_K_M.gguf"),
         4370 * kMiB, 32, 4096, 32, 8, 32768},
        {QObject::tr("Qwen 2.5 7B Instruct"),
         QObject::tr("The strongest here: writing, code, analysis, many languages; wants a GPU "
                     "with 6 GB or more."),
         QStringLiteral("Apache 2.0"), QStringLiteral("Q4_K_M"),
         QStringLiteral("hf:bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf"),
         4680 * kMiB, 28, 3584, 28, 4, 152064},
    };
}

}  // namespace

ModelSummary RecommendedModel::shape() const {
    ModelSummary summary;
    summary.name = name;
    summary.fileBytes = approximateBytes;
    summary.layerCount = layers;
    summary.embeddingLength = embeddingLength;
    summary.headCount = heads;
    summary.kvHeadCount = kvHeads;
    summary.vocabSize = vocabSize;
    summary.mainTensorType = quantization;
    summary.runnable = true;
    return summary;
}

const QList<RecommendedModel>& recommendedModels() {
    static const QList<RecommendedModel> catalog = makeCatalog();
    return catalog;
}

FitEstimate estimateFit(const ModelSummary& shape, uint64_t gpuFreeBytes,
                        uint64_t memoryAvailableBytes, int context) {
    FitEstimate estimate;
    estimate.gpuBytes = shape.gpuBytesNeeded(context);
    // The CPU backend keeps the KV cache in FP32: the FP16 cache counted once more.
    const uint64_t kvFp16 = estimate.gpuBytes - shape.gpuBytesNeeded(0);
    estimate.cpuBytes = estimate.gpuBytes + kvFp16;
    if (gpuFreeBytes > 0 && estimate.gpuBytes <= gpuFreeBytes) {
        estimate.fit = ModelFit::OnGpu;
    } else if (memoryAvailableBytes == 0 || estimate.cpuBytes <= memoryAvailableBytes) {
        estimate.fit = ModelFit::InMemory;
    } else {
        estimate.fit = ModelFit::TooBig;
    }
    return estimate;
}

QString describeFit(const FitEstimate& estimate) {
    switch (estimate.fit) {
        case ModelFit::OnGpu: return QObject::tr("Fits on your GPU");
        case ModelFit::InMemory: return QObject::tr("Fits in memory (runs on the CPU)");
        case ModelFit::TooBig: break;
    }
    return QObject::tr("Too big for this computer");
}

uint64_t availableMemoryBytes() {
    QFile meminfo(QStringLiteral("/proc/meminfo"));
    if (!meminfo.open(QIODevice::ReadOnly)) return 0;
    static const QRegularExpression line(QStringLiteral("^MemAvailable:\\s+(\\d+)\\s+kB"),
                                         QRegularExpression::MultilineOption);
    const auto match = line.match(QString::fromLatin1(meminfo.readAll()));
    return match.hasMatch() ? match.captured(1).toULongLong() * 1024 : 0;
}

}  // namespace ps
