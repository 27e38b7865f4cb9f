// Matrix-vector products of decode (one token), the memory-bound core of the
// backend: every weight byte is read once, and each block reads x once.
//
// A block of 8 warps owns 16 to 64 output rows, two rows per warp at a time (a
// *pair*: rows 2p and 2p+1, a gate row and its up row, or the two dimensions
// RoPE turns together). Per segment of 4096 columns the block stages x in
// shared memory once (after a norm: x times the norm's weight, as its writer
// left it; MatvecNorm), then each warp walks its rows in steps: both rows' bytes of the
// step (1-1.7 KiB each, so at least 2 KiB per warp in flight) are loaded with
// coalesced 16-byte loads into registers, stored to the warp's shared stage,
// and decoded a quad (4 values) per lane with decodeQuad<T> (weight_units.h):
// the 32 lanes read neighbouring words of the stage and of x, so no bank
// conflicts. The epilogue is the job's: y (+)= s, silu(gate) * up, or the
// Q/K/V biases, RoPE and the KV-cache write. The weight type is a template
// parameter: one body for all seven types.
#include "backend/cuda/attention_math.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/elementwise_math.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/rope_math.h"
#include "backend/cuda/weight_units.h"
#include "backend/cuda/warp_sums.h"
#include "backend/cuda/wide_access.h"

namespace ps {

namespace {

constexpr int kWarps = 8;
constexpr int kThreads = kWarps * 32;
constexpr int kSegmentValues = 4096;  // columns of x staged at a time (16 KiB)
constexpr int kMaxPairsPerWarp = 4;
constexpr int64_t kTargetBlocks = 2 * 132;  // two blocks per SM of an H100 SXM

// Units of a row one warp step covers: the smallest whole number of blocks of
// at least 1 KiB that ends on a 16-byte boundary.
template <TensorType T>
constexpr int kStepUnits = T == TensorType::F32                                 ? 8
                           : (T == TensorType::F16 || T == TensorType::BF16)    ? 16
                           : T == TensorType::Q8_0                              ? 32
                                                                                : 64;
template <TensorType T>
constexpr int kStepBytes = kStepUnits<T> / kUnitsPerBlock<T> * WeightFormat<T>::kBlockBytes;
template <TensorType T>
constexpr int kStepVectors = kStepBytes<T> / 16;
// 16-byte loads per lane for one row of a step.
template <TensorType T>
constexpr int kLoadsPerRow = (kStepVectors<T> + 31) / 32;

static_assert(kStepBytes<TensorType::F32> % 16 == 0 && kStepBytes<TensorType::F16> % 16 == 0 &&
              kStepBytes<TensorType::BF16> % 16 == 0 && kStepBytes<TensorType::Q8_0> % 16 == 0 &&
              kStepBytes<TensorType::Q4_0> % 16 == 0 && kStepBytes<TensorType::Q4_K> % 16 == 0 &&
              kStepBytes<TensorType::Q6_K> % 16 == 0);
static_assert(kSegmentValues % (kStepUnits<TensorType::Q4_0> * kUnitValues) == 0 &&
              kSegmentValues % (kStepUnits<TensorType::Q6_K> * kUnitValues) == 0);

// The two rows of a pair (row1 null where a matrix has an odd row count).
struct RowPair {
    const uint8_t* row0;
    const uint8_t* row1;
};

// y[r] = (W x)[r], or y[r] += (W x)[r] (the residual add). With `next`, also
// what the next RMSNorm reads (NextNorm): its weight applied once per value
// here instead of once per block of the next matvec, and the squares.
struct PlainJob {
    static constexpr bool kByRow = true;  // the block's rows are contiguous: stored by one thread each
    const uint8_t* w;
    int64_t rows, rowStride;
    float* y;
    bool accumulate;
    NextNorm next;

    __device__ int64_t pairs() const { return (rows + 1) / 2; }
    __device__ RowPair rowsOf(int64_t pair) const {
        const int64_t r = 2 * pair;
        return {w + r * rowStride, r + 1 < rows ? w + (r + 1) * rowStride : nullptr};
    }
    __device__ float store(int64_t r, float s) const {
        const float value = accumulate ? y[r] + s : s;
        y[r] = value;
        if (next.scaled) next.scaled[r] = value * next.weight[r];
        return value * value;
    }
};

// hidden[r] = silu((gate x)[r]) * (up x)[r]: a pair is a gate row and its up row.
struct GateUpJob {
    static constexpr bool kByRow = false;
    const uint8_t *gate, *up;
    int64_t rows, rowStride;
    float* hidden;

    __device__ int64_t pairs() const { return rows; }
    __device__ RowPair rowsOf(int64_t pair) const { return {gate + pair * rowStride, up + pair * rowStride}; }
    __device__ void finish(int64_t pair, float s0, float s1) const { hidden[pair] = swiglu(s0, s1); }
};

// q, k and v of one token in one launch: a pair is the two dimensions of a
// head that RoPE turns together (rope_math.h's ropePairDims), of wq, wk or wv.
// The epilogue adds the biases, turns q and k, writes q (FP32) and k, v (FP16)
// into the cache at the token's position.
struct QkvRopeJob {
    static constexpr bool kByRow = false;
    const uint8_t *wq, *wk, *wv;
    int64_t rowStride;
    RopeKvParams p;

    __device__ int64_t pairs() const { return static_cast<int64_t>(p.heads + 2 * p.kvHeads) * (p.headDim / 2); }
    // Which matrix (0 q, 1 k, 2 v), head, and the pair's two dimensions.
    __device__ int locate(int64_t pair, int& head, int& a, int& b, bool& rotate) const {
        const int perHead = p.headDim / 2;
        int headIndex = static_cast<int>(pair / perHead);
        rotate = ropePairDims(static_cast<int>(pair % perHead), p.ropeDim, p.style, a, b);
        if (headIndex < p.heads) {
            head = headIndex;
            return 0;
        }
        headIndex -= p.heads;
        head = headIndex % p.kvHeads;
        return headIndex < p.kvHeads ? 1 : 2;
    }
    __device__ RowPair rowsOf(int64_t pair) const {
        int head, a, b;
        bool rotate;
        const int which = locate(pair, head, a, b, rotate);
        const uint8_t* w = which == 0 ? wq : which == 1 ? wk : wv;
        const int64_t base = static_cast<int64_t>(head) * p.headDim;
        return {w + (base + a) * rowStride, w + (base + b) * rowStride};
    }
    __device__ void finish(int64_t pair, float s0, float s1) const {
        int head, a, b;
        bool rotate;
        const int which = locate(pair, head, a, b, rotate);
        const float* bias = which == 0 ? p.qBias : which == 1 ? p.kBias : p.vBias;
        const int base = head * p.headDim;
        if (bias) {
            s0 += bias[base + a];
            s1 += bias[base + b];
        }
        const int position = *p.startPos;
        const int pairInHead = static_cast<int>(pair % (p.headDim / 2));
        if (rotate && which != 2) ropeRotate(s0, s1, ropeAngle(position, p.inverseFrequencies[pairInHead]));
        if (which == 0) {
            p.q[base + a] = s0;
            p.q[base + b] = s1;
            return;
        }
        const KvCacheShape cache{1, 0, p.kvHeads, p.headDim};  // one layer; contextLength unused for offset(0, ...)
        __half* to = (which == 1 ? p.kCacheLayer : p.vCacheLayer) + cache.offset(0, position, head, 0);
        to[a] = __float2half_rn(s0);
        to[b] = __float2half_rn(s1);
    }
};

// Stages `count` values of x into xs (16-byte loads where aligned), zeros up to
// the end of the last unit.
__device__ __forceinline__ void stageX(const float* x, int count, float* xs) {
    const bool vectors = reinterpret_cast<uintptr_t>(x) % 16 == 0;
    const int end = (count + kUnitValues - 1) / kUnitValues * kUnitValues;
    for (int i = 4 * static_cast<int>(threadIdx.x); i < end; i += 4 * kThreads) {
        float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        if (vectors && i + 4 <= count) {
            v = __ldg(reinterpret_cast<const float4*>(x + i));
        } else {
            float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
            for (int k = 0; k < 4; ++k) {
                if (i + k < count) a[k] = x[i + k];
            }
            v = make_float4(a[0], a[1], a[2], a[3]);
        }
        wideStore(reinterpret_cast<float4*>(xs + i), v);
    }
}

// Byte offset of the step starting at unit `first` in its row, and the bytes of
// it the warp loads (rounded up to 16, never past the padded row).
template <TensorType T>
__device__ __forceinline__ int stepLoadVectors(int64_t storedRowBytes, int64_t first) {
    const int64_t left = paddedRowBytes(storedRowBytes) - chunkByteOffset<T>(first);
    return static_cast<int>((left < kStepBytes<T> ? left : kStepBytes<T>) / 16);
}

// One warp: both rows of `r` against the staged segment of x.
template <TensorType T>
__device__ __forceinline__ void accumulateSegment(RowPair r, int64_t storedRowBytes, int64_t cols, int64_t segment,
                                                  int segmentValues, const float* xs, uint4* stage, int lane,
                                                  float& sum0, float& sum1) {
    const int64_t firstUnit = segment / kUnitValues;
    const int64_t endUnit = firstUnit + (segmentValues + kUnitValues - 1) / kUnitValues;
    for (int64_t first = firstUnit; first < endUnit; first += kStepUnits<T>) {
        const int64_t offset = chunkByteOffset<T>(first);
        const int vectors0 = stepLoadVectors<T>(storedRowBytes, first);
        const int vectors1 = r.row1 ? vectors0 : 0;
        const uint4* from0 = reinterpret_cast<const uint4*>(r.row0 + offset);
        const uint4* from1 = reinterpret_cast<const uint4*>((r.row1 ? r.row1 : r.row0) + offset);
        // All loads of the step first (in flight together), then the stores; the
        // two rows alternate, so a lane's i-th loads are the same instruction in
        // every lane that makes them.
        uint4 loaded0[kLoadsPerRow<T>], loaded1[kLoadsPerRow<T>];
#pragma unroll
        for (int i = 0; i < kLoadsPerRow<T>; ++i) {
            const int k = lane + 32 * i;
            if (k < vectors0) loaded0[i] = __ldg(from0 + k);
            if (k < vectors1) loaded1[i] = __ldg(from1 + k);
        }
#pragma unroll
        for (int i = 0; i < kLoadsPerRow<T>; ++i) {
            const int k = lane + 32 * i;
            if (k < vectors0) wideStore(stage + k, loaded0[i]);
            if (k < vectors1) wideStore(stage + kStepVectors<T> + k, loaded1[i]);
        }
        __syncwarp();
        const uint8_t* stage0 = reinterpret_cast<const uint8_t*>(stage);
        const uint8_t* stage1 = stage0 + kStepBytes<T>;
        const int64_t left = endUnit - first;
        const int stepUnits = left < kStepUnits<T> ? static_cast<int>(left) : kStepUnits<T>;
        const int quad = lane % 8;
        for (int unit = lane / 8; unit < stepUnits; unit += 4) {
            const int64_t column = (first + unit) * kUnitValues + 4 * quad;
            const float4 xv = wideLoad(reinterpret_cast<const float4*>(xs + (column - segment)));
            float w[4];
            decodeQuad<T>(stage0, unit, quad, w);
            if constexpr (T == TensorType::F32 || T == TensorType::F16 || T == TensorType::BF16) {
                // A partial last unit: what lies past the row is not a weight.
                for (int i = 0; i < 4; ++i) w[i] = column + i < cols ? w[i] : 0.0f;
            }
            sum0 += w[0] * xv.x + w[1] * xv.y + w[2] * xv.z + w[3] * xv.w;
            if (r.row1) {
                decodeQuad<T>(stage1, unit, quad, w);
                if constexpr (T == TensorType::F32 || T == TensorType::F16 || T == TensorType::BF16) {
                    for (int i = 0; i < 4; ++i) w[i] = column + i < cols ? w[i] : 0.0f;
                }
                sum1 += w[0] * xv.x + w[1] * xv.y + w[2] * xv.z + w[3] * xv.w;
            }
        }
        __syncwarp();  // the stage is overwritten next step
    }
}

// The job's pairs, kWarps * pairsPerWarp per block. With a norm, the products
// are taken with norm.weighted and scaled by 1/rms(x) from norm.squares
// (MatvecNorm). Where the job asks for them, block b writes the squares of
// what it wrote to squaresOut()[b].
template <TensorType T, typename Job>
__global__ void __launch_bounds__(kThreads)
    matvecKernel(Job job, int64_t cols, int64_t storedRowBytes, const float* __restrict__ x, MatvecNorm norm,
                 int pairsPerWarp) {
    __shared__ float4 xsVectors[kSegmentValues / 4];  // float4: 16-byte aligned
    __shared__ uint4 stage[kWarps][2 * kStepVectors<T>];
    __shared__ float warpTotals[kWarps];
    float* xs = reinterpret_cast<float*>(xsVectors);
    const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
    const int64_t pairs = job.pairs();
    const int64_t firstPair = static_cast<int64_t>(blockIdx.x) * kWarps * pairsPerWarp + warp;
    const float* input = norm.enabled ? norm.weighted : x;

    float sums[kMaxPairsPerWarp][2];
#pragma unroll
    for (int j = 0; j < kMaxPairsPerWarp; ++j) sums[j][0] = sums[j][1] = 0.0f;
    for (int64_t segment = 0; segment < cols; segment += kSegmentValues) {
        const int segmentValues = static_cast<int>(cols - segment < kSegmentValues ? cols - segment : kSegmentValues);
        __syncthreads();  // every warp is done with the previous segment
        stageX(input + segment, segmentValues, xs);
        __syncthreads();
#pragma unroll
        for (int j = 0; j < kMaxPairsPerWarp; ++j) {
            const int64_t pair = firstPair + static_cast<int64_t>(j) * kWarps;
            if (j >= pairsPerWarp || pair >= pairs) break;  // the whole warp together
            accumulateSegment<T>(job.rowsOf(pair), storedRowBytes, cols, segment, segmentValues, xs, stage[warp],
                                 lane, sums[j][0], sums[j][1]);
        }
    }
    float scale = 1.0f;
    if (norm.enabled) {
        // The writer's partial sums (warp 0 adds them; every thread reads the total).
        if (warp == 0) {
            float total = 0.0f;
            for (int i = lane; i < norm.squareCount; i += 32) total += norm.squares[i];
            total = warpSum(total);
            if (lane == 0) warpTotals[0] = total;
        }
        __syncthreads();
        scale = rmsScale(warpTotals[0], static_cast<int>(cols), norm.eps);
    }
    if constexpr (Job::kByRow) {
        // The block's rows are contiguous: one thread stores each, so the
        // epilogue's loads (y for the residual, the next norm's weight) are coalesced.
        __shared__ float rowSums[2 * kWarps * kMaxPairsPerWarp];
#pragma unroll
        for (int j = 0; j < kMaxPairsPerWarp; ++j) {
            const int64_t pair = firstPair + static_cast<int64_t>(j) * kWarps;
            if (j >= pairsPerWarp || pair >= pairs) break;
            float s0 = sums[j][0], s1 = sums[j][1];
            warpSum2(s0, s1);
            const int local = warp + j * kWarps;
            if (lane == 0) {
                rowSums[2 * local] = s0 * scale;
                rowSums[2 * local + 1] = s1 * scale;
            }
        }
        __syncthreads();  // also: every thread has read warpTotals[0]
        const int64_t firstRow = 2 * static_cast<int64_t>(blockIdx.x) * kWarps * pairsPerWarp;
        float written = 0.0f;  // squares of the values this thread stored
        for (int t = static_cast<int>(threadIdx.x); t < 2 * kWarps * pairsPerWarp; t += kThreads) {
            if (firstRow + t < job.rows) written += job.store(firstRow + t, rowSums[t]);
        }
        if (job.next.squares) {
            written = warpSum(written);
            if (lane == 0) warpTotals[warp] = written;
            __syncthreads();
            if (threadIdx.x == 0) {
                float total = 0.0f;
                for (int w = 0; w < kWarps; ++w) total += warpTotals[w];
                job.next.squares[blockIdx.x] = total;
            }
        }
    } else {
#pragma unroll
        for (int j = 0; j < kMaxPairsPerWarp; ++j) {
            const int64_t pair = firstPair + static_cast<int64_t>(j) * kWarps;
            if (j >= pairsPerWarp || pair >= pairs) break;
            float s0 = sums[j][0], s1 = sums[j][1];
            warpSum2(s0, s1);
            if (lane == 0) job.finish(pair, s0 * scale, s1 * scale);
        }
    }
}

// Pairs per warp: as many as keep at least kTargetBlocks blocks (x is read once
// per block, so fewer, fuller blocks read it less), 1 to kMaxPairsPerWarp.
int pairsPerWarpFor(int64_t pairs) {
    const int64_t perWarp = pairs / (kTargetBlocks * kWarps);
    return static_cast<int>(perWarp < 1 ? 1 : perWarp > kMaxPairsPerWarp ? kMaxPairsPerWarp : perWarp);
}

unsigned blocksFor(int64_t pairs) {
    const int64_t perBlock = static_cast<int64_t>(kWarps) * pairsPerWarpFor(pairs);
    return static_cast<unsigned>((pairs + perBlock - 1) / perBlock);
}

template <TensorType T, typename Job>
void launchJob(const Job& job, int64_t pairs, int64_t cols, int64_t storedRowBytes, const float* x,
               const MatvecNorm& norm, cudaStream_t stream) {
    if (norm.enabled && (!norm.weighted || !norm.squares || norm.squareCount <= 0)) {
        throw BackendError("matvec: a fused RMSNorm needs the weighted input and the squares of x");
    }
    launchKernel<matvecKernel<T, Job>>(dim3(blocksFor(pairs)), dim3(kThreads), 0, stream, job, cols, storedRowBytes,
                                       x, norm, pairsPerWarpFor(pairs));
    CUDA_CHECK_LAUNCH();
}

}  // namespace

int launchMatvec(const DeviceMatrix& w, const float* x, float* y, bool accumulate, cudaStream_t stream,
                 const MatvecNorm& norm, const NextNorm& next) {
    if (next.scaled && (!next.weight || !next.squares)) {
        throw BackendError("matvec: what the next RMSNorm reads needs its weight and room for the squares");
    }
    const PlainJob job{w.data, w.rows, w.rowStride, y, accumulate, next};
    dispatchWeightType(w.type, [&]<TensorType T>() {
        launchJob<T>(job, (w.rows + 1) / 2, w.cols, w.storedRowBytes, x, norm, stream);
    });
    return static_cast<int>(blocksFor((w.rows + 1) / 2));
}

void launchGateUpSwiglu(const DeviceMatrix& gate, const DeviceMatrix& up, const float* x, float* hidden,
                        cudaStream_t stream, const MatvecNorm& norm) {
    if (gate.type != up.type || gate.rows != up.rows || gate.cols != up.cols) {
        throw BackendError("launchGateUpSwiglu: ffn_gate and ffn_up differ in type or shape");
    }
    const GateUpJob job{gate.data, up.data, gate.rows, gate.rowStride, hidden};
    dispatchWeightType(gate.type, [&]<TensorType T>() {
        launchJob<T>(job, gate.rows, gate.cols, gate.storedRowBytes, x, norm, stream);
    });
}

bool canFuseQkvRope(const DeviceMatrix& wq, const DeviceMatrix& wk, const DeviceMatrix& wv) {
    return wq.type == wk.type && wk.type == wv.type && wq.cols == wk.cols && wk.cols == wv.cols &&
           wq.rowStride == wk.rowStride && wk.rowStride == wv.rowStride;
}

void launchQkvRopeKvWrite(const DeviceMatrix& wq, const DeviceMatrix& wk, const DeviceMatrix& wv, const float* x,
                          const RopeKvParams& p, cudaStream_t stream, const MatvecNorm& norm) {
    if (!canFuseQkvRope(wq, wk, wv) || p.tokens != 1 || wq.rows != static_cast<int64_t>(p.heads) * p.headDim ||
        wk.rows != static_cast<int64_t>(p.kvHeads) * p.headDim || wv.rows != wk.rows) {
        throw BackendError("launchQkvRopeKvWrite: q, k and v differ in type or shape, or more than one token");
    }
    const QkvRopeJob job{wq.data, wk.data, wv.data, wq.rowStride, p};
    const int64_t pairs = static_cast<int64_t>(p.heads + 2 * p.kvHeads) * (p.headDim / 2);
    dispatchWeightType(wq.type, [&]<TensorType T>() {
        launchJob<T>(job, pairs, wq.cols, wq.storedRowBytes, x, norm, stream);
    });
}

}  // namespace ps
