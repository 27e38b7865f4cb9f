// Chooses the kernel set at run time from what the CPU reports, so that one
// binary runs on any x86-64 (and on other CPUs with the scalar set).
#include "backend/cpu/matmul_kernels.h"

namespace ps {

MatmulKernel MatmulKernelSet::forType(TensorType type) const {
    switch (type) {
        case TensorType::F32: return f32;
        case TensorType::F16: return f16;
        case TensorType::BF16: return bf16;
        case TensorType::Q8_0: return q8_0;
        case TensorType::Q4_0: return q4_0;
        case TensorType::Q4_K: return q4_k;
        case TensorType::Q6_K: return q6_k;
    }
    return nullptr;
}

const PackedKernel* MatmulKernelSet::packedForType(TensorType type) const {
    const PackedKernel* packed = type == TensorType::Q8_0 ? &packedQ8_0
                                 : type == TensorType::Q4_0 ? &packedQ4_0
                                 : type == TensorType::Q4_K ? &packedQ4_K
                                 : type == TensorType::Q6_K ? &packedQ6_K
                                                            : nullptr;
    return packed != nullptr && *packed ? packed : nullptr;
}

void q6_KOffsets(const ActivationBlockQ8* blocks, int64_t count, int32_t* out) {
    for (int64_t b = 0; b < count; ++b) {
        int sums[2] = {0, 0};
        for (int i = 0; i < 32; ++i) sums[i / 16] += blocks[b].q[i];
        out[2 * b] = -32 * sums[0];
        out[2 * b + 1] = -32 * sums[1];
    }
}

bool usesQuantizedActivations(const MatmulKernelSet& set, TensorType type) {
    if (!set.quantizesActivations) return false;
    return type != TensorType::F32 && type != TensorType::F16 && type != TensorType::BF16;
}

#if !defined(PS_CPU_X86_KERNELS)
const MatmulKernelSet* avx2Kernels() { return nullptr; }
const MatmulKernelSet* avxVnniKernels() { return nullptr; }
const MatmulKernelSet* avx512Kernels() { return nullptr; }
#endif

const MatmulKernelSet& bestKernels() {
    static const MatmulKernelSet* best = [] {
        if (const MatmulKernelSet* s = avx512Kernels()) return s;
        if (const MatmulKernelSet* s = avxVnniKernels()) return s;
        if (const MatmulKernelSet* s = avx2Kernels()) return s;
        return &scalarKernels();
    }();
    return *best;
}

}  // namespace ps
