// Matrix-vector products of decode (one token), the memory-bound core of the
// backend: every weight byte is read once. A warp owns one output row; per step
// it copies a chunk of 32 units (576 bytes of Q4_0, 4 KiB of F32) into
// shared memory with coalesced 16-byte loads, then each lane decodes one unit
// with decodeUnit<T> (weight_units.h) and multiplies it with 32 values of x.
// The weight type is a template parameter: one body for all seven types.
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/elementwise_math.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/weight_units.h"

namespace ps {

namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kThreads = kWarpsPerBlock * 32;

__device__ __forceinline__ float warpSum(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// 32 values of x starting at unit `unit` (zeros past `valid`).
__device__ __forceinline__ void loadUnitOfX(const float* x, int64_t unit, int valid, float* out) {
    const float* from = x + unit * kUnitValues;
    if (valid == kUnitValues) {
        const float4* v = reinterpret_cast<const float4*>(from);
#pragma unroll
        for (int i = 0; i < kUnitValues / 4; ++i) {
            const float4 f = __ldg(v + i);
            out[4 * i] = f.x;
            out[4 * i + 1] = f.y;
            out[4 * i + 2] = f.z;
            out[4 * i + 3] = f.w;
        }
    } else {
#pragma unroll
        for (int i = 0; i < kUnitValues; ++i) out[i] = i < valid ? from[i] : 0.0f;
    }
}

// Copies the chunk starting at unit `first` of a row into `stage` (whole warp).
template <TensorType T>
__device__ __forceinline__ void stageChunk(const uint8_t* row, int64_t storedRowBytes, int64_t first, uint4* stage,
                                           int lane) {
    const uint4* from = reinterpret_cast<const uint4*>(row + chunkByteOffset<T>(first));
    const int vectors = chunkLoadBytes<T>(storedRowBytes, first) / 16;
    for (int k = lane; k < vectors; k += 32) stage[k] = __ldg(from + k);
}

// One row's dot product (or two rows of two matrices for the fused gate/up).
template <TensorType T, bool kGateUp>
__global__ void __launch_bounds__(kThreads)
    matvecKernel(const uint8_t* w0, const uint8_t* w1, int64_t rows, int64_t cols, int64_t storedRowBytes,
                 int64_t rowStride, const float* __restrict__ x, float* __restrict__ y, bool accumulate) {
    constexpr int kVectors = kChunkBytes<T> / 16;
    __shared__ uint4 stage[kWarpsPerBlock][kGateUp ? 2 : 1][kVectors];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + warp;
    if (row >= rows) return;  // the whole warp leaves together

    const uint8_t* row0 = w0 + row * rowStride;
    const uint8_t* row1 = kGateUp ? w1 + row * rowStride : nullptr;
    const int64_t units = unitsInRow(cols);
    float sum0 = 0.0f, sum1 = 0.0f;
    for (int64_t first = 0; first < units; first += kChunkUnits<T>) {
        stageChunk<T>(row0, storedRowBytes, first, stage[warp][0], lane);
        if constexpr (kGateUp) stageChunk<T>(row1, storedRowBytes, first, stage[warp][kGateUp ? 1 : 0], lane);
        __syncwarp();
#pragma unroll
        for (int local = lane; local < kChunkUnits<T>; local += 32) {
            const int64_t unit = first + local;
            if (unit >= units) break;
            const int valid = validValuesInUnit(cols, unit);
            float xs[kUnitValues], ws[kUnitValues];
            loadUnitOfX(x, unit, valid, xs);
            decodeUnit<T>(reinterpret_cast<const uint8_t*>(stage[warp][0]), local, valid, ws);
            sum0 += dotUnit(ws, xs);
            if constexpr (kGateUp) {
                decodeUnit<T>(reinterpret_cast<const uint8_t*>(stage[warp][kGateUp ? 1 : 0]), local, valid, ws);
                sum1 += dotUnit(ws, xs);
            }
        }
        __syncwarp();  // the stage is overwritten next step
    }
    sum0 = warpSum(sum0);
    if constexpr (kGateUp) sum1 = warpSum(sum1);
    if (lane == 0) {
        if constexpr (kGateUp) {
            y[row] = swiglu(sum0, sum1);
        } else {
            y[row] = accumulate ? y[row] + sum0 : sum0;
        }
    }
}

template <TensorType T, bool kGateUp>
void launchMatvecOf(const DeviceMatrix& w0, const uint8_t* w1, const float* x, float* y, bool accumulate,
                    cudaStream_t stream) {
    const unsigned blocks = static_cast<unsigned>((w0.rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
    launchKernel<matvecKernel<T, kGateUp>>(dim3(blocks), dim3(kThreads), 0, stream, w0.data, w1, w0.rows, w0.cols,
                                           w0.storedRowBytes, w0.rowStride, x, y, accumulate);
    CUDA_CHECK_LAUNCH();
}

}  // namespace

void launchMatvec(const DeviceMatrix& w, const float* x, float* y, bool accumulate, cudaStream_t stream) {
    dispatchWeightType(w.type, [&]<TensorType T>() { launchMatvecOf<T, false>(w, nullptr, x, y, accumulate, stream); });
}

void launchGateUpSwiglu(const DeviceMatrix& gate, const DeviceMatrix& up, const float* x, float* hidden,
                        cudaStream_t stream) {
    if (gate.type != up.type || gate.rows != up.rows || gate.cols != up.cols) {
        throw BackendError("launchGateUpSwiglu: ffn_gate and ffn_up differ in type or shape");
    }
    dispatchWeightType(gate.type,
                       [&]<TensorType T>() { launchMatvecOf<T, true>(gate, up.data, x, hidden, false, stream); });
}

}  // namespace ps
