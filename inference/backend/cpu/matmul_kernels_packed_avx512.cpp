// AVX-512 VNNI kernels on repacked Q8_0, Q4_0, Q4_K and Q6_K weights (weight_packing.h):
// 16 rows at once, one row per 32-bit lane. Per 32-value block, vpdpbusd
// multiplies four unsigned weight bytes of each row by the same four activation
// bytes, broadcast; eight such steps give the 16 rows' integer block dot
// products, with no sign fix-up and no horizontal sums. The weights are stored
// unsigned (Q8_0 as w + 128, Q4_0 as its raw nibbles, i.e. w + 8), so the
// products carry an offset times the activation block's sum, which is taken off
// in floats: dot = d_w * (d_x * sum(u * x) - offset * d_x * sum(x)).
//
// A row's arithmetic does not depend on how many tokens share the call, so a
// token gets the same bits in a prefill tile as alone in decode.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/packed_prefetch.h"
#include "backend/cpu/weight_packing.h"
#include "backend/cpu/x86_target.h"
#include "tensor/quant_blocks.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

PS_BEGIN_TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")

namespace ps::x86_avx512 {
namespace {

constexpr int kTile = 4;  // tokens per pass over a group's weights
#define PS_UNROLL _Pragma("GCC unroll 8")

// Four activation bytes, the same in every lane.
inline __m512i broadcastQuad(const int8_t* q) {
    int32_t quad;
    std::memcpy(&quad, q, sizeof(quad));
    return _mm512_set1_epi32(quad);
}

// The 8 weight registers of one group block: register k holds bytes 4k..4k+3
// of the 16 rows' values.
struct Q8_0Group {
    static constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ8_0));
    static constexpr float kOffset = 128.0f;
    static void quants(const uint8_t* block, __m512i w[8]) {
        PS_UNROLL
        for (int k = 0; k < 8; ++k) w[k] = _mm512_loadu_si512(block + 2 * kPackedRows + 64 * k);
    }
};
struct Q4_0Group {
    static constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ4_0));
    static constexpr float kOffset = 8.0f;
    static void quants(const uint8_t* block, __m512i w[8]) {
        const __m512i lowMask = _mm512_set1_epi8(0x0f);
        PS_UNROLL
        for (int k = 0; k < 4; ++k) {
            const __m512i packed = _mm512_loadu_si512(block + 2 * kPackedRows + 64 * k);
            w[k] = _mm512_and_si512(packed, lowMask);
            w[k + 4] = _mm512_and_si512(_mm512_srli_epi16(packed, 4), lowMask);
        }
    }
};

// One group of 16 rows times tokens t0..t0+NT-1: out[t][lane] = dot(row lane, token t).
template <typename Group, int NT>
void groupDot(const uint8_t* group, int64_t blocks, const ActivationBatch& x, int t0, float* out,
              int64_t outStride, bool fetchAhead) {
    const ActivationBlockQ8* xb[NT];
    __m512 acc[NT];
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        xb[t] = x.blocks(t0 + t);
        acc[t] = _mm512_setzero_ps();
    }
    for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* block = group + b * Group::kBlockBytes;
        if (fetchAhead) packed::fetchAheadPart<Group::kBlockBytes, 1>(block, 0);
        const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block)));
        __m512i w[8];
        Group::quants(block, w);
        PS_UNROLL
        for (int t = 0; t < NT; ++t) {
            const ActivationBlockQ8& a = xb[t][b];
            // Two dependency chains of four steps each.
            __m512i even = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[0], broadcastQuad(a.q));
            __m512i odd = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[1], broadcastQuad(a.q + 4));
            PS_UNROLL
            for (int k = 2; k < 8; k += 2) {
                even = _mm512_dpbusd_epi32(even, w[k], broadcastQuad(a.q + 4 * k));
                odd = _mm512_dpbusd_epi32(odd, w[k + 1], broadcastQuad(a.q + 4 * k + 4));
            }
            const __m512 dot = _mm512_cvtepi32_ps(_mm512_add_epi32(even, odd));
            const __m512 blockSum =
                _mm512_fmsub_ps(_mm512_set1_ps(a.d), dot, _mm512_set1_ps(Group::kOffset * a.dsum));
            acc[t] = _mm512_fmadd_ps(dw, blockSum, acc[t]);
        }
    }
    PS_UNROLL
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(out + (t0 + t) * outStride, acc[t]);
}

// Q4_K, per 256-value block of the group: the 16 rows' 6-bit scales and mins
// stay bytes in their lanes (as q4_KScaleMin lays them out) and one byte
// shuffle per sub-block j moves the j-th to the bottom of its lane. Per 32-value
// sub-block: the integer dot product of the nibbles, times the scale in
// integers, into a float sum of the block by d_x; the mins times d_x * sum(x)
// into a second one; d and dmin are applied once per block. The high nibbles
// of a byte are used in place (byte & 0xf0, 16 times the nibble: one mask
// instead of a shift and a mask), and the 1/16 is applied to the odd
// sub-blocks' sum, once per block.
template <int NT>
void q4_KGroupDot(const uint8_t* group, int64_t blocks, const ActivationBatch& x, int t0, float* out,
                  int64_t outStride, bool fetchAhead) {
    constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ4_K));
    const ActivationBlockQ8* xb[NT];
    __m512 acc[NT], minAcc[NT];
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        xb[t] = x.blocks(t0 + t);
        acc[t] = minAcc[t] = _mm512_setzero_ps();
    }
    const __m512i lowMask = _mm512_set1_epi8(0x0f), highMask = _mm512_set1_epi8(static_cast<char>(0xf0));
    const __m512i sixBits = _mm512_set1_epi32(0x3f3f3f3f), lowNibbles = _mm512_set1_epi32(0x0f0f0f0f),
                  topTwoBits = _mm512_set1_epi32(0x03030303);
    // Byte shuffle controls that move byte i of every 32-bit lane to its bottom
    // and zero the rest (indices count within 128-bit lanes, 0x80 zeroes).
    const __m512i laneStarts = _mm512_set_epi32(12, 8, 4, 0, 12, 8, 4, 0, 12, 8, 4, 0, 12, 8, 4, 0);
    __m512i byteOf[4];
    PS_UNROLL
    for (int i = 0; i < 4; ++i) byteOf[i] = _mm512_add_epi32(laneStarts, _mm512_set1_epi32(static_cast<int>(0x80808000u + i)));
    for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* block = group + b * kBlockBytes;
        const __m512i w0 = _mm512_loadu_si512(block + 64), w1 = _mm512_loadu_si512(block + 128),
                      w2 = _mm512_loadu_si512(block + 192);
        // Bytes 0-3 of each lane: scales (mins) 0-3; of the *High words: 4-7.
        const __m512i scalesLow = _mm512_and_si512(w0, sixBits), minsLow = _mm512_and_si512(w1, sixBits);
        const __m512i scalesHigh = _mm512_or_si512(
            _mm512_and_si512(w2, lowNibbles),
            _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(w0, 6), topTwoBits), 4));
        const __m512i minsHigh = _mm512_or_si512(
            _mm512_and_si512(_mm512_srli_epi32(w2, 4), lowNibbles),
            _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(w1, 6), topTwoBits), 4));
        __m512 evenSum[NT], oddSum[NT], minSum[NT];
        PS_UNROLL
        for (int t = 0; t < NT; ++t) evenSum[t] = oddSum[t] = minSum[t] = _mm512_setzero_ps();
        PS_UNROLL
        for (int c = 0; c < 4; ++c) {
            if (fetchAhead) packed::fetchAheadPart<kBlockBytes, 4>(block, c);
            __m512i nibbles[2][8];
            PS_UNROLL
            for (int k = 0; k < 8; ++k) {
                const __m512i packed = _mm512_loadu_si512(block + 256 + 64 * (8 * c + k));
                nibbles[0][k] = _mm512_and_si512(packed, lowMask);
                nibbles[1][k] = _mm512_and_si512(packed, highMask);  // 16 x the high nibble
            }
            PS_UNROLL
            for (int h = 0; h < 2; ++h) {
                const int j = 2 * c + h;
                const __m512i scale = _mm512_shuffle_epi8(j < 4 ? scalesLow : scalesHigh, byteOf[j % 4]);
                const __m512 min =
                    _mm512_cvtepi32_ps(_mm512_shuffle_epi8(j < 4 ? minsLow : minsHigh, byteOf[j % 4]));
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    const ActivationBlockQ8& a = xb[t][b * 8 + j];
                    __m512i even = _mm512_dpbusd_epi32(_mm512_setzero_si512(), nibbles[h][0], broadcastQuad(a.q));
                    __m512i odd = _mm512_dpbusd_epi32(_mm512_setzero_si512(), nibbles[h][1], broadcastQuad(a.q + 4));
                    PS_UNROLL
                    for (int k = 2; k < 8; k += 2) {
                        even = _mm512_dpbusd_epi32(even, nibbles[h][k], broadcastQuad(a.q + 4 * k));
                        odd = _mm512_dpbusd_epi32(odd, nibbles[h][k + 1], broadcastQuad(a.q + 4 * k + 4));
                    }
                    // Below 2^31: 32 * 240 * 128 * 63 (the 16x high nibbles, the largest scale).
                    const __m512 scaled = _mm512_cvtepi32_ps(_mm512_mullo_epi32(_mm512_add_epi32(even, odd), scale));
                    __m512& sum = h == 0 ? evenSum[t] : oddSum[t];
                    sum = _mm512_fmadd_ps(_mm512_set1_ps(a.d), scaled, sum);
                    minSum[t] = _mm512_fmadd_ps(_mm512_set1_ps(a.dsum), min, minSum[t]);
                }
            }
        }
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block)));
        const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 32)));
        PS_UNROLL
        for (int t = 0; t < NT; ++t) {
            const __m512 sum = _mm512_fmadd_ps(oddSum[t], _mm512_set1_ps(1.0f / 16.0f), evenSum[t]);
            acc[t] = _mm512_fmadd_ps(d, sum, acc[t]);
            minAcc[t] = _mm512_fmadd_ps(dmin, minSum[t], minAcc[t]);
        }
    }
    PS_UNROLL
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(out + (t0 + t) * outStride, _mm512_sub_ps(acc[t], minAcc[t]));
}

// Q6_K, sub-block J (32 values) of a 256-value block: its unsigned 6-bit quants
// (q + 32), four of each row per 32-bit lane, from the register of their low
// 4 bits (sub-blocks 2c and 2c+1 in its low and high nibbles) and that of their
// top 2 bits (sub-blocks 4h..4h+3 at bits 2(J % 4)). J is a template argument
// so that every shift is an immediate and no branch is left in the loop.
template <int J>
inline __m512i q6_KQuants(__m512i low4, __m512i high2, __m512i lowMask, __m512i highMask) {
    const __m512i low = J % 2 == 0 ? low4 : _mm512_srli_epi16(low4, 4);
    constexpr int kShift = 2 * (J % 4);  // where J's top bits are; they go to bits 4-5
    __m512i high = high2;
    if constexpr (kShift < 4) high = _mm512_slli_epi16(high2, 4 - kShift);
    if constexpr (kShift > 4) high = _mm512_srli_epi16(high2, kShift - 4);
    // (low & 0x0f) | (high & 0x30)
    return _mm512_ternarylogic_epi32(lowMask, low, _mm512_and_si512(high, highMask), 0xea);
}

// Sub-blocks 2C and 2C+1 of a Q6_K block for NT tokens: their quants share the
// registers of low bits (and of top bits), loaded once for both. Per sub-block,
// the two 16-value groups' dot products, less 32 * sum(x) each (q6_KOffsets),
// times their int8 scales in integers as the scalar kernel's isum, into the
// block's float sum by d_x.
template <int NT, int C>
inline void q6_KSubBlockPair(const uint8_t* block, int64_t b, const ActivationBlockQ8* const* xb,
                             const int32_t* const* offsets, __m512* blockSum, bool fetchAhead) {
    if (fetchAhead) packed::fetchAheadPart<kPackedRows * static_cast<int>(sizeof(BlockQ6_K)), 4>(block, C);
    const __m512i lowMask = _mm512_set1_epi8(0x0f), highMask = _mm512_set1_epi8(0x30);
    __m512i q[2][8];
    PS_UNROLL
    for (int k = 0; k < 8; ++k) {
        const __m512i low4 = _mm512_loadu_si512(block + q6_KPackedLowBits(C) + 64 * k);
        const __m512i high2 = _mm512_loadu_si512(block + q6_KPackedHighBits(C / 2) + 64 * k);
        q[0][k] = q6_KQuants<2 * C>(low4, high2, lowMask, highMask);
        q[1][k] = q6_KQuants<2 * C + 1>(low4, high2, lowMask, highMask);
    }
    PS_UNROLL
    for (int h = 0; h < 2; ++h) {
        const int j = 2 * C + h;
        const __m512i scaleA =
            _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 32 + 16 * (2 * j))));
        const __m512i scaleB =
            _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 32 + 16 * (2 * j + 1))));
        PS_UNROLL
        for (int t = 0; t < NT; ++t) {
            const ActivationBlockQ8& a = xb[t][b * 8 + j];
            const int32_t* offset = offsets[t] + b * 16 + 2 * j;
            __m512i dotA = _mm512_set1_epi32(offset[0]);
            __m512i dotB = _mm512_set1_epi32(offset[1]);
            PS_UNROLL
            for (int k = 0; k < 4; ++k) {
                dotA = _mm512_dpbusd_epi32(dotA, q[h][k], broadcastQuad(a.q + 4 * k));
                dotB = _mm512_dpbusd_epi32(dotB, q[h][k + 4], broadcastQuad(a.q + 16 + 4 * k));
            }
            const __m512i isum =
                _mm512_add_epi32(_mm512_mullo_epi32(dotA, scaleA), _mm512_mullo_epi32(dotB, scaleB));
            blockSum[t] = _mm512_fmadd_ps(_mm512_set1_ps(a.d), _mm512_cvtepi32_ps(isum), blockSum[t]);
        }
    }
}

template <int NT, int... C>
inline void q6_KSubBlocks(const uint8_t* block, int64_t b, const ActivationBlockQ8* const* xb,
                          const int32_t* const* offsets, __m512* blockSum, bool fetchAhead,
                          std::integer_sequence<int, C...>) {
    (q6_KSubBlockPair<NT, C>(block, b, xb, offsets, blockSum, fetchAhead), ...);
}

template <int NT>
void q6_KGroupDot(const uint8_t* group, int64_t blocks, const ActivationBatch& x, int t0, float* out,
                  int64_t outStride, bool fetchAhead) {
    constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ6_K));
    const ActivationBlockQ8* xb[NT];
    const int32_t* offsets[NT];
    __m512 acc[NT];
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        xb[t] = x.blocks(t0 + t);
        offsets[t] = x.q6_KOffsets + (t0 + t) * (x.cols / 16);
        acc[t] = _mm512_setzero_ps();
    }
    for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* block = group + b * kBlockBytes;
        __m512 blockSum[NT];
        PS_UNROLL
        for (int t = 0; t < NT; ++t) blockSum[t] = _mm512_setzero_ps();
        q6_KSubBlocks<NT>(block, b, xb, offsets, blockSum, fetchAhead, std::make_integer_sequence<int, 4>{});
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block)));
        PS_UNROLL
        for (int t = 0; t < NT; ++t) acc[t] = _mm512_fmadd_ps(d, blockSum[t], acc[t]);
    }
    PS_UNROLL
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(out + (t0 + t) * outStride, acc[t]);
}

struct Q6_KGroup {
    template <int NT>
    static void dot(const uint8_t* group, int64_t cols, const ActivationBatch& x, int t0, float* out,
                    int64_t outStride, bool fetchAhead) {
        q6_KGroupDot<NT>(group, cols / 256, x, t0, out, outStride, fetchAhead);
    }
};

struct Q4_KGroup {
    template <int NT>
    static void dot(const uint8_t* group, int64_t cols, const ActivationBatch& x, int t0, float* out,
                    int64_t outStride, bool fetchAhead) {
        q4_KGroupDot<NT>(group, cols / 256, x, t0, out, outStride, fetchAhead);
    }
};
template <typename Group>
struct Block32Group {
    template <int NT>
    static void dot(const uint8_t* group, int64_t cols, const ActivationBatch& x, int t0, float* out,
                    int64_t outStride, bool fetchAhead) {
        groupDot<Group, NT>(group, cols / 32, x, t0, out, outStride, fetchAhead);
    }
};

template <typename Group>
void packedMatmul(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
                  int64_t outStride) {
    for (int64_t r = r0; r < r1; r += kPackedRows) {
        const uint8_t* group = w.data + r * w.rowBytes;
        for (int t0 = 0; t0 < x.tokens; t0 += kTile) {
            // The first token tile brings the group in from memory; the others find it in the cache.
            const bool fetchAhead = t0 == 0;
            switch (std::min(kTile, x.tokens - t0)) {
                case 4: Group::template dot<4>(group, w.cols, x, t0, out + r, outStride, fetchAhead); break;
                case 3: Group::template dot<3>(group, w.cols, x, t0, out + r, outStride, fetchAhead); break;
                case 2: Group::template dot<2>(group, w.cols, x, t0, out + r, outStride, fetchAhead); break;
                default: Group::template dot<1>(group, w.cols, x, t0, out + r, outStride, fetchAhead); break;
            }
        }
    }
}

#undef PS_UNROLL

}  // namespace

void addPackedKernels(MatmulKernelSet& set) {
    set.packedQ8_0 = {packQ8_0Rows, packedMatmul<Block32Group<Q8_0Group>>};
    set.packedQ4_0 = {packQ4_0Rows, packedMatmul<Block32Group<Q4_0Group>>};
    set.packedQ4_K = {packQ4_KRows, packedMatmul<Q4_KGroup>};
    set.packedQ6_K = {packQ6_KRows, packedMatmul<Q6_KGroup>};
}

}  // namespace ps::x86_avx512

PS_END_TARGET
