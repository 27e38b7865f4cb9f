// Causal grouped-query attention over the FP16 KV cache (keys past a sliding
// window left out), split over the sequence (flash-decoding): block (split, head, query) runs an online softmax
// over its split's keys, a tile of kAttentionTileKeys at a time, and writes a
// partial (max, sum, weighted values); a second kernel merges the splits. Decode
// (one query) gets its parallelism from the splits, prefill from the queries.
// The split ranges and the softmax merging are attention_math.h.
#include <cuda_fp16.h>

#include "backend/cuda/attention_math.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"

namespace ps {

namespace {

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / 32;
constexpr int kMaxHeadDim = 2 * kThreads;  // each thread accumulates at most two dimensions

__global__ void __launch_bounds__(kThreads) attentionSplitKernel(AttentionParams p) {
    float* shared = dynamicSharedMemory<float>();
    float* query = shared;                // headDim
    float* weights = shared + p.headDim;  // kAttentionTileKeys: scores, then exp(score - max)

    const int split = blockIdx.x, head = blockIdx.y, t = blockIdx.z;
    const int position = *p.startPos + t;
    const int keys = position + 1;
    int first, end;
    attentionSplitRange(split, p.splitLength, firstVisibleKey(position, p.slidingWindow), keys, first, end);
    const int kvHead = kvHeadOfQueryHead(head, p.heads, p.kvHeads);
    const int64_t kvDim = static_cast<int64_t>(p.kvHeads) * p.headDim;
    const int qDim = p.heads * p.headDim;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

    for (int d = threadIdx.x; d < p.headDim; d += kThreads)
        query[d] = p.q[static_cast<int64_t>(t) * qDim + head * p.headDim + d] * p.scale;
    __syncthreads();

    SoftmaxState state;
    float acc[2] = {0.0f, 0.0f};
    for (int tile = first; tile < end; tile += kAttentionTileKeys) {
        const int n = end - tile < kAttentionTileKeys ? end - tile : kAttentionTileKeys;
        // Scores: a warp per key, lanes across the head's dimensions (coalesced).
        for (int k = warp; k < n; k += kWarps) {
            const __half* key = p.kCacheLayer + (tile + k) * kvDim + kvHead * p.headDim;
            float dot = 0.0f;
            for (int d = lane; d < p.headDim; d += 32) dot += query[d] * __half2float(key[d]);
            for (int offset = 16; offset > 0; offset /= 2) dot += __shfl_xor_sync(0xffffffffu, dot, offset);
            if (lane == 0) weights[k] = dot;
        }
        __syncthreads();
        float tileMax = -INFINITY;
        for (int k = 0; k < n; ++k) tileMax = fmaxf(tileMax, weights[k]);
        const float factor = softmaxRescale(state, tileMax);  // the same in every thread
        __syncthreads();  // everyone has read the raw scores
        if (static_cast<int>(threadIdx.x) < n) weights[threadIdx.x] = softmaxExp(weights[threadIdx.x] - state.max);
        __syncthreads();
        float tileSum = 0.0f;
        for (int k = 0; k < n; ++k) tileSum += weights[k];
        state.sum += tileSum;
        for (int j = 0; j < 2; ++j) {
            const int d = threadIdx.x + j * kThreads;
            if (d >= p.headDim) break;
            float a = acc[j] * factor;
            const __half* value = p.vCacheLayer + static_cast<int64_t>(tile) * kvDim + kvHead * p.headDim + d;
            for (int k = 0; k < n; ++k) a += weights[k] * __half2float(value[k * kvDim]);
            acc[j] = a;
        }
        __syncthreads();  // the weights are overwritten by the next tile
    }

    float* partial = p.partials + ((static_cast<int64_t>(t) * p.heads + head) * p.splits + split) * (p.headDim + 2);
    for (int j = 0; j < 2; ++j) {
        const int d = threadIdx.x + j * kThreads;
        if (d < p.headDim) partial[d] = acc[j];
    }
    if (threadIdx.x == 0) {
        partial[p.headDim] = state.max;
        partial[p.headDim + 1] = state.sum;
    }
}

// Block (head, query): merges the splits that hold keys of this query.
__global__ void __launch_bounds__(kThreads) attentionMergeKernel(AttentionParams p) {
    const int head = blockIdx.x, t = blockIdx.y;
    const int keys = *p.startPos + t + 1;
    const int used = attentionSplitCount(keys, p.splitLength);
    const float* partials = p.partials + (static_cast<int64_t>(t) * p.heads + head) * p.splits * (p.headDim + 2);
    const int stride = p.headDim + 2;

    float globalMax = -INFINITY;
    for (int s = 0; s < used; ++s) globalMax = fmaxf(globalMax, partials[s * stride + p.headDim]);
    float total = 0.0f;
    for (int s = 0; s < used; ++s)
        total += partials[s * stride + p.headDim + 1] * softmaxMergeWeight(partials[s * stride + p.headDim], globalMax);
    float* out = p.out + static_cast<int64_t>(t) * p.heads * p.headDim + head * p.headDim;
    for (int d = threadIdx.x; d < p.headDim; d += kThreads) {
        float sum = 0.0f;
        for (int s = 0; s < used; ++s)
            sum += partials[s * stride + d] * softmaxMergeWeight(partials[s * stride + p.headDim], globalMax);
        out[d] = sum / total;
    }
}

}  // namespace

void launchAttention(const AttentionParams& p, cudaStream_t stream) {
    if (p.headDim > kMaxHeadDim) throw BackendError("attention: head size above 256 is not supported");
    const size_t shared = static_cast<size_t>(p.headDim + kAttentionTileKeys) * sizeof(float);
    launchKernel<attentionSplitKernel>(dim3(p.splits, p.heads, p.queries), dim3(kThreads), shared, stream, p);
    CUDA_CHECK_LAUNCH();
    launchKernel<attentionMergeKernel>(dim3(p.heads, p.queries), dim3(kThreads), 0, stream, p);
    CUDA_CHECK_LAUNCH();
}

}  // namespace ps
