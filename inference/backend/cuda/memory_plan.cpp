#include "backend/cuda/memory_plan.h"

#include <algorithm>
#include <cstdio>

#include "backend/cuda/attention_math.h"
#include "backend/cuda/matvec_plan.h"

namespace ps {

ScratchLayout ScratchLayout::compute(const ModelConfig& c, int contextLength, const PrefillWeights& prefill,
                                     bool oncePerSegment) {
    ScratchLayout s;
    s.prefillChunkTokens = std::clamp(prefill.chunkTokens, 1, kPrefillChunkTokens);
    s.dequantizeOncePerSegment = oncePerSegment && prefill.layerDequantHalves > 0;
    s.prefillSegmentTokens =
        s.dequantizeOncePerSegment ? std::min(contextLength, kPrefillSegmentChunks * s.prefillChunkTokens)
                                   : s.prefillChunkTokens;
    s.prefillSegmentTokens = std::max(s.prefillSegmentTokens, 1);
    const int64_t dim = c.dim, qDim = static_cast<int64_t>(c.headCount) * c.headDim, kvDim = c.kvDim(),
                  ffn = c.ffnDim, chunk = s.prefillChunkTokens, segment = s.prefillSegmentTokens;
    s.decodeSplitLength = attentionSplitLength(contextLength, kDecodeMaxSplits);
    s.prefillSplitLength = attentionSplitLength(contextLength, kPrefillMaxSplits);
    const int64_t decodeSplits = attentionSplitCount(contextLength, s.decodeSplitLength);
    const int64_t prefillSplits = attentionSplitCount(contextLength, s.prefillSplitLength);

    s.decodeFloats = 3 * dim + 2 * qDim + 2 * kvDim + 3 * ffn;
    s.logitsFloats = c.vocabSize;
    s.decodePartialFloats = c.headCount * decodeSplits * (c.headDim + 2);
    s.matvecPartialFloats = matvecPartialCapacity(dim, qDim + 2 * kvDim, ffn, c.vocabSize);
    s.matvecTickets = kMatvecTickets;
    s.decodeHalves = dim + 2 * qDim + ffn;  // FP16 copies: what the decode matvecs read, q for attention
    s.decodeXBlockValues = dim + qDim + ffn;  // the same as 8-bit blocks (quantized weights read these)
    s.prefillFloats = segment * dim + chunk * (2 * qDim + 2 * kvDim + 2 * ffn);
    s.prefillHalves = chunk * std::max({dim, qDim, ffn});
    s.prefillPartialFloats = chunk * c.headCount * prefillSplits * (c.headDim + 2);
    // Layer matrices only: the output matrix is applied to the last token alone,
    // by the matrix-vector kernel, so it is never dequantized.
    s.dequantHalves = std::max({qDim * dim, kvDim * dim, dim * qDim, ffn * dim});
    if (s.dequantizeOncePerSegment) {
        s.layerDequantHalves = prefill.layerDequantHalves;
        s.dequantHalves = 2 * prefill.layerDequantHalves;
    }
    return s;
}

uint64_t ScratchLayout::bytes() const {
    const uint64_t floats = static_cast<uint64_t>(decodeFloats + logitsFloats + decodePartialFloats +
                                                  matvecPartialFloats + matvecTickets + prefillFloats +
                                                  prefillPartialFloats);

    const uint64_t halves = static_cast<uint64_t>(prefillHalves + dequantHalves + decodeHalves);
    // 8-bit blocks: a byte a value, a float scale per 32 values.
    const uint64_t xBlockBytes =
        static_cast<uint64_t>(decodeXBlockValues) + 4 * static_cast<uint64_t>(decodeXBlockValues / 32 + 3);
    // + token ids of a segment and the start position of each of its chunks
    return floats * 4 + halves * 2 + xBlockBytes + static_cast<uint64_t>(prefillSegmentTokens) * 8 + 4;
}

uint64_t kvCacheBytes(const ModelConfig& c, int contextLength) {
    return 2ull * static_cast<uint64_t>(c.layerCount) * static_cast<uint64_t>(contextLength) *
           static_cast<uint64_t>(c.kvDim()) * 2ull;
}

MemoryPlan planMemory(const ModelConfig& config, int contextLength, uint64_t weightBytes,
                      const PrefillWeights& prefill, uint64_t freeBytes) {
    MemoryPlan plan;
    plan.weightBytes = weightBytes;
    plan.kvCacheBytes = kvCacheBytes(config, contextLength);
    for (const bool oncePerSegment : {true, false}) {
        plan.layout = ScratchLayout::compute(config, contextLength, prefill, oncePerSegment);
        plan.scratchBytes = plan.layout.bytes() + kCublasWorkspaceBytes + kMemoryReserveBytes;
        if (plan.total() <= freeBytes) break;  // else the per-chunk plan (whose shortfall is reported)
    }
    return plan;
}

std::string formatGiB(uint64_t bytes) {
    const double gib = static_cast<double>(bytes) / static_cast<double>(1ull << 30);
    char text[32];
    std::snprintf(text, sizeof text, gib < 0.1 ? "%.2f" : "%.1f", gib);
    return text;
}

std::string describeShortfall(const MemoryPlan& plan, int contextLength, uint64_t freeBytes,
                              const std::string& deviceName) {
    return "the model needs " + formatGiB(plan.total()) + " GiB of GPU memory (weights " +
           formatGiB(plan.weightBytes) + ", KV cache " + formatGiB(plan.kvCacheBytes) + ", scratch " +
           formatGiB(plan.scratchBytes) + " GiB) for a context of " + std::to_string(contextLength) +
           " tokens, " + deviceName + " has " + formatGiB(freeBytes) + " GiB free";
}

}  // namespace ps
