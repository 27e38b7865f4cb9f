// AVX-512 kernels (Ice Lake and later, Zen 4 and later): the 8-bit dot product
// is one vpdpbusd (AVX512-VNNI on 256-bit registers through AVX512-VL; the
// two-row Q8_0/Q4_0 kernel of prefill works on 512-bit registers).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/packed_prefetch.h"
#include "backend/cpu/x86_target.h"
#include "tensor/float16.h"
#include "tensor/quant_blocks.h"

// GCC 12's 512-bit intrinsics pass _mm512_undefined_*() (a self-initialized
// variable) as the unused pass-through operand, which -Wall reports as
// uninitialized once inlined (GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

PS_BEGIN_TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")

namespace ps::x86_avx512 {
inline __m256i dotU8S8(__m256i u8, __m256i s8) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u8, s8);
}
}  // namespace ps::x86_avx512

#define PS_X86_NAMESPACE x86_avx512
// Prefill's two-row Q8_0/Q4_0 kernel also uses 512-bit registers.
#define PS_X86_WIDE512 1
#include "backend/cpu/matmul_kernels_x86.inl"

PS_END_TARGET

namespace ps {
namespace x86_avx512 {
void addPackedKernels(MatmulKernelSet& set);  // matmul_kernels_packed_avx512.cpp
void attendAvx512(const AttentionRows& rows);   // attention_avx512.cpp
}  // namespace x86_avx512

const MatmulKernelSet* avx512Kernels() {
    static const bool supported =
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512vnni");
    if (!supported) return nullptr;
    static const MatmulKernelSet set = [] {
        MatmulKernelSet s = x86_avx512::makeKernelSet("AVX-512");
        x86_avx512::addPackedKernels(s);
        s.attend = x86_avx512::attendAvx512;
        return s;
    }();
    return &set;
}
}  // namespace ps
