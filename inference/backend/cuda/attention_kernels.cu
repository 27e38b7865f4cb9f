// Causal grouped-query attention over the FP16 KV cache (keys past a sliding
// window left out), split over the sequence (flash-decoding): block (split,
// group of query heads, query) runs an online softmax over its split's keys, a
// tile of kAttentionTileKeys at a time, for every query head of one KV head at
// once (each key and value is loaded once, 4 bytes per lane), and writes a
// partial (max, sum, weighted values) per head; a second kernel merges the splits. Decode
// (one query) gets its parallelism from the splits. Prefill tiles the queries
// too (prefillAttentionKernel): a block serves consecutive queries of all query
// heads of one KV head, so each key and value is loaded once per query tile,
// not once per query; it writes the same partials for the same merge.
// The split ranges and the softmax merging are attention_math.h.
#include <cuda_fp16.h>

#include "backend/cuda/attention_math.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/memory_plan.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/warp_sums.h"
#include "backend/cuda/wide_access.h"
#include "backend/cuda/x_blocks.h"

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
    __shared__ int start;  // the position of query 0, read once per block
    if (threadIdx.x == 0) start = *p.startPos;
    __syncthreads();
    const int position = start + t;
    const int keys = position + 1;
    int first, end;
    attentionSplitRange(split, p.splitLength, firstVisibleKey(position, p.slidingWindow), keys, first, end);
    const int kvHead = kvHeadOfQueryHead(firstHead, p.heads, p.kvHeads);
    const int64_t kvDim = static_cast<int64_t>(p.kvHeads) * p.headDim;
    const int qDim = p.heads * p.headDim;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int pairs = p.headDim / 2;  // a lane or thread reads a pair of dimensions: one 4-byte load

    if (first >= end) {
        // No key of this query here: an empty partial (max -inf, weight 0 in the
        // merge) without loading q. The whole block returns before any barrier.
        const int stride = attentionPartialStride(p.headDim);
        for (int i = threadIdx.x; i < group * stride; i += kThreads) {
            const int g = i / stride, d = i % stride;
            p.partials[((static_cast<int64_t>(t) * p.heads + firstHead + g) * p.splits + split) * stride + d] =
                d == p.headDim / 2 ? -INFINITY : 0.0f;
        }
        return;
    }
    for (int i = threadIdx.x; i < group * p.headDim; i += kThreads) {
        const int64_t at = static_cast<int64_t>(t) * qDim + firstHead * p.headDim + i;
        query[i] = (p.qHalf ? __half2float(p.qHalf[at]) : p.q[at]) * p.scale;
    }
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
        const int stride = attentionPartialStride(p.headDim);
        float* partial = p.partials + ((static_cast<int64_t>(t) * p.heads + head) * p.splits + split) * stride;
        if (static_cast<int>(threadIdx.x) < pairs) {
            const float inverse = state[g].sum > 0.0f ? 1.0f / state[g].sum : 0.0f;
            reinterpret_cast<__half2*>(partial)[threadIdx.x] =
                __floats2half2_rn(acc[g][0] * inverse, acc[g][1] * inverse);
        }
        if (threadIdx.x == 0) {
            partial[pairs] = state[g].max;
            partial[pairs + 1] = state[g].sum;
        }
    }
}

constexpr int kMergeMaxHeads = 1;  // heads per merge block (the kernel is written for more)
// Block (heads [blockIdx.x * heads, ...), query): merges the splits that hold
// keys of the query. Each partial value is loaded once; each split's max and
// sum once per head (into shared memory), not once per thread.
__global__ void __launch_bounds__(kThreads) attentionMergeKernel(AttentionParams p, int heads) {
    __shared__ float weights[kMergeMaxHeads][kDecodeMaxSplits];  // exp(max_s - max), then / total
    __shared__ float sums[kMergeMaxHeads][kDecodeMaxSplits];
    const int firstHead = blockIdx.x * heads, t = blockIdx.y;
    __shared__ int start;
    if (threadIdx.x == 0) start = *p.startPos;
    __syncthreads();
    const int keys = start + t + 1;
    const int used = attentionSplitCount(keys, p.splitLength);
    const int stride = attentionPartialStride(p.headDim), pairs = p.headDim / 2;
    const float* partials =
        p.partials + (static_cast<int64_t>(t) * p.heads + firstHead) * p.splits * stride;

    for (int i = threadIdx.x; i < heads * used; i += kThreads) {
        const int h = i / used, s = i % used;
        weights[h][s] = partials[(h * p.splits + s) * stride + pairs];
        sums[h][s] = partials[(h * p.splits + s) * stride + pairs + 1];
    }
    __syncthreads();
    if (static_cast<int>(threadIdx.x) < heads) {
        // Split s's share: exp(max_s - max) * sum_s / total (its mean is already / sum_s).
        const int h = threadIdx.x;
        float globalMax = -INFINITY;
        for (int s = 0; s < used; ++s) globalMax = fmaxf(globalMax, weights[h][s]);
        float total = 0.0f;
        for (int s = 0; s < used; ++s) {
            weights[h][s] = sums[h][s] * softmaxMergeWeight(weights[h][s], globalMax);
            total += weights[h][s];
        }
        for (int s = 0; s < used; ++s) weights[h][s] /= total;
    }
    __syncthreads();
    // A thread per pair of dimensions: one 4-byte load of each split's mean.
    float* out = p.out + static_cast<int64_t>(t) * p.heads * p.headDim + firstHead * p.headDim;
    float sum0 = 0.0f, sum1 = 0.0f;  // the pair of thread i < heads * pairs (one pass: see below)
    for (int i = threadIdx.x; i < heads * pairs; i += kThreads) {
        const int h = i / pairs, d = i % pairs;
        sum0 = 0.0f;
        sum1 = 0.0f;
        for (int s = 0; s < used; ++s) {
            const float2 mean = __half22float2(
                wideLoad(reinterpret_cast<const __half2*>(partials + (h * p.splits + s) * stride) + d));
            sum0 += mean.x * weights[h][s];
            sum1 += mean.y * weights[h][s];
        }
        out[h * p.headDim + 2 * d] = sum0;
        out[h * p.headDim + 2 * d + 1] = sum1;
        if (p.outHalf) {
            __half* half = p.outHalf + static_cast<int64_t>(t) * p.heads * p.headDim + firstHead * p.headDim;
            half[h * p.headDim + 2 * d] = __float2half_rn(sum0);
            half[h * p.headDim + 2 * d + 1] = __float2half_rn(sum1);
        }
    }
    if (p.outBlocks) {
        // What wo reads as 8-bit blocks (x_blocks.h): 16 threads hold a block
        // of 32 dimensions (headDim a multiple of 32: launchAttention), so a
        // half-warp finds its largest |value|. All threads shuffle (idle ones
        // with zeros); one pass of the loop above covers every pair.
        static_assert(kMergeMaxHeads * kMaxHeadDim / 2 <= kThreads, "one pass of the merge loop");
        const int i = static_cast<int>(threadIdx.x);
        float amax = i < heads * pairs ? fmaxf(fabsf(sum0), fabsf(sum1)) : 0.0f;
        for (int offset = 8; offset > 0; offset /= 2) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, offset));
        if (i < heads * pairs) {
            const int64_t at = static_cast<int64_t>(t) * p.heads * p.headDim + firstHead * p.headDim + 2 * i;
            const float scale = xBlockScale(amax);
            p.outBlocks.quants[at] = xBlockQuant(sum0, scale);
            p.outBlocks.quants[at + 1] = xBlockQuant(sum1, scale);
            if (i % (kXBlockValues / 2) == 0) p.outBlocks.scales[at / kXBlockValues] = scale;
        }
    }
}


// --- prefill: query-tiled --------------------------------------------------------

constexpr int kTiledThreads = kPrefillTileWarps * 32;
constexpr int kTiledMaxPairsPerLane = kMaxHeadDim / 2 / 32;  // accumulator pairs a lane owns (head size 256)

__device__ __forceinline__ float warpMax(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// Block (split, `tile.group` query heads of one KV head, `tile.queries`
// consecutive queries): the flash-attention loop. Its rows (query, head) are
// owned by warps (row r by warp r % 8); each tile of kPrefillTileKeys keys and
// values of the split is loaded once into shared memory for all rows; a warp
// scores a tile with a key per lane (the key tile's odd stride keeps the lanes
// on 32 banks; q is a broadcast), folds it into each row's online softmax with
// warp max/sum, and accumulates the values with lanes across dimension pairs.
// Causal and sliding-window masks are per row; the partials are those of
// attentionSplitKernel, merged by the same kernel.
__global__ void __launch_bounds__(kTiledThreads) prefillAttentionKernel(AttentionParams p, PrefillAttentionTile tile) {
    const int pairs = p.headDim / 2, keyStride = prefillTileKeyStride(p.headDim);
    __half2* query = dynamicSharedMemory<__half2>();                       // [rows][pairs], scaled
    __half2* keys = query + tile.rows * pairs;                             // [kPrefillTileKeys][keyStride]
    __half2* values = keys + kPrefillTileKeys * keyStride;                 // [kPrefillTileKeys][pairs]
    float* weights = reinterpret_cast<float*>(values + kPrefillTileKeys * pairs);  // [rows][kPrefillTileKeys]

    const int split = blockIdx.x, firstHead = blockIdx.y * tile.group, firstQuery = blockIdx.z * tile.queries;
    const int queries = p.queries - firstQuery < tile.queries ? p.queries - firstQuery : tile.queries;
    const int rows = queries * tile.group;
    __shared__ int start;  // the position of query 0, read once per block
    if (threadIdx.x == 0) start = *p.startPos;
    __syncthreads();
    const int lastPosition = start + firstQuery + queries - 1;
    // No query of the tile reaches this split: the merge reads none of its partials.
    if (split * p.splitLength > lastPosition) return;
    int first, end;  // the keys any query of the tile sees, within the split
    attentionSplitRange(split, p.splitLength, firstVisibleKey(start + firstQuery, p.slidingWindow), lastPosition + 1,
                        first, end);
    const int kvHead = kvHeadOfQueryHead(firstHead, p.heads, p.kvHeads);
    const int64_t kvDim = static_cast<int64_t>(p.kvHeads) * p.headDim;
    const int qDim = p.heads * p.headDim;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

    // Rows in order (query, head): the heads of a query are adjacent in q.
    for (int i = threadIdx.x; i < rows * pairs; i += kTiledThreads) {
        const int r = i / pairs, pair = i % pairs;
        const int t = firstQuery + r / tile.group, head = firstHead + r % tile.group;
        const float2 qv =
            wideLoad(reinterpret_cast<const float2*>(p.q + static_cast<int64_t>(t) * qDim + head * p.headDim) + pair);
        query[i] = __floats2half2_rn(qv.x * p.scale, qv.y * p.scale);
    }

    SoftmaxState state[kPrefillRowsPerWarp];
    float acc[kPrefillRowsPerWarp][kTiledMaxPairsPerLane][2];
#pragma unroll
    for (int i = 0; i < kPrefillRowsPerWarp; ++i)
#pragma unroll
        for (int j = 0; j < kTiledMaxPairsPerLane; ++j) acc[i][j][0] = acc[i][j][1] = 0.0f;

    for (int base = first; base < end; base += kPrefillTileKeys) {
        const int n = end - base < kPrefillTileKeys ? end - base : kPrefillTileKeys;
        __syncthreads();  // q is written; the previous tile's keys, values and weights are read
        for (int i = threadIdx.x; i < n * pairs; i += kTiledThreads) {
            const int k = i / pairs, pair = i % pairs;
            const int64_t at = static_cast<int64_t>(base + k) * kvDim + kvHead * p.headDim;
            keys[k * keyStride + pair] = wideLoad(reinterpret_cast<const __half2*>(p.kCacheLayer + at) + pair);
            values[k * pairs + pair] = wideLoad(reinterpret_cast<const __half2*>(p.vCacheLayer + at) + pair);
        }
        __syncthreads();
        // Scores: lane = key, the warp's rows at once.
        float score[kPrefillRowsPerWarp];
#pragma unroll
        for (int i = 0; i < kPrefillRowsPerWarp; ++i) score[i] = 0.0f;
        if (lane < n) {
            for (int pair = 0; pair < pairs; ++pair) {
                const float2 kv = __half22float2(keys[lane * keyStride + pair]);
#pragma unroll
                for (int i = 0; i < kPrefillRowsPerWarp; ++i) {
                    const int r = warp + kPrefillTileWarps * i;
                    if (r < rows) {
                        const float2 qv = __half22float2(query[r * pairs + pair]);
                        score[i] += qv.x * kv.x + qv.y * kv.y;
                    }
                }
            }
        }
        // Each row's online softmax; the weights go to shared memory for the values.
#pragma unroll
        for (int i = 0; i < kPrefillRowsPerWarp; ++i) {
            const int r = warp + kPrefillTileWarps * i;
            if (r >= rows) break;  // the same in every lane
            const int position = start + firstQuery + r / tile.group, key = base + lane;
            const bool visible = lane < n && key <= position && key >= firstVisibleKey(position, p.slidingWindow);
            const float s = visible ? score[i] : -INFINITY;
            const float factor = softmaxRescale(state[i], warpMax(s));
            const float w = visible ? softmaxExp(s - state[i].max) : 0.0f;
            state[i].sum += warpSum(w);
            weights[r * kPrefillTileKeys + lane] = w;
#pragma unroll
            for (int j = 0; j < kTiledMaxPairsPerLane; ++j) {
                acc[i][j][0] *= factor;
                acc[i][j][1] *= factor;
            }
        }
        __syncwarp();
        // Values: lanes across dimension pairs, each value read once for the warp's rows.
        for (int k = 0; k < n; ++k) {
#pragma unroll
            for (int j = 0; j < kTiledMaxPairsPerLane; ++j) {
                const int pair = lane + 32 * j;
                if (pair >= pairs) break;
                const float2 v = __half22float2(values[k * pairs + pair]);
#pragma unroll
                for (int i = 0; i < kPrefillRowsPerWarp; ++i) {
                    const int r = warp + kPrefillTileWarps * i;
                    if (r < rows) {
                        const float w = weights[r * kPrefillTileKeys + k];
                        acc[i][j][0] += w * v.x;
                        acc[i][j][1] += w * v.y;
                    }
                }
            }
        }
    }

    const int stride = attentionPartialStride(p.headDim);
#pragma unroll
    for (int i = 0; i < kPrefillRowsPerWarp; ++i) {
        const int r = warp + kPrefillTileWarps * i;
        if (r >= rows) break;
        const int t = firstQuery + r / tile.group, head = firstHead + r % tile.group;
        float* partial = p.partials + ((static_cast<int64_t>(t) * p.heads + head) * p.splits + split) * stride;
        const float inverse = state[i].sum > 0.0f ? 1.0f / state[i].sum : 0.0f;
#pragma unroll
        for (int j = 0; j < kTiledMaxPairsPerLane; ++j) {
            const int pair = lane + 32 * j;
            if (pair < pairs)
                reinterpret_cast<__half2*>(partial)[pair] =
                    __floats2half2_rn(acc[i][j][0] * inverse, acc[i][j][1] * inverse);
        }
        if (lane == 0) {
            partial[pairs] = state[i].max;
            partial[pairs + 1] = state[i].sum;
        }
    }
}

void launchAttentionMerge(const AttentionParams& p, cudaStream_t stream) {
    const int heads = kMergeMaxHeads;
    if (p.heads % heads != 0 || p.splits > kDecodeMaxSplits)
        throw BackendError("attention: the merge does not handle this head count or split count");
    launchKernel<attentionMergeKernel>(dim3(p.heads / heads, p.queries), dim3(kThreads), 0, stream, p, heads);
    CUDA_CHECK_LAUNCH();
}

}  // namespace

void launchAttention(const AttentionParams& p, cudaStream_t stream) {
    if (p.headDim > kMaxHeadDim) throw BackendError("attention: head size above 256 is not supported");
    if (p.outBlocks && p.headDim % kXBlockValues != 0)
        throw BackendError("attention: 8-bit blocks of the output need a head size that is a multiple of 32");
    // The largest share of a KV head's query heads up to kMaxGroup that divides them.
    const int perKvHead = p.heads / p.kvHeads;
    int group = perKvHead < kMaxGroup ? perKvHead : kMaxGroup;
    while (perKvHead % group != 0) --group;
    const size_t shared = static_cast<size_t>(group) * (p.headDim + kAttentionTileKeys) * sizeof(float);
    launchKernel<attentionSplitKernel>(dim3(p.splits, p.heads / group, p.queries), dim3(kThreads), shared, stream, p,
                                       group);
    CUDA_CHECK_LAUNCH();
    launchAttentionMerge(p, stream);
}

void launchPrefillAttention(const AttentionParams& p, cudaStream_t stream) {
    if (p.headDim > kMaxHeadDim) throw BackendError("attention: head size above 256 is not supported");
    const PrefillAttentionTile tile = choosePrefillAttentionTile(p.heads, p.kvHeads, p.headDim, p.queries);
    const int queryTiles = (p.queries + tile.queries - 1) / tile.queries;
    launchKernel<prefillAttentionKernel>(dim3(p.splits, p.heads / tile.group, queryTiles), dim3(kTiledThreads),
                                         static_cast<size_t>(tile.sharedBytes), stream, p, tile);
    CUDA_CHECK_LAUNCH();
    launchAttentionMerge(p, stream);
}

}  // namespace ps
