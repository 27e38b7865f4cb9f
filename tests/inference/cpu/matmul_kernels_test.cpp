// The matrix kernels on random data with odd sizes: every SIMD set against the
// scalar one (same arithmetic, other summation order), the scalar integer
// kernels against the float reference (differing only by the 8-bit activation
// quantization), and the reference against a float64 dot product.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "backend/cpu/dequantize.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/thread_pool.h"
#include "bench/random_weights.h"
#include "model/model.h"
#include "packed_avxvnni_code_on_avx512.h"
#include "tensor/quant_blocks.h"

namespace ps {
namespace {

const TensorType kAllTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q8_0,
                                TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K};

struct Problem {
    TensorType type;
    int64_t rows, cols;
    int tokens;
    std::vector<uint8_t> weights;
    std::vector<float> x;  // tokens * cols
};

// Odd sizes: a row count that does not fill the 16-row chunks, a column count
// that is an odd number of blocks (and not a multiple of 16 for float types),
// and token counts that leave partial 4-token tiles.
Problem makeProblem(TensorType type, int tokens, uint64_t seed) {
    Problem p;
    p.type = type;
    p.rows = 37;
    const int block = tensorTypeInfo(type).blockValues;
    p.cols = block == 1 ? 203 : (block == 32 ? 32 * 7 : 256 * 3);
    p.tokens = tokens;
    p.weights.resize(rowBytes(type, p.cols) * static_cast<size_t>(p.rows));
    fillRandomWeights(type, p.weights.data(), p.rows, p.cols, 0.5f, seed);
    SplitMix64 rng(seed * 7 + 1);
    p.x.resize(static_cast<size_t>(tokens * p.cols));
    for (float& v : p.x) v = 2.0f * rng.nextSigned();
    return p;
}

// Runs `set`'s kernel for the problem; quantized activations come from `quantizer`.
std::vector<float> runKernel(const MatmulKernelSet& set, const Problem& p, QuantizeKernel quantizer) {
    const WeightRows w{p.weights.data(), static_cast<int64_t>(rowBytes(p.type, p.cols)), p.cols, p.type};
    std::vector<ActivationBlockQ8> q;
    ActivationBatch batch;
    batch.tokens = p.tokens;
    batch.cols = p.cols;
    if (usesQuantizedActivations(set, p.type)) {
        q.resize(static_cast<size_t>(p.tokens * p.cols / 32));
        for (int t = 0; t < p.tokens; ++t) quantizer(p.x.data() + t * p.cols, p.cols, q.data() + t * p.cols / 32);
        batch.data = q.data();
        batch.tokenStride = p.cols / 32 * static_cast<int64_t>(sizeof(ActivationBlockQ8));
    } else {
        batch.data = p.x.data();
        batch.tokenStride = p.cols * static_cast<int64_t>(sizeof(float));
    }
    std::vector<float> out(static_cast<size_t>(p.tokens * p.rows), NAN);
    // Two calls over split row ranges, as two workers would make them.
    set.forType(p.type)(w, 0, 20, batch, out.data(), p.rows);
    set.forType(p.type)(w, 20, p.rows, batch, out.data(), p.rows);
    return out;
}

double relativeL2(const std::vector<float>& a, const std::vector<float>& b) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        norm += double(b[i]) * b[i];
    }
    return std::sqrt(diff / norm);
}

std::vector<const MatmulKernelSet*> simdSets() {
    std::vector<const MatmulKernelSet*> sets;
    for (const MatmulKernelSet* s : {avx2Kernels(), avxVnniKernels(), avx512Kernels()}) {
        if (s != nullptr) sets.push_back(s);
    }
    return sets;
}

TEST(MatmulKernels, SimdKernelsMatchScalarForEveryType) {
    if (simdSets().empty()) GTEST_SKIP() << "this CPU runs no SIMD kernel set";
    // Every AVX-512 CPU has AVX2: the AVX2 set (what CPUs without AVX-512 run) is
    // tested on the AVX-512 machines too, never silently left out.
    if (avx512Kernels() != nullptr) {
        ASSERT_NE(avx2Kernels(), nullptr);
    }
    for (const MatmulKernelSet* set : simdSets()) {
        for (TensorType type : kAllTypes) {
            for (int tokens : {1, 3, 6}) {
                const Problem p = makeProblem(type, tokens, 11 + tokens);
                const std::vector<float> scalar = runKernel(scalarKernels(), p, scalarKernels().quantize);
                const std::vector<float> simd = runKernel(*set, p, scalarKernels().quantize);
                EXPECT_LT(relativeL2(simd, scalar), 2e-6)
                    << set->name << " " << tensorTypeInfo(type).name << " tokens=" << tokens;
            }
        }
    }
}

// Prefill tiles tokens 4 at a time and takes rows two at a time; decode runs one
// token on one row. A token's result must not depend on which path it took, or a
// prompt would give other logits processed in one batch than token by token.
TEST(MatmulKernels, ATokenGetsTheSameBitsAloneOrInATile) {
    std::vector<const MatmulKernelSet*> sets = simdSets();
    sets.push_back(&scalarKernels());
    for (const MatmulKernelSet* set : sets) {
        for (TensorType type : kAllTypes) {
            const Problem p = makeProblem(type, 6, 5);
            const std::vector<float> batched = runKernel(*set, p, set->quantize);
            for (int t = 0; t < p.tokens; ++t) {
                Problem alone = p;
                alone.tokens = 1;
                alone.x.assign(p.x.begin() + t * p.cols, p.x.begin() + (t + 1) * p.cols);
                const std::vector<float> single = runKernel(*set, alone, set->quantize);
                for (int64_t r = 0; r < p.rows; ++r) {
                    ASSERT_EQ(single[r], batched[t * p.rows + r])
                        << set->name << " " << tensorTypeInfo(type).name << " token " << t << " row " << r;
                }
            }
        }
    }
}

// Runs `set`'s packed kernel for the problem on weights packed by it: the full
// 16-row groups one group per call (as the runner hands them out), the rows
// after them with the plain kernel on the packed copy, where they keep their layout.
std::vector<float> runPackedKernel(const MatmulKernelSet& set, const Problem& p) {
    const PackedKernel* packed = set.packedForType(p.type);
    std::vector<uint8_t> packedWeights(p.weights.size());
    packed->pack(p.weights.data(), p.rows, p.cols, packedWeights.data());
    Problem copy = p;
    copy.weights = packedWeights;
    const WeightRows w{copy.weights.data(), static_cast<int64_t>(rowBytes(p.type, p.cols)), p.cols, p.type};
    std::vector<ActivationBlockQ8> q(static_cast<size_t>(p.tokens * p.cols / 32));
    for (int t = 0; t < p.tokens; ++t) set.quantize(p.x.data() + t * p.cols, p.cols, q.data() + t * p.cols / 32);
    ActivationBatch batch;
    batch.tokens = p.tokens;
    batch.cols = p.cols;
    batch.data = q.data();
    batch.tokenStride = p.cols / 32 * static_cast<int64_t>(sizeof(ActivationBlockQ8));
    std::vector<int32_t> offsets(2 * q.size());
    q6_KOffsets(q.data(), static_cast<int64_t>(q.size()), offsets.data());
    batch.q6_KOffsets = offsets.data();
    std::vector<float> out(static_cast<size_t>(p.tokens * p.rows), NAN);
    const int64_t groupRows = p.rows / kPackedRows * kPackedRows;
    for (int64_t r = 0; r < groupRows; r += kPackedRows) packed->matmul(w, r, r + kPackedRows, batch, out.data(), p.rows);
    set.forType(p.type)(w, groupRows, p.rows, batch, out.data(), p.rows);
    return out;
}

// The kernel sets with packed kernels, each tested on its own so that a set
// this CPU lacks shows as skipped, not as passed. "AVX-VNNI code on AVX-512" is
// the AVX-VNNI packed kernels' source compiled with the EVEX vpdpbusd
// (packed_avxvnni_code_on_avx512.cpp): AVX-512 CPUs such as Zen 4 lack the
// VEX-encoded AVX-VNNI, and so test everything of those kernels but that one instruction.
struct PackedSet {
    const char* name;
    const MatmulKernelSet* (*get)();
};
const PackedSet kPackedSets[] = {{"AVX2", avx2Kernels},
                                 {"AVX_VNNI", avxVnniKernels},
                                 {"AVX_512", avx512Kernels},
                                 {"AVX_VNNI_code_on_AVX_512", avxVnniCodeOnAvx512Kernels}};

class PackedKernels : public testing::TestWithParam<PackedSet> {};

// The packed kernels (16 rows per register, unsigned or sign-trick weights
// with any offset taken off through the activation sums) do the same integer
// block products as the scalar kernels; only the float order differs, hence
// the bound. The weights include the extreme quants (Q8_0's -128 and 127,
// nibbles 0 and 15), and one row of only the largest quants meets two tokens
// of only the largest activations, one of each sign: the case where AVX2's
// 16-bit sums (maddubs) would saturate if the kernels' bounds were wrong.
TEST_P(PackedKernels, MatchScalarAndGiveATokenTheSameBitsAlone) {
    const MatmulKernelSet* set = GetParam().get();
    if (set == nullptr) GTEST_SKIP() << GetParam().name << ": this CPU (or this build) lacks that instruction set";
    int tested = 0;
    for (TensorType type : {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K}) {
        if (set->packedForType(type) == nullptr) continue;
        ++tested;
        Problem p = makeProblem(type, 6, 21);
        const size_t bytesPerRow = rowBytes(type, p.cols);
        // Row 3, block 0: its first quants at the ends of the range.
        uint8_t* row3 = p.weights.data() + 3 * bytesPerRow;
        if (type == TensorType::Q6_K) {
            BlockQ6_K& block = *reinterpret_cast<BlockQ6_K*>(row3);
            block.ql[0] = 0x00, block.qh[0] &= 0xfc;  // -32
            block.ql[1] = 0xff, block.qh[1] |= 0x03;  // 31
        } else {
            uint8_t* quants = row3 + (type == TensorType::Q4_K ? 16 : 2);
            quants[0] = type == TensorType::Q8_0 ? 0x80 : 0x00;
            quants[1] = type == TensorType::Q8_0 ? 0x7f : 0xff;
        }
        // Row 4: every quant the largest in size (Q8_0 -128, nibbles 15, Q6_K 31:
        // unsigned 63), Q4_K's scales and mins 63, Q6_K's scales 127; tokens 0
        // and 1: all +-1.5 (+-127). A saturated 16-bit sum would be off by
        // thousands in an integer block sum of about 32000.
        uint8_t* row4 = p.weights.data() + 4 * bytesPerRow;
        for (int64_t b = 0; b < p.cols / tensorTypeInfo(type).blockValues; ++b) {
            if (type == TensorType::Q8_0) {
                BlockQ8_0& block = reinterpret_cast<BlockQ8_0*>(row4)[b];
                std::memset(block.q, 0x80, sizeof(block.q));
            } else if (type == TensorType::Q4_0) {
                BlockQ4_0& block = reinterpret_cast<BlockQ4_0*>(row4)[b];
                std::memset(block.q, 0xff, sizeof(block.q));
            } else if (type == TensorType::Q4_K) {
                BlockQ4_K& block = reinterpret_cast<BlockQ4_K*>(row4)[b];
                std::memset(block.scales, 0xff, sizeof(block.scales));
                std::memset(block.q, 0xff, sizeof(block.q));
            } else {
                BlockQ6_K& block = reinterpret_cast<BlockQ6_K*>(row4)[b];
                std::memset(block.ql, 0xff, sizeof(block.ql));
                std::memset(block.qh, 0xff, sizeof(block.qh));
                std::memset(block.scales, 0x7f, sizeof(block.scales));  // one sign: no cancellation
            }
        }
        std::fill(p.x.begin(), p.x.begin() + p.cols, 1.5f);
        std::fill(p.x.begin() + p.cols, p.x.begin() + 2 * p.cols, -1.5f);
        const std::vector<float> scalar = runKernel(scalarKernels(), p, scalarKernels().quantize);
        const std::vector<float> packed = runPackedKernel(*set, p);
        EXPECT_LT(relativeL2(packed, scalar), 2e-6) << set->name << " " << tensorTypeInfo(type).name;
        for (int t = 0; t < 2; ++t) {  // the extreme row alone, which the L2 over all rows could hide
            const float expected = scalar[t * p.rows + 4];
            EXPECT_NEAR(packed[t * p.rows + 4], expected, 1e-5 * std::fabs(expected))
                << set->name << " " << tensorTypeInfo(type).name << " token " << t;
        }
        for (int t = 0; t < p.tokens; ++t) {
            Problem alone = p;
            alone.tokens = 1;
            alone.x.assign(p.x.begin() + t * p.cols, p.x.begin() + (t + 1) * p.cols);
            const std::vector<float> single = runPackedKernel(*set, alone);
            for (int64_t r = 0; r < p.rows; ++r) {
                ASSERT_EQ(single[r], packed[t * p.rows + r])
                    << set->name << " " << tensorTypeInfo(type).name << " token " << t << " row " << r;
            }
        }
    }
    if (tested == 0) GTEST_SKIP() << set->name << " has no packed kernels";
}

INSTANTIATE_TEST_SUITE_P(Sets, PackedKernels, testing::ValuesIn(kPackedSets),
                         [](const testing::TestParamInfo<PackedSet>& info) { return std::string(info.param.name); });

// Every AVX-512 CPU has AVX2: the AVX2 packed kernels (what CPUs without
// AVX-512 run) are tested on the AVX-512 machines too, never silently left out.
TEST(MatmulKernels, Avx2SetHasPackedKernelsForEveryQuantizedType) {
    const MatmulKernelSet* set = avx2Kernels();
    if (set == nullptr) GTEST_SKIP() << "this CPU lacks AVX2";
    for (TensorType type : {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K}) {
        EXPECT_NE(set->packedForType(type), nullptr) << tensorTypeInfo(type).name;
    }
}

// The backend's runner packs a matrix in pieces on several threads and runs it
// in contiguous shares: a matrix of many pieces and a partial last group gives
// the same bits as packing it whole and running it group by group.
TEST(MatmulKernels, RunnerPacksInPiecesAndRunsInSharesWithTheSameBits) {
    const MatmulKernelSet& set = bestKernels();
    int tested = 0;
    for (TensorType type : {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K}) {
        if (set.packedForType(type) == nullptr) continue;
        ++tested;
        Problem p = makeProblem(type, 3, 31);
        p.rows = 37 * kPackedRows + 9;  // more than two packing pieces of 256 rows, 9 rows unpacked
        p.weights.resize(rowBytes(type, p.cols) * static_cast<size_t>(p.rows));
        fillRandomWeights(type, p.weights.data(), p.rows, p.cols, 0.5f, 32);
        const std::vector<float> expected = runPackedKernel(set, p);

        ThreadPool pool(3);
        MatmulRunner runner(pool, set, p.tokens, p.cols);
        WeightTensor w;
        w.name = "w";
        w.type = type;
        w.rows = p.rows;
        w.cols = p.cols;
        w.data = p.weights.data();
        w.bytes = p.weights.size();
        runner.pack(w);
        std::vector<float> out(expected.size(), NAN);
        runner.run(w, p.x.data(), p.cols, p.tokens, out.data());
        for (size_t i = 0; i < out.size(); ++i) {
            ASSERT_EQ(expected[i], out[i]) << tensorTypeInfo(type).name << " token " << i / p.rows << " row " << i % p.rows;
        }
    }
    if (tested == 0) GTEST_SKIP() << "no kernel set of this CPU reads packed weights";
}

TEST(MatmulKernels, SimdQuantizationMatchesScalarExactly) {
    SplitMix64 rng(5);
    std::vector<float> x(32 * 9);
    for (float& v : x) v = 3.0f * rng.nextSigned();
    std::fill(x.begin() + 64, x.begin() + 96, 0.0f);  // an all-zero block
    x[100] = 2.5f * (x[101] = 1.0f);                   // a tie for the rounding mode
    std::vector<ActivationBlockQ8> expected(9), actual(9);
    scalarKernels().quantize(x.data(), static_cast<int64_t>(x.size()), expected.data());
    for (const MatmulKernelSet* set : simdSets()) {
        set->quantize(x.data(), static_cast<int64_t>(x.size()), actual.data());
        for (size_t b = 0; b < expected.size(); ++b) {
            EXPECT_EQ(expected[b].d, actual[b].d) << set->name << " block " << b;
            EXPECT_EQ(expected[b].dsum, actual[b].dsum) << set->name << " block " << b;
            EXPECT_EQ(0, std::memcmp(expected[b].q, actual[b].q, 32)) << set->name << " block " << b;
        }
    }
}

// Damaged weights give NaN or infinite activations: quantizing them must be defined
// (UBSan: a NaN cast to int is undefined behaviour; found by fuzz_model) and keep the
// NaN, so that generation stops with "NaN logits" instead of printing garbage.
TEST(MatmulKernels, NonFiniteActivationsQuantizeToANaNScale) {
    std::vector<float> x(32 * 3, 0.5f);
    std::fill(x.begin(), x.begin() + 32, std::numeric_limits<float>::quiet_NaN());  // a norm of a NaN row
    x[40] = std::numeric_limits<float>::infinity();
    x[41] = std::numeric_limits<float>::quiet_NaN();
    std::vector<ActivationBlockQ8> q(3);
    scalarKernels().quantize(x.data(), static_cast<int64_t>(x.size()), q.data());
    for (int b = 0; b < 2; ++b) {
        EXPECT_TRUE(std::isnan(q[b].d)) << b;
        EXPECT_TRUE(std::isnan(q[b].dsum)) << b;
    }
    EXPECT_EQ(q[0].q[0], -128);  // the SIMD conversion's NaN, saturated
    EXPECT_EQ(q[2].d, 0.5f / 127.0f);
    EXPECT_EQ(q[2].q[0], 127);
    for (const MatmulKernelSet* set : simdSets()) {
        std::vector<ActivationBlockQ8> simd(3);
        set->quantize(x.data(), static_cast<int64_t>(x.size()), simd.data());
        EXPECT_TRUE(std::isnan(simd[0].d)) << set->name;
        EXPECT_EQ(0, std::memcmp(q[0].q, simd[0].q, 32)) << set->name;
        EXPECT_EQ(0, std::memcmp(q[2].q, simd[2].q, 32)) << set->name;
    }
    // Through a matrix: finite activations give finite outputs, a NaN block NaN ones.
    Problem p = makeProblem(TensorType::Q8_0, 1, 9);
    for (const float v : runKernel(scalarKernels(), p, scalarKernels().quantize)) EXPECT_TRUE(std::isfinite(v));
    std::fill(p.x.begin(), p.x.begin() + 32, std::numeric_limits<float>::quiet_NaN());
    for (const float v : runKernel(scalarKernels(), p, scalarKernels().quantize)) EXPECT_TRUE(std::isnan(v));
}

TEST(MatmulKernels, ScalarQuantizedKernelsStayNearTheFloatReference) {
    for (TensorType type : kAllTypes) {
        const Problem p = makeProblem(type, 5, 3);
        const std::vector<float> reference = runKernel(referenceKernels(), p, nullptr);
        const std::vector<float> scalar = runKernel(scalarKernels(), p, scalarKernels().quantize);
        // Float types see the same math; quantized ones lose ~0.5% to 8-bit activations.
        const bool quantized = tensorTypeInfo(type).blockValues > 1;
        EXPECT_LT(relativeL2(scalar, reference), quantized ? 1e-2 : 1e-6) << tensorTypeInfo(type).name;
    }
}

TEST(MatmulKernels, ReferenceMatchesFloat64DotOfDequantizedRows) {
    for (TensorType type : kAllTypes) {
        const Problem p = makeProblem(type, 2, 9);
        const std::vector<float> reference = runKernel(referenceKernels(), p, nullptr);
        std::vector<float> exact(reference.size());
        std::vector<float> row(static_cast<size_t>(p.cols));
        for (int64_t r = 0; r < p.rows; ++r) {
            dequantizeRow(type, p.weights.data() + r * rowBytes(type, p.cols), p.cols, row.data());
            for (int t = 0; t < p.tokens; ++t) {
                double sum = 0;
                for (int64_t c = 0; c < p.cols; ++c) sum += double(row[c]) * p.x[t * p.cols + c];
                exact[t * p.rows + r] = static_cast<float>(sum);
            }
        }
        EXPECT_LT(relativeL2(reference, exact), 1e-6) << tensorTypeInfo(type).name;
    }
}

TEST(MatmulKernels, DispatchPicksTheWidestSetThisCpuHas) {
    const MatmulKernelSet& best = widestKernels();
    if (avx512Kernels() != nullptr) {
        EXPECT_STREQ(best.name, "AVX-512");
    } else if (avxVnniKernels() != nullptr) {
        EXPECT_STREQ(best.name, "AVX-VNNI");
    } else if (avx2Kernels() != nullptr) {
        EXPECT_STREQ(best.name, "AVX2");
    } else {
        EXPECT_STREQ(best.name, "scalar");
    }
    for (TensorType type : kAllTypes) EXPECT_NE(best.forType(type), nullptr);
}

// $PROMPTSTUDIO_CPU_KERNELS picks a set by name; a name this CPU lacks or an
// unknown one warns on stderr and falls back to the widest set.
TEST(MatmulKernels, KernelSetsAreChosenByName) {
    EXPECT_EQ(&kernelsNamed(nullptr), &widestKernels());
    EXPECT_EQ(&kernelsNamed(""), &widestKernels());
    EXPECT_EQ(&kernelsNamed("scalar"), &scalarKernels());
    if (avx2Kernels() != nullptr) {
        EXPECT_EQ(&kernelsNamed("AVX2"), avx2Kernels());
        const MatmulKernelSet& plain = kernelsNamed("AVX2/plain");
        EXPECT_STREQ(plain.name, "AVX2");
        EXPECT_EQ(plain.q4_0, avx2Kernels()->q4_0);
        EXPECT_EQ(plain.packedForType(TensorType::Q4_0), nullptr);
        EXPECT_EQ(plain.attend, nullptr);
        EXPECT_EQ(&kernelsNamed("AVX2/plain"), &plain);
    }
    testing::internal::CaptureStderr();
    EXPECT_EQ(&kernelsNamed("SSE9"), &widestKernels());
    EXPECT_NE(testing::internal::GetCapturedStderr().find("unknown kernel set"), std::string::npos);
    if (avxVnniKernels() == nullptr) {
        testing::internal::CaptureStderr();
        EXPECT_EQ(&kernelsNamed("AVX-VNNI"), &widestKernels());
        EXPECT_NE(testing::internal::GetCapturedStderr().find("lacks it"), std::string::npos);
    }
}

// The sets with an attention kernel this CPU runs (AVX-512; AVX2 and AVX-VNNI share one).
std::vector<const MatmulKernelSet*> attentionSets() {
    std::vector<const MatmulKernelSet*> sets;
    for (const MatmulKernelSet* s : simdSets()) {
        if (s->attend != nullptr) sets.push_back(s);
    }
    return sets;
}

// The attention kernel against float64 math: one token over one KV head's
// rows, for head groups that fill its vectors and groups that do not
// (3, 6, 20 heads), head sizes of 1 to 8 chunks, windows that start past 0,
// lengths around multiples of 16, and rows with a stride (other KV heads between).
void checkAttentionAgainstFloat64(const MatmulKernelSet* set) {
    SplitMix64 rng(11);
    struct Case {
        int heads, headDim, first, last;
    };
    const Case cases[] = {{8, 64, 0, 0},    {8, 64, 0, 16},   {8, 64, 3, 300}, {1, 128, 0, 40},
                          {4, 128, 100, 163}, {3, 80, 0, 37},  {6, 64, 5, 70},  {16, 16, 0, 15},
                          {20, 32, 2, 33},  {2, 96, 0, 1000}};
    for (const Case& c : cases) {
        const size_t rowStride = static_cast<size_t>(c.headDim) * 3 + 16;
        const int positions = c.last + 1;
        std::vector<float> keys(rowStride * positions), values(keys.size()), q(static_cast<size_t>(c.heads) * c.headDim);
        for (float& v : keys) v = 2.0f * rng.nextSigned();
        for (float& v : values) v = rng.nextSigned();
        for (float& v : q) v = 2.0f * rng.nextSigned();
        const size_t scoreStride = static_cast<size_t>(positions) + 7;
        std::vector<float> scores(static_cast<size_t>(c.heads) * scoreStride);
        std::vector<float> out(q.size(), -1.0f);
        AttentionRows rows;
        rows.q = q.data();
        rows.keys = keys.data() + c.headDim;  // the second "KV head" of each row
        rows.values = values.data() + c.headDim;
        rows.rowStride = rowStride;
        rows.heads = c.heads;
        rows.headDim = c.headDim;
        rows.first = c.first;
        rows.last = c.last;
        rows.scale = 1.0f / std::sqrt(static_cast<float>(c.headDim));
        rows.scores = scores.data();
        rows.scoreStride = scoreStride;
        rows.out = out.data();
        set->attend(rows);
        for (int h = 0; h < c.heads; ++h) {
            std::vector<double> s;
            double most = -1e300;
            for (int p = c.first; p <= c.last; ++p) {
                double dot = 0;
                for (int d = 0; d < c.headDim; ++d)
                    dot += double(q[static_cast<size_t>(h) * c.headDim + d]) * rows.keys[p * rowStride + d];
                s.push_back(dot * rows.scale);
                most = std::max(most, s.back());
            }
            double total = 0;
            for (double& v : s) total += (v = std::exp(v - most));
            for (int d = 0; d < c.headDim; ++d) {
                double expected = 0;
                for (int p = c.first; p <= c.last; ++p) expected += s[p - c.first] / total * rows.values[p * rowStride + d];
                const float got = out[static_cast<size_t>(h) * c.headDim + d];
                ASSERT_NEAR(got, expected, 2e-6 + 2e-5 * std::fabs(expected))
                    << set->name << " heads " << c.heads << " headDim " << c.headDim << " positions " << c.first
                    << ".." << c.last << " head " << h << " value " << d;
            }
        }
    }
}

TEST(AttentionKernel, MatchesFloat64SoftmaxAttention) {
    if (attentionSets().empty()) GTEST_SKIP() << "this CPU runs no attention kernel";
    for (const MatmulKernelSet* set : attentionSets()) checkAttentionAgainstFloat64(set);
}

// A NaN in the cache reaches the output (so that generation stops with "NaN
// logits" instead of going on with a head that silently skipped a position).
void checkANaNKeyGivesNaNOutput(const MatmulKernelSet* set) {
    const int heads = 8, headDim = 64, positions = 40;
    std::vector<float> keys(static_cast<size_t>(positions) * headDim, 0.1f), values(keys.size(), 1.0f);
    std::vector<float> q(static_cast<size_t>(heads) * headDim, 0.2f), scores(static_cast<size_t>(heads) * positions);
    std::vector<float> out(q.size());
    keys[17 * headDim + 5] = std::numeric_limits<float>::quiet_NaN();
    AttentionRows rows;
    rows.q = q.data();
    rows.keys = keys.data();
    rows.values = values.data();
    rows.rowStride = headDim;
    rows.heads = heads;
    rows.headDim = headDim;
    rows.first = 0;
    rows.last = positions - 1;
    rows.scores = scores.data();
    rows.scoreStride = positions;
    rows.out = out.data();
    set->attend(rows);
    for (int h = 0; h < heads; ++h) {
        EXPECT_TRUE(std::isnan(out[static_cast<size_t>(h) * headDim])) << set->name << " head " << h;
    }
}

TEST(AttentionKernel, ANaNKeyGivesNaNOutput) {
    if (attentionSets().empty()) GTEST_SKIP() << "this CPU runs no attention kernel";
    for (const MatmulKernelSet* set : attentionSets()) checkANaNKeyGivesNaNOutput(set);
}

}  // namespace
}  // namespace ps

// The pool hands out every item of every loop exactly once, also when loops of
// changing sizes follow each other quickly and the workers are preempted between
// them (more threads than cores): a worker left over from one loop once ran an item
// of the next and counted it twice, and run() then waited forever.
TEST(ThreadPool, ManyShortLoopsOfChangingSizesRunEachItemOnce) {
    ps::ThreadPool pool(std::max(3, ps::ThreadPool::hardwareThreads() + 1));
    std::array<std::atomic<int>, 16> runs{};
    for (int loop = 0; loop < 200000; ++loop) {
        const int items = loop % 2 == 0 ? 2 : 11;
        for (auto& count : runs) count.store(0, std::memory_order_relaxed);
        pool.run(items, [&](int64_t item, int) { runs[static_cast<size_t>(item)].fetch_add(1); });
        for (int item = 0; item < 16; ++item)
            ASSERT_EQ(runs[static_cast<size_t>(item)].load(), item < items ? 1 : 0) << "loop " << loop << " item " << item;
    }
}

// runInShares hands out every item exactly once for pools of one to more
// threads than cores, for loops smaller than the shares (plain run) and larger,
// also when its workers are preempted mid-share (the caller then takes their
// items from their shares' fronts).
TEST(ThreadPool, RunInSharesRunsEachItemOnce) {
    for (int threads : {1, 2, 3, ps::ThreadPool::hardwareThreads() + 2}) {
        ps::ThreadPool pool(threads);
        std::vector<std::atomic<int>> runs(1000);
        for (int loop = 0; loop < 3000; ++loop) {
            const int items = std::array{0, 1, 5, 7, 64, 1000}[static_cast<size_t>(loop % 6)];
            for (auto& count : runs) count.store(0, std::memory_order_relaxed);
            pool.runInShares(items, [&](int64_t item, int worker) {
                ASSERT_GE(worker, 0);
                ASSERT_LT(worker, threads);
                runs[static_cast<size_t>(item)].fetch_add(1, std::memory_order_relaxed);
            });
            for (int item = 0; item < static_cast<int>(runs.size()); ++item) {
                ASSERT_EQ(runs[static_cast<size_t>(item)].load(), item < items ? 1 : 0)
                    << threads << " threads, loop " << loop << ", item " << item;
            }
        }
    }
}
