#pragma once
// How the CUDA kernels cut a weight row into work, and how they decode it.
//
// A *unit* is 32 consecutive values of a row: one Q8_0 or Q4_0 block, one
// sub-block of a Q4_K or Q6_K super-block, or 32 plain floats. The dequantize-
// to-FP16 and embedding kernels hand one unit to one thread (decodeUnit<T>);
// the matrix-vector kernel copies a contiguous run of whole blocks to shared
// memory with 16-byte loads and gives each lane a *quad*, 4 values of a unit
// (decodeQuad<T>). The same functions run on the host in
// tests/inference/cuda/cuda_shared_math_test.cpp against quant_blocks.h.
//
// On the GPU each row starts on a 32-byte boundary (a memory sector): rows are
// stored with a padded stride (paddedRowBytes), so every chunk starts 16-byte
// aligned and no row shares a sector with the next.
#include <cstdint>

#include "backend/cuda/wide_access.h"
#include "tensor/float16.h"
#include "tensor/host_device.h"
#include "tensor/quant_blocks.h"
#include "tensor/tensor_type.h"

#if defined(__CUDACC__) || defined(PROMPTSTUDIO_CUDA_EMULATOR)
#include <cuda_fp16.h>  // the hardware conversions (the emulator's stand-ins convert identically)
#endif

namespace ps {

constexpr int kUnitValues = 32;
constexpr int kUnitsPerChunk = 32;  // one unit per lane of a warp (see kChunkUnits)

// Storage of a type as the kernels see it: plain float types are cut into
// "blocks" of 32 values so that every type has whole units.
template <TensorType T>
struct WeightFormat;
template <>
struct WeightFormat<TensorType::F32> {
    static constexpr int kBlockValues = 32, kBlockBytes = 128;
};
template <>
struct WeightFormat<TensorType::F16> {
    static constexpr int kBlockValues = 32, kBlockBytes = 64;
};
template <>
struct WeightFormat<TensorType::BF16> {
    static constexpr int kBlockValues = 32, kBlockBytes = 64;
};
template <>
struct WeightFormat<TensorType::Q8_0> {
    static constexpr int kBlockValues = 32, kBlockBytes = 34;
};
template <>
struct WeightFormat<TensorType::Q4_0> {
    static constexpr int kBlockValues = 32, kBlockBytes = 18;
};
template <>
struct WeightFormat<TensorType::Q4_K> {
    static constexpr int kBlockValues = 256, kBlockBytes = 144;
};
template <>
struct WeightFormat<TensorType::Q6_K> {
    static constexpr int kBlockValues = 256, kBlockBytes = 210;
};

template <TensorType T>
constexpr int kUnitsPerBlock = WeightFormat<T>::kBlockValues / kUnitValues;

// Units of one chunk: 32 (one per lane), or 64 where 32 units would not end on a
// 16-byte boundary (Q6_K: 4 blocks are 840 bytes, 8 are 1680).
template <TensorType T>
constexpr int kChunkUnits =
    (kUnitsPerChunk / kUnitsPerBlock<T> * WeightFormat<T>::kBlockBytes) % 16 == 0 ? kUnitsPerChunk
                                                                                   : 2 * kUnitsPerChunk;

// Bytes of one chunk; a multiple of 16 for every type (576 for Q4_0).
template <TensorType T>
constexpr int kChunkBytes = kChunkUnits<T> / kUnitsPerBlock<T> * WeightFormat<T>::kBlockBytes;
static_assert(kChunkBytes<TensorType::Q4_0> % 16 == 0 && kChunkBytes<TensorType::Q8_0> % 16 == 0 &&
              kChunkBytes<TensorType::Q4_K> % 16 == 0 && kChunkBytes<TensorType::Q6_K> % 16 == 0 &&
              kChunkBytes<TensorType::F16> % 16 == 0 && kChunkBytes<TensorType::F32> % 16 == 0 &&
              kChunkBytes<TensorType::BF16> % 16 == 0);
constexpr int kMaxChunkBytes = 4096;  // F32

// Units in a row of `cols` values (the last one partial for plain float rows
// whose length is not a multiple of 32; quantized rows are whole blocks).
PS_HD int64_t unitsInRow(int64_t cols) { return (cols + kUnitValues - 1) / kUnitValues; }

// Values of unit `unit` that lie inside the row (32 except maybe the last).
PS_HD int validValuesInUnit(int64_t cols, int64_t unit) {
    const int64_t left = cols - unit * kUnitValues;
    return left >= kUnitValues ? kUnitValues : static_cast<int>(left);
}

// Bytes of the row as stored in the file, and the 32-byte padded stride on the GPU.
PS_HD int64_t paddedRowBytes(int64_t storedRowBytes) { return (storedRowBytes + 31) / 32 * 32; }

// Byte offset, inside its row, of the chunk that starts at unit `firstUnit`
// (a multiple of kChunkUnits<T>).
template <TensorType T>
PS_HD int64_t chunkByteOffset(int64_t firstUnit) {
    return firstUnit / kUnitsPerBlock<T> * WeightFormat<T>::kBlockBytes;
}

// Bytes of the chunk starting at `firstUnit` that the warp must load, rounded
// up to 16 and never past the padded row.
template <TensorType T>
PS_HD int chunkLoadBytes(int64_t storedRowBytes, int64_t firstUnit) {
    const int64_t left = paddedRowBytes(storedRowBytes) - chunkByteOffset<T>(firstUnit);
    return left < kChunkBytes<T> ? static_cast<int>(left) : kChunkBytes<T>;
}

// Decodes unit `unit` of the row whose bytes start at `row` (or of the chunk
// starting there, with `unit` counted from the chunk) into out[0..31]. Values
// at or past `valid` are 0 and their bytes are not read.
template <TensorType T>
PS_HD void decodeUnit(const uint8_t* row, int64_t unit, int valid, float* out) {
    const uint8_t* block = row + unit / kUnitsPerBlock<T> * WeightFormat<T>::kBlockBytes;
    const int sub = static_cast<int>(unit % kUnitsPerBlock<T>);
    (void)sub;
    if constexpr (T == TensorType::F32) {
        const float* v = reinterpret_cast<const float*>(block);
        for (int i = 0; i < kUnitValues; ++i) out[i] = i < valid ? v[i] : 0.0f;
    } else if constexpr (T == TensorType::F16) {
        const uint16_t* v = reinterpret_cast<const uint16_t*>(block);
        for (int i = 0; i < kUnitValues; ++i) out[i] = i < valid ? halfToFloat(v[i]) : 0.0f;
    } else if constexpr (T == TensorType::BF16) {
        const uint16_t* v = reinterpret_cast<const uint16_t*>(block);
        for (int i = 0; i < kUnitValues; ++i) out[i] = i < valid ? bf16ToFloat(v[i]) : 0.0f;
    } else if constexpr (T == TensorType::Q8_0) {
        const BlockQ8_0& b = *reinterpret_cast<const BlockQ8_0*>(block);
        const float d = halfToFloat(b.d);
        for (int i = 0; i < kUnitValues; ++i) out[i] = d * static_cast<float>(b.q[i]);
    } else if constexpr (T == TensorType::Q4_0) {
        const BlockQ4_0& b = *reinterpret_cast<const BlockQ4_0*>(block);
        const float d = halfToFloat(b.d);
        for (int j = 0; j < 16; ++j) {
            out[j] = d * static_cast<float>((b.q[j] & 0x0f) - 8);
            out[j + 16] = d * static_cast<float>((b.q[j] >> 4) - 8);
        }
    } else if constexpr (T == TensorType::Q4_K) {
        const BlockQ4_K& b = *reinterpret_cast<const BlockQ4_K*>(block);
        int scale, min;
        q4_KScaleMin(b.scales, sub, scale, min);
        const float d = halfToFloat(b.d) * static_cast<float>(scale);
        const float m = halfToFloat(b.dmin) * static_cast<float>(min);
        const uint8_t* q = b.q + 32 * (sub / 2);
        const int shift = 4 * (sub % 2);
        for (int i = 0; i < kUnitValues; ++i) out[i] = d * static_cast<float>((q[i] >> shift) & 0x0f) - m;
    } else if constexpr (T == TensorType::Q6_K) {
        // Sub-block `sub` holds values 32*sub .. 32*sub+31: half h, group g (gguf-facts.md).
        const BlockQ6_K& b = *reinterpret_cast<const BlockQ6_K*>(block);
        const int h = sub / 4, g = sub % 4;
        const uint8_t* ql = b.ql + 64 * h + 32 * (g % 2);
        const uint8_t* qh = b.qh + 32 * h;
        const int lowShift = g < 2 ? 0 : 4;
        const float d = halfToFloat(b.d);
        const float d0 = d * static_cast<float>(b.scales[2 * sub]);
        const float d1 = d * static_cast<float>(b.scales[2 * sub + 1]);
        for (int i = 0; i < kUnitValues; ++i) {
            const int q = (((ql[i] >> lowShift) & 0x0f) | (((qh[i] >> (2 * g)) & 3) << 4)) - 32;
            out[i] = (i < 16 ? d0 : d1) * static_cast<float>(q);
        }
    }
}

// One 16-byte and one 8-byte load (ld.v4.f32, ld.v2.u32 on the device; the
// host tests have no CUDA vector types).
struct alignas(16) FourFloats {
    float x, y, z, w;
};
struct alignas(8) TwoWords {
    uint32_t x, y;
};

// Two FP16 values packed in 32 bits (the lower address in the low half) as
// floats: the hardware conversion on the device (cvt.f32.f16 on both halves),
// the same rounding-free conversion in software on the host. Exact either way.
PS_HD void halvesToFloats(uint32_t bits, float& low, float& high) {
#if defined(__CUDACC__) || defined(PROMPTSTUDIO_CUDA_EMULATOR)
    const float2 f = __half22float2(__halves2half2(__ushort_as_half(static_cast<unsigned short>(bits & 0xffffu)),
                                                   __ushort_as_half(static_cast<unsigned short>(bits >> 16))));
    low = f.x;
    high = f.y;
#else
    low = halfToFloat(static_cast<uint16_t>(bits & 0xffffu));
    high = halfToFloat(static_cast<uint16_t>(bits >> 16));
#endif
}

PS_HD float halfBitsToFloat(uint16_t bits) {
#if defined(__CUDACC__) || defined(PROMPTSTUDIO_CUDA_EMULATOR)
    return __half2float(__ushort_as_half(bits));
#else
    return halfToFloat(bits);
#endif
}

// A *quad*: values 4q .. 4q+3 (q = 0..7) of unit `unit` of the chunk starting
// at `chunk` (16-byte aligned), into out[0..3]; the same numbers as
// decodeUnit<T>. The matrix-vector kernel gives each lane one quad, so the 32
// lanes of a warp read 4 neighbouring units: consecutive shared-memory words,
// no bank conflicts. Loads are as wide as the alignment of the type allows.
template <TensorType T>
PS_HD void decodeQuad(const uint8_t* chunk, int unit, int q, float* out) {
    const uint8_t* block = chunk + unit / kUnitsPerBlock<T> * WeightFormat<T>::kBlockBytes;
    const int sub = unit % kUnitsPerBlock<T>;
    (void)sub;
    if constexpr (T == TensorType::F32) {
        const FourFloats v = wideLoad(reinterpret_cast<const FourFloats*>(block + 16 * q));
        out[0] = v.x;
        out[1] = v.y;
        out[2] = v.z;
        out[3] = v.w;
    } else if constexpr (T == TensorType::F16) {
        const TwoWords v = wideLoad(reinterpret_cast<const TwoWords*>(block + 8 * q));
        halvesToFloats(v.x, out[0], out[1]);
        halvesToFloats(v.y, out[2], out[3]);
    } else if constexpr (T == TensorType::BF16) {
        // bf16 -> f32 is the bit pattern shifted up: what the hardware does too.
        const TwoWords v = wideLoad(reinterpret_cast<const TwoWords*>(block + 8 * q));
        out[0] = bf16ToFloat(static_cast<uint16_t>(v.x & 0xffffu));
        out[1] = bf16ToFloat(static_cast<uint16_t>(v.x >> 16));
        out[2] = bf16ToFloat(static_cast<uint16_t>(v.y & 0xffffu));
        out[3] = bf16ToFloat(static_cast<uint16_t>(v.y >> 16));
    } else if constexpr (T == TensorType::Q8_0) {
        // Blocks are 34 bytes: 2-byte alignment only.
        const uint16_t* d = reinterpret_cast<const uint16_t*>(block);
        const float scale = halfBitsToFloat(d[0]);
        const uint16_t lo = d[1 + 2 * q], hi = d[2 + 2 * q];
        out[0] = scale * static_cast<float>(static_cast<int8_t>(lo & 0xff));
        out[1] = scale * static_cast<float>(static_cast<int8_t>(lo >> 8));
        out[2] = scale * static_cast<float>(static_cast<int8_t>(hi & 0xff));
        out[3] = scale * static_cast<float>(static_cast<int8_t>(hi >> 8));
    } else if constexpr (T == TensorType::Q4_0) {
        // Values 0..15 are the low nibbles of q[0..15], 16..31 the high ones.
        const uint16_t* d = reinterpret_cast<const uint16_t*>(block);
        const float scale = halfBitsToFloat(d[0]);
        const int byte = 4 * (q % 4), shift = q < 4 ? 0 : 4;
        const uint32_t bytes = static_cast<uint32_t>(d[1 + byte / 2]) | (static_cast<uint32_t>(d[2 + byte / 2]) << 16);
        for (int i = 0; i < 4; ++i) out[i] = scale * static_cast<float>(static_cast<int>((bytes >> (8 * i + shift)) & 0x0f) - 8);
    } else if constexpr (T == TensorType::Q4_K) {
        // Blocks are 144 bytes: the quants of a quad are one aligned 32-bit word.
        const BlockQ4_K& b = *reinterpret_cast<const BlockQ4_K*>(block);
        int scale, min;
        q4_KScaleMin(b.scales, sub, scale, min);
        const float d = halfBitsToFloat(b.d) * static_cast<float>(scale);
        const float m = halfBitsToFloat(b.dmin) * static_cast<float>(min);
        const uint32_t bytes = *reinterpret_cast<const uint32_t*>(b.q + 32 * (sub / 2) + 4 * q);
        const int shift = 4 * (sub % 2);
        for (int i = 0; i < 4; ++i) out[i] = d * static_cast<float>((bytes >> (8 * i + shift)) & 0x0f) - m;
    } else if constexpr (T == TensorType::Q6_K) {
        // Blocks are 210 bytes: 2-byte alignment only.
        const BlockQ6_K& b = *reinterpret_cast<const BlockQ6_K*>(block);
        const int h = sub / 4, g = sub % 4;
        const uint16_t* ql = reinterpret_cast<const uint16_t*>(b.ql + 64 * h + 32 * (g % 2) + 4 * q);
        const uint16_t* qh = reinterpret_cast<const uint16_t*>(b.qh + 32 * h + 4 * q);
        const uint32_t low = static_cast<uint32_t>(ql[0]) | (static_cast<uint32_t>(ql[1]) << 16);
        const uint32_t high = static_cast<uint32_t>(qh[0]) | (static_cast<uint32_t>(qh[1]) << 16);
        const int lowShift = g < 2 ? 0 : 4;
        const float d = halfBitsToFloat(b.d) * static_cast<float>(b.scales[2 * sub + (q < 4 ? 0 : 1)]);
        for (int i = 0; i < 4; ++i) {
            const int v = static_cast<int>(((low >> (8 * i + lowShift)) & 0x0f) | (((high >> (8 * i + 2 * g)) & 3) << 4)) - 32;
            out[i] = d * static_cast<float>(v);
        }
    }
}

// Sum of w[i] * x[i] over one decoded unit.
PS_HD float dotUnit(const float* w, const float* x) {
    float sum = 0.0f;
    for (int i = 0; i < kUnitValues; ++i) sum += w[i] * x[i];
    return sum;
}

// Calls f.template operator()<T>() with the compile-time type matching `type`;
// the one place a runtime TensorType becomes a template argument.
template <typename F>
inline bool dispatchWeightType(TensorType type, F&& f) {
    switch (type) {
        case TensorType::F32: f.template operator()<TensorType::F32>(); return true;
        case TensorType::F16: f.template operator()<TensorType::F16>(); return true;
        case TensorType::BF16: f.template operator()<TensorType::BF16>(); return true;
        case TensorType::Q8_0: f.template operator()<TensorType::Q8_0>(); return true;
        case TensorType::Q4_0: f.template operator()<TensorType::Q4_0>(); return true;
        case TensorType::Q4_K: f.template operator()<TensorType::Q4_K>(); return true;
        case TensorType::Q6_K: f.template operator()<TensorType::Q6_K>(); return true;
    }
    return false;
}

}  // namespace ps
