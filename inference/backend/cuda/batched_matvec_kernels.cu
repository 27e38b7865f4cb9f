// Prefill of short prompts (at most kBatchedMatvecMaxTokens tokens): Y (+)= X W^T
// with every weight read from global memory once and multiplied with all the
// prompt's tokens, instead of dequantizing each matrix to FP16 for cuBLAS
// (which for 2-16 tokens writes and reads every matrix again in FP16 on top of
// reading it as stored: issue 17, item 3).
//
// The cut is the decode matvec's (matvec_plan.h): block (slice s, group g)
// owns the rows of group g over the columns of slice s (split-K), chosen by
// chooseMatvecPlan with this kernel's smaller slices (the x of every token
// must fit shared memory). A block stages its slice of the tokens' x (FP16,
// as prefill's GEMM inputs already are) in shared memory once; each warp walks
// its rows in steps: the slice's bytes of as many rows as fit its 1 KiB stage,
// coalesced 16-byte loads (8 for Q6_K) into registers, then into the stage;
// each lane decodes a quad (4 values of a unit, decodeQuad<T>, the decode
// kernel's weight decoding) once and multiplies it with the same 4 columns of
// every token, summing in FP32 registers, one per token. One reduce-scatter
// over the warp (9 shuffles for 16 tokens, not 16 x 5) leaves token t's sum
// in lane 2t. With several slices the partial sums go to scratch and the
// group's last block (an integer ticket) adds them in slice order:
// deterministic, as in decode.
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/matvec_plan.h"
#include "backend/cuda/weight_units.h"
#include "backend/cuda/wide_access.h"

namespace ps {

namespace {

constexpr int kWarps = 8;
constexpr int kThreads = kWarps * 32;
constexpr int kTokens = kBatchedMatvecMaxTokens;
static_assert(kTokens == 16, "batchedSums is written for 16 tokens");
constexpr int kSliceValues = kBatchedMatvecSliceValues;  // x of 16 tokens as FP16: 32 KiB
constexpr int kStageBytes = kBatchedMatvecStageBytes;    // weight bytes of one warp step

template <int Bytes>
struct BatchedLoadWord;
template <>
struct BatchedLoadWord<16> {
    using Type = uint4;
};
template <>
struct BatchedLoadWord<8> {
    using Type = uint2;
};

// The slice of every token's x as FP16: xs[t * kSliceValues + v] = x[t][first + v],
// zeros from `count` up to the end of the last unit. 8-byte loads where aligned.
__device__ __forceinline__ void stageTokens(const __half* x, int64_t cols, int tokens, int64_t first, int count,
                                            __half* xs) {
    const int quads = (count + kUnitValues - 1) / kUnitValues * kUnitValues / 4;
    for (int k = static_cast<int>(threadIdx.x); k < tokens * quads; k += kThreads) {
        const int t = k / quads, v = 4 * (k % quads);
        const __half* from = x + static_cast<int64_t>(t) * cols + first + v;
        uint2 word{0u, 0u};
        if (v + 4 <= count && reinterpret_cast<uintptr_t>(from) % 8 == 0) {
            word = __ldg(reinterpret_cast<const uint2*>(from));
        } else {
            uint16_t h[4] = {0, 0, 0, 0};
            for (int i = 0; i < 4; ++i) {
                if (v + i < count) h[i] = __half_as_ushort(from[i]);
            }
            word.x = h[0] | (static_cast<unsigned>(h[1]) << 16);
            word.y = h[2] | (static_cast<unsigned>(h[3]) << 16);
        }
        wideStore(reinterpret_cast<uint2*>(xs + static_cast<int64_t>(t) * kSliceValues + v), word);
    }
}

// Rows [first, first + count) of the slice (the window from the sector of
// `slice.begin`) into the warp's stage, row i at i * windowBytes: all loads
// first, then the stores. Words of the neighbouring slices are not loaded.
template <TensorType T>
__device__ __forceinline__ void loadRows(const uint8_t* w, int64_t rowStride, int64_t first, int count,
                                         const RowSlice& slice, int windowBytes, uint8_t* stage, int lane) {
    constexpr int kBytes = kWeightLoadBytes<T>;
    using Word = typename BatchedLoadWord<kBytes>::Type;
    constexpr int kLoads = kStageBytes / kBytes / 32;
    const int64_t windowStart = sliceWindowStart(slice);
    const int wordsPerRow = windowBytes / kBytes;
    const int words = count * wordsPerRow;
    Word loaded[kLoads];
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
        const int k = lane + 32 * i;
        const int64_t at = windowStart + static_cast<int64_t>(k % wordsPerRow) * kBytes;
        if (k < words && at >= slice.begin && at < slice.end) {
            loaded[i] = __ldg(reinterpret_cast<const Word*>(w + (first + k / wordsPerRow) * rowStride + at));
        } else {
            inactiveLoad();  // a word of the neighbouring slice, or past the step's rows
        }
    }
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
        const int k = lane + 32 * i;
        const int64_t at = windowStart + static_cast<int64_t>(k % wordsPerRow) * kBytes;
        if (k < words && at >= slice.begin && at < slice.end)
            wideStore(reinterpret_cast<Word*>(stage + static_cast<int64_t>(k / wordsPerRow) * windowBytes +
                                              (at - windowStart)),
                      loaded[i]);
    }
}

// One row's products with every token's staged x, this lane's part:
// lane = (unit % 4, quad); acc[t] for token t (tokens past `tokens` stay 0).
template <TensorType T>
__device__ __forceinline__ void dotRowTokens(const uint8_t* chunk, int units, int64_t firstColumn, int64_t cols,
                                             const __half* xs, int tokens, int lane, float (&acc)[kTokens]) {
    const int quad = lane % 8;
    for (int unit = lane / 8; unit < units; unit += 4) {
        float w[4];
        decodeQuad<T>(chunk, unit, quad, w);
        const int at = unit * kUnitValues + 4 * quad;
        if constexpr (T == TensorType::F32 || T == TensorType::F16 || T == TensorType::BF16) {
            // A partial last unit: what lies past the row is not a weight.
            const int64_t column = firstColumn + at;
            for (int i = 0; i < 4; ++i) w[i] = column + i < cols ? w[i] : 0.0f;
        }
#pragma unroll
        for (int t = 0; t < kTokens; ++t) {
            if (t < tokens) {
                // 32 lanes read 256 consecutive bytes: no bank conflict.
                const uint2 v = wideLoad(reinterpret_cast<const uint2*>(xs + t * kSliceValues + at));
                float x0, x1, x2, x3;
                halvesToFloats(v.x, x0, x1);
                halvesToFloats(v.y, x2, x3);
                acc[t] += w[0] * x0 + w[1] * x1 + w[2] * x2 + w[3] * x3;
            }
        }
    }
}

// Two floats from the lane `offset` away (one 64-bit shuffle: two SHFL on the
// GPU either way, one warp exchange instead of two on the emulated device).
__device__ __forceinline__ void shufflePair(float a, float b, int offset, float& ra, float& rb) {
    const unsigned long long packed =
        static_cast<unsigned long long>(__float_as_uint(a)) | (static_cast<unsigned long long>(__float_as_uint(b)) << 32);
    const unsigned long long other = __shfl_xor_sync(0xffffffffu, packed, offset);
    ra = __uint_as_float(static_cast<unsigned>(other & 0xffffffffu));
    rb = __uint_as_float(static_cast<unsigned>(other >> 32));
}

// Sums each of the 16 accumulators over the warp, scattered: halving the
// values each step (lanes whose bit 4, 3, 2, 1 is set keep the upper half and
// send the lower one), then one last exchange; lanes 2t and 2t + 1 return
// token t's total. 8 + 4 + 2 + 1 + 1 values sent, in 4 + 2 + 1 + 1 + 1 shuffles
// (not 16 x 5 for 16 separate warp sums).
__device__ __forceinline__ float batchedSums(const float (&a)[kTokens], int lane) {
    const bool b4 = lane & 16, b3 = lane & 8, b2 = lane & 4, b1 = lane & 2;
    float h8[8];
#pragma unroll
    for (int i = 0; i < 8; i += 2) {
        float r0, r1;
        shufflePair(b4 ? a[i] : a[8 + i], b4 ? a[i + 1] : a[9 + i], 16, r0, r1);
        h8[i] = (b4 ? a[8 + i] : a[i]) + r0;
        h8[i + 1] = (b4 ? a[9 + i] : a[i + 1]) + r1;
    }
    float h4[4];
#pragma unroll
    for (int i = 0; i < 4; i += 2) {
        float r0, r1;
        shufflePair(b3 ? h8[i] : h8[4 + i], b3 ? h8[i + 1] : h8[5 + i], 8, r0, r1);
        h4[i] = (b3 ? h8[4 + i] : h8[i]) + r0;
        h4[i + 1] = (b3 ? h8[5 + i] : h8[i + 1]) + r1;
    }
    float r0, r1;
    shufflePair(b2 ? h4[0] : h4[2], b2 ? h4[1] : h4[3], 4, r0, r1);
    const float h2[2] = {(b2 ? h4[2] : h4[0]) + r0, (b2 ? h4[3] : h4[1]) + r1};
    const float h1 = (b1 ? h2[1] : h2[0]) + __shfl_xor_sync(0xffffffffu, b1 ? h2[0] : h2[1], 2);
    return h1 + __shfl_xor_sync(0xffffffffu, h1, 1);
}

// Y[t][r] (+)= (W X[t])[r]; Y is [tokens][rows], X [tokens][cols] (FP16).
template <TensorType T>
__global__ void __launch_bounds__(kThreads, 2)
    batchedMatvecKernel(const uint8_t* w, int64_t rows, int64_t cols, int64_t storedRowBytes, int64_t rowStride,
                        const __half* x, int tokens, float* y, bool accumulate, MatvecPlan plan,
                        MatvecScratch scratch) {
    __shared__ uint2 xWords[kTokens * kSliceValues / 4];  // the slice of every token's x
    // A warp's stage, and room for a plain-float row's partial last unit,
    // which decodeQuad reads whole (masked) past the window.
    __shared__ uint4 stages[kWarps][(kStageBytes + 4 * kUnitValues) / 16];
    __shared__ int last;
    __half* xs = reinterpret_cast<__half*>(xWords);
    const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
    const int slice = static_cast<int>(blockIdx.x), group = static_cast<int>(blockIdx.y);
    const RowSlice range = rowSlice(cols, storedRowBytes, WeightFormat<T>::kBlockValues, WeightFormat<T>::kBlockBytes,
                                    kWeightLoadBytes<T>, plan.slices, slice);
    const int sliceValues = static_cast<int>(range.endColumn - range.firstColumn);
    const int units = (sliceValues + kUnitValues - 1) / kUnitValues;

    stageTokens(x, cols, tokens, range.firstColumn, sliceValues, xs);
    __syncthreads();

    const int64_t firstRow = static_cast<int64_t>(group) * plan.linesPerGroup;
    const int lines =
        static_cast<int>(rows - firstRow < plan.linesPerGroup ? rows - firstRow : plan.linesPerGroup);
    const int windowBytes = static_cast<int>(sliceWindowBytes(range));
    const int perStep = kStageBytes / windowBytes;
    const int chunkOffset = static_cast<int>(range.begin - sliceWindowStart(range));
    // Partial sums of this block: [token][row of the group].
    float* partials = plan.slices > 1 ? scratch.partials + (static_cast<int64_t>(group) * plan.slices + slice) *
                                                               tokens * plan.linesPerGroup
                                      : nullptr;
    uint8_t* stage = reinterpret_cast<uint8_t*>(stages[warp]);
    const int token = lane / 2;
    for (int step = warp * perStep; step < lines; step += kWarps * perStep) {
        const int count = lines - step < perStep ? lines - step : perStep;
        loadRows<T>(w, rowStride, firstRow + step, count, range, windowBytes, stage, lane);
        __syncwarp();
        for (int i = 0; i < count; ++i) {
            float acc[kTokens];
#pragma unroll
            for (int t = 0; t < kTokens; ++t) acc[t] = 0.0f;
            dotRowTokens<T>(stage + i * windowBytes + chunkOffset, units, range.firstColumn, cols, xs, tokens,
                            lane, acc);
            const float sum = batchedSums(acc, lane);
            if (lane % 2 == 0 && token < tokens) {
                if (plan.slices > 1) {
                    partials[static_cast<int64_t>(token) * plan.linesPerGroup + step + i] = sum;
                } else {
                    float* to = y + static_cast<int64_t>(token) * rows + firstRow + step + i;
                    *to = accumulate ? *to + sum : sum;
                }
            }
        }
        __syncwarp();  // the stage is overwritten next step
    }
    if (plan.slices == 1) return;

    // The group's last block adds every slice's partials in slice order.
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) last = atomicAdd(scratch.tickets + group, 1u) == static_cast<unsigned>(plan.slices - 1);
    __syncthreads();
    if (!last) return;
    __threadfence();
    const float* groupPartials = scratch.partials + static_cast<int64_t>(group) * plan.slices * tokens * plan.linesPerGroup;
    for (int k = static_cast<int>(threadIdx.x); k < tokens * lines; k += kThreads) {
        const int t = k / lines, i = k % lines;
        float total = 0.0f;
        for (int s = 0; s < plan.slices; ++s)
            total += __ldcg(groupPartials + (static_cast<int64_t>(s) * tokens + t) * plan.linesPerGroup + i);
        float* to = y + static_cast<int64_t>(t) * rows + firstRow + i;
        *to = accumulate ? *to + total : total;
    }
    if (threadIdx.x == 0) scratch.tickets[group] = 0;
}

template <TensorType T>
MatvecPlan planBatched(const DeviceMatrix& w, int tokens, int64_t partialFloats) {
    MatvecShape m;
    m.lines = w.rows;
    m.cols = w.cols;
    m.storedRowBytes = w.storedRowBytes;
    m.blockValues = WeightFormat<T>::kBlockValues;
    m.blockBytes = WeightFormat<T>::kBlockBytes;
    m.loadBytes = kWeightLoadBytes<T>;
    m.lineGrain = 1;
    // Per token: x (FP16) once per group and the partials once per slice both
    // grow with the tokens, so the cut that is cheapest for one token is
    // cheapest for all; the scratch holds the partials of every token.
    m.xBytesPerValue = 2.0;
    m.partialCapacity = tokens > 0 ? partialFloats / tokens : 0;
    m.maxSliceValues = kSliceValues;
    m.stageBytes = kStageBytes;
    return chooseMatvecPlan(m);
}

}  // namespace

MatvecPlan batchedMatvecPlan(const DeviceMatrix& w, int tokens, int64_t partialFloats) {
    MatvecPlan plan;
    dispatchWeightType(w.type, [&]<TensorType T>() { plan = planBatched<T>(w, tokens, partialFloats); });
    return plan;
}

void launchBatchedMatvec(const DeviceMatrix& w, const __half* x, int tokens, float* y, bool accumulate,
                         cudaStream_t stream, const MatvecScratch& scratch) {
    if (tokens < 1 || tokens > kBatchedMatvecMaxTokens)
        throw BackendError("batched matvec: " + std::to_string(tokens) + " tokens (1.." +
                           std::to_string(kBatchedMatvecMaxTokens) + " allowed)");
    if (!x || !y) throw BackendError("batched matvec: no input or output");
    const MatvecPlan plan = batchedMatvecPlan(w, tokens, scratch.partialFloats);
    if (!plan.valid) throw BackendError("batched matvec: rows of " + std::to_string(w.cols) + " columns do not fit its slices");
    if (plan.slices > 1 && (!scratch.partials || !scratch.tickets))
        throw BackendError("batched matvec: split-K needs scratch for the partial sums");
    dispatchWeightType(w.type, [&]<TensorType T>() {
        launchKernel<batchedMatvecKernel<T>>(dim3(plan.slices, plan.groups), dim3(kThreads), 0, stream, w.data,
                                             w.rows, w.cols, w.storedRowBytes, w.rowStride, x, tokens, y, accumulate,
                                             plan, scratch);
    });
    CUDA_CHECK_LAUNCH();
}

}  // namespace ps
