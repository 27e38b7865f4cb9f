#pragma once
// The matrix kernels of the CPU backend behind one table, so that the scalar
// code, the AVX2 code and the AVX-512 code are chosen at run time and the tests
// can compare them with each other.
//
// A kernel computes out[t * outStride + r] = dot(row r of W, activation t) for
// rows [r0, r1) and every token of the activation batch. Float weights (F32,
// F16, BF16) take float activations; quantized weights (Q8_0, Q4_0, Q4_K, Q6_K)
// take the activations quantized to 8-bit blocks once per matmul, and use
// integer dot products per block as llama.cpp does.
#include <cstddef>
#include <cstdint>

#include "tensor/tensor_type.h"

namespace ps {

// 32 activations quantized as x[i] ~= d * q[i], with dsum = d * sum(q) for the
// Q4_K minimum term. One format for every quantized weight type.
struct ActivationBlockQ8 {
    float d;
    float dsum;
    int8_t q[32];
};
static_assert(sizeof(ActivationBlockQ8) == 40);

// A batch of `tokens` activation vectors of `cols` values each, token t at
// data + t * tokenStride bytes: floats, or ActivationBlockQ8 blocks for quantized weights.
struct ActivationBatch {
    const void* data = nullptr;
    int64_t tokenStride = 0;  // bytes
    int tokens = 0;
    int64_t cols = 0;
    // For the packed Q6_K kernel only: -32 times the sum of each 16 quantized
    // values (q6_KOffsets), cols / 16 per token, token t at q6_KOffsets + t * cols / 16.
    const int32_t* q6_KOffsets = nullptr;

    const float* floats(int t) const {
        return reinterpret_cast<const float*>(static_cast<const uint8_t*>(data) + t * tokenStride);
    }
    const ActivationBlockQ8* blocks(int t) const {
        return reinterpret_cast<const ActivationBlockQ8*>(static_cast<const uint8_t*>(data) +
                                                          t * tokenStride);
    }
};

// The weight rows a kernel reads: row r at data + r * rowBytes.
struct WeightRows {
    const uint8_t* data = nullptr;
    int64_t rowBytes = 0;
    int64_t cols = 0;
    TensorType type = TensorType::F32;
};

using MatmulKernel = void (*)(const WeightRows& w, int64_t r0, int64_t r1,
                              const ActivationBatch& x, float* out, int64_t outStride);
using QuantizeKernel = void (*)(const float* x, int64_t n, ActivationBlockQ8* out);

// Weights repacked once at load into the order a kernel reads them: rows in
// groups of kPackedRows, each 32-value block of a group stored as the group's
// 16 f16 scales followed by its quants, four bytes of a row next to the same
// four bytes of the group's other rows (so one 512-bit register holds four
// values of each of 16 rows, or two 256-bit ones eight rows each, and one
// broadcast activation load serves them all).
// A group takes exactly the bytes of its 16 rows, so row r's group starts at
// (r / 16) * 16 * rowBytes; rows after the last full group stay as they were.
constexpr int kPackedRows = 16;
using PackKernel = void (*)(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst);
struct PackedKernel {
    PackKernel pack = nullptr;
    // Rows [r0, r1) of packed weights; r0 and r1 multiples of kPackedRows.
    MatmulKernel matmul = nullptr;
    explicit operator bool() const { return matmul != nullptr; }
};

// One token's attention over one KV head, for the `heads` query heads sharing
// it: the scores q_h . key_p * scale for p in [first, last], softmax over them,
// out_h = sum_p score * value_p. Key and value of position p at keys/values +
// p * rowStride (floats). `scores` is the kernel's scratch: heads * scoreStride
// floats (scoreStride >= last - first + 1), in whatever layout it likes.
struct AttentionRows {
    const float* q = nullptr;  // heads * headDim
    const float* keys = nullptr;
    const float* values = nullptr;
    size_t rowStride = 0;
    int heads = 0, headDim = 0, first = 0, last = 0;
    float scale = 1.0f;
    float* scores = nullptr;
    size_t scoreStride = 0;
    float* out = nullptr;  // heads * headDim
};
using AttendKernel = void (*)(const AttentionRows& rows);
// The most query heads per KV head an AttendKernel takes (its per-head sums
// live on the stack); models with more use the plain loops.
constexpr int kAttendMaxHeads = 128;

struct MatmulKernelSet {
    const char* name = "scalar";  // "reference", "scalar", "AVX2", "AVX-VNNI", "AVX-512"
    // False for the reference set, whose kernels take float activations for every type.
    bool quantizesActivations = true;
    QuantizeKernel quantize = nullptr;
    MatmulKernel f32 = nullptr, f16 = nullptr, bf16 = nullptr;
    MatmulKernel q8_0 = nullptr, q4_0 = nullptr, q4_k = nullptr, q6_k = nullptr;

    // Kernels on repacked weights, where this set has them (Q8_0, Q4_0, Q4_K, Q6_K
    // on AVX-512, AVX-VNNI and AVX2).
    PackedKernel packedQ8_0, packedQ4_0, packedQ4_K, packedQ6_K;

    // Attention for head sizes that are a multiple of 16, where this set has it
    // (AVX-512; AVX2 and AVX-VNNI share an AVX2 one); otherwise the backend's plain loops.
    AttendKernel attend = nullptr;

    MatmulKernel forType(TensorType type) const;
    // The packed kernel of `type`, or nullptr when this set reads it unpacked.
    const PackedKernel* packedForType(TensorType type) const;
};

// What the packed Q6_K kernel takes off its unsigned quants (q + 32): -32 times
// the sum of each 16 values of `blocks` activation blocks, 2 * blocks of them.
// Kept in memory as 32-bit values, the kernel broadcasts them with a load.
void q6_KOffsets(const ActivationBlockQ8* blocks, int64_t count, int32_t* out);

// Whether a weight type takes quantized activations in this set.
bool usesQuantizedActivations(const MatmulKernelSet& set, TensorType type);

// Dequantizes each row to floats and takes a float dot product: the plain math
// the reference outputs are computed with (no activation quantization).
const MatmulKernelSet& referenceKernels();

// Portable kernels: the fallback on any CPU and the oracle the SIMD kernels are tested against.
const MatmulKernelSet& scalarKernels();
// Kernels of an instruction set, or nullptr when this build or this CPU lacks it.
const MatmulKernelSet* avx2Kernels();
const MatmulKernelSet* avxVnniKernels();
const MatmulKernelSet* avx512Kernels();
// The fastest set this CPU runs.
const MatmulKernelSet& widestKernels();
// The set of that name ("AVX-512", "AVX-VNNI", "AVX2", "scalar"); for a name
// this CPU lacks or that is unknown, a one-line warning on stderr and the widest
// set. nullptr or "" gives the widest set.
const MatmulKernelSet& kernelsNamed(const char* name);
// What the backend runs: the widest set, or the one $PROMPTSTUDIO_CPU_KERNELS
// names (for measuring what CPUs without AVX-512 get), read once.
const MatmulKernelSet& bestKernels();

}  // namespace ps
