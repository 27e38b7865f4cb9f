// Causal grouped-query attention over the FP16 KV cache (keys past a sliding
// window left out), split over the sequence (flash-decoding): block (split,
// group of query heads, query) runs an online softmax over its split's keys, a
// tile of kAttentionTileKeys at a time, for every query head of one KV head at
// once (each key and value is loaded once, 4 bytes per lane), and writes a
// partial (max, sum, weighted values) per head; a second kernel merges the splits. Decode
// (one query) gets its parallelism from the splits, prefill from the queries.
// The split ranges and the softmax merging are attention_math.h.
#include <cuda_fp16.h>

#include "backend/cuda/attention_math.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/warp_sums.h"
#include "backend/cuda/wide_access.h"

namespace ps {

namespace {

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / 32;
constexpr int kMaxHeadDim = 2 * kThreads;  // each thread accumulates at most two dimensions

// Query heads one block serves: the query heads of one KV head (or an equal
// share of them where more than kMaxGroup share it), so that the block reads
// each key and value of its split once for all of them.
constexpr int kMaxGroup = 8;

__global__ void __launch_bounds__(kThreads) attentionSplitKernel(AttentionParams p, int group) {
    float* shared = dynamicSharedMemory<float>();
    float* query = shared;                           // [group][headDim], scaled
    float* weights = shared + group * p.headDim;     // [group][kAttentionTileKeys]: scores, then exp(score - max)

    const int split = blockIdx.x, firstHead = blockIdx.y * group, t = blockIdx.z;
    const int position = *p.startPos + t;
    const int keys = position + 1;
    int first, end;
    attentionSplitRange(split, p.splitLength, firstVisibleKey(position, p.slidingWindow), keys, first, end);
    const int kvHead = kvHeadOfQueryHead(firstHead, p.heads, p.kvHeads);
    const int64_t kvDim = static_cast<int64_t>(p.kvHeads) * p.headDim;
    const int qDim = p.heads * p.headDim;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int pairs = p.headDim / 2;  // a lane or thread reads a pair of dimensions: one 4-byte load

    for (int i = threadIdx.x; i < group * p.headDim; i += kThreads)
        query[i] = p.q[static_cast<int64_t>(t) * qDim + firstHead * p.headDim + i] * p.scale;
    __syncthreads();

    SoftmaxState state[kMaxGroup];
    float acc[kMaxGroup][2];
#pragma unroll
    for (int g = 0; g < kMaxGroup; ++g) acc[g][0] = acc[g][1] = 0.0f;
    for (int tile = first; tile < end; tile += kAttentionTileKeys) {
        const int n = end - tile < kAttentionTileKeys ? end - tile : kAttentionTileKeys;
        // Scores: a warp per key, lanes across the head's dimension pairs
        // (coalesced 4-byte loads), every query head of the group at once.
        for (int k = warp; k < n; k += kWarps) {
            const __half2* key =
                reinterpret_cast<const __half2*>(p.kCacheLayer + (tile + k) * kvDim + kvHead * p.headDim);
            float dot[kMaxGroup];
#pragma unroll
            for (int g = 0; g < kMaxGroup; ++g) dot[g] = 0.0f;
            for (int pair = lane; pair < pairs; pair += 32) {
                const float2 kv = __half22float2(wideLoad(key + pair));
#pragma unroll
                for (int g = 0; g < kMaxGroup; ++g) {
                    if (g < group) {
                        const float2 qv = wideLoad(reinterpret_cast<const float2*>(query + g * p.headDim) + pair);
                        dot[g] += qv.x * kv.x + qv.y * kv.y;
                    }
                }
            }
#pragma unroll
            for (int g = 0; g < kMaxGroup; g += 2) {
                if (g >= group) break;
                warpSum2(dot[g], dot[g + 1]);  // dot[group] is 0 where group is odd
                if (lane == 0) {
                    weights[g * kAttentionTileKeys + k] = dot[g];
                    if (g + 1 < group) weights[(g + 1) * kAttentionTileKeys + k] = dot[g + 1];
                }
            }
        }
        __syncthreads();
        float factor[kMaxGroup];
#pragma unroll
        for (int g = 0; g < kMaxGroup; ++g) {
            if (g >= group) break;
            float tileMax = -INFINITY;
            for (int k = 0; k < n; ++k) tileMax = fmaxf(tileMax, weights[g * kAttentionTileKeys + k]);
            factor[g] = softmaxRescale(state[g], tileMax);  // the same in every thread
        }
        __syncthreads();  // everyone has read the raw scores
        for (int i = threadIdx.x; i < group * kAttentionTileKeys; i += kThreads) {
            const int g = i / kAttentionTileKeys, k = i % kAttentionTileKeys;
            if (k < n) weights[i] = softmaxExp(weights[i] - state[g].max);
        }
        __syncthreads();
        // Values: a thread per dimension pair, each value loaded once for the group.
        const int pair = threadIdx.x;
#pragma unroll
        for (int g = 0; g < kMaxGroup; ++g) {
            if (g >= group) break;
            float tileSum = 0.0f;
            for (int k = 0; k < n; ++k) tileSum += weights[g * kAttentionTileKeys + k];
            state[g].sum += tileSum;
            acc[g][0] *= factor[g];
            acc[g][1] *= factor[g];
        }
        if (pair < pairs) {
            const __half2* value =
                reinterpret_cast<const __half2*>(p.vCacheLayer + static_cast<int64_t>(tile) * kvDim + kvHead * p.headDim) +
                pair;
            for (int k = 0; k < n; ++k) {
                const float2 v = __half22float2(wideLoad(value + k * (kvDim / 2)));
#pragma unroll
                for (int g = 0; g < kMaxGroup; ++g) {
                    if (g < group) {
                        const float w = weights[g * kAttentionTileKeys + k];
                        acc[g][0] += w * v.x;
                        acc[g][1] += w * v.y;
                    }
                }
            }
        }
        __syncthreads();  // the weights are overwritten by the next tile
    }

#pragma unroll
    for (int g = 0; g < kMaxGroup; ++g) {
        if (g >= group) break;
        const int head = firstHead + g;
        float* partial =
            p.partials + ((static_cast<int64_t>(t) * p.heads + head) * p.splits + split) * (p.headDim + 2);
        if (threadIdx.x < pairs) {
            partial[2 * threadIdx.x] = acc[g][0];
            partial[2 * threadIdx.x + 1] = acc[g][1];
        }
        if (threadIdx.x == 0) {
            partial[p.headDim] = state[g].max;
            partial[p.headDim + 1] = state[g].sum;
        }
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
    // The largest share of a KV head's query heads up to kMaxGroup that divides them.
    const int perKvHead = p.heads / p.kvHeads;
    int group = perKvHead < kMaxGroup ? perKvHead : kMaxGroup;
    while (perKvHead % group != 0) --group;
    const size_t shared = static_cast<size_t>(group) * (p.headDim + kAttentionTileKeys) * sizeof(float);
    launchKernel<attentionSplitKernel>(dim3(p.splits, p.heads / group, p.queries), dim3(kThreads), shared, stream, p,
                                       group);
    CUDA_CHECK_LAUNCH();
    launchKernel<attentionMergeKernel>(dim3(p.heads, p.queries), dim3(kThreads), 0, stream, p);
    CUDA_CHECK_LAUNCH();
}

}  // namespace ps
