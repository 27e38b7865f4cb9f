// Decode-time attention of one token over one KV head's cache rows, for the
// query heads that share the KV head, in AVX-512: at long contexts attention,
// not the weights, is most of a decode step (1.1B shape at position 1024, the
// plain loops' dot and axpy calls took about half of it).
#include <immintrin.h>

#include <cmath>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/x86_target.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

PS_BEGIN_TARGET("avx2,fma,avx512f,avx512dq")

namespace ps::x86_avx512 {

// Rows of keys (values) asked for ahead of the one in use.
constexpr int kRowsAhead = 8;

void attendAvx512(const AttentionRows& a) {
    const int chunks = a.headDim / 16;
    // Scores: every head's q.k for each visible position, the key row read once
    // for all heads (and asked for a few rows ahead: the loop is waiting on memory).
    for (int p = a.first; p <= a.last; ++p) {
        const float* key = a.keys + static_cast<size_t>(p) * a.rowStride;
        const char* ahead = reinterpret_cast<const char*>(key + kRowsAhead * a.rowStride);
        for (int line = 0; line < a.headDim * 4; line += 64) _mm_prefetch(ahead + line, _MM_HINT_T0);
        for (int h = 0; h < a.heads; ++h) {
            const float* q = a.q + static_cast<size_t>(h) * a.headDim;
            __m512 sum = _mm512_mul_ps(_mm512_loadu_ps(q), _mm512_loadu_ps(key));
            for (int c = 1; c < chunks; ++c) {
                sum = _mm512_fmadd_ps(_mm512_loadu_ps(q + 16 * c), _mm512_loadu_ps(key + 16 * c), sum);
            }
            a.scores[static_cast<size_t>(h) * a.scoreStride + p] = _mm512_reduce_add_ps(sum) * a.scale;
        }
    }
    // Softmax per head.
    for (int h = 0; h < a.heads; ++h) {
        float* s = a.scores + static_cast<size_t>(h) * a.scoreStride;
        float maxValue = s[a.first];
        for (int p = a.first + 1; p <= a.last; ++p) maxValue = s[p] > maxValue ? s[p] : maxValue;
        float total = 0.0f;
        for (int p = a.first; p <= a.last; ++p) {
            s[p] = std::exp(s[p] - maxValue);
            total += s[p];
        }
        const float inverse = 1.0f / total;
        for (int p = a.first; p <= a.last; ++p) s[p] *= inverse;
    }
    // Values: out_h = sum_p s_h[p] v_p, four heads and four 16-value chunks at
    // a time in registers, so that a value row is read once per four heads.
    for (int h0 = 0; h0 < a.heads; h0 += 4) {
        const int nh = a.heads - h0 < 4 ? a.heads - h0 : 4;
        for (int c0 = 0; c0 < chunks; c0 += 4) {
            const int nc = chunks - c0 < 4 ? chunks - c0 : 4;
            __m512 acc[4][4];
            for (int h = 0; h < 4; ++h) {
                for (int c = 0; c < 4; ++c) acc[h][c] = _mm512_setzero_ps();
            }
            for (int p = a.first; p <= a.last; ++p) {
                const float* value = a.values + static_cast<size_t>(p) * a.rowStride + 16 * c0;
                if (c0 == 0) {
                    const char* ahead = reinterpret_cast<const char*>(value + kRowsAhead * a.rowStride);
                    for (int line = 0; line < a.headDim * 4; line += 64) _mm_prefetch(ahead + line, _MM_HINT_T0);
                }
                __m512 v[4];
                for (int c = 0; c < nc; ++c) v[c] = _mm512_loadu_ps(value + 16 * c);
                for (int h = 0; h < nh; ++h) {
                    const __m512 weight = _mm512_set1_ps(a.scores[static_cast<size_t>(h0 + h) * a.scoreStride + p]);
                    for (int c = 0; c < nc; ++c) acc[h][c] = _mm512_fmadd_ps(weight, v[c], acc[h][c]);
                }
            }
            for (int h = 0; h < nh; ++h) {
                for (int c = 0; c < nc; ++c) {
                    _mm512_storeu_ps(a.out + static_cast<size_t>(h0 + h) * a.headDim + 16 * (c0 + c), acc[h][c]);
                }
            }
        }
    }
}

}  // namespace ps::x86_avx512

PS_END_TARGET
