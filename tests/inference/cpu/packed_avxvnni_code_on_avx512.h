#pragma once
// The AVX-VNNI packed kernels compiled for AVX-512 VNNI, for the tests
// (packed_avxvnni_code_on_avx512.cpp says why).
#include "backend/cpu/matmul_kernels.h"

namespace ps {
// The AVX-512 set with the AVX-VNNI set's packed kernels, or nullptr when this CPU lacks AVX-512.
const MatmulKernelSet* avxVnniCodeOnAvx512Kernels();
}  // namespace ps
