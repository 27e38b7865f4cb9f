// Matrix-vector products of decode (one token), the memory-bound core of the
// backend: every weight byte is read once, x once per group of rows.
//
// The cut (matvec_plan.h): block (slice s, group g) owns the lines of group g
// (rows; a gate row and its up row; the two dimensions RoPE turns together)
// over the columns of slice s (split-K). It stages its slice of x in shared
// memory once (read as 8-bit blocks for quantized weights, x_blocks.h, as
// FP16 for float weights; held as floats). Each warp then walks lines in
// steps: the slice's bytes of several lines (up to 4 KiB, at least 2 KiB in
// flight) are loaded with coalesced 16-byte loads (8 for Q6_K) into registers,
// stored to the warp's shared stage, and decoded a quad (4 values) per lane
// with decodeQuad<T> (weight_units.h): the 32 lanes read neighbouring words of
// the stage and of x, so no bank conflicts. With several slices, each block
// writes its partial sums; the group's last block (an integer ticket) adds
// them in slice order, so the sum does not depend on which finished last, and
// runs the job's epilogue: y (+)= s with what the next RMSNorm reads,
// silu(gate) * up, or the Q/K/V biases, RoPE and the KV-cache write; the
// vector it writes for the next matvec also as 8-bit blocks. The
// weight type is a template parameter: one body for all seven types.
#include <type_traits>

#include "backend/cuda/attention_math.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/elementwise_math.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/matvec_plan.h"
#include "backend/cuda/rope_math.h"
#include "backend/cuda/weight_units.h"
#include "backend/cuda/warp_sums.h"
#include "backend/cuda/wide_access.h"
#include "backend/cuda/x_blocks.h"

namespace ps {

namespace {

constexpr int kWarps = 8;
constexpr int kThreads = kWarps * 32;
constexpr int kSliceValues = kMatvecSliceValues;
constexpr int kStageBytes = kMatvecStageBytes;

template <int Bytes>
struct LoadWord;
template <>
struct LoadWord<16> {
    using Type = uint4;
};
template <>
struct LoadWord<8> {
    using Type = uint2;
};

// y[r] = (W x)[r], or y[r] += (W x)[r] (the residual add). With `next`, also
// what the next RMSNorm reads (NextNorm).
struct PlainJob {
    const uint8_t* w;
    int64_t rows, rowStride;
    float* y;
    bool accumulate;
    NextNorm next;

    __device__ const uint8_t* lineRow(int64_t line) const { return w + line * rowStride; }
};

// hidden[p] = silu((gate x)[p]) * (up x)[p]: line 2p is gate row p, line 2p + 1 up row p.
struct GateUpJob {
    const uint8_t *gate, *up;
    int64_t rows, rowStride;
    float* hidden;
    __half* hiddenHalf;
    XBlocks hiddenBlocks;

    __device__ const uint8_t* lineRow(int64_t line) const { return (line % 2 ? up : gate) + line / 2 * rowStride; }
};

// q, k and v of one token in one launch: lines 2p and 2p + 1 are the two
// dimensions of a head that RoPE turns together (rope_math.h's ropePairDims),
// of wq, wk or wv. The epilogue adds the biases, turns q and k, writes q
// (FP32) and k, v (FP16) into the cache at the token's position.
struct QkvRopeJob {
    const uint8_t *wq, *wk, *wv;
    int64_t rowStride;
    RopeKvParams p;

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
    __device__ const uint8_t* lineRow(int64_t line) const {
        int head, a, b;
        bool rotate;
        const int which = locate(line / 2, head, a, b, rotate);
        const uint8_t* w = which == 0 ? wq : which == 1 ? wk : wv;
        const int64_t base = static_cast<int64_t>(head) * p.headDim;
        return w + (base + (line % 2 ? b : a)) * rowStride;
    }
    __device__ void finish(int64_t pair, float s0, float s1, int position) const {
        int head, a, b;
        bool rotate;
        const int which = locate(pair, head, a, b, rotate);
        const float* bias = which == 0 ? p.qBias : which == 1 ? p.kBias : p.vBias;
        const int base = head * p.headDim;
        if (bias) {
            s0 += bias[base + a];
            s1 += bias[base + b];
        }
        const int pairInHead = static_cast<int>(pair % (p.headDim / 2));
        if (rotate && which != 2) ropeRotate(s0, s1, ropeAngle(position, p.inverseFrequencies[pairInHead]));
        if (which == 0) {
            p.q[base + a] = s0;
            p.q[base + b] = s1;
            if (p.qHalf) {
                p.qHalf[base + a] = __float2half_rn(s0);
                p.qHalf[base + b] = __float2half_rn(s1);
            }
            return;
        }
        const KvCacheShape cache{1, 0, p.kvHeads, p.headDim};  // one layer; contextLength unused for offset(0, ...)
        __half* to = (which == 1 ? p.kCacheLayer : p.vCacheLayer) + cache.offset(0, position, head, 0);
        to[a] = __float2half_rn(s0);
        to[b] = __float2half_rn(s1);
    }
};

// x of the slice as floats (float weights): 16-byte loads where aligned, zeros
// up to the end of the last unit.
__device__ __forceinline__ void stageFloats(const float* x, int count, float* xs) {
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

// x of the slice from its FP16 copy: 8-byte loads (4 values) where aligned,
// converted to floats, zeros up to the end of the last unit.
__device__ __forceinline__ void stageHalves(const __half* x, int count, float* xs) {
    const bool vectors = reinterpret_cast<uintptr_t>(x) % 8 == 0;
    const int end = (count + kUnitValues - 1) / kUnitValues * kUnitValues;
    for (int i = 4 * static_cast<int>(threadIdx.x); i < end; i += 4 * kThreads) {
        float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        if (vectors && i + 4 <= count) {
            const uint2 v = __ldg(reinterpret_cast<const uint2*>(x + i));
            halvesToFloats(v.x, a[0], a[1]);
            halvesToFloats(v.y, a[2], a[3]);
        } else {
            for (int k = 0; k < 4; ++k) {
                if (i + k < count) a[k] = __half2float(x[i + k]);
            }
        }
        wideStore(reinterpret_cast<float4*>(xs + i), make_float4(a[0], a[1], a[2], a[3]));
    }
}

// x of the slice from its 8-bit blocks (x_blocks.h). The slice starts on a
// block and holds whole blocks (quantized weights' slices do): the blocks'
// scales first, one load per block into shared memory (not one per 4 values:
// that would cost more than the quants), then 4 quants per thread (one 4-byte
// load), converted to floats.
__device__ __forceinline__ void stageBlocks(const int8_t* quants, const float* scales, int count, float* xs,
                                            float* blockScales) {
    const int blocks = count / kXBlockValues;
    for (int b = static_cast<int>(threadIdx.x); b < blocks; b += kThreads) blockScales[b] = __ldg(scales + b);
    __syncthreads();
    for (int i = 4 * static_cast<int>(threadIdx.x); i < count; i += 4 * kThreads) {
        const unsigned word = __ldg(reinterpret_cast<const unsigned*>(quants + i));
        const float scale = blockScales[i / kXBlockValues];
        float a[4];
        for (int k = 0; k < 4; ++k) a[k] = static_cast<float>(static_cast<int8_t>((word >> (8 * k)) & 0xffu)) * scale;
        wideStore(reinterpret_cast<float4*>(xs + i), make_float4(a[0], a[1], a[2], a[3]));
    }
}

// Loads lines [first, first + count) of the slice (the window from the sector
// of `slice.begin`) into the warp's stage, line i at i * windowBytes: all
// loads first (in flight together), then the stores. Words outside the slice
// belong to the neighbouring slices and are not loaded.
template <TensorType T, typename Job>
__device__ __forceinline__ void loadLines(const Job& job, int64_t first, int count, const RowSlice& slice,
                                          int windowBytes, uint8_t* stage, int lane) {
    constexpr int kBytes = kWeightLoadBytes<T>;
    using Word = typename LoadWord<kBytes>::Type;
    constexpr int kLoads = kStageBytes / kBytes / 32;
    const int64_t windowStart = sliceWindowStart(slice);
    const int wordsPerLine = windowBytes / kBytes;
    const int words = count * wordsPerLine;
    Word loaded[kLoads];
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
        const int k = lane + 32 * i;
        const int64_t at = windowStart + static_cast<int64_t>(k % wordsPerLine) * kBytes;
        if (k < words && at >= slice.begin && at < slice.end) {
            loaded[i] = __ldg(reinterpret_cast<const Word*>(job.lineRow(first + k / wordsPerLine) + at));
        } else {
            inactiveLoad();  // a word of the neighbouring slice, or past the step's lines
        }
    }
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
        const int k = lane + 32 * i;
        const int64_t at = windowStart + static_cast<int64_t>(k % wordsPerLine) * kBytes;
        if (k < words && at >= slice.begin && at < slice.end)
            wideStore(reinterpret_cast<Word*>(stage + static_cast<int64_t>(k / wordsPerLine) * windowBytes +
                                              (at - windowStart)),
                      loaded[i]);
    }
}

// One line's dot product with the staged x: lane = (unit % 4, quad), summed
// over the warp.
template <TensorType T>
__device__ __forceinline__ float dotLine(const uint8_t* chunk, int units, int64_t firstColumn, int64_t cols,
                                         const float* xs, int lane) {
    const int quad = lane % 8;
    float sum = 0.0f;
    for (int unit = lane / 8; unit < units; unit += 4) {
        float w[4];
        decodeQuad<T>(chunk, unit, quad, w);
        const int at = unit * kUnitValues + 4 * quad;
        const float4 xv = wideLoad(reinterpret_cast<const float4*>(xs + at));
        if constexpr (T == TensorType::F32 || T == TensorType::F16 || T == TensorType::BF16) {
            // A partial last unit: what lies past the row is not a weight.
            const int64_t column = firstColumn + at;
            for (int i = 0; i < 4; ++i) w[i] = column + i < cols ? w[i] : 0.0f;
        }
        sum += w[0] * xv.x + w[1] * xv.y + w[2] * xv.z + w[3] * xv.w;
    }
    return warpSum(sum);
}

__device__ __forceinline__ float warpMax(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// The 8-bit blocks (x_blocks.h) of the values this block wrote: values
// [first, first + count) of a vector, held in shared `mine` and written as
// floats to `all`; groups of the launch hold `perGroup` values each. A block
// of 32 values inside them is quantized from `mine`, a warp per block; one
// shared with the neighbouring group(s) (the plan's groups need not hold whole
// blocks) by the last of its groups to get here, on an integer ticket, from
// the floats all of them wrote: the same floats whichever finishes last, so
// the result is deterministic. The vector's length is a multiple of 32.
__device__ void writeXBlocks(const float* all, const float* mine, int64_t first, int count, int64_t perGroup,
                             const XBlocks& out, unsigned* tickets, int* lastOf) {
    const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
    const int64_t firstBlock = first / kXBlockValues, endBlock = (first + count + kXBlockValues - 1) / kXBlockValues;
    const auto whole = [&](int64_t b) {
        return b * kXBlockValues >= first && (b + 1) * kXBlockValues <= first + count;
    };
    __threadfence();  // this group's floats reach the other groups before its tickets do
    __syncthreads();
    if (threadIdx.x < 2) {  // only the first and the last block can be shared
        const int end = static_cast<int>(threadIdx.x);
        const int64_t b = end == 0 ? firstBlock : endBlock - 1;
        int isLast = 0;
        if (!whole(b) && (end == 0 || b != firstBlock)) {
            const int64_t sharers =
                ((b + 1) * kXBlockValues - 1) / perGroup - b * kXBlockValues / perGroup + 1;
            isLast = atomicAdd(tickets + b, 1u) == static_cast<unsigned>(sharers - 1);
        }
        lastOf[end] = isLast;
    }
    __syncthreads();
    __threadfence();
    for (int64_t b = firstBlock + warp; b < endBlock; b += kWarps) {
        const bool inside = whole(b);
        if (!inside && !lastOf[b == firstBlock ? 0 : 1]) continue;  // another group quantizes it
        const int64_t at = b * kXBlockValues + lane;
        const float value = inside ? mine[at - first] : __ldcg(all + at);
        const float scale = xBlockScale(warpMax(fabsf(value)));
        out.quants[at] = xBlockQuant(value, scale);
        if (lane == 0) {
            out.scales[b] = scale;
            if (!inside) tickets[b] = 0;  // ready for the next launch
        }
    }
}

// The sum of x^2 over every group: group g's part to squares[1 + g]; the last
// group to get here adds them in group order into squares[0].
__device__ __forceinline__ void publishSquares(float mine, float* squares, unsigned* ticket, int groups, int group,
                                               float* warpTotals, int* last) {
    const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
    mine = warpSum(mine);
    if (lane == 0) warpTotals[warp] = mine;
    __syncthreads();
    if (threadIdx.x == 0) {
        float total = 0.0f;
        for (int w = 0; w < kWarps; ++w) total += warpTotals[w];
        if (groups == 1) {
            squares[0] = total;
            *last = 0;
        } else {
            squares[1 + group] = total;
            __threadfence();
            *last = atomicAdd(ticket, 1u) == static_cast<unsigned>(groups - 1);
        }
    }
    __syncthreads();
    if (!*last) return;
    __threadfence();
    if (warp == 0) {
        float total = 0.0f;
        for (int g = lane; g < groups; g += 32) total += __ldcg(squares + 1 + g);
        total = warpSum(total);
        if (lane == 0) {
            squares[0] = total;
            *ticket = 0;
        }
    }
}

// Two blocks per SM resident (at most 128 registers a thread).
template <TensorType T, typename Job>
__global__ void __launch_bounds__(kThreads, 2)
    matvecKernel(Job job, int64_t cols, int64_t storedRowBytes, MatvecInput in, MatvecNorm norm, MatvecPlan plan,
                 MatvecScratch scratch) {
    __shared__ float4 xVectors[kSliceValues / 4];  // the slice of x
    __shared__ uint4 stages[kWarps][kStageBytes / 16];
    __shared__ float sums[kMatvecMaxLines];
    __shared__ float warpTotals[kWarps];
    __shared__ float blockScales[kSliceValues / kXBlockValues];
    __shared__ float scaleShared;
    __shared__ int last;
    __shared__ int lastOf[2];
    __shared__ int tokenPosition;
    float* xs = reinterpret_cast<float*>(xVectors);
    const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
    const int slice = static_cast<int>(blockIdx.x), group = static_cast<int>(blockIdx.y);
    const RowSlice range = rowSlice(cols, storedRowBytes, WeightFormat<T>::kBlockValues, WeightFormat<T>::kBlockBytes,
                                    kWeightLoadBytes<T>, plan.slices, slice);
    const int sliceValues = static_cast<int>(range.endColumn - range.firstColumn);
    const int units = (sliceValues + kUnitValues - 1) / kUnitValues;

    if (in.xQuants) {
        stageBlocks(in.xQuants + range.firstColumn, in.xScales + range.firstColumn / kXBlockValues, sliceValues, xs,
                    blockScales);
    } else if (in.xHalf) {
        stageHalves(in.xHalf + range.firstColumn, sliceValues, xs);
    } else {
        stageFloats(in.x + range.firstColumn, sliceValues, xs);
    }
    __syncthreads();

    // The group's lines, a step of `perStep` lines per warp at a time.
    const int64_t firstLine = static_cast<int64_t>(group) * plan.linesPerGroup;
    const int lines = static_cast<int>(plan.lines - firstLine < plan.linesPerGroup ? plan.lines - firstLine
                                                                                   : plan.linesPerGroup);
    const int windowBytes = static_cast<int>(sliceWindowBytes(range));
    const int perStep = kStageBytes / windowBytes;
    const int chunkOffset = static_cast<int>(range.begin - sliceWindowStart(range));
    uint8_t* stage = reinterpret_cast<uint8_t*>(stages[warp]);
    for (int step = warp * perStep; step < lines; step += kWarps * perStep) {
        const int count = lines - step < perStep ? lines - step : perStep;
        loadLines<T>(job, firstLine + step, count, range, windowBytes, stage, lane);
        __syncwarp();
        for (int i = 0; i < count; ++i) {
            const float s = dotLine<T>(stage + i * windowBytes + chunkOffset, units, range.firstColumn, cols, xs, lane);
            if (lane == 0) sums[step + i] = s;
        }
        __syncwarp();  // the stage is overwritten next step
    }
    __syncthreads();

    if (plan.slices > 1) {
        // Partial sums out; the group's last block adds all of them, slice by slice.
        float* partials = scratch.partials + static_cast<int64_t>(group) * plan.slices * plan.linesPerGroup;
        for (int i = static_cast<int>(threadIdx.x); i < lines; i += kThreads)
            partials[static_cast<int64_t>(slice) * plan.linesPerGroup + i] = sums[i];
        __threadfence();
        __syncthreads();
        if (threadIdx.x == 0)
            last = atomicAdd(scratch.tickets + group, 1u) == static_cast<unsigned>(plan.slices - 1);
        __syncthreads();
        if (!last) return;
        __threadfence();
        for (int i = static_cast<int>(threadIdx.x); i < lines; i += kThreads) {
            float total = 0.0f;
            for (int s = 0; s < plan.slices; ++s)
                total += s == slice ? sums[i] : __ldcg(partials + static_cast<int64_t>(s) * plan.linesPerGroup + i);
            sums[i] = total;
        }
        if (threadIdx.x == 0) scratch.tickets[group] = 0;
    }
    if (threadIdx.x == 0) scaleShared = norm.enabled ? rmsScale(__ldg(norm.squares), static_cast<int>(cols), norm.eps) : 1.0f;
    __syncthreads();
    const float scale = scaleShared;
    // What the epilogue writes for the next matvec as 8-bit blocks is also kept
    // in `xs` (no longer needed for x) until it is quantized.
    unsigned* blockTickets = scratch.tickets + kMatvecMaxGroups + 1;

    if constexpr (std::is_same_v<Job, PlainJob>) {
        float squares = 0.0f;
        for (int i = static_cast<int>(threadIdx.x); i < lines; i += kThreads) {
            const int64_t r = firstLine + i;
            const float value = job.accumulate ? job.y[r] + sums[i] * scale : sums[i] * scale;
            job.y[r] = value;
            squares += value * value;
            if (job.next.scaled) {
                const float scaled = value * job.next.weight[r];
                job.next.scaled[r] = scaled;
                if (job.next.scaledHalf) job.next.scaledHalf[r] = __float2half_rn(scaled);
                xs[i] = scaled;
            }
        }
        if (job.next.scaledBlocks)
            writeXBlocks(job.next.scaled, xs, firstLine, lines, plan.linesPerGroup, job.next.scaledBlocks, blockTickets,
                         lastOf);
        if (job.next.squares)
            publishSquares(squares, job.next.squares, scratch.tickets + kMatvecMaxGroups, plan.groups, group,
                           warpTotals, &last);
    } else if constexpr (std::is_same_v<Job, GateUpJob>) {
        for (int i = static_cast<int>(threadIdx.x); i < lines / 2; i += kThreads) {
            const float h = swiglu(sums[2 * i] * scale, sums[2 * i + 1] * scale);
            job.hidden[firstLine / 2 + i] = h;
            if (job.hiddenHalf) job.hiddenHalf[firstLine / 2 + i] = __float2half_rn(h);
            xs[i] = h;
        }
        if (job.hiddenBlocks)
            writeXBlocks(job.hidden, xs, firstLine / 2, lines / 2, plan.linesPerGroup / 2, job.hiddenBlocks,
                         blockTickets, lastOf);
    } else {
        // The token's position, read once per block (the graph refreshes it in device memory).
        if (threadIdx.x == 0) tokenPosition = *job.p.startPos;
        __syncthreads();
        const int position = tokenPosition;
        for (int i = static_cast<int>(threadIdx.x); i < lines / 2; i += kThreads)
            job.finish(firstLine / 2 + i, sums[2 * i] * scale, sums[2 * i + 1] * scale, position);
    }
}

// The plan of a launch: lines, the matrix, and what x it reads.
template <TensorType T>
MatvecPlan planFor(int64_t lines, int64_t cols, int64_t storedRowBytes, int lineGrain, const MatvecInput& in,
                   const MatvecScratch& scratch) {
    MatvecShape m;
    m.lines = lines;
    m.cols = cols;
    m.storedRowBytes = storedRowBytes;
    m.blockValues = WeightFormat<T>::kBlockValues;
    m.blockBytes = WeightFormat<T>::kBlockBytes;
    m.loadBytes = kWeightLoadBytes<T>;
    m.lineGrain = lineGrain;
    m.xBytesPerValue = in.xQuants ? kXBlockBytesPerValue : in.xHalf ? 2.0 : 4.0;
    m.partialCapacity = scratch.partialFloats;
    return chooseMatvecPlan(m);
}

template <TensorType T, typename Job>
void launchJob(const Job& job, int64_t lines, int lineGrain, int64_t cols, int64_t storedRowBytes,
               const MatvecInput& in, const MatvecNorm& norm, const MatvecScratch& scratch, cudaStream_t stream) {
    if (norm.enabled && !norm.squares) throw BackendError("matvec: a fused RMSNorm needs the sum of squares of x");
    if (!in.x && !in.xHalf && !in.xQuants) throw BackendError("matvec: no input vector");
    // 8-bit x for quantized weights only (float weights keep FP16 or float x,
    // within the float reference's tight tolerance); x's blocks must line up
    // with the slices, which start on a weight block.
    MatvecInput input = in;
    constexpr bool kFloatWeights = T == TensorType::F32 || T == TensorType::F16 || T == TensorType::BF16;
    if (kFloatWeights || cols % kXBlockValues != 0) input.xQuants = nullptr;
    if (!input.xQuants && !in.x && !in.xHalf) throw BackendError("matvec: float weights need x as FP16 or floats");
    if (input.xQuants && !input.xScales) throw BackendError("matvec: 8-bit x needs its scales");
    const MatvecPlan plan = planFor<T>(lines, cols, storedRowBytes, lineGrain, input, scratch);
    if (!plan.valid) throw BackendError("matvec: rows of " + std::to_string(cols) + " columns are too long to slice");
    if (plan.slices > 1 && (!scratch.partials || !scratch.tickets))
        throw BackendError("matvec: split-K needs scratch for the partial sums");
    launchKernel<matvecKernel<T, Job>>(dim3(plan.slices, plan.groups), dim3(kThreads), 0, stream, job, cols,
                                       storedRowBytes, input, norm, plan, scratch);
    CUDA_CHECK_LAUNCH();
}

// An epilogue writing `length` values as 8-bit blocks: whole blocks, their
// floats beside them (what a shared block is quantized from), its tickets.
void checkXBlocksWritable(int64_t length, const float* floats, const MatvecScratch& scratch) {
    if (length % kXBlockValues != 0 || length / kXBlockValues > kMatvecMaxXBlocks || !floats || !scratch.tickets)
        throw BackendError("matvec: " + std::to_string(length) +
                           " values cannot be written as 8-bit blocks (a multiple of 32, with their floats)");
}

}  // namespace

void launchMatvec(const DeviceMatrix& w, const MatvecInput& x, float* y, bool accumulate, cudaStream_t stream,
                  const MatvecScratch& scratch, const MatvecNorm& norm, const NextNorm& next) {
    if (next.scaled && (!next.weight || !next.squares)) {
        throw BackendError("matvec: what the next RMSNorm reads needs its weight and room for the squares");
    }
    if (next.squares && !scratch.tickets) throw BackendError("matvec: NextNorm needs tickets");
    if (next.scaledBlocks) checkXBlocksWritable(w.rows, next.scaled, scratch);
    const PlainJob job{w.data, w.rows, w.rowStride, y, accumulate, next};
    dispatchWeightType(w.type, [&]<TensorType T>() {
        launchJob<T>(job, w.rows, 1, w.cols, w.storedRowBytes, x, norm, scratch, stream);
    });
}

void launchGateUpSwiglu(const DeviceMatrix& gate, const DeviceMatrix& up, const MatvecInput& x, float* hidden,
                        __half* hiddenHalf, cudaStream_t stream, const MatvecScratch& scratch,
                        const MatvecNorm& norm, const XBlocks& hiddenBlocks) {
    if (gate.type != up.type || gate.rows != up.rows || gate.cols != up.cols || gate.rowStride != up.rowStride) {
        throw BackendError("launchGateUpSwiglu: ffn_gate and ffn_up differ in type or shape");
    }
    if (hiddenBlocks) checkXBlocksWritable(gate.rows, hidden, scratch);
    const GateUpJob job{gate.data, up.data, gate.rows, gate.rowStride, hidden, hiddenHalf, hiddenBlocks};
    dispatchWeightType(gate.type, [&]<TensorType T>() {
        launchJob<T>(job, 2 * gate.rows, 2, gate.cols, gate.storedRowBytes, x, norm, scratch, stream);
    });
}

bool canFuseQkvRope(const DeviceMatrix& wq, const DeviceMatrix& wk, const DeviceMatrix& wv) {
    return wq.type == wk.type && wk.type == wv.type && wq.cols == wk.cols && wk.cols == wv.cols &&
           wq.rowStride == wk.rowStride && wk.rowStride == wv.rowStride;
}

void launchQkvRopeKvWrite(const DeviceMatrix& wq, const DeviceMatrix& wk, const DeviceMatrix& wv,
                          const MatvecInput& x, const RopeKvParams& p, cudaStream_t stream,
                          const MatvecScratch& scratch, const MatvecNorm& norm) {
    if (!canFuseQkvRope(wq, wk, wv) || p.tokens != 1 || wq.rows != static_cast<int64_t>(p.heads) * p.headDim ||
        wk.rows != static_cast<int64_t>(p.kvHeads) * p.headDim || wv.rows != wk.rows) {
        throw BackendError("launchQkvRopeKvWrite: q, k and v differ in type or shape, or more than one token");
    }
    const QkvRopeJob job{wq.data, wk.data, wv.data, wq.rowStride, p};
    const int64_t pairs = static_cast<int64_t>(p.heads + 2 * p.kvHeads) * (p.headDim / 2);
    dispatchWeightType(wq.type, [&]<TensorType T>() {
        launchJob<T>(job, 2 * pairs, 2, wq.cols, wq.storedRowBytes, x, norm, scratch, stream);
    });
}

}  // namespace ps
