#pragma once
// Sums across the 32 lanes of a warp (butterfly shuffles): every lane ends with
// the total. Device code only (the kernels' .cu files).

namespace ps {

__device__ __forceinline__ float warpSum(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// Two sums at once: one 64-bit shuffle per step instead of two 32-bit ones.
__device__ __forceinline__ void warpSum2(float& a, float& b) {
    for (int offset = 16; offset > 0; offset /= 2) {
        const unsigned long long packed = static_cast<unsigned long long>(__float_as_uint(a)) |
                                          (static_cast<unsigned long long>(__float_as_uint(b)) << 32);
        const unsigned long long other = __shfl_xor_sync(0xffffffffu, packed, offset);
        a += __uint_as_float(static_cast<unsigned>(other & 0xffffffffu));
        b += __uint_as_float(static_cast<unsigned>(other >> 32));
    }
}

}  // namespace ps
