// AVX2 + FMA + F16C kernels (Haswell and later, Zen 1 and later), used only
// where the CPU has them.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/packed_prefetch.h"
#include "backend/cpu/x86_target.h"
#include "tensor/float16.h"
#include "tensor/quant_blocks.h"

PS_BEGIN_TARGET("avx2,fma,f16c")

namespace ps::x86_avx2 {
// maddubs sums pairs into int16 (|w| <= 128 and |x| <= 127 cannot saturate), madd pairs of those.
inline __m256i dotU8S8(__m256i u8, __m256i s8) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u8, s8), _mm256_set1_epi16(1));
}
}  // namespace ps::x86_avx2

#define PS_X86_NAMESPACE x86_avx2
#include "backend/cpu/matmul_kernels_x86.inl"

PS_END_TARGET

namespace ps {
namespace x86_avx2 {
void addPackedKernels(MatmulKernelSet& set);  // matmul_kernels_packed_avx2.cpp
void attendAvx2(const AttentionRows& rows);     // attention_avx2.cpp
}  // namespace x86_avx2

const MatmulKernelSet* avx2Kernels() {
    static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                                  __builtin_cpu_supports("f16c");
    if (!supported) return nullptr;
    static const MatmulKernelSet set = [] {
        MatmulKernelSet s = x86_avx2::makeKernelSet("AVX2");
        x86_avx2::addPackedKernels(s);
        s.attend = x86_avx2::attendAvx2;
        return s;
    }();
    return &set;
}
}  // namespace ps
