// AVX-VNNI kernels on repacked weights (matmul_kernels_packed_x86_256.inl):
// Alder Lake and later client chips, which have the VEX-encoded vpdpbusd but no
// AVX-512. vpdpbusd adds four u8 x s8 products into 32 bits without
// saturation, so the layouts are the AVX-512 packed kernels' own (Q8_0 as w + 128).
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/packed_prefetch.h"
#include "backend/cpu/weight_packing.h"
#include "backend/cpu/x86_target.h"
#include "tensor/quant_blocks.h"

PS_BEGIN_TARGET("avx2,fma,f16c,avxvnni")

namespace ps::x86_avxvnni {
namespace {
// Unrolled, so that u and s stay in registers (GCC's -O2 keeps a rolled loop's arrays in memory).
template <int N>
inline __m256i dotSteps(__m256i acc, const __m256i* u, const __m256i* s) {
    _Pragma("GCC unroll 8") for (int k = 0; k < N; ++k) acc = _mm256_dpbusd_avx_epi32(acc, u[k], s[k]);
    return acc;
}
constexpr bool kSignedQ8_0 = false;
}  // namespace
}  // namespace ps::x86_avxvnni

#define PS_X86_NAMESPACE x86_avxvnni
#include "backend/cpu/matmul_kernels_packed_x86_256.inl"

PS_END_TARGET
