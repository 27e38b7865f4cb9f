// Kernels on repacked Q8_0, Q4_0, Q4_K and Q6_K weights (weight_packing.h) in
// 256-bit registers, written once and compiled twice: for AVX2 + FMA + F16C
// (matmul_kernels_packed_avx2.cpp) and for AVX-VNNI
// (matmul_kernels_packed_avxvnni.cpp). They read the 16-row groups of the
// AVX-512 packed kernels: each 64-byte step of a group holds four bytes of each
// of the 16 rows, which here are two registers, rows 0-7 (bytes 0-31) and rows
// 8-15 (bytes 32-63), one row per 32-bit lane. One broadcast of four activation
// bytes serves both, and a 4-byte dot product per lane gives 8 rows' partial
// sums with no horizontal sums.
//
// The including file includes the headers, switches the instruction set on
// (PS_BEGIN_TARGET), and defines in `namespace ps::PS_X86_NAMESPACE { namespace { } }`:
//   template <int N> __m256i dotSteps(__m256i acc, const __m256i* u, const __m256i* s):
//       acc plus, per 32-bit lane, the sum over k < N of the four u8 x s8
//       products of u[k] and s[k]. AVX2's maddubs adds products in 16 bits with
//       saturation; the callers pass the N for which that is exact (the bound
//       is stated at each call).
//   constexpr bool kSignedQ8_0: whether its Q8_0 layout keeps the quants signed
//       (packQ8_0RowsSigned, with the sign trick) or unsigned (packQ8_0Rows, w + 128).
// and then includes this file, which ends with addPackedKernels().
//
// The weights are asked for ahead as the AVX-512 packed kernels ask
// (packed_prefetch.h). As in those, a row's arithmetic does not depend on how
// many tokens share the call, so a token gets the same bits in a prefill tile
// as alone in decode.
namespace ps::PS_X86_NAMESPACE {
namespace {

constexpr int kTile = 4;  // tokens per pass over a group's weights
#define PS_UNROLL _Pragma("GCC unroll 8")

inline __m256i load256(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// Eight f16 values (a half's scales) as floats.
inline __m256 loadHalves(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Four activation bytes, the same in every lane.
inline __m256i broadcastQuad(const int8_t* q) {
    int32_t quad;
    std::memcpy(&quad, q, sizeof(quad));
    return _mm256_set1_epi32(quad);
}

// The eight 4-byte steps of a 32-value activation block, broadcast.
inline void broadcastBlock(const int8_t* q, __m256i xq[8]) {
    PS_UNROLL
    for (int k = 0; k < 8; ++k) xq[k] = broadcastQuad(q + 4 * k);
}

// The 8 steps of a 32-value block, N steps per dotSteps call.
template <int N>
inline __m256i blockDot(const __m256i u[8], const __m256i s[8]) {
    __m256i sum = dotSteps<N>(_mm256_setzero_si256(), u, s);
    PS_UNROLL
    for (int k = N; k < 8; k += N) sum = dotSteps<N>(sum, u + k, s + k);
    return sum;
}

// The weights of one half (8 rows) of a 32-value group block, and their dot
// products with a token's activation block. Each type sets kOffset, the value
// its unsigned quants carry on top of the weight, taken off through the
// activation sum: dot = d_w * (d_x * sum(u * x) - kOffset * d_x * sum(x)).
struct Q8_0Group {
    static constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ8_0));
    static constexpr float kOffset = kSignedQ8_0 ? 0.0f : 128.0f;
    static void quants(const uint8_t* block, int half, __m256i w[8]) {
        PS_UNROLL
        for (int k = 0; k < 8; ++k) w[k] = load256(block + 2 * kPackedRows + 64 * k + 32 * half);
    }
    static __m256i dot(const __m256i w[8], const __m256i xq[8]) {
        if constexpr (kSignedQ8_0) {
            // The sign trick: |w| * (x with w's sign). |w| <= 128 and |x| <= 127
            // (the quantizer's range), so a pair of products is at most 32512 in
            // size and maddubs cannot saturate; one step per call.
            __m256i u[8], s[8];
            PS_UNROLL
            for (int k = 0; k < 8; ++k) {
                u[k] = _mm256_abs_epi8(w[k]);
                s[k] = _mm256_sign_epi8(xq[k], w[k]);
            }
            return blockDot<1>(u, s);
        } else {
            return blockDot<1>(w, xq);  // w + 128: only for dotSteps that cannot saturate (VNNI)
        }
    }
};
struct Q4_0Group {
    static constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ4_0));
    static constexpr float kOffset = 8.0f;
    static void quants(const uint8_t* block, int half, __m256i w[8]) {
        const __m256i lowMask = _mm256_set1_epi8(0x0f);
        PS_UNROLL
        for (int k = 0; k < 4; ++k) {
            const __m256i packed = load256(block + 2 * kPackedRows + 64 * k + 32 * half);
            w[k] = _mm256_and_si256(packed, lowMask);
            w[k + 4] = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowMask);
        }
    }
    // Nibbles are at most 15 and |x| at most 128: a 16-bit lane of maddubs is
    // at most 2 * 15 * 128 = 3840 in size, eight steps' sum 30720 < 32767, so
    // all eight steps may add in 16 bits.
    static __m256i dot(const __m256i w[8], const __m256i xq[8]) { return blockDot<8>(w, xq); }
};

// One group of 16 rows times tokens t0..t0+NT-1: out[t][lane] = dot(row lane, token t).
template <typename Group, int NT>
void groupDot(const uint8_t* group, int64_t blocks, const ActivationBatch& x, int t0, float* out,
              int64_t outStride, bool fetchAhead) {
    const ActivationBlockQ8* xb[NT];
    __m256 acc[2][NT];
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        xb[t] = x.blocks(t0 + t);
        acc[0][t] = acc[1][t] = _mm256_setzero_ps();
    }
    for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* block = group + b * Group::kBlockBytes;
        if (fetchAhead) packed::fetchAheadPart<Group::kBlockBytes, 1>(block, 0);
        PS_UNROLL
        for (int half = 0; half < 2; ++half) {
            const __m256 dw = loadHalves(block + 16 * half);
            __m256i w[8];
            Group::quants(block, half, w);
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                const ActivationBlockQ8& a = xb[t][b];
                __m256i xq[8];
                broadcastBlock(a.q, xq);
                const __m256 dot = _mm256_cvtepi32_ps(Group::dot(w, xq));
                const __m256 blockSum =
                    _mm256_fmsub_ps(_mm256_set1_ps(a.d), dot, _mm256_set1_ps(Group::kOffset * a.dsum));
                acc[half][t] = _mm256_fmadd_ps(dw, blockSum, acc[half][t]);
            }
        }
    }
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        _mm256_storeu_ps(out + (t0 + t) * outStride, acc[0][t]);
        _mm256_storeu_ps(out + (t0 + t) * outStride + 8, acc[1][t]);
    }
}

// Q4_K, per 256-value block and half of the group: the 8 rows' 6-bit scales
// and mins stay bytes in their lanes (as q4_KScaleMin lays them out) and one
// byte shuffle per sub-block j moves the j-th to the bottom of its lane. Per
// 32-value sub-block: the integer dot product of the nibbles, times the scale
// in integers, into a float sum of the block by d_x; the mins times
// d_x * sum(x) into a second one; d and dmin are applied once per block.
// Unlike the AVX-512 kernel the high nibbles are shifted down: used in place
// (16 times the nibble) they would make maddubs saturate.
template <int NT>
void q4_KGroupDot(const uint8_t* group, int64_t blocks, const ActivationBatch& x, int t0, float* out,
                  int64_t outStride, bool fetchAhead) {
    constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ4_K));
    const ActivationBlockQ8* xb[NT];
    __m256 acc[2][NT];
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        xb[t] = x.blocks(t0 + t);
        acc[0][t] = acc[1][t] = _mm256_setzero_ps();
    }
    const __m256i lowMask = _mm256_set1_epi8(0x0f);
    const __m256i sixBits = _mm256_set1_epi32(0x3f3f3f3f), lowNibbles = _mm256_set1_epi32(0x0f0f0f0f),
                  topTwoBits = _mm256_set1_epi32(0x03030303);
    // Byte shuffle controls that move byte i of every 32-bit lane to its bottom
    // and zero the rest (indices count within 128-bit lanes, 0x80 zeroes).
    const __m256i laneStarts = _mm256_set_epi32(12, 8, 4, 0, 12, 8, 4, 0);
    __m256i byteOf[4];
    PS_UNROLL
    for (int i = 0; i < 4; ++i) {
        byteOf[i] = _mm256_add_epi32(laneStarts, _mm256_set1_epi32(static_cast<int>(0x80808000u + i)));
    }
    for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* block = group + b * kBlockBytes;
        PS_UNROLL
        for (int half = 0; half < 2; ++half) {
            const __m256i w0 = load256(block + 64 + 32 * half), w1 = load256(block + 128 + 32 * half),
                          w2 = load256(block + 192 + 32 * half);
            // Bytes 0-3 of each lane: scales (mins) 0-3; of the *High words: 4-7.
            const __m256i scalesLow = _mm256_and_si256(w0, sixBits), minsLow = _mm256_and_si256(w1, sixBits);
            const __m256i scalesHigh = _mm256_or_si256(
                _mm256_and_si256(w2, lowNibbles),
                _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(w0, 6), topTwoBits), 4));
            const __m256i minsHigh = _mm256_or_si256(
                _mm256_and_si256(_mm256_srli_epi32(w2, 4), lowNibbles),
                _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(w1, 6), topTwoBits), 4));
            __m256 sum[NT], minSum[NT];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) sum[t] = minSum[t] = _mm256_setzero_ps();
            PS_UNROLL
            for (int j = 0; j < 8; ++j) {
                // Both halves read the same lines: the first asks for them.
                if (half == 0 && fetchAhead && j % 2 == 0) packed::fetchAheadPart<kBlockBytes, 4>(block, j / 2);
                const int c = j / 2, h = j % 2;
                __m256i nibbles[8];
                PS_UNROLL
                for (int k = 0; k < 8; ++k) {
                    const __m256i packed = load256(block + 256 + 64 * (8 * c + k) + 32 * half);
                    nibbles[k] = _mm256_and_si256(h == 0 ? packed : _mm256_srli_epi16(packed, 4), lowMask);
                }
                const __m256i scale = _mm256_shuffle_epi8(j < 4 ? scalesLow : scalesHigh, byteOf[j % 4]);
                const __m256 min =
                    _mm256_cvtepi32_ps(_mm256_shuffle_epi8(j < 4 ? minsLow : minsHigh, byteOf[j % 4]));
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    const ActivationBlockQ8& a = xb[t][b * 8 + j];
                    __m256i xq[8];
                    broadcastBlock(a.q, xq);
                    // Nibbles: eight steps may add in 16 bits (Q4_0Group::dot says why).
                    // Times the scale below 2^31: 32 * 15 * 128 * 63.
                    const __m256 scaled =
                        _mm256_cvtepi32_ps(_mm256_mullo_epi32(blockDot<8>(nibbles, xq), scale));
                    sum[t] = _mm256_fmadd_ps(_mm256_set1_ps(a.d), scaled, sum[t]);
                    minSum[t] = _mm256_fmadd_ps(_mm256_set1_ps(a.dsum), min, minSum[t]);
                }
            }
            const __m256 d = loadHalves(block + 16 * half), dmin = loadHalves(block + 32 + 16 * half);
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                acc[half][t] = _mm256_fmadd_ps(d, sum[t], acc[half][t]);
                acc[half][t] = _mm256_fnmadd_ps(dmin, minSum[t], acc[half][t]);
            }
        }
    }
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        _mm256_storeu_ps(out + (t0 + t) * outStride, acc[0][t]);
        _mm256_storeu_ps(out + (t0 + t) * outStride + 8, acc[1][t]);
    }
}

// Q6_K, sub-block J (32 values) of a 256-value block: its unsigned 6-bit quants
// (q + 32), four of each row per 32-bit lane, from the register of their low
// 4 bits (sub-blocks 2c and 2c+1 in its low and high nibbles) and that of their
// top 2 bits (sub-blocks 4h..4h+3 at bits 2(J % 4)).
template <int J>
inline __m256i q6_KQuants(__m256i low4, __m256i high2, __m256i lowMask, __m256i highMask) {
    const __m256i low = J % 2 == 0 ? low4 : _mm256_srli_epi16(low4, 4);
    constexpr int kShift = 2 * (J % 4);  // where J's top bits are; they go to bits 4-5
    __m256i high = high2;
    if constexpr (kShift < 4) high = _mm256_slli_epi16(high2, 4 - kShift);
    if constexpr (kShift > 4) high = _mm256_srli_epi16(high2, kShift - 4);
    return _mm256_or_si256(_mm256_and_si256(low, lowMask), _mm256_and_si256(high, highMask));
}

// Sub-block J of a Q6_K block, one half of the group, NT tokens: the two
// 16-value groups' dot products, less 32 * sum(x) each (q6_KOffsets), times
// their int8 scales in integers as the scalar kernel's isum, into the block's
// float sum by d_x.
template <int NT, int J>
inline void q6_KSubBlock(const uint8_t* block, int half, int64_t b, const ActivationBlockQ8* const* xb,
                         const int32_t* const* offsets, __m256* blockSum) {
    const __m256i lowMask = _mm256_set1_epi8(0x0f), highMask = _mm256_set1_epi8(0x30);
    __m256i q[8];
    PS_UNROLL
    for (int k = 0; k < 8; ++k) {
        const __m256i low4 = load256(block + q6_KPackedLowBits(J / 2) + 64 * k + 32 * half);
        const __m256i high2 = load256(block + q6_KPackedHighBits(J / 4) + 64 * k + 32 * half);
        q[k] = q6_KQuants<J>(low4, high2, lowMask, highMask);
    }
    const __m256i scaleA = _mm256_cvtepi8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 32 + 16 * (2 * J) + 8 * half)));
    const __m256i scaleB = _mm256_cvtepi8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 32 + 16 * (2 * J + 1) + 8 * half)));
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        const ActivationBlockQ8& a = xb[t][b * 8 + J];
        const int32_t* offset = offsets[t] + b * 16 + 2 * J;
        __m256i xq[8];
        broadcastBlock(a.q, xq);
        // Quants are at most 63 and |x| at most 128: a 16-bit lane of maddubs
        // is at most 2 * 63 * 128 = 16128 in size, two steps' sum 32256 < 32767.
        __m256i dotA = dotSteps<2>(_mm256_set1_epi32(offset[0]), q, xq);
        dotA = dotSteps<2>(dotA, q + 2, xq + 2);
        __m256i dotB = dotSteps<2>(_mm256_set1_epi32(offset[1]), q + 4, xq + 4);
        dotB = dotSteps<2>(dotB, q + 6, xq + 6);
        const __m256i isum =
            _mm256_add_epi32(_mm256_mullo_epi32(dotA, scaleA), _mm256_mullo_epi32(dotB, scaleB));
        blockSum[t] = _mm256_fmadd_ps(_mm256_set1_ps(a.d), _mm256_cvtepi32_ps(isum), blockSum[t]);
    }
}

// Sub-block by sub-block, both halves of each before the next, so that the
// block's lines are read in one forward sweep (half by half, each line twice,
// streamed 509 MiB of Q6_K at 13-17 GB/s; ps-kernel-bench --stream, AVX2).
template <int NT, int... J>
inline void q6_KSubBlocks(const uint8_t* block, int64_t b, const ActivationBlockQ8* const* xb,
                          const int32_t* const* offsets, __m256 (*blockSum)[NT], bool fetchAhead,
                          std::integer_sequence<int, J...>) {
    constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ6_K));
    const auto subBlock = [&](auto j) {
        constexpr int kJ = decltype(j)::value;
        // A quarter of the prefetches every two sub-blocks.
        if (fetchAhead && kJ % 2 == 0) packed::fetchAheadPart<kBlockBytes, 4>(block, kJ / 2);
        q6_KSubBlock<NT, kJ>(block, 0, b, xb, offsets, blockSum[0]);
        q6_KSubBlock<NT, kJ>(block, 1, b, xb, offsets, blockSum[1]);
    };
    (subBlock(std::integral_constant<int, J>{}), ...);
}

template <int NT>
void q6_KGroupDot(const uint8_t* group, int64_t blocks, const ActivationBatch& x, int t0, float* out,
                  int64_t outStride, bool fetchAhead) {
    constexpr int kBlockBytes = kPackedRows * static_cast<int>(sizeof(BlockQ6_K));
    const ActivationBlockQ8* xb[NT];
    const int32_t* offsets[NT];
    __m256 acc[2][NT];
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        xb[t] = x.blocks(t0 + t);
        offsets[t] = x.q6_KOffsets + (t0 + t) * (x.cols / 16);
        acc[0][t] = acc[1][t] = _mm256_setzero_ps();
    }
    for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* block = group + b * kBlockBytes;
        __m256 blockSum[2][NT];
        PS_UNROLL
        for (int t = 0; t < NT; ++t) blockSum[0][t] = blockSum[1][t] = _mm256_setzero_ps();
        q6_KSubBlocks<NT>(block, b, xb, offsets, blockSum, fetchAhead, std::make_integer_sequence<int, 8>{});
        PS_UNROLL
        for (int half = 0; half < 2; ++half) {
            const __m256 d = loadHalves(block + 16 * half);
            PS_UNROLL
            for (int t = 0; t < NT; ++t) acc[half][t] = _mm256_fmadd_ps(d, blockSum[half][t], acc[half][t]);
        }
    }
    PS_UNROLL
    for (int t = 0; t < NT; ++t) {
        _mm256_storeu_ps(out + (t0 + t) * outStride, acc[0][t]);
        _mm256_storeu_ps(out + (t0 + t) * outStride + 8, acc[1][t]);
    }
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
    set.packedQ8_0 = {kSignedQ8_0 ? packQ8_0RowsSigned : packQ8_0Rows, packedMatmul<Block32Group<Q8_0Group>>};
    set.packedQ4_0 = {packQ4_0Rows, packedMatmul<Block32Group<Q4_0Group>>};
    set.packedQ4_K = {packQ4_KRows, packedMatmul<Q4_KGroup>};
    set.packedQ6_K = {packQ6_KRows, packedMatmul<Q6_KGroup>};
}

}  // namespace ps::PS_X86_NAMESPACE
