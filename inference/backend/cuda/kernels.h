#pragma once
// Host-side launchers of the CUDA backend's kernels. Each kernel is a thin loop
// around the shared math (weight_units.h, attention_math.h, rope_math.h,
// elementwise_math.h); everything here only enqueues work on `stream` and
// checks the launch. Values that change from token to token (the token id, the
// position) are read from device memory so that a captured graph can be replayed.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "backend/cuda/device_weights.h"
#include "backend/cuda/x_blocks.h"
#include "model/model_config.h"

namespace ps {

// Prompts of at most this many tokens are prefilled with the batched
// matrix-vector kernel (each weight read once for all tokens); longer ones
// dequantize each matrix to FP16 for cuBLAS (issue 17, item 3).
constexpr int kBatchedMatvecMaxTokens = 16;
// Its slices are shorter than decode's: the x of 16 tokens (FP16) must fit
// shared memory (32 KiB), beside a 1 KiB weight stage per warp.
constexpr int kBatchedMatvecSliceValues = 1024;
constexpr int kBatchedMatvecStageBytes = 1024;

// What a matrix-vector product multiplies with. Quantized weights read x as
// 8-bit blocks where its writer made them (x_blocks.h: 1.125 bytes a value;
// the products then land about 2e-2 from exact, as on the CPU backend); float
// weights read the FP16 copy (2 bytes a value instead of 4), else the floats.
struct MatvecInput {
    const float* x = nullptr;
    const __half* xHalf = nullptr;
    const int8_t* xQuants = nullptr;  // with xScales: x as 8-bit blocks
    const float* xScales = nullptr;
};

// Scratch of the split-K matrix-vector kernel (matvec_plan.h): the partial sums
// of the slices, and one completion ticket per group (zero between launches:
// the group's last block resets it).
struct MatvecScratch {
    float* partials = nullptr;
    int64_t partialFloats = 0;
    unsigned* tickets = nullptr;  // kMatvecTickets (matvec_plan.h)
};

// RMSNorm fused into a matrix-vector product: the input is x times the norm's
// weight (written by whoever wrote x, NextNorm), the product is scaled by
// 1/rms(x), rms from squares[0] (the sum of x^2, also from the writer), so the
// matvec reads neither x nor the norm's weight.
struct MatvecNorm {
    bool enabled = false;
    const float* squares = nullptr;
    float eps = 0.0f;
};
// What a kernel writing x also writes for the RMSNorm that reads x next:
// scaled[r] = x[r] * weight[r] (and as FP16 where scaledHalf is set, as 8-bit
// blocks where scaledBlocks is: the vector's length a multiple of 32),
// squares[0] = the sum of x[r]^2 (squares[1 + g] holds group g's part, added
// in group order by the last group: deterministic).
struct NextNorm {
    const float* weight = nullptr;
    float* scaled = nullptr;
    float* squares = nullptr;
    __half* scaledHalf = nullptr;
    XBlocks scaledBlocks;
};
// The matrix-vector input of the vector `blocks` holds (floats and FP16 copy beside it).
inline MatvecInput matvecInput(const float* x, const __half* xHalf, const XBlocks& blocks) {
    return MatvecInput{x, xHalf, blocks.quants, blocks.scales};
}

// A trivial kernel: fails when this build has no code for the device.
void launchProbe(int* flag, cudaStream_t stream);

// x[t][0..cols) = row tokens[t] of `table`, for t < count (and next.scaled, see NextNorm).
void launchEmbedding(const DeviceMatrix& table, const int32_t* tokens, int count, float* x, cudaStream_t stream,
                     const NextNorm& next = {});

// For each of `rows` rows of `dim` floats: x * rmsScale * weight, written as
// FP32 to outF32 and/or FP16 to outF16 (either may be null).
void launchRmsNorm(const float* x, const float* weight, int dim, int rows, float eps, float* outF32,
                   __half* outF16, cudaStream_t stream);

// y = W x (or y += W x when `accumulate`: the residual add fused in).
void launchMatvec(const DeviceMatrix& w, const MatvecInput& x, float* y, bool accumulate, cudaStream_t stream,
                  const MatvecScratch& scratch, const MatvecNorm& norm = {}, const NextNorm& next = {});

// Prefill of a short prompt: Y[t] = W X[t] (or Y[t] += W X[t] when
// `accumulate`: the residual add) for t < tokens <= kBatchedMatvecMaxTokens,
// X FP16 [tokens][w.cols], Y FP32 [tokens][w.rows], each weight read once for
// all tokens, FP32 sums (batched_matvec_kernels.cu). Its split-K partials take
// up to scratch.partialFloats floats (tokens x slices x rows at most).
void launchBatchedMatvec(const DeviceMatrix& w, const __half* x, int tokens, float* y, bool accumulate,
                         cudaStream_t stream, const MatvecScratch& scratch);
// The cut it launches with (matvec_plan.h's chooseMatvecPlan with its slices).
struct MatvecPlan;
MatvecPlan batchedMatvecPlan(const DeviceMatrix& w, int tokens, int64_t partialFloats);

// hidden = silu(gate x) * up x in one pass (and as FP16 where hiddenHalf is
// set, as 8-bit blocks where hiddenBlocks is: rows a multiple of 32); gate and
// up must share a type.
void launchGateUpSwiglu(const DeviceMatrix& gate, const DeviceMatrix& up, const MatvecInput& x, float* hidden,
                        __half* hiddenHalf, cudaStream_t stream, const MatvecScratch& scratch,
                        const MatvecNorm& norm = {}, const XBlocks& hiddenBlocks = {});

// out = silu(gate) * up element-wise, to FP32 and/or FP16.
void launchSwiglu(const float* gate, const float* up, int64_t count, float* outF32, __half* outF16,
                  cudaStream_t stream);

// The whole matrix as FP16, row-major with `cols` halves per row (for cuBLAS).
void launchDequantizeToHalf(const DeviceMatrix& w, __half* out, cudaStream_t stream);

void launchFloatToHalf(const float* in, __half* out, int64_t count, cudaStream_t stream);

struct RopeKvParams {
    float* q;        // [tokens][heads * headDim], biased and rotated in place
    __half* qHalf = nullptr;  // decode: q also as FP16 (what attention loads: half the bytes)
    const float* k;  // [tokens][kvDim]
    const float* v;  // [tokens][kvDim]
    // Added to q, k, v first (qwen2); null where the model has none.
    const float* qBias;  // [heads * headDim]
    const float* kBias;  // [kvDim]
    const float* vBias;  // [kvDim]
    int tokens;
    const int* startPos;  // device: position of token 0
    const float* inverseFrequencies;  // device, ropeDim / 2
    int heads, kvHeads, headDim, ropeDim;
    RopeStyle style;      // adjacent pairs (llama) or halves (NEOX: qwen2, phi3)
    __half* kCacheLayer;  // this layer's [contextLength][kvDim]
    __half* vCacheLayer;
};
// The biases, RoPE on q and k, then k and v (FP16) into the KV cache at their
// positions: one pass over q, k and v.
void launchRopeKvWrite(const RopeKvParams& p, cudaStream_t stream);

// Whether q, k and v can be one launch: one type, one width.
bool canFuseQkvRope(const DeviceMatrix& wq, const DeviceMatrix& wk, const DeviceMatrix& wv);
// Decode (one token): q = Wq x, k = Wk x, v = Wv x, then launchRopeKvWrite's
// work, all in one launch (p.q is written, p.k and p.v are not read).
void launchQkvRopeKvWrite(const DeviceMatrix& wq, const DeviceMatrix& wk, const DeviceMatrix& wv,
                          const MatvecInput& x, const RopeKvParams& p, cudaStream_t stream,
                          const MatvecScratch& scratch, const MatvecNorm& norm = {});

struct AttentionParams {
    const float* q;  // [queries][heads * headDim], query t at position *startPos + t
    const __half* qHalf = nullptr;  // q as FP16 where set (decode): what the kernel loads then
    int queries;
    const int* startPos;  // device
    const __half* kCacheLayer;
    const __half* vCacheLayer;
    int heads, kvHeads, headDim;
    int slidingWindow;        // 0, or keys at distance >= slidingWindow are masked (phi3)
    int splitLength, splits;  // attention_math.h: attentionSplitLength/Count
    float scale;              // 1 / sqrt(headDim)
    float* partials;          // [queries][heads][splits][headDim + 2]
    float* out;               // [queries][heads * headDim]
    __half* outHalf = nullptr;  // out as FP16 too, where set (decode: what wo reads)
    XBlocks outBlocks;          // and as 8-bit blocks, where set (decode, headDim a multiple of 32)
};
// Causal (optionally windowed) attention over the cache, split over the sequence (flash-decoding):
// one pass computes each split's partial softmax, a second merges them.
void launchAttention(const AttentionParams& p, cudaStream_t stream);
// The same for many queries (prefill): blocks of consecutive queries times the
// query heads of one KV head (choosePrefillAttentionTile, attention_math.h), each
// key and value tile loaded into shared memory once for all of them; same partials, same merge.
void launchPrefillAttention(const AttentionParams& p, cudaStream_t stream);

}  // namespace ps
