// The x86 kernels, written once and compiled three times: for AVX2+FMA+F16C
// (matmul_kernels_avx2.cpp), for AVX-VNNI and for AVX-512 VNNI. The including
// file includes the headers, switches the instruction set on for what follows
// (PS_BEGIN_TARGET, so that inline functions of shared headers stay compiled for
// the baseline and cannot leak AVX code into the rest of the program), defines
//   __m256i dotU8S8(__m256i u8, __m256i s8): eight int32 sums of four u8*s8 products
// and then includes this file, which ends with makeKernelSet().
//
// Layout of the work: a thread gets a range of weight rows; rows are taken 16 at
// a time (the chunk stays in L1/L2) and, for each chunk, the tokens 4 at a time,
// so that a weight block is loaded and decoded once for up to 4 tokens and a
// chunk of weights is read from memory once per matmul however many tokens there
// are. Quantized types use the sign trick for signed*signed products:
// |w| * (x with w's sign), as llama.cpp does, which keeps maddubs from saturating.
namespace ps {
namespace PS_X86_NAMESPACE {

constexpr int kTokenTile = 4;

// The loops over the tokens of a tile and the rows of a pair run a compile-time
// number of times; unrolled, their accumulators live in registers (GCC's -O2
// otherwise keeps them in memory and reloads them every block).
#define PS_UNROLL _Pragma("GCC unroll 4")
constexpr int64_t kRowChunk = 16;

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline float f16(uint16_t h) { return _cvtsh_ss(h); }

// Decode reads each weight once, row after row, and a thread's rows are only a
// few KB each: the hardware prefetchers alone leave the loads waiting on memory.
// Asking for the bytes this far ahead of the ones being used keeps them in
// flight (1.1B Q4_K shape, 2 threads: decode 25 -> 31 tokens/s; 512 bytes gave
// 30, 2048 gave 31). A prefetch past the end of the matrix is harmless.
constexpr int kPrefetchBytes = 2048;
PS_PREFETCH_HELPER void prefetchWeights(const void* at, size_t bytes) {
    const char* ahead = static_cast<const char*>(at) + kPrefetchBytes;
    for (size_t line = 0; line < bytes; line += 64) _mm_prefetch(ahead + line, _MM_HINT_T0);
}

#if defined(PS_X86_WIDE512)
// `low` in lanes 0-7, `high` in lanes 8-15.
inline __m512 halves512(float low, float high) {
    return _mm512_mask_blend_ps(0xff00, _mm512_set1_ps(low), _mm512_set1_ps(high));
}
// `low` in bytes 0-31, `high` in bytes 32-63.
inline __m512i concat512(__m256i low, __m256i high) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
}
#endif

// Loops over row chunks and token tiles; RowDot<NT>(row, x, t0, sums) computes
// the dot products of one row with tokens t0..t0+NT-1.
template <template <int> class RowDot>
void tiled(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
           int64_t outStride) {
    for (int64_t rc = r0; rc < r1; rc += kRowChunk) {
        const int64_t rend = std::min(rc + kRowChunk, r1);
        for (int t0 = 0; t0 < x.tokens; t0 += kTokenTile) {
            const int nt = std::min(kTokenTile, x.tokens - t0);
            // The first token tile brings the chunk's rows in from memory; the
            // other tiles find them in the cache and need no prefetching.
            const bool fetchAhead = t0 == 0;
            int64_t r = rc;
            if constexpr (requires { RowDot<4>::runPair; }) if (nt >= 2) {
                // Two rows at once share every activation load and scale.
                for (; r + 2 <= rend; r += 2) {
                    const uint8_t* row = w.data + r * w.rowBytes;
                    float sums[2][kTokenTile];
                    switch (nt) {
                        case 4: RowDot<4>::runPair(row, w.rowBytes, w.cols, x, t0, sums, fetchAhead); break;
                        case 3: RowDot<3>::runPair(row, w.rowBytes, w.cols, x, t0, sums, fetchAhead); break;
                        case 2: RowDot<2>::runPair(row, w.rowBytes, w.cols, x, t0, sums, fetchAhead); break;
                        default: RowDot<1>::runPair(row, w.rowBytes, w.cols, x, t0, sums, fetchAhead); break;
                    }
                    for (int t = 0; t < nt; ++t) {
                        out[(t0 + t) * outStride + r] = sums[0][t];
                        out[(t0 + t) * outStride + r + 1] = sums[1][t];
                    }
                }
            }
            for (; r < rend; ++r) {
                const uint8_t* row = w.data + r * w.rowBytes;
                float sums[kTokenTile];
                switch (nt) {
                    case 4: RowDot<4>::run(row, w.cols, x, t0, sums, fetchAhead); break;
                    case 3: RowDot<3>::run(row, w.cols, x, t0, sums, fetchAhead); break;
                    case 2: RowDot<2>::run(row, w.cols, x, t0, sums, fetchAhead); break;
                    default: RowDot<1>::run(row, w.cols, x, t0, sums, fetchAhead); break;
                }
                for (int t = 0; t < nt; ++t) out[(t0 + t) * outStride + r] = sums[t];
            }
        }
    }
}

// --- float weights ----------------------------------------------------------

struct LoadF32 {
    static constexpr int kBytes = 4;
    static __m256 load(const uint8_t* row, int64_t i) {
        return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + i);
    }
    static float scalar(const uint8_t* row, int64_t i) {
        return reinterpret_cast<const float*>(row)[i];
    }
};
struct LoadF16 {
    static constexpr int kBytes = 2;
    static __m256 load(const uint8_t* row, int64_t i) {
        return _mm256_cvtph_ps(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * i)));
    }
    static float scalar(const uint8_t* row, int64_t i) {
        return halfToFloat(reinterpret_cast<const uint16_t*>(row)[i]);
    }
};
struct LoadBF16 {
    static constexpr int kBytes = 2;
    static __m256 load(const uint8_t* row, int64_t i) {
        const __m256i wide = _mm256_cvtepu16_epi32(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * i)));
        return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
    }
    static float scalar(const uint8_t* row, int64_t i) {
        return bf16ToFloat(reinterpret_cast<const uint16_t*>(row)[i]);
    }
};

template <typename Load>
struct FloatRowDot {
    template <int NT>
    struct Dot {
        static void run(const uint8_t* row, int64_t cols, const ActivationBatch& x, int t0,
                        float* sums, bool fetchAhead) {
            // Two accumulators per token hide the FMA latency when NT is small.
            __m256 acc[2][NT];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) acc[0][t] = acc[1][t] = _mm256_setzero_ps();
            const float* xs[NT];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) xs[t] = x.floats(t0 + t);
            int64_t i = 0;
            for (; i + 16 <= cols; i += 16) {
                // One line ahead per 64 bytes of the row (packed_prefetch.h says why two).
                if (fetchAhead && (i * Load::kBytes) % 64 == 0) packed::fetchAheadPart<64, 1>(row + i * Load::kBytes, 0);
                const __m256 w0 = Load::load(row, i), w1 = Load::load(row, i + 8);
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    acc[0][t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xs[t] + i), acc[0][t]);
                    acc[1][t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xs[t] + i + 8), acc[1][t]);
                }
            }
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                float s = hsum(_mm256_add_ps(acc[0][t], acc[1][t]));
                for (int64_t j = i; j < cols; ++j) s += Load::scalar(row, j) * xs[t][j];
                sums[t] = s;
            }
        }
    };
};

template <int NT> using DotF32 = FloatRowDot<LoadF32>::Dot<NT>;
template <int NT> using DotF16 = FloatRowDot<LoadF16>::Dot<NT>;
template <int NT> using DotBF16 = FloatRowDot<LoadBF16>::Dot<NT>;

// --- Q8_0 and Q4_0: one 32-value weight block per 32-value activation block ---

struct DecodeQ8_0 {
    using Block = BlockQ8_0;
    static __m256i quants(const Block& b) {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.q));
    }
};
struct DecodeQ4_0 {
    using Block = BlockQ4_0;
    static __m256i quants(const Block& b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.q));
        const __m128i low = _mm_and_si128(packed, _mm_set1_epi8(0x0f));
        const __m128i high = _mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0f));
        return _mm256_sub_epi8(_mm256_set_m128i(high, low), _mm256_set1_epi8(8));
    }
};

template <typename Decode>
struct Block32RowDot {
    template <int NT>
    struct Dot {
        static void run(const uint8_t* row, int64_t cols, const ActivationBatch& x, int t0,
                        float* sums, bool fetchAhead) {
            using Block = typename Decode::Block;
            const Block* wb = reinterpret_cast<const Block*>(row);
            const ActivationBlockQ8* xb[NT];
            __m256 acc[NT];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                xb[t] = x.blocks(t0 + t);
                acc[t] = _mm256_setzero_ps();
            }
            int64_t b = 0;
#if defined(PS_X86_WIDE512)
            // The same 512-bit steps as runPair, so that a token gives the same
            // bits whichever kernel its tile takes (batched prefill = token by token).
            __m512 wide[NT];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) wide[t] = _mm512_setzero_ps();
            for (; b + 2 <= cols / 32; b += 2) {
                if (fetchAhead) prefetchWeights(wb + b, 2 * sizeof(Block));
                const __m512i wq = concat512(Decode::quants(wb[b]), Decode::quants(wb[b + 1]));
                const __m512i wAbs = _mm512_abs_epi8(wq);
                const __mmask64 negative = _mm512_movepi8_mask(wq);
                const __m512 dw = halves512(f16(wb[b].d), f16(wb[b + 1].d));
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    const __m512i xq =
                        concat512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b].q)),
                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b + 1].q)));
                    const __m512 dx = halves512(xb[t][b].d, xb[t][b + 1].d);
                    const __m512i signedX = _mm512_mask_sub_epi8(xq, negative, _mm512_setzero_si512(), xq);
                    const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wAbs, signedX);
                    wide[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw, dx), wide[t]);
                }
            }
#endif
            for (; b < cols / 32; ++b) {
                if (fetchAhead) prefetchWeights(wb + b, sizeof(Block));
                const __m256i wq = Decode::quants(wb[b]);
                const __m256i wAbs = _mm256_abs_epi8(wq);
                const float dw = f16(wb[b].d);
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b].q));
                    const __m256i dot = dotU8S8(wAbs, _mm256_sign_epi8(xq, wq));
                    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(dw * xb[t][b].d),
                                             acc[t]);
                }
            }
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                sums[t] = hsum(acc[t]);
#if defined(PS_X86_WIDE512)
                sums[t] += _mm512_reduce_add_ps(wide[t]);
#endif
            }
        }

        static void runPair(const uint8_t* row, int64_t rowBytes, int64_t cols,
                            const ActivationBatch& x, int t0, float (*sums)[kTokenTile], bool fetchAhead) {
            using Block = typename Decode::Block;
            const Block* wb[2] = {reinterpret_cast<const Block*>(row),
                                  reinterpret_cast<const Block*>(row + rowBytes)};
            const ActivationBlockQ8* xb[NT];
            __m256 acc[2][NT];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                xb[t] = x.blocks(t0 + t);
                acc[0][t] = acc[1][t] = _mm256_setzero_ps();
            }
            int64_t b = 0;
#if defined(PS_X86_WIDE512)
            // Two blocks per 512-bit register: half the instructions per value in
            // the compute-bound prefill. AVX-512 has no sign_epi8; a masked
            // negation by w's sign bits does the same.
            __m512 wide[2][NT];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) wide[0][t] = wide[1][t] = _mm512_setzero_ps();
            for (; b + 2 <= cols / 32; b += 2) {
                if (fetchAhead) {
                    prefetchWeights(wb[0] + b, 2 * sizeof(Block));
                    prefetchWeights(wb[1] + b, 2 * sizeof(Block));
                }
                __m512i wAbs[2];
                __mmask64 negative[2];
                __m512 dw[2];
                PS_UNROLL
                for (int k = 0; k < 2; ++k) {
                    const __m512i wq = concat512(Decode::quants(wb[k][b]), Decode::quants(wb[k][b + 1]));
                    wAbs[k] = _mm512_abs_epi8(wq);
                    negative[k] = _mm512_movepi8_mask(wq);
                    dw[k] = halves512(f16(wb[k][b].d), f16(wb[k][b + 1].d));
                }
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    const __m512i xq =
                        concat512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b].q)),
                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b + 1].q)));
                    const __m512 dx = halves512(xb[t][b].d, xb[t][b + 1].d);
                    PS_UNROLL
                    for (int k = 0; k < 2; ++k) {
                        const __m512i signedX = _mm512_mask_sub_epi8(xq, negative[k], _mm512_setzero_si512(), xq);
                        const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wAbs[k], signedX);
                        wide[k][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw[k], dx), wide[k][t]);
                    }
                }
            }
#endif
            for (; b < cols / 32; ++b) {
                if (fetchAhead) {
                    prefetchWeights(wb[0] + b, sizeof(Block));
                    prefetchWeights(wb[1] + b, sizeof(Block));
                }
                __m256i wq[2], wAbs[2];
                __m256 dw[2];
                PS_UNROLL
                for (int k = 0; k < 2; ++k) {
                    wq[k] = Decode::quants(wb[k][b]);
                    wAbs[k] = _mm256_abs_epi8(wq[k]);
                    dw[k] = _mm256_set1_ps(f16(wb[k][b].d));
                }
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b].q));
                    const __m256 dx = _mm256_set1_ps(xb[t][b].d);
                    PS_UNROLL
                    for (int k = 0; k < 2; ++k) {
                        const __m256i dot = dotU8S8(wAbs[k], _mm256_sign_epi8(xq, wq[k]));
                        acc[k][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(dw[k], dx),
                                                    acc[k][t]);
                    }
                }
            }
            PS_UNROLL
            for (int k = 0; k < 2; ++k) {
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    sums[k][t] = hsum(acc[k][t]);
#if defined(PS_X86_WIDE512)
                    sums[k][t] += _mm512_reduce_add_ps(wide[k][t]);
#endif
                }
            }
        }
    };
};

template <int NT> using DotQ8_0 = Block32RowDot<DecodeQ8_0>::Dot<NT>;
template <int NT> using DotQ4_0 = Block32RowDot<DecodeQ4_0>::Dot<NT>;

// --- Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins ------------------------
//
// Per 256-value block, once: the eight scales and mins, unpacked four at a time
// from their 12 packed bytes and turned into floats in one vector each; per token,
// the eight activation scales of the block's sub-blocks are gathered so that
// scale * d_x and min * dsum_x are vector products. What is left per sub-block is
// the integer dot product, one conversion and one FMA; on AVX-512 a sub-block pair
// (the low and high nibbles of the same 32 bytes) goes through one 512-bit step.

// Eight unsigned bytes (four in `low`, four in `high`) as eight floats.
inline __m256 bytesToFloats(uint32_t low, uint32_t high) {
    return _mm256_cvtepi32_ps(
        _mm256_cvtepu8_epi32(_mm_setr_epi32(static_cast<int>(low), static_cast<int>(high), 0, 0)));
}

// The 8 six-bit scales and the 8 mins of a Q4_K block as floats times d and dmin
// (the layout of q4_KScaleMin, four bytes at a time).
inline void q4_KScalesAndMins(const BlockQ4_K& block, __m256& scales, __m256& mins) {
    uint32_t packed[3];
    std::memcpy(packed, block.scales, sizeof(packed));
    constexpr uint32_t kSixBits = 0x3f3f3f3f, kLowNibbles = 0x0f0f0f0f, kTopTwoBits = 0x03030303;
    const uint32_t scalesLow = packed[0] & kSixBits;
    const uint32_t minsLow = packed[1] & kSixBits;
    const uint32_t scalesHigh = (packed[2] & kLowNibbles) | (((packed[0] >> 6) & kTopTwoBits) << 4);
    const uint32_t minsHigh = ((packed[2] >> 4) & kLowNibbles) | (((packed[1] >> 6) & kTopTwoBits) << 4);
    scales = _mm256_mul_ps(bytesToFloats(scalesLow, scalesHigh), _mm256_set1_ps(f16(block.d)));
    mins = _mm256_mul_ps(bytesToFloats(minsLow, minsHigh), _mm256_set1_ps(f16(block.dmin)));
}

// d and dsum of eight consecutive activation blocks (40 bytes apart). Plain
// loads: a hardware gather is slower here than eight scalar loads.
inline __m256 gatherScales(const ActivationBlockQ8* b) {
    return _mm256_setr_ps(b[0].d, b[1].d, b[2].d, b[3].d, b[4].d, b[5].d, b[6].d, b[7].d);
}
inline __m256 gatherSums(const ActivationBlockQ8* b) {
    return _mm256_setr_ps(b[0].dsum, b[1].dsum, b[2].dsum, b[3].dsum, b[4].dsum, b[5].dsum, b[6].dsum,
                          b[7].dsum);
}

template <int NT>
struct DotQ4_K {
    static void run(const uint8_t* row, int64_t cols, const ActivationBatch& x, int t0, float* sums,
                    bool fetchAhead) {
        float rowSums[1][kTokenTile];
        rows<1>(row, 0, cols, x, t0, rowSums, fetchAhead);
        for (int t = 0; t < NT; ++t) sums[t] = rowSums[0][t];
    }
    // Two rows share the activation loads; each row's arithmetic is exactly that
    // of run(), so a token gets the same bits in either.
    static void runPair(const uint8_t* row, int64_t rowBytes, int64_t cols, const ActivationBatch& x,
                        int t0, float (*sums)[kTokenTile], bool fetchAhead) {
        rows<2>(row, rowBytes, cols, x, t0, sums, fetchAhead);
    }

    template <int R>
    static void rows(const uint8_t* row, int64_t rowBytes, int64_t cols, const ActivationBatch& x, int t0,
                     float (*sums)[kTokenTile], bool fetchAhead) {
        const BlockQ4_K* wb[R];
        PS_UNROLL
        for (int k = 0; k < R; ++k) wb[k] = reinterpret_cast<const BlockQ4_K*>(row + k * rowBytes);
        const ActivationBlockQ8* xb[NT];
        __m256 minAcc[R][NT];
#if defined(PS_X86_WIDE512)
        __m512 acc[R][NT];
#else
        __m256 acc[R][NT];
#endif
        PS_UNROLL
        for (int t = 0; t < NT; ++t) {
            xb[t] = x.blocks(t0 + t);
            PS_UNROLL
            for (int k = 0; k < R; ++k) {
                minAcc[k][t] = _mm256_setzero_ps();
#if defined(PS_X86_WIDE512)
                acc[k][t] = _mm512_setzero_ps();
#else
                acc[k][t] = _mm256_setzero_ps();
#endif
            }
        }
        const __m256i lowMask = _mm256_set1_epi8(0x0f);
        for (int64_t b = 0; b < cols / 256; ++b) {
            PS_UNROLL
            for (int k = 0; k < R; ++k)
                if (fetchAhead) prefetchWeights(wb[k] + b, sizeof(BlockQ4_K));
            __m256 scales[R], mins[R];
            PS_UNROLL
            for (int k = 0; k < R; ++k) q4_KScalesAndMins(wb[k][b], scales[k], mins[k]);
            // Per row and token: scale_j * d_x(j) for the eight sub-blocks, and the min term.
            alignas(32) float factors[R][NT][8];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                const ActivationBlockQ8* xs = xb[t] + b * 8;
                const __m256 xd = gatherScales(xs), xsum = gatherSums(xs);
                PS_UNROLL
                for (int k = 0; k < R; ++k) {
                    _mm256_store_ps(factors[k][t], _mm256_mul_ps(scales[k], xd));
                    minAcc[k][t] = _mm256_fmadd_ps(mins[k], xsum, minAcc[k][t]);
                }
            }
            for (int c = 0; c < 4; ++c) {
                __m256i low[R], high[R];
                PS_UNROLL
                for (int k = 0; k < R; ++k) {
                    const __m256i packed =
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[k][b].q + 32 * c));
                    low[k] = _mm256_and_si256(packed, lowMask);
                    high[k] = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowMask);
                }
#if defined(PS_X86_WIDE512)
                // Sub-blocks 2c (low nibbles) and 2c+1 (high nibbles) in one register.
                __m512i nibbles[R];
                PS_UNROLL
                for (int k = 0; k < R; ++k) nibbles[k] = concat512(low[k], high[k]);
                PS_UNROLL
                for (int t = 0; t < NT; ++t) {
                    const ActivationBlockQ8* xs = xb[t] + b * 8 + 2 * c;
                    const __m512i xq =
                        concat512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs[0].q)),
                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs[1].q)));
                    PS_UNROLL
                    for (int k = 0; k < R; ++k) {
                        const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), nibbles[k], xq);
                        const __m512 factor = halves512(factors[k][t][2 * c], factors[k][t][2 * c + 1]);
                        acc[k][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), factor, acc[k][t]);
                    }
                }
#else
                for (int half = 0; half < 2; ++half) {
                    const int j = 2 * c + half;
                    PS_UNROLL
                    for (int t = 0; t < NT; ++t) {
                        const __m256i xq =
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b * 8 + j].q));
                        PS_UNROLL
                        for (int k = 0; k < R; ++k) {
                            const __m256i dot = dotU8S8(half == 0 ? low[k] : high[k], xq);
                            acc[k][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot),
                                                        _mm256_set1_ps(factors[k][t][j]), acc[k][t]);
                        }
                    }
                }
#endif
            }
        }
        PS_UNROLL
        for (int k = 0; k < R; ++k) {
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
#if defined(PS_X86_WIDE512)
                sums[k][t] = _mm512_reduce_add_ps(acc[k][t]) - hsum(minAcc[k][t]);
#else
                sums[k][t] = hsum(acc[k][t]) - hsum(minAcc[k][t]);
#endif
            }
        }
    }
};

// --- Q6_K: 16 scale groups of 16 values -----------------------------------------
//
// As Q4_K: per block the sixteen scales become floats times d in one step, and
// per token they are multiplied by the activation scales of the eight 32-value
// sub-blocks (each covers two scale groups), so a sub-block needs only its
// integer dot product, a conversion and an FMA; AVX-512 takes two sub-blocks per step.

// The 6-bit quants (-32..31) of 32 values: sub-block g (0-3) of half h.
inline __m256i q6_KQuants(const __m256i lows[4], __m256i qh, int g) {
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * g), _mm256_set1_epi8(3));
    return _mm256_sub_epi8(_mm256_or_si256(lows[g], _mm256_slli_epi16(high, 4)), _mm256_set1_epi8(32));
}

template <int NT>
struct DotQ6_K {
    static void run(const uint8_t* row, int64_t cols, const ActivationBatch& x, int t0, float* sums,
                    bool fetchAhead) {
        float rowSums[1][kTokenTile];
        rows<1>(row, 0, cols, x, t0, rowSums, fetchAhead);
        for (int t = 0; t < NT; ++t) sums[t] = rowSums[0][t];
    }
    // Two rows share the activation loads; each row's arithmetic is exactly that of run().
    static void runPair(const uint8_t* row, int64_t rowBytes, int64_t cols, const ActivationBatch& x,
                        int t0, float (*sums)[kTokenTile], bool fetchAhead) {
        rows<2>(row, rowBytes, cols, x, t0, sums, fetchAhead);
    }

    template <int R>
    static void rows(const uint8_t* row, int64_t rowBytes, int64_t cols, const ActivationBatch& x, int t0,
                     float (*sums)[kTokenTile], bool fetchAhead) {
        const BlockQ6_K* wb[R];
        PS_UNROLL
        for (int k = 0; k < R; ++k) wb[k] = reinterpret_cast<const BlockQ6_K*>(row + k * rowBytes);
        const ActivationBlockQ8* xb[NT];
#if defined(PS_X86_WIDE512)
        __m512 acc[R][NT];
#else
        __m256 acc[R][NT];
#endif
        PS_UNROLL
        for (int t = 0; t < NT; ++t) {
            xb[t] = x.blocks(t0 + t);
            PS_UNROLL
            for (int k = 0; k < R; ++k) {
#if defined(PS_X86_WIDE512)
                acc[k][t] = _mm512_setzero_ps();
#else
                acc[k][t] = _mm256_setzero_ps();
#endif
            }
        }
        const __m256i lowMask = _mm256_set1_epi8(0x0f);
        const __m256i pairsLow = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
        const __m256i pairsHigh = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
        for (int64_t b = 0; b < cols / 256; ++b) {
            PS_UNROLL
            for (int k = 0; k < R; ++k)
                if (fetchAhead) prefetchWeights(wb[k] + b, sizeof(BlockQ6_K));
            __m256 scalesLow[R], scalesHigh[R];
            PS_UNROLL
            for (int k = 0; k < R; ++k) {
                const __m128i scaleBytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[k][b].scales));
                const __m256 d = _mm256_set1_ps(f16(wb[k][b].d));
                scalesLow[k] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(scaleBytes)), d);
                scalesHigh[k] = _mm256_mul_ps(
                    _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(scaleBytes, 8))), d);
            }
            // factors[k][t][s] = d * scale_s * d_x of the sub-block holding group s (s / 2).
            alignas(32) float factors[R][NT][16];
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
                const __m256 xd = gatherScales(xb[t] + b * 8);
                const __m256 xdLow = _mm256_permutevar8x32_ps(xd, pairsLow);
                const __m256 xdHigh = _mm256_permutevar8x32_ps(xd, pairsHigh);
                PS_UNROLL
                for (int k = 0; k < R; ++k) {
                    _mm256_store_ps(factors[k][t], _mm256_mul_ps(scalesLow[k], xdLow));
                    _mm256_store_ps(factors[k][t] + 8, _mm256_mul_ps(scalesHigh[k], xdHigh));
                }
            }
            for (int h = 0; h < 2; ++h) {
                __m256i lows[R][4], qh[R];
                PS_UNROLL
                for (int k = 0; k < R; ++k) {
                    const uint8_t* ql = wb[k][b].ql + 64 * h;
                    const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
                    const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
                    qh[k] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[k][b].qh + 32 * h));
                    lows[k][0] = _mm256_and_si256(ql0, lowMask);
                    lows[k][1] = _mm256_and_si256(ql1, lowMask);
                    lows[k][2] = _mm256_and_si256(_mm256_srli_epi16(ql0, 4), lowMask);
                    lows[k][3] = _mm256_and_si256(_mm256_srli_epi16(ql1, 4), lowMask);
                }
#if defined(PS_X86_WIDE512)
                for (int g = 0; g < 4; g += 2) {
                    const int sub = 4 * h + g;  // the pair's first sub-block
                    __m512i qAbs[R];
                    __mmask64 negative[R];
                    PS_UNROLL
                    for (int k = 0; k < R; ++k) {
                        const __m512i q =
                            concat512(q6_KQuants(lows[k], qh[k], g), q6_KQuants(lows[k], qh[k], g + 1));
                        qAbs[k] = _mm512_abs_epi8(q);
                        negative[k] = _mm512_movepi8_mask(q);
                    }
                    PS_UNROLL
                    for (int t = 0; t < NT; ++t) {
                        const ActivationBlockQ8* xs = xb[t] + b * 8 + sub;
                        const __m512i xq =
                            concat512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs[0].q)),
                                      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs[1].q)));
                        PS_UNROLL
                        for (int k = 0; k < R; ++k) {
                            const __m512i signedX =
                                _mm512_mask_sub_epi8(xq, negative[k], _mm512_setzero_si512(), xq);
                            const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), qAbs[k], signedX);
                            // Lanes 4i..4i+3 hold scale group 2 * sub + i.
                            const __m512 factor = _mm512_permutexvar_ps(
                                _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
                                _mm512_castps128_ps512(_mm_load_ps(factors[k][t] + 2 * sub)));
                            acc[k][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), factor, acc[k][t]);
                        }
                    }
                }
#else
                for (int g = 0; g < 4; ++g) {
                    const int sub = 4 * h + g;
                    __m256i q[R], qAbs[R];
                    PS_UNROLL
                    for (int k = 0; k < R; ++k) {
                        q[k] = q6_KQuants(lows[k], qh[k], g);
                        qAbs[k] = _mm256_abs_epi8(q[k]);
                    }
                    PS_UNROLL
                    for (int t = 0; t < NT; ++t) {
                        const __m256i xq =
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[t][b * 8 + sub].q));
                        PS_UNROLL
                        for (int k = 0; k < R; ++k) {
                            const __m256i dot = dotU8S8(qAbs[k], _mm256_sign_epi8(xq, q[k]));
                            // Lanes 0-3 hold the first 16 values, lanes 4-7 the second 16.
                            const __m256 factor = _mm256_set_m128(_mm_set1_ps(factors[k][t][2 * sub + 1]),
                                                                  _mm_set1_ps(factors[k][t][2 * sub]));
                            acc[k][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), factor, acc[k][t]);
                        }
                    }
                }
#endif
            }
        }
        PS_UNROLL
        for (int k = 0; k < R; ++k) {
            PS_UNROLL
            for (int t = 0; t < NT; ++t) {
#if defined(PS_X86_WIDE512)
                sums[k][t] = _mm512_reduce_add_ps(acc[k][t]);
#else
                sums[k][t] = hsum(acc[k][t]);
#endif
            }
        }
    }
};

// --- activation quantization -----------------------------------------------------

inline void quantize(const float* x, int64_t n, ActivationBlockQ8* out) {
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < n / 32; ++b) {
        const float* xb = x + b * 32;
        __m256 v[4];
        __m256 amax = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_loadu_ps(xb + 8 * k);
            amax = _mm256_max_ps(amax, _mm256_andnot_ps(signBit, v[k]));
        }
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float d = _mm_cvtss_f32(m) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const __m256 scale = _mm256_set1_ps(id);
        __m256i q[4];
        __m256i sum = _mm256_setzero_si256();
        for (int k = 0; k < 4; ++k) {
            q[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], scale));  // round half to even
            sum = _mm256_add_epi32(sum, q[k]);
        }
        const __m256i packed16a = _mm256_packs_epi32(q[0], q[1]);
        const __m256i packed16b = _mm256_packs_epi32(q[2], q[3]);
        const __m256i packed8 = _mm256_packs_epi16(packed16a, packed16b);
        const __m256i ordered =
            _mm256_permutevar8x32_epi32(packed8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[b].q), ordered);
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
        out[b].d = d;
        out[b].dsum = d * static_cast<float>(_mm_cvtsi128_si32(s));
    }
}

inline MatmulKernelSet makeKernelSet(const char* name) {
    MatmulKernelSet s;
    s.name = name;
    s.quantize = quantize;
    s.f32 = tiled<DotF32>;
    s.f16 = tiled<DotF16>;
    s.bf16 = tiled<DotBF16>;
    s.q8_0 = tiled<DotQ8_0>;
    s.q4_0 = tiled<DotQ4_0>;
    s.q4_k = tiled<DotQ4_K>;
    s.q6_k = tiled<DotQ6_K>;
    return s;
}

#undef PS_UNROLL

}  // namespace PS_X86_NAMESPACE
}  // namespace ps
