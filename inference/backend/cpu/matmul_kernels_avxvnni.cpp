// AVX-VNNI kernels (Alder Lake and later, Zen 5): the AVX2 kernels with the
// 8-bit dot product done by one vpdpbusd instead of maddubs + madd.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/packed_prefetch.h"
#include "backend/cpu/x86_target.h"
#include "tensor/float16.h"
#include "tensor/quant_blocks.h"

PS_BEGIN_TARGET("avx2,fma,f16c,avxvnni")

namespace ps::x86_avxvnni {
inline __m256i dotU8S8(__m256i u8, __m256i s8) {
    return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), u8, s8);
}
}  // namespace ps::x86_avxvnni

#define PS_X86_NAMESPACE x86_avxvnni
#include "backend/cpu/matmul_kernels_x86.inl"

PS_END_TARGET

namespace ps {
namespace x86_avxvnni {
void addPackedKernels(MatmulKernelSet& set);  // matmul_kernels_packed_avxvnni.cpp
}  // namespace x86_avxvnni
namespace x86_avx2 {
void attendAvx2(const AttentionRows& rows);  // attention_avx2.cpp: AVX2 + FMA, which AVX-VNNI CPUs have
}  // namespace x86_avx2

const MatmulKernelSet* avxVnniKernels() {
    static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                                  __builtin_cpu_supports("f16c") &&
                                  __builtin_cpu_supports("avxvnni");
    if (!supported) return nullptr;
    static const MatmulKernelSet set = [] {
        MatmulKernelSet s = x86_avxvnni::makeKernelSet("AVX-VNNI");
        x86_avxvnni::addPackedKernels(s);
        s.attend = x86_avx2::attendAvx2;
        return s;
    }();
    return &set;
}
}  // namespace ps
