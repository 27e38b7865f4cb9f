#pragma once
// __half and __nv_bfloat16 for kernels compiled on the host: the bits the
// device stores, converted exactly as the device converts (round to nearest
// even; the conversions are tensor/float16.h's, which tests check bit for bit).
#include <cstdint>

#include "backend/cuda/emulator/runtime_api.h"
#include "tensor/float16.h"

struct __half {
    uint16_t bits;
    __half() = default;
    __half(float f) : bits(ps::floatToHalf(f)) {}
    operator float() const { return ps::halfToFloat(bits); }
};

struct __nv_bfloat16 {
    uint16_t bits;
    __nv_bfloat16() = default;
    __nv_bfloat16(float f) : bits(ps::floatToBf16(f)) {}
    operator float() const { return ps::bf16ToFloat(bits); }
};

struct __half2 {
    __half x, y;
};

inline __half __float2half(float f) { return __half(f); }
inline __half __float2half_rn(float f) { return __half(f); }
inline float __half2float(__half h) { return ps::halfToFloat(h.bits); }
inline __half2 __floats2half2_rn(float a, float b) { return __half2{__half(a), __half(b)}; }
inline float2 __half22float2(__half2 h) { return float2{float(h.x), float(h.y)}; }
inline __half2 __halves2half2(__half low, __half high) { return __half2{low, high}; }
inline __half __ushort_as_half(unsigned short bits) {
    __half h;
    h.bits = bits;
    return h;
}
inline unsigned short __half_as_ushort(__half h) { return h.bits; }

inline __nv_bfloat16 __float2bfloat16(float f) { return __nv_bfloat16(f); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16(f); }
inline float __bfloat162float(__nv_bfloat16 b) { return ps::bf16ToFloat(b.bits); }
