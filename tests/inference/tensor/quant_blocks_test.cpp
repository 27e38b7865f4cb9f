// Block decoding of quant_blocks.h against the formulas of gguf-facts.md. Each
// test chooses the quants, scales and mins first, packs them into a block the
// way the format describes (written here, independently of the decoder), and
// checks every decoded value against d * scale * q (- dmin * min).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>

#include "tensor/float16.h"
#include "tensor/quant_blocks.h"

namespace ps {
namespace {

constexpr int kBlocksPerTest = 50;

TEST(QuantBlocks, Q8_0IsScaleTimesSignedByte) {
    std::mt19937 rng(1);
    for (int trial = 0; trial < kBlocksPerTest; ++trial) {
        const float d = std::uniform_real_distribution<float>(-2.0f, 2.0f)(rng);
        BlockQ8_0 b{};
        b.d = floatToHalf(d);
        int8_t q[32];
        for (int i = 0; i < 32; ++i) q[i] = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
        q[0] = -128;
        q[1] = 127;
        std::memcpy(b.q, q, 32);
        for (int i = 0; i < 32; ++i) {
            ASSERT_FLOAT_EQ(dequantQ8_0(b, i), halfToFloat(b.d) * q[i]) << i;
        }
    }
}

TEST(QuantBlocks, Q4_0LowNibblesAreTheFirstHalf) {
    std::mt19937 rng(2);
    for (int trial = 0; trial < kBlocksPerTest; ++trial) {
        int nibble[32];
        for (int& n : nibble) n = static_cast<int>(rng() % 16);
        nibble[0] = 0;
        nibble[31] = 15;
        BlockQ4_0 b{};
        b.d = floatToHalf(0.25f + static_cast<float>(trial) * 0.01f);
        for (int j = 0; j < 16; ++j) b.q[j] = static_cast<uint8_t>(nibble[j] | (nibble[j + 16] << 4));
        const float d = halfToFloat(b.d);
        for (int i = 0; i < 32; ++i) {
            ASSERT_FLOAT_EQ(dequantQ4_0(b, i), d * static_cast<float>(nibble[i] - 8)) << i;
        }
    }
}

// Packs eight 6-bit scales and mins into the 12 bytes of a Q4_K block: sub-blocks
// 0..3 in the low 6 bits of bytes 0..7, sub-blocks 4..7 as low nibbles in bytes
// 8..11 and their top two bits in the top of bytes 0..7.
void packQ4_KScales(const int scale[8], const int min[8], uint8_t s[12]) {
    for (int i = 0; i < 4; ++i) {
        s[i] = static_cast<uint8_t>(scale[i] | ((scale[i + 4] >> 4) << 6));
        s[i + 4] = static_cast<uint8_t>(min[i] | ((min[i + 4] >> 4) << 6));
        s[i + 8] = static_cast<uint8_t>((scale[i + 4] & 15) | ((min[i + 4] & 15) << 4));
    }
}

TEST(QuantBlocks, Q4_KUsesSubBlockScalesAndMinsIncludingTheHighPacking) {
    std::mt19937 rng(3);
    for (int trial = 0; trial < kBlocksPerTest; ++trial) {
        int scale[8], min[8], nibble[256];
        for (int i = 0; i < 8; ++i) {
            scale[i] = static_cast<int>(rng() % 64);
            min[i] = static_cast<int>(rng() % 64);
        }
        // Make sure the top bits of the high sub-blocks are exercised.
        scale[4] = 63;
        min[7] = 48;
        scale[7] = 17;
        for (int& n : nibble) n = static_cast<int>(rng() % 16);
        BlockQ4_K b{};
        b.d = floatToHalf(0.03f * static_cast<float>(trial + 1));
        b.dmin = floatToHalf(0.01f * static_cast<float>(trial + 2));
        packQ4_KScales(scale, min, b.scales);
        for (int v = 0; v < 256; ++v) {
            const int sub = v / 32;
            uint8_t& byte = b.q[32 * (sub / 2) + v % 32];
            byte = static_cast<uint8_t>(byte | (sub % 2 == 0 ? nibble[v] : nibble[v] << 4));
        }
        const float d = halfToFloat(b.d), dmin = halfToFloat(b.dmin);
        for (int v = 0; v < 256; ++v) {
            const int sub = v / 32;
            const float expected = d * static_cast<float>(scale[sub] * nibble[v]) -
                                   dmin * static_cast<float>(min[sub]);
            ASSERT_NEAR(dequantQ4_K(b, v), expected, 1e-5f * (1.0f + std::fabs(expected)))
                << "value " << v << " trial " << trial;
        }
        for (int sub = 0; sub < 8; ++sub) {
            int gotScale = -1, gotMin = -1;
            q4_KScaleMin(b.scales, sub, gotScale, gotMin);
            EXPECT_EQ(gotScale, scale[sub]) << sub;
            EXPECT_EQ(gotMin, min[sub]) << sub;
        }
    }
}

TEST(QuantBlocks, Q6_KCombinesLowNibblesHighBitsAndSixteenScales) {
    std::mt19937 rng(4);
    for (int trial = 0; trial < kBlocksPerTest; ++trial) {
        int q[256];  // -32..31
        for (int& x : q) x = static_cast<int>(rng() % 64) - 32;
        q[0] = -32;
        q[255] = 31;
        int8_t scales[16];
        for (int8_t& s : scales) s = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
        BlockQ6_K b{};
        b.d = floatToHalf(0.002f * static_cast<float>(trial + 1));
        std::memcpy(b.scales, scales, 16);
        for (int v = 0; v < 256; ++v) {
            const int unsignedQ = q[v] + 32;
            const int half = v / 128, group = (v % 128) / 32, j = v % 32;
            uint8_t& low = b.ql[64 * half + 32 * (group % 2) + j];
            low = static_cast<uint8_t>(low | (group < 2 ? (unsignedQ & 15) : (unsignedQ & 15) << 4));
            b.qh[32 * half + j] = static_cast<uint8_t>(b.qh[32 * half + j] | ((unsignedQ >> 4) << (2 * group)));
        }
        const float d = halfToFloat(b.d);
        for (int v = 0; v < 256; ++v) {
            ASSERT_EQ(q6_KQuant(b, v), q[v]) << v;
            ASSERT_FLOAT_EQ(dequantQ6_K(b, v), d * static_cast<float>(scales[v / 16] * q[v])) << v;
        }
    }
}

}  // namespace
}  // namespace ps
