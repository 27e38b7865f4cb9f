// Decode-time attention of one token over one KV head's cache rows, for the
// query heads that share the KV head, in AVX-512: at long contexts attention,
// not the weights, is a large part of a decode step.
//
// Three passes over the visible positions, each on whole vectors:
//   1. scores: sixteen q.k partial-sum vectors (two heads x eight positions,
//      or one head x sixteen) are added across lanes together
//      (reduceSixteen), not one by one;
//   2. per head, the softmax numerators exp(s - max) with a vector exp and
//      their sum; no division yet;
//   3. values: out_h = sum_p e[p, h] v_p for four heads and four 16-value chunks
//      at a time in registers (a value row is read once per four heads), then
//      out_h /= sum_p e[p, h].
// Before (one reduction per score, scalar std::exp, accumulators the compiler
// kept in memory) one token of the 1.1B shape at position 1024 spent 14 ms of
// one thread here; see docs/performance.md.
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/x86_target.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

PS_BEGIN_TARGET("avx2,fma,avx512f,avx512dq,avx512vl")

namespace ps::x86_avx512 {
namespace {

#define PS_UNROLL _Pragma("GCC unroll 16")

// Rows of keys (values) asked for ahead of the one in use.
constexpr int kRowsAhead = 16;

PS_PREFETCH_HELPER void fetchRowAhead(const float* row, size_t rowStride, int headDim) {
    const char* ahead = reinterpret_cast<const char*>(row + kRowsAhead * rowStride);
    for (int line = 0; line < headDim * 4; line += 64) _mm_prefetch(ahead + line, _MM_HINT_T0);
}

// Lane i of the result is the sum of v[i]'s sixteen lanes: four levels of
// pairwise interleave-and-add (45 instructions for 16 sums).
inline __m512 reduceSixteen(const __m512 v[16]) {
    __m512 pairs[8];
    PS_UNROLL
    for (int i = 0; i < 8; ++i) {  // per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3]
        pairs[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]),
                                 _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
    }
    __m512 quads[4];
    PS_UNROLL
    for (int i = 0; i < 4; ++i) {  // per 128-bit lane: the lane sums of v[4i..4i+3]
        const __m512d a = _mm512_castps_pd(pairs[2 * i]), b = _mm512_castps_pd(pairs[2 * i + 1]);
        quads[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
    }
    __m512 halves[2];
    PS_UNROLL
    for (int i = 0; i < 2; ++i) {  // 128-bit lanes: [q0 L0+L1, q0 L2+L3, q1 L0+L1, q1 L2+L3]
        halves[i] = _mm512_add_ps(_mm512_shuffle_f32x4(quads[2 * i], quads[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                                  _mm512_shuffle_f32x4(quads[2 * i], quads[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    }
    return _mm512_add_ps(_mm512_shuffle_f32x4(halves[0], halves[1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(halves[0], halves[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

// e^x for x <= 0 (Cephes' expf: x = n ln2 + r, |r| <= ln2 / 2, a degree-5
// polynomial for e^r, times 2^n by vscalefps): within 2 ulp of std::exp;
// below -88 (e^x under the smallest normal float) it gives 0.
// A NaN stays NaN (so that a broken model still ends in "NaN logits").
inline __m512 expNonPositive(__m512 x) {
    // Not below -88 (max_ps returns its second operand where one is NaN: x).
    const __mmask16 representable = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.5f), _CMP_NLT_UQ);
    x = _mm512_max_ps(_mm512_set1_ps(-88.0f), x);
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), _mm512_set1_ps(1.0f));
    // Below -87.5 the result would be a denormal or less: 0, as the sum cannot see it.
    return _mm512_maskz_mov_ps(representable, _mm512_scalef_ps(y, n));
}

inline __mmask16 tailMask(int64_t remaining) {
    return remaining >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << remaining) - 1);
}

// Pass 1, one tile: the scaled q.k of kHeads heads (h, h + 1) and up to
// 16 / kHeads positions from p0, added across lanes together, stored to
// scores[head * scoreStride + p - first]. kChunks: 16-value chunks per head
// where known at compile time (0: not), so that q stays in registers.
template <int kChunks, int kHeads>
inline void scoreTile(const AttentionRows& a, int h, int p0, int positions) {
    constexpr int kPositions = 16 / kHeads;
    const int chunks = kChunks > 0 ? kChunks : a.headDim / 16;
    __m512 sums[16];
    PS_UNROLL
    for (int i = 0; i < kPositions; ++i) {
        if (i >= positions) {
            PS_UNROLL
            for (int hh = 0; hh < kHeads; ++hh) sums[hh * kPositions + i] = _mm512_setzero_ps();
            continue;
        }
        const float* key = a.keys + static_cast<size_t>(p0 + i) * a.rowStride;
        PS_UNROLL
        for (int hh = 0; hh < kHeads; ++hh) {
            const float* q = a.q + static_cast<size_t>(h + hh) * a.headDim;
            __m512 sum = _mm512_mul_ps(_mm512_loadu_ps(q), _mm512_loadu_ps(key));
            PS_UNROLL
            for (int c = 1; c < chunks; ++c) {
                sum = _mm512_fmadd_ps(_mm512_loadu_ps(q + 16 * c), _mm512_loadu_ps(key + 16 * c), sum);
            }
            sums[hh * kPositions + i] = sum;
        }
    }
    const __m512 scores = _mm512_mul_ps(reduceSixteen(sums), _mm512_set1_ps(a.scale));
    float* row = a.scores + static_cast<size_t>(h) * a.scoreStride + (p0 - a.first);
    if constexpr (kHeads == 1) {
        _mm512_mask_storeu_ps(row, tailMask(positions), scores);
    } else {
        const __mmask8 mask = static_cast<__mmask8>(tailMask(positions));
        _mm256_mask_storeu_ps(row, mask, _mm512_castps512_ps256(scores));
        _mm256_mask_storeu_ps(row + a.scoreStride, mask, _mm512_extractf32x8_ps(scores, 1));
    }
}

// Pass 1: every head's scores, sixteen positions at a time (their key rows
// stay in L1 while the heads go by), two heads at a time (eight positions per
// tile), a head left over alone (sixteen).
template <int kChunks>
void computeScores(const AttentionRows& a) {
    for (int p0 = a.first; p0 <= a.last; p0 += 16) {
        const int positions = std::min(16, a.last - p0 + 1);
        for (int i = 0; i < positions; ++i) {
            fetchRowAhead(a.keys + static_cast<size_t>(p0 + i) * a.rowStride, a.rowStride, a.headDim);
        }
        int h = 0;
        for (; h + 2 <= a.heads; h += 2) {
            scoreTile<kChunks, 2>(a, h, p0, std::min(8, positions));
            if (positions > 8) scoreTile<kChunks, 2>(a, h, p0 + 8, positions - 8);
        }
        if (h < a.heads) scoreTile<kChunks, 1>(a, h, p0, positions);
    }
}

// Pass 2: each head's scores become exp(score - its max); returns their sum.
float exponentiate(float* scores, int count) {
    __m512 most = _mm512_set1_ps(-INFINITY);
    for (int i0 = 0; i0 < count; i0 += 16) {
        most = _mm512_max_ps(most, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), tailMask(count - i0), scores + i0));
    }
    const __m512 maximum = _mm512_set1_ps(_mm512_reduce_max_ps(most));
    __m512 sum = _mm512_setzero_ps();
    for (int i0 = 0; i0 < count; i0 += 16) {
        const __mmask16 mask = tailMask(count - i0);
        const __m512 e = _mm512_maskz_mov_ps(
            mask, expNonPositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, scores + i0), maximum)));
        _mm512_mask_storeu_ps(scores + i0, mask, e);
        sum = _mm512_add_ps(sum, e);
    }
    return _mm512_reduce_add_ps(sum);
}

// Pass 3, for heads h0..h0+NH-1 and value chunks c0..c0+NC-1 (16 values each).
template <int NH, int NC>
void weighValues(const AttentionRows& a, int h0, int c0, const float* inverseTotals) {
    __m512 acc[NH][NC];
    PS_UNROLL
    for (int h = 0; h < NH; ++h) {
        PS_UNROLL
        for (int c = 0; c < NC; ++c) acc[h][c] = _mm512_setzero_ps();
    }
    const float* weights = a.scores + static_cast<size_t>(h0) * a.scoreStride;  // weights[h * scoreStride + p - first]
    for (int p = a.first; p <= a.last; ++p, ++weights) {
        const float* value = a.values + static_cast<size_t>(p) * a.rowStride + 16 * c0;
        if (h0 == 0 && c0 == 0) fetchRowAhead(value, a.rowStride, a.headDim);
        __m512 v[NC];
        PS_UNROLL
        for (int c = 0; c < NC; ++c) v[c] = _mm512_loadu_ps(value + 16 * c);
        PS_UNROLL
        for (int h = 0; h < NH; ++h) {
            const __m512 weight = _mm512_set1_ps(weights[static_cast<size_t>(h) * a.scoreStride]);
            PS_UNROLL
            for (int c = 0; c < NC; ++c) acc[h][c] = _mm512_fmadd_ps(weight, v[c], acc[h][c]);
        }
    }
    PS_UNROLL
    for (int h = 0; h < NH; ++h) {
        const __m512 inverse = _mm512_set1_ps(inverseTotals[h0 + h]);
        PS_UNROLL
        for (int c = 0; c < NC; ++c) {
            _mm512_storeu_ps(a.out + static_cast<size_t>(h0 + h) * a.headDim + 16 * (c0 + c),
                             _mm512_mul_ps(acc[h][c], inverse));
        }
    }
}

using WeighValues = void (*)(const AttentionRows&, int, int, const float*);
template <int NH>
constexpr WeighValues kWeighValues[4] = {weighValues<NH, 1>, weighValues<NH, 2>, weighValues<NH, 3>,
                                         weighValues<NH, 4>};
constexpr const WeighValues* kWeighValuesByHeads[4] = {kWeighValues<1>, kWeighValues<2>, kWeighValues<3>,
                                                       kWeighValues<4>};

#undef PS_UNROLL

}  // namespace

// heads is at most kAttendMaxHeads (the caller checks).
void attendAvx512(const AttentionRows& a) {
    switch (a.headDim) {
        case 64: computeScores<4>(a); break;
        case 128: computeScores<8>(a); break;
        default: computeScores<0>(a); break;
    }
    const int count = a.last - a.first + 1;
    float inverseTotals[kAttendMaxHeads];
    for (int h = 0; h < a.heads; ++h) {
        inverseTotals[h] = 1.0f / exponentiate(a.scores + static_cast<size_t>(h) * a.scoreStride, count);
    }
    const int chunks = a.headDim / 16;
    for (int h0 = 0; h0 < a.heads; h0 += 4) {
        const int nh = std::min(4, a.heads - h0);
        for (int c0 = 0; c0 < chunks; c0 += 4) {
            const int nc = std::min(4, chunks - c0);
            kWeighValuesByHeads[nh - 1][nc - 1](a, h0, c0, inverseTotals);
        }
    }
}

}  // namespace ps::x86_avx512

PS_END_TARGET
