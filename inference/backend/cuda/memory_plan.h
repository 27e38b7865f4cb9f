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
constexpr int kDecodeMaxSplits = 32;       // attention splits of a decode step (flash-decoding)
constexpr int kPrefillMaxSplits = 4;       // prefill has parallelism in its queries already
constexpr uint64_t kCublasWorkspaceBytes = 32ull << 20;
constexpr uint64_t kMemoryReserveBytes = 256ull << 20;  // allocator slack, cuBLAS kernels, graph

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
    // Prefill (kPrefillChunkTokens tokens).
    int64_t prefillFloats = 0;        // X, Q, K, V, attention out, gate, up
    int64_t prefillHalves = 0;        // FP16 GEMM inputs (normed X, attention out, ffn hidden)
    int64_t prefillPartialFloats = 0;
    int64_t dequantHalves = 0;        // the largest layer matrix, dequantized to FP16

    int decodeSplitLength = 0;
    int prefillSplitLength = 0;

    static ScratchLayout compute(const ModelConfig& config, int contextLength);
    uint64_t bytes() const;
};

struct MemoryPlan {
    uint64_t weightBytes = 0;
    uint64_t kvCacheBytes = 0;
    uint64_t scratchBytes = 0;  // ScratchLayout + cuBLAS workspace + reserve
    uint64_t total() const { return weightBytes + kvCacheBytes + scratchBytes; }
};

// FP16 K and V for every layer and position.
uint64_t kvCacheBytes(const ModelConfig& config, int contextLength);

// `weightBytes` is what the weights take on the GPU (rows padded to 16 bytes).
MemoryPlan planMemory(const ModelConfig& config, int contextLength, uint64_t weightBytes);

// "the model needs 9.1 GiB of GPU memory (weights 6.7, KV cache 2.1, scratch 0.3
// GiB) for a context of 4096, NVIDIA GeForce RTX 3060 has 5.8 GiB free"
std::string describeShortfall(const MemoryPlan& plan, int contextLength, uint64_t freeBytes,
                              const std::string& deviceName);

// Bytes as GiB with one decimal ("6.7"), two when under 0.1.
std::string formatGiB(uint64_t bytes);

}  // namespace ps
