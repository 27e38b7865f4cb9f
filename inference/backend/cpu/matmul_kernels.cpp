// Chooses the kernel set at run time from what the CPU reports, so that one
// binary runs on any x86-64 (and on other CPUs with the scalar set).
#include "backend/cpu/matmul_kernels.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

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

const MatmulKernelSet& widestKernels() {
    if (const MatmulKernelSet* s = avx512Kernels()) return *s;
    if (const MatmulKernelSet* s = avxVnniKernels()) return *s;
    if (const MatmulKernelSet* s = avx2Kernels()) return *s;
    return scalarKernels();
}

const MatmulKernelSet& kernelsNamed(const char* name) {
    const MatmulKernelSet& widest = widestKernels();
    if (name == nullptr || *name == '\0') return widest;
    // "NAME/plain": that set without its packed kernels and attention kernel (its
    // plain loops only), to measure what those give.
    std::string wanted = name;
    constexpr std::string_view kPlain = "/plain";
    const bool plain = wanted.size() > kPlain.size() && wanted.ends_with(kPlain);
    if (plain) wanted.resize(wanted.size() - kPlain.size());
    const std::pair<const char*, const MatmulKernelSet*> sets[] = {{"AVX-512", avx512Kernels()},
                                                                   {"AVX-VNNI", avxVnniKernels()},
                                                                   {"AVX2", avx2Kernels()},
                                                                   {"scalar", &scalarKernels()}};
    static MatmulKernelSet plainSets[std::size(sets)];
    for (size_t i = 0; i < std::size(sets); ++i) {
        // Not a structured binding: clang 15 (the fuzz build) cannot capture one in the lambda below.
        const char* setName = sets[i].first;
        const MatmulKernelSet* set = sets[i].second;
        if (wanted != setName) continue;
        if (set == nullptr) {
            std::fprintf(stderr, "PROMPTSTUDIO_CPU_KERNELS=%s: this CPU or build lacks it; using %s\n", name,
                         widest.name);
            return widest;
        }
        if (!plain) return *set;
        static std::once_flag once[std::size(sets)];
        std::call_once(once[i], [&] {
            plainSets[i] = *set;
            plainSets[i].packedQ8_0 = plainSets[i].packedQ4_0 = plainSets[i].packedQ4_K =
                plainSets[i].packedQ6_K = PackedKernel{};
            plainSets[i].attend = nullptr;
        });
        return plainSets[i];
    }
    std::fprintf(stderr,
                 "PROMPTSTUDIO_CPU_KERNELS=%s: unknown kernel set (AVX-512, AVX-VNNI, AVX2 or scalar, each "
                 "optionally with /plain); using %s\n",
                 name, widest.name);
    return widest;
}

const MatmulKernelSet& bestKernels() {
    static const MatmulKernelSet& best = kernelsNamed(std::getenv("PROMPTSTUDIO_CPU_KERNELS"));
    return best;
}

}  // namespace ps
