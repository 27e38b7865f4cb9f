// AVX2 + FMA + F16C kernels on repacked weights (matmul_kernels_packed_x86_256.inl):
// what CPUs without AVX-512 or AVX-VNNI (Haswell to Comet Lake, Zen 1-3) run.
// AVX2 has no 4-byte dot product: maddubs multiplies unsigned by signed bytes
// and adds pairs into saturating 16-bit sums, madd with ones adds those pairs
// into 32 bits. Several steps' 16-bit sums are added before the madd where the
// quants are small enough that they cannot saturate (the kernels state each
// bound); Q8_0 keeps its quants signed and uses the sign trick.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/packed_prefetch.h"
#include "backend/cpu/weight_packing.h"
#include "backend/cpu/x86_target.h"
#include "tensor/quant_blocks.h"

PS_BEGIN_TARGET("avx2,fma,f16c")

namespace ps::x86_avx2 {
namespace {
// Unrolled, so that u and s stay in registers (GCC's -O2 keeps a rolled loop's arrays in memory).
template <int N>
inline __m256i dotSteps(__m256i acc, const __m256i* u, const __m256i* s) {
    __m256i pairs = _mm256_maddubs_epi16(u[0], s[0]);
    _Pragma("GCC unroll 8") for (int k = 1; k < N; ++k) pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(u[k], s[k]));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}
// w + 128 times x can reach 2 * 255 * 127 in a pair and saturate maddubs.
constexpr bool kSignedQ8_0 = true;
}  // namespace
}  // namespace ps::x86_avx2

#define PS_X86_NAMESPACE x86_avx2
#include "backend/cpu/matmul_kernels_packed_x86_256.inl"

PS_END_TARGET
