// The small kernels around the matrix products: embedding lookup, RMSNorm,
// SwiGLU, RoPE fused with the KV-cache write, FP16 conversion and the
// dequantization that feeds cuBLAS during prefill. Each is a loop around the
// shared math of weight_units.h, rope_math.h, attention_math.h, elementwise_math.h.
#include "backend/cuda/attention_math.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/elementwise_math.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/rope_math.h"
#include "backend/cuda/weight_units.h"
#include "backend/cuda/x_blocks.h"

namespace ps {

namespace {

unsigned blocksFor(int64_t items, int threads) { return static_cast<unsigned>((items + threads - 1) / threads); }

__global__ void probeKernel(int* flag) { *flag = 1; }

constexpr int kEmbeddingThreads = 128;

// One block per token; threads walk the units of the token's row.
template <TensorType T>
__global__ void embeddingKernel(const uint8_t* table, int64_t cols, int64_t rowStride, const int32_t* tokens,
                                float* x, NextNorm next) {
    const int t = blockIdx.x;
    const uint8_t* row = table + static_cast<int64_t>(tokens[t]) * rowStride;
    float* out = x + t * cols;
    float squares = 0.0f;
    for (int64_t unit = threadIdx.x; unit < unitsInRow(cols); unit += blockDim.x) {
        const int valid = validValuesInUnit(cols, unit);
        float values[kUnitValues];
        decodeUnit<T>(row, unit, valid, values);
#pragma unroll
        for (int i = 0; i < kUnitValues; ++i) {
            if (i < valid) out[unit * kUnitValues + i] = values[i];
        }
        if (next.scaled) {
            float scaled[kUnitValues];
            float amax = 0.0f;
#pragma unroll
            for (int i = 0; i < kUnitValues; ++i) {
                const int64_t at = t * cols + unit * kUnitValues + i;
                scaled[i] = 0.0f;
                if (i < valid) {
                    scaled[i] = values[i] * next.weight[unit * kUnitValues + i];
                    next.scaled[at] = scaled[i];
                    if (next.scaledHalf) next.scaledHalf[at] = __float2half_rn(scaled[i]);
                    squares += values[i] * values[i];
                    amax = fmaxf(amax, fabsf(scaled[i]));
                }
            }
            if (next.scaledBlocks) {  // a unit is one 8-bit block of x (cols a multiple of 32: launchEmbedding)
                const float scale = xBlockScale(amax);
                const int64_t block = (t * cols) / kXBlockValues + unit;
                next.scaledBlocks.scales[block] = scale;
#pragma unroll
                for (int i = 0; i < kUnitValues; ++i)
                    next.scaledBlocks.quants[block * kXBlockValues + i] = xBlockQuant(scaled[i], scale);
            }
        }
    }
    if (next.squares) {  // one partial sum per token (block) for the norm that reads x
        __shared__ float ofWarp[kEmbeddingThreads / 32];
        for (int offset = 16; offset > 0; offset /= 2) squares += __shfl_xor_sync(0xffffffffu, squares, offset);
        if (threadIdx.x % 32 == 0) ofWarp[threadIdx.x / 32] = squares;
        __syncthreads();
        if (threadIdx.x == 0) {
            float total = 0.0f;
            for (int w = 0; w < kEmbeddingThreads / 32; ++w) total += ofWarp[w];
            next.squares[t] = total;
        }
    }
}

// One thread per unit of the whole matrix.
template <TensorType T>
__global__ void dequantizeKernel(const uint8_t* w, int64_t rows, int64_t cols, int64_t rowStride, __half* out) {
    const int64_t perRow = unitsInRow(cols);
    const int64_t index = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (index >= rows * perRow) return;
    const int64_t row = index / perRow, unit = index % perRow;
    const int valid = validValuesInUnit(cols, unit);
    float values[kUnitValues];
    decodeUnit<T>(w + row * rowStride, unit, valid, values);
    __half* to = out + row * cols + unit * kUnitValues;
#pragma unroll
    for (int i = 0; i < kUnitValues; ++i) {
        if (i < valid) to[i] = __float2half_rn(values[i]);  // constant indices keep values[] in registers
    }
}

constexpr int kNormThreads = 256;

// One block per row: sum of squares, then the scaled copy.
__global__ void __launch_bounds__(kNormThreads)
    rmsNormKernel(const float* x, const float* weight, int dim, float eps, float* outF32, __half* outF16) {
    __shared__ float partial[kNormThreads / 32];
    const float* in = x + static_cast<int64_t>(blockIdx.x) * dim;
    float sum = 0.0f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) sum += in[i] * in[i];
    for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = sum;
    __syncthreads();
    float total = 0.0f;
    for (int w = 0; w < kNormThreads / 32; ++w) total += partial[w];
    const float scale = rmsScale(total, dim, eps);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        const float value = in[i] * scale * weight[i];
        const int64_t at = static_cast<int64_t>(blockIdx.x) * dim + i;
        if (outF32) outF32[at] = value;
        if (outF16) outF16[at] = __float2half_rn(value);
    }
}

__global__ void swigluKernel(const float* gate, const float* up, int64_t count, float* outF32, __half* outF16) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= count) return;
    const float value = swiglu(gate[i], up[i]);
    if (outF32) outF32[i] = value;
    if (outF16) outF16[i] = __float2half_rn(value);
}

__global__ void floatToHalfKernel(const float* in, __half* out, int64_t count) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < count) out[i] = __float2half_rn(in[i]);
}

// One block per token, one thread per (head, pair) of q (rope_math.h's
// ropePairDims says which two dimensions): the bias is added, the pair turned;
// the threads with a kv head pair do the same to k and write k and v into the cache.
__global__ void ropeKvWriteKernel(RopeKvParams p) {
    const int t = blockIdx.x;
    const int position = *p.startPos + t;
    const int half = p.headDim / 2;
    const int qDim = p.heads * p.headDim, kvDim = p.kvHeads * p.headDim;
    const KvCacheShape cache{1, 0, p.kvHeads, p.headDim};  // one layer; contextLength unused for offset(0, ...)
    for (int pair = threadIdx.x; pair < p.heads * half; pair += blockDim.x) {
        const int head = pair / half, i = pair % half;
        int a, b;
        const bool rotate = ropePairDims(i, p.ropeDim, p.style, a, b);
        const float angle = rotate ? ropeAngle(position, p.inverseFrequencies[i]) : 0.0f;
        float* q = p.q + static_cast<int64_t>(t) * qDim + head * p.headDim;
        float q0 = q[a], q1 = q[b];
        if (p.qBias) {
            q0 += p.qBias[head * p.headDim + a];
            q1 += p.qBias[head * p.headDim + b];
        }
        if (rotate) ropeRotate(q0, q1, angle);
        q[a] = q0;
        q[b] = q1;
        if (head < p.kvHeads) {
            const int64_t row = static_cast<int64_t>(t) * kvDim + head * p.headDim;
            float k0 = p.k[row + a], k1 = p.k[row + b], v0 = p.v[row + a], v1 = p.v[row + b];
            if (p.kBias) {
                k0 += p.kBias[head * p.headDim + a];
                k1 += p.kBias[head * p.headDim + b];
            }
            if (p.vBias) {
                v0 += p.vBias[head * p.headDim + a];
                v1 += p.vBias[head * p.headDim + b];
            }
            if (rotate) ropeRotate(k0, k1, angle);
            const int64_t at = cache.offset(0, position, head, 0);
            p.kCacheLayer[at + a] = __float2half_rn(k0);
            p.kCacheLayer[at + b] = __float2half_rn(k1);
            p.vCacheLayer[at + a] = __float2half_rn(v0);
            p.vCacheLayer[at + b] = __float2half_rn(v1);
        }
    }
}

}  // namespace

void launchProbe(int* flag, cudaStream_t stream) {
    launchKernel<probeKernel>(dim3(1), dim3(1), 0, stream, flag);
    CUDA_CHECK_LAUNCH();
}

void launchEmbedding(const DeviceMatrix& table, const int32_t* tokens, int count, float* x, cudaStream_t stream,
                     const NextNorm& next) {
    static_assert(kUnitValues == kXBlockValues, "the embedding kernel writes one 8-bit block per unit");
    if (next.scaledBlocks && (table.cols % kXBlockValues != 0 || !next.scaled))
        throw BackendError("embedding: 8-bit blocks of x need rows of a multiple of 32 values and their floats");
    dispatchWeightType(table.type, [&]<TensorType T>() {
        launchKernel<embeddingKernel<T>>(dim3(count), dim3(kEmbeddingThreads), 0, stream, table.data, table.cols,
                                         table.rowStride, tokens, x, next);
    });
    CUDA_CHECK_LAUNCH();
}

void launchRmsNorm(const float* x, const float* weight, int dim, int rows, float eps, float* outF32,
                   __half* outF16, cudaStream_t stream) {
    launchKernel<rmsNormKernel>(dim3(rows), dim3(kNormThreads), 0, stream, x, weight, dim, eps, outF32, outF16);
    CUDA_CHECK_LAUNCH();
}

void launchSwiglu(const float* gate, const float* up, int64_t count, float* outF32, __half* outF16,
                  cudaStream_t stream) {
    launchKernel<swigluKernel>(dim3(blocksFor(count, 256)), dim3(256), 0, stream, gate, up, count, outF32, outF16);
    CUDA_CHECK_LAUNCH();
}

void launchDequantizeToHalf(const DeviceMatrix& w, __half* out, cudaStream_t stream) {
    const int64_t units = w.rows * unitsInRow(w.cols);
    dispatchWeightType(w.type, [&]<TensorType T>() {
        launchKernel<dequantizeKernel<T>>(dim3(blocksFor(units, 256)), dim3(256), 0, stream, w.data, w.rows, w.cols,
                                          w.rowStride, out);
    });
    CUDA_CHECK_LAUNCH();
}

void launchFloatToHalf(const float* in, __half* out, int64_t count, cudaStream_t stream) {
    launchKernel<floatToHalfKernel>(dim3(blocksFor(count, 256)), dim3(256), 0, stream, in, out, count);
    CUDA_CHECK_LAUNCH();
}

void launchRopeKvWrite(const RopeKvParams& p, cudaStream_t stream) {
    launchKernel<ropeKvWriteKernel>(dim3(p.tokens), dim3(128), 0, stream, p);
    CUDA_CHECK_LAUNCH();
}

}  // namespace ps
