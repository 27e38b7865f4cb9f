// Decode-time attention of one token over one KV head's cache rows, for the
// query heads that share the KV head, in AVX2 + FMA: the AVX2 and AVX-VNNI
// sets' AttendKernel, the same three passes as attention_avx512.cpp on 8-lane
// vectors:
//   1. scores: eight q.k partial-sum vectors (one head x eight positions) are
//      added across lanes together (reduceEight);
//   2. per head, the softmax numerators exp(s - max) with a vector exp and
//      their sum; no division yet;
//   3. values: out_h = sum_p e[p, h] v_p for up to four heads and two 8-value
//      chunks at a time in registers (16 of them in AVX2), then out_h /= sum_p e[p, h].
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/x86_target.h"

PS_BEGIN_TARGET("avx2,fma")

namespace ps::x86_avx2 {
namespace {

#define PS_UNROLL _Pragma("GCC unroll 16")

// Rows of keys (values) asked for ahead of the one in use.
constexpr int kRowsAhead = 16;

PS_PREFETCH_HELPER void fetchRowAhead(const float* row, size_t rowStride, int headDim) {
    const char* ahead = reinterpret_cast<const char*>(row + kRowsAhead * rowStride);
    for (int line = 0; line < headDim * 4; line += 64) _mm_prefetch(ahead + line, _MM_HINT_T0);
}

// Lane i of the result is the sum of v[i]'s eight lanes.
inline __m256 reduceEight(const __m256 v[8]) {
    // Per 128-bit lane: [a0+a1, a2+a3, b0+b1, b2+b3].
    const __m256 pairs01 = _mm256_hadd_ps(v[0], v[1]), pairs23 = _mm256_hadd_ps(v[2], v[3]);
    const __m256 pairs45 = _mm256_hadd_ps(v[4], v[5]), pairs67 = _mm256_hadd_ps(v[6], v[7]);
    // Per 128-bit lane: the sums of that lane's halves of v[0..3] (v[4..7]).
    const __m256 quads0 = _mm256_hadd_ps(pairs01, pairs23), quads1 = _mm256_hadd_ps(pairs45, pairs67);
    return _mm256_add_ps(_mm256_permute2f128_ps(quads0, quads1, 0x20), _mm256_permute2f128_ps(quads0, quads1, 0x31));
}

inline float reduceAdd(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline float reduceMax(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// All ones in the lanes below `remaining`.
inline __m256i tailMask(int64_t remaining) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<int64_t>(remaining, 8))),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// e^x for x <= 0, as attention_avx512.cpp's expNonPositive (Cephes' expf, a
// degree-5 polynomial for e^r), with 2^n built in the exponent bits instead of
// vscalefps: where x >= -87.5, n >= -126 and 2^n is a normal float; below, 0.
// A NaN stays NaN.
inline __m256 expNonPositive(__m256 x) {
    const __m256 representable = _mm256_cmp_ps(x, _mm256_set1_ps(-87.5f), _CMP_NLT_UQ);  // NaN too
    x = _mm256_max_ps(_mm256_set1_ps(-88.0f), x);  // a NaN x stays (max_ps returns its second operand)
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, r), r, r), _mm256_set1_ps(1.0f));
    const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(representable, _mm256_mul_ps(y, _mm256_castsi256_ps(exponent)));
}

// Pass 1, one tile: the scaled q.k of head h and up to 8 positions from p0,
// stored to scores[h * scoreStride + p - first]. kChunks: 8-value chunks per
// head where known at compile time (0: not), so that q stays in registers.
template <int kChunks>
inline void scoreTile(const AttentionRows& a, int h, int p0, int positions) {
    const int chunks = kChunks > 0 ? kChunks : a.headDim / 8;
    const float* q = a.q + static_cast<size_t>(h) * a.headDim;
    __m256 sums[8];
    PS_UNROLL
    for (int i = 0; i < 8; ++i) {
        if (i >= positions) {
            sums[i] = _mm256_setzero_ps();
            continue;
        }
        const float* key = a.keys + static_cast<size_t>(p0 + i) * a.rowStride;
        __m256 sum = _mm256_mul_ps(_mm256_loadu_ps(q), _mm256_loadu_ps(key));
        PS_UNROLL
        for (int c = 1; c < chunks; ++c) sum = _mm256_fmadd_ps(_mm256_loadu_ps(q + 8 * c), _mm256_loadu_ps(key + 8 * c), sum);
        sums[i] = sum;
    }
    const __m256 scores = _mm256_mul_ps(reduceEight(sums), _mm256_set1_ps(a.scale));
    float* row = a.scores + static_cast<size_t>(h) * a.scoreStride + (p0 - a.first);
    _mm256_maskstore_ps(row, tailMask(positions), scores);
}

// Pass 1: every head's scores, eight positions at a time (their key rows stay
// in L1 while the heads go by).
template <int kChunks>
void computeScores(const AttentionRows& a) {
    for (int p0 = a.first; p0 <= a.last; p0 += 8) {
        const int positions = std::min(8, a.last - p0 + 1);
        for (int i = 0; i < positions; ++i) {
            fetchRowAhead(a.keys + static_cast<size_t>(p0 + i) * a.rowStride, a.rowStride, a.headDim);
        }
        for (int h = 0; h < a.heads; ++h) scoreTile<kChunks>(a, h, p0, positions);
    }
}

// Pass 2: each head's scores become exp(score - its max); returns their sum.
float exponentiate(float* scores, int count) {
    const __m256 lowest = _mm256_set1_ps(-INFINITY);
    __m256 most = lowest;
    for (int i0 = 0; i0 < count; i0 += 8) {
        const __m256i mask = tailMask(count - i0);
        most = _mm256_max_ps(most, _mm256_blendv_ps(lowest, _mm256_maskload_ps(scores + i0, mask),
                                                      _mm256_castsi256_ps(mask)));
    }
    const __m256 maximum = _mm256_set1_ps(reduceMax(most));
    __m256 sum = _mm256_setzero_ps();
    for (int i0 = 0; i0 < count; i0 += 8) {
        const __m256i mask = tailMask(count - i0);
        const __m256 e = _mm256_and_ps(_mm256_castsi256_ps(mask),
                                       expNonPositive(_mm256_sub_ps(_mm256_maskload_ps(scores + i0, mask), maximum)));
        _mm256_maskstore_ps(scores + i0, mask, e);
        sum = _mm256_add_ps(sum, e);
    }
    return reduceAdd(sum);
}

// Pass 3, for heads h0..h0+NH-1 and value chunks c0..c0+NC-1 (8 values each).
template <int NH, int NC>
void weighValues(const AttentionRows& a, int h0, int c0, const float* inverseTotals) {
    __m256 acc[NH][NC];
    PS_UNROLL
    for (int h = 0; h < NH; ++h) {
        PS_UNROLL
        for (int c = 0; c < NC; ++c) acc[h][c] = _mm256_setzero_ps();
    }
    const float* weights = a.scores + static_cast<size_t>(h0) * a.scoreStride;  // weights[h * scoreStride + p - first]
    for (int p = a.first; p <= a.last; ++p, ++weights) {
        const float* value = a.values + static_cast<size_t>(p) * a.rowStride + 8 * c0;
        if (h0 == 0 && c0 == 0) fetchRowAhead(value, a.rowStride, a.headDim);
        __m256 v[NC];
        PS_UNROLL
        for (int c = 0; c < NC; ++c) v[c] = _mm256_loadu_ps(value + 8 * c);
        PS_UNROLL
        for (int h = 0; h < NH; ++h) {
            const __m256 weight = _mm256_broadcast_ss(weights + static_cast<size_t>(h) * a.scoreStride);
            PS_UNROLL
            for (int c = 0; c < NC; ++c) acc[h][c] = _mm256_fmadd_ps(weight, v[c], acc[h][c]);
        }
    }
    PS_UNROLL
    for (int h = 0; h < NH; ++h) {
        const __m256 inverse = _mm256_set1_ps(inverseTotals[h0 + h]);
        PS_UNROLL
        for (int c = 0; c < NC; ++c) {
            _mm256_storeu_ps(a.out + static_cast<size_t>(h0 + h) * a.headDim + 8 * (c0 + c),
                             _mm256_mul_ps(acc[h][c], inverse));
        }
    }
}

using WeighValues = void (*)(const AttentionRows&, int, int, const float*);
template <int NH>
constexpr WeighValues kWeighValues[2] = {weighValues<NH, 1>, weighValues<NH, 2>};
constexpr const WeighValues* kWeighValuesByHeads[4] = {kWeighValues<1>, kWeighValues<2>, kWeighValues<3>,
                                                       kWeighValues<4>};

#undef PS_UNROLL

}  // namespace

// headDim a multiple of 8 and heads at most kAttendMaxHeads (the caller checks).
void attendAvx2(const AttentionRows& a) {
    switch (a.headDim) {
        case 64: computeScores<8>(a); break;
        case 128: computeScores<16>(a); break;
        default: computeScores<0>(a); break;
    }
    const int count = a.last - a.first + 1;
    float inverseTotals[kAttendMaxHeads];
    for (int h = 0; h < a.heads; ++h) {
        inverseTotals[h] = 1.0f / exponentiate(a.scores + static_cast<size_t>(h) * a.scoreStride, count);
    }
    const int chunks = a.headDim / 8;
    for (int h0 = 0; h0 < a.heads; h0 += 4) {
        const int nh = std::min(4, a.heads - h0);
        for (int c0 = 0; c0 < chunks; c0 += 2) {
            const int nc = std::min(2, chunks - c0);
            kWeighValuesByHeads[nh - 1][nc - 1](a, h0, c0, inverseTotals);
        }
    }
}

}  // namespace ps::x86_avx2

PS_END_TARGET
