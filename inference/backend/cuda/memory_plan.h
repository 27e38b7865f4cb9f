#pragma once
// What the CUDA backend will allocate, computed before it allocates anything,
// so that a model that does not fit is refused with the numbers instead of
// failing half-way through an upload. The backend allocates exactly these
// sizes (ScratchLayout is the one list of its buffers).
#include <cstdint>
#include <string>

#include "model/model_config.h"

namespace ps {

class Model;

constexpr int kPrefillChunkTokens = 256;   // tokens a prefill step processes at once
// Prefill keeps the residual stream of up to this many chunks (a segment) and
// runs them layer by layer, so each layer's matrices are dequantized once per
// segment (4096 tokens), not once per chunk.
constexpr int kPrefillSegmentChunks = 16;
constexpr int kDecodeMaxSplits = 32;       // attention splits of a decode step (flash-decoding)
constexpr int kPrefillMaxSplits = 4;       // prefill has parallelism in its queries already
constexpr uint64_t kCublasWorkspaceBytes = 32ull << 20;
constexpr uint64_t kMemoryReserveBytes = 256ull << 20;  // allocator slack, cuBLAS kernels, graph

// What prefill needs of the weights, for the memory plan.
struct PrefillWeights {
    // A layer's matrices that are not F16, as FP16 (the largest layer's;
    // DeviceWeights::layerDequantHalves): 0 when every matrix is F16, used as stored.
    int64_t layerDequantHalves = 0;
    int chunkTokens = kPrefillChunkTokens;  // smaller only in tests (PROMPTSTUDIO_CUDA_PREFILL_CHUNK_TOKENS)
};

// Element counts of every scratch buffer, for a model and a context length.
struct ScratchLayout {
    // Decode (one token, FP32 activations).
    int64_t decodeFloats = 0;         // x, xn, squares, q, k, v, attention out, gate, up, ffn hidden
    int64_t logitsFloats = 0;
    int64_t decodePartialFloats = 0;  // attention split partials: heads * splits * (headDim + 2)
    int64_t matvecPartialFloats = 0;  // split-K partial sums of the matrix-vector kernel (matvec_plan.h)
    int64_t matvecTickets = 0;        // its completion tickets (uint32)
    int64_t decodeHalves = 0;         // FP16 copies: normed x, attention out, FFN hidden, q
    int64_t decodeXBlockValues = 0;   // 8-bit copies (x_blocks.h): normed x, attention out, FFN hidden
    // Prefill (a chunk of prefillChunkTokens tokens; X for a segment).
    int64_t prefillFloats = 0;        // X (segment), Q, K, V, attention out, gate, up (chunk)
    int64_t prefillHalves = 0;        // FP16 GEMM inputs (normed X, attention out, ffn hidden)
    int64_t prefillPartialFloats = 0;
    // Per chunk: the largest layer matrix, dequantized to FP16. Once per
    // segment: two layers' non-F16 matrices (this layer's, the next one's).
    int64_t dequantHalves = 0;

    int decodeSplitLength = 0;
    int prefillSplitLength = 0;
    int prefillChunkTokens = kPrefillChunkTokens;
    int prefillSegmentTokens = kPrefillChunkTokens;  // tokens whose residual stream prefill keeps
    // Each layer's matrices are dequantized once per segment into one of two
    // buffers of layerDequantHalves, the next layer's on a second stream while
    // this layer's GEMMs run; false: every matrix per chunk into one buffer.
    bool dequantizeOncePerSegment = false;
    int64_t layerDequantHalves = 0;

    // `oncePerSegment` only where prefill.layerDequantHalves > 0 (else nothing to dequantize).
    static ScratchLayout compute(const ModelConfig& config, int contextLength, const PrefillWeights& prefill = {},
                                 bool oncePerSegment = false);
    uint64_t bytes() const;
};

struct MemoryPlan {
    uint64_t weightBytes = 0;
    uint64_t kvCacheBytes = 0;
    uint64_t scratchBytes = 0;  // ScratchLayout + cuBLAS workspace + reserve
    ScratchLayout layout;       // what the backend allocates
    uint64_t total() const { return weightBytes + kvCacheBytes + scratchBytes; }
};

// FP16 K and V for every layer and position.
uint64_t kvCacheBytes(const ModelConfig& config, int contextLength);

// `weightBytes` is what the weights take on the GPU (rows padded to 32 bytes).
// Prefill dequantizes each layer once per segment (double-buffered) where
// that plan fits `freeBytes`; else, or with nothing to dequantize, every
// matrix per chunk (the least memory): slower prefill rather than no GPU.
MemoryPlan planMemory(const ModelConfig& config, int contextLength, uint64_t weightBytes,
                      const PrefillWeights& prefill = {}, uint64_t freeBytes = UINT64_MAX);

// "the model needs 9.1 GiB of GPU memory (weights 6.7, KV cache 2.1, scratch 0.3
// GiB) for a context of 4096, NVIDIA GeForce RTX 3060 has 5.8 GiB free"
std::string describeShortfall(const MemoryPlan& plan, int contextLength, uint64_t freeBytes,
                              const std::string& deviceName);

// Bytes as GiB with one decimal ("6.7"), two when under 0.1.
std::string formatGiB(uint64_t bytes);

}  // namespace ps
