#pragma once
// Block layouts of the quantized GGUF types and how to decode them, shared by
// the CPU backend, the CUDA kernels and the tests. Layouts follow ggml
// (ggml-common.h); see ../shared/docs/gguf-facts.md for the formulas.
#include <cstdint>

#include "tensor/float16.h"
#include "tensor/host_device.h"

namespace ps {

constexpr int kQ8_0BlockValues = 32;
constexpr int kQ4_0BlockValues = 32;
constexpr int kSuperBlockValues = 256;  // Q4_K and Q6_K

struct BlockQ8_0 {
    uint16_t d;  // f16 scale
    int8_t q[32];
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockQ4_0 {
    uint16_t d;  // f16 scale
    uint8_t q[16];  // value j in the low nibble of q[j], value j+16 in the high nibble
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockQ4_K {
    uint16_t d;     // f16 super-block scale of the sub-block scales
    uint16_t dmin;  // f16 super-block scale of the sub-block mins
    uint8_t scales[12];  // eight 6-bit scales and eight 6-bit mins, packed
    uint8_t q[128];
};
static_assert(sizeof(BlockQ4_K) == 144);

struct BlockQ6_K {
    uint8_t ql[128];  // low 4 bits
    uint8_t qh[64];   // high 2 bits
    int8_t scales[16];
    uint16_t d;  // f16
};
static_assert(sizeof(BlockQ6_K) == 210);

// --- Q8_0 / Q4_0 -----------------------------------------------------------

PS_HD float dequantQ8_0(const BlockQ8_0& b, int i) { return halfToFloat(b.d) * b.q[i]; }

PS_HD int q4_0Nibble(const BlockQ4_0& b, int i) {
    return i < 16 ? (b.q[i] & 0x0f) : (b.q[i - 16] >> 4);
}
PS_HD float dequantQ4_0(const BlockQ4_0& b, int i) {
    return halfToFloat(b.d) * static_cast<float>(q4_0Nibble(b, i) - 8);
}

// --- Q4_K ------------------------------------------------------------------

// The 6-bit scale and min of sub-block `sub` (0..7).
PS_HD void q4_KScaleMin(const uint8_t* s, int sub, int& scale, int& min) {
    if (sub < 4) {
        scale = s[sub] & 63;
        min = s[sub + 4] & 63;
    } else {
        scale = (s[sub + 4] & 15) | ((s[sub - 4] >> 6) << 4);
        min = (s[sub + 4] >> 4) | ((s[sub] >> 6) << 4);
    }
}

// Sub-block 2c sits in the low nibbles of q[32c..32c+31], sub-block 2c+1 in the high ones.
PS_HD int q4_KNibble(const BlockQ4_K& b, int i) {
    const int sub = i / 32;
    const uint8_t byte = b.q[32 * (sub / 2) + (i % 32)];
    return (sub % 2 == 0) ? (byte & 0x0f) : (byte >> 4);
}

PS_HD float dequantQ4_K(const BlockQ4_K& b, int i) {
    int scale, min;
    q4_KScaleMin(b.scales, i / 32, scale, min);
    return halfToFloat(b.d) * scale * q4_KNibble(b, i) - halfToFloat(b.dmin) * min;
}

// --- Q6_K ------------------------------------------------------------------

// The signed 6-bit quant (-32..31) of value i (0..255).
PS_HD int q6_KQuant(const BlockQ6_K& b, int i) {
    const int half = i / 128;
    const int group = (i % 128) / 32;
    const int j = i % 32;
    const uint8_t lowByte = b.ql[64 * half + 32 * (group % 2) + j];
    const int low = group < 2 ? (lowByte & 0x0f) : (lowByte >> 4);
    const int high = (b.qh[32 * half + j] >> (2 * group)) & 3;
    return (low | (high << 4)) - 32;
}

PS_HD float dequantQ6_K(const BlockQ6_K& b, int i) {
    return halfToFloat(b.d) * b.scales[i / 16] * q6_KQuant(b, i);
}

}  // namespace ps
