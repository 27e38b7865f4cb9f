#pragma once
// The arithmetic of the CUDA attention that a GPU bug would hide: where a key
// or value lives in the KV cache, how the sequence is split into pieces that
// run in parallel (flash-decoding), and how partial softmaxes are merged
// (the online softmax of Milakov & Gimelshein 2018, as in FlashAttention).
// Kernels are thin loops around these; tests/inference/cuda checks them on the
// host against a plain softmax.
#include <cmath>
#include <cstdint>

#include "tensor/host_device.h"

namespace ps {

// KV cache layout on the GPU, FP16: [layer][position][kv head][headDim] for keys,
// the same for values in a second array. One position of one layer is kvDim
// contiguous halves, written in one go by the rope + KV-write kernel.
struct KvCacheShape {
    int layers = 0;
    int contextLength = 0;
    int kvHeads = 0;
    int headDim = 0;

    PS_HD int64_t kvDim() const { return static_cast<int64_t>(kvHeads) * headDim; }
    PS_HD int64_t layerElements() const { return kvDim() * contextLength; }
    PS_HD int64_t totalElements() const { return layerElements() * layers; }
    // Index of element `d` of kv head `kvHead` at `position` in `layer`.
    PS_HD int64_t offset(int layer, int position, int kvHead, int d) const {
        return static_cast<int64_t>(layer) * layerElements() + static_cast<int64_t>(position) * kvDim() +
               static_cast<int64_t>(kvHead) * headDim + d;
    }
};

// Grouped-query attention: query head h reads KV head h / (heads / kvHeads).
PS_HD int kvHeadOfQueryHead(int queryHead, int heads, int kvHeads) {
    return queryHead / (heads / kvHeads);
}

// --- splitting the sequence --------------------------------------------------

constexpr int kAttentionTileKeys = 64;  // keys one block scores at a time (shared memory)

// Keys per split so that a context of `contextLength` needs at most `maxSplits`
// splits; a multiple of the tile so tiles never straddle splits.
PS_HD int attentionSplitLength(int contextLength, int maxSplits) {
    int length = (contextLength + maxSplits - 1) / maxSplits;
    length = (length + kAttentionTileKeys - 1) / kAttentionTileKeys * kAttentionTileKeys;
    return length < kAttentionTileKeys ? kAttentionTileKeys : length;
}

PS_HD int attentionSplitCount(int contextLength, int splitLength) {
    return (contextLength + splitLength - 1) / splitLength;
}

// The keys [first, end) split `split` covers for a query that sees the keys
// [firstKey, keys) (causal: keys = its position + 1; firstKey > 0 under a
// sliding window); empty (first >= end) when the split lies outside them.
PS_HD void attentionSplitRange(int split, int splitLength, int firstKey, int keys, int& first, int& end) {
    first = split * splitLength;
    end = first + splitLength < keys ? first + splitLength : keys;
    if (first < firstKey) first = firstKey;
}

// --- query-tiled prefill attention ------------------------------------------

// A prefill attention block serves `queries` consecutive queries times `group`
// query heads of one KV head (its rows), loading each key and value of its
// split once into shared memory for all of them, kPrefillTileKeys at a time.
constexpr int kPrefillTileKeys = 32;       // one key per lane while scoring
constexpr int kPrefillTileWarps = 8;
constexpr int kPrefillRowsPerWarp = 8;     // rows (query, head) a warp owns: registers
constexpr int kPrefillMaxRows = kPrefillTileWarps * kPrefillRowsPerWarp;
constexpr int kPrefillSharedLimit = 47 * 1024;  // dynamic shared memory: under the 48 KiB a block gets without opting in

struct PrefillAttentionTile {
    int group = 0;        // query heads of one KV head per block (a divisor of heads / kvHeads)
    int queries = 0;      // consecutive queries per block
    int rows = 0;         // group * queries
    int sharedBytes = 0;  // dynamic shared memory of the block
};

// Words (__half2) per key in the shared key tile: the head's pairs, made odd so
// that the 32 lanes (one key each) reading the same pair hit 32 banks.
PS_HD int prefillTileKeyStride(int headDim) { return (headDim / 2) | 1; }

// Shared memory of a block of `rows` rows: q as FP16 pairs, the key tile (padded),
// the value tile, and a weight per row and key.
PS_HD int prefillTileSharedBytes(int rows, int headDim) {
    const int pairs = headDim / 2;
    return 4 * (rows * pairs + kPrefillTileKeys * prefillTileKeyStride(headDim) + kPrefillTileKeys * pairs +
                rows * kPrefillTileKeys);
}

// The most rows that fit the registers and the shared memory, as many whole
// queries of a KV head's query heads as fit (a share of them, if all do not fit
// one query), at most the `queries` there are.
inline PrefillAttentionTile choosePrefillAttentionTile(int heads, int kvHeads, int headDim, int queries) {
    int maxRows = kPrefillMaxRows;
    while (maxRows > 1 && prefillTileSharedBytes(maxRows, headDim) > kPrefillSharedLimit) --maxRows;
    const int perKvHead = heads / kvHeads;
    PrefillAttentionTile t;
    t.group = perKvHead < maxRows ? perKvHead : maxRows;
    while (perKvHead % t.group != 0) --t.group;
    t.queries = maxRows / t.group;
    if (t.queries > queries) t.queries = queries;
    if (t.queries < 1) t.queries = 1;
    t.rows = t.group * t.queries;
    t.sharedBytes = prefillTileSharedBytes(t.rows, headDim);
    return t;
}

// --- online softmax ------------------------------------------------------------

// The running state of a softmax-weighted sum over some keys: max score m, sum of
// exp(score - m) l. The weighted values (acc) are kept by the caller and scaled
// with the same factors.
struct SoftmaxState {
    float max = -INFINITY;
    float sum = 0.0f;
};

PS_HD float softmaxExp(float x) {
#if defined(__CUDA_ARCH__)
    return expf(x);
#else
    return std::exp(x);
#endif
}

// Folds a tile whose largest score is `tileMax` into `state`. Returns the factor
// the old sum and the old accumulator must be multiplied by; afterwards each key
// of the tile contributes softmaxExp(score - state.max) to sum and accumulator.
PS_HD float softmaxRescale(SoftmaxState& state, float tileMax) {
    const float newMax = tileMax > state.max ? tileMax : state.max;
    const float factor = state.max == -INFINITY ? 0.0f : softmaxExp(state.max - newMax);
    state.sum *= factor;
    state.max = newMax;
    return factor;
}

// Weight of a split whose max was `splitMax` when the splits are merged under
// the overall max `globalMax` (0 for an empty split).
PS_HD float softmaxMergeWeight(float splitMax, float globalMax) {
    return splitMax == -INFINITY ? 0.0f : softmaxExp(splitMax - globalMax);
}

// A split's partial result, in floats: the softmax-weighted mean of its values
// as FP16 pairs (headDim / 2 words: a mean of FP16 cache values, so FP16 holds
// it), then its max score and its sum of exp(score - max).
PS_HD int attentionPartialStride(int headDim) { return headDim / 2 + 2; }

}  // namespace ps
