// The AVX-VNNI packed kernels' source (matmul_kernels_packed_x86_256.inl, as
// matmul_kernels_packed_avxvnni.cpp compiles it) with the EVEX-encoded
// vpdpbusd of AVX512-VNNI + AVX512-VL in place of the VEX-encoded one of
// AVX-VNNI: the same operation on the same registers. AVX-512 CPUs such as
// Zen 4 lack AVX-VNNI, so this is how the tests run those kernels there.
#include "packed_avxvnni_code_on_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "backend/cpu/packed_prefetch.h"
#include "backend/cpu/weight_packing.h"
#include "backend/cpu/x86_target.h"
#include "tensor/quant_blocks.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

PS_BEGIN_TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")

namespace ps::test_avxvnni_on_avx512 {
namespace {
template <int N>
inline __m256i dotSteps(__m256i acc, const __m256i* u, const __m256i* s) {
    for (int k = 0; k < N; ++k) acc = _mm256_dpbusd_epi32(acc, u[k], s[k]);
    return acc;
}
constexpr bool kSignedQ8_0 = false;  // as matmul_kernels_packed_avxvnni.cpp
}  // namespace
}  // namespace ps::test_avxvnni_on_avx512

#define PS_X86_NAMESPACE test_avxvnni_on_avx512
#include "backend/cpu/matmul_kernels_packed_x86_256.inl"

PS_END_TARGET

namespace ps {
const MatmulKernelSet* avxVnniCodeOnAvx512Kernels() {
    const MatmulKernelSet* avx512 = avx512Kernels();
    if (avx512 == nullptr) return nullptr;
    static const MatmulKernelSet set = [&] {
        MatmulKernelSet s = *avx512;  // its plain kernels for the rows after the last group
        s.name = "AVX-VNNI code on AVX-512";
        test_avxvnni_on_avx512::addPackedKernels(s);
        return s;
    }();
    return &set;
}
}  // namespace ps

#else

namespace ps {
const MatmulKernelSet* avxVnniCodeOnAvx512Kernels() { return nullptr; }
}  // namespace ps

#endif
