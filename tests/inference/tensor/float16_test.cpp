// IEEE half and bfloat16 conversions, checked against the definitions of the
// formats (computed with ldexp), over every one of the 65536 bit patterns.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "tensor/float16.h"

namespace ps {
namespace {

bool isHalfNan(uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x03ffu) != 0; }

// The value a binary16 pattern stands for, from the format's definition.
double halfValueByDefinition(uint16_t h) {
    const int sign = (h >> 15) ? -1 : 1;
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    if (exponent == 0x1f) return sign * INFINITY;  // NaN handled by the caller
    if (exponent == 0) return sign * std::ldexp(mantissa, -24);
    return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(Float16, EveryHalfConvertsToItsValueAndBack) {
    int nanCount = 0;
    for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const uint16_t h = static_cast<uint16_t>(bits);
        const float f = halfToFloat(h);
        const uint16_t back = floatToHalf(f);
        if (isHalfNan(h)) {
            ++nanCount;
            ASSERT_TRUE(std::isnan(f)) << std::hex << bits;
            ASSERT_TRUE(isHalfNan(back)) << std::hex << bits;
            ASSERT_EQ(back & 0x8000u, h & 0x8000u) << "NaN sign, " << std::hex << bits;
            continue;
        }
        ASSERT_EQ(static_cast<double>(f), halfValueByDefinition(h)) << std::hex << bits;
        ASSERT_EQ(std::signbit(f), (h & 0x8000u) != 0) << std::hex << bits;
        ASSERT_EQ(back, h) << std::hex << bits;
    }
    EXPECT_EQ(nanCount, 2 * 1023);
}

// Between two neighbouring halves, the midpoint goes to the one with an even
// mantissa and anything off the midpoint to the nearer one.
TEST(Float16, RoundsToNearestWithTiesToEven) {
    for (uint16_t h = 0; h < 0x7bff; ++h) {
        const double low = halfValueByDefinition(h);
        const double high = halfValueByDefinition(static_cast<uint16_t>(h + 1));
        const float mid = static_cast<float>((low + high) / 2);  // exact in float
        ASSERT_EQ(static_cast<double>(mid), (low + high) / 2);
        const uint16_t even = (h % 2 == 0) ? h : static_cast<uint16_t>(h + 1);
        ASSERT_EQ(floatToHalf(mid), even) << "tie above " << std::hex << h;
        ASSERT_EQ(floatToHalf(-mid), even | 0x8000u) << "negative tie above " << std::hex << h;
        ASSERT_EQ(floatToHalf(std::nextafter(mid, 0.0f)), h) << std::hex << h;
        ASSERT_EQ(floatToHalf(std::nextafter(mid, INFINITY)), h + 1) << std::hex << h;
    }
    // Past the largest half (65504) the tie with 65536 rounds to even: infinity.
    EXPECT_EQ(floatToHalf(65519.99f), 0x7bffu);
    EXPECT_EQ(floatToHalf(65520.0f), 0x7c00u);
    EXPECT_EQ(floatToHalf(-1e9f), 0xfc00u);
    // Half of the smallest subnormal is a tie with zero: rounds to zero (even).
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000u);
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -26)), 0x0000u);
    EXPECT_EQ(floatToHalf(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001u);
    EXPECT_EQ(floatToHalf(-0.0f), 0x8000u);
    EXPECT_EQ(floatToHalf(INFINITY), 0x7c00u);
    EXPECT_TRUE(isHalfNan(floatToHalf(NAN)));
}

TEST(BFloat16, EveryPatternIsTheUpperHalfOfAFloat) {
    for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const uint16_t b = static_cast<uint16_t>(bits);
        const float f = bf16ToFloat(b);
        ASSERT_EQ(floatToBits(f), bits << 16);
        const uint16_t back = floatToBf16(f);
        if (std::isnan(f)) {
            ASSERT_TRUE(std::isnan(bf16ToFloat(back))) << std::hex << bits;
            ASSERT_EQ(back & 0x8000u, b & 0x8000u);
        } else {
            ASSERT_EQ(back, b) << std::hex << bits;
        }
    }
}

TEST(BFloat16, RoundsToNearestEvenAndKeepsNanANan) {
    // 0x3f80'8000 lies halfway between 0x3f80 and 0x3f81: the even one wins.
    EXPECT_EQ(floatToBf16(bitsToFloat(0x3f808000u)), 0x3f80u);
    EXPECT_EQ(floatToBf16(bitsToFloat(0x3f818000u)), 0x3f82u);
    EXPECT_EQ(floatToBf16(bitsToFloat(0x3f808001u)), 0x3f81u);
    EXPECT_EQ(floatToBf16(bitsToFloat(0x3f807fffu)), 0x3f80u);
    // Largest finite float rounds up to infinity, as IEEE rounding says.
    EXPECT_EQ(floatToBf16(bitsToFloat(0x7f7fffffu)), 0x7f80u);
    // A NaN whose payload lives only in the dropped bits must not become infinity.
    EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(bitsToFloat(0x7f800001u)))));
    EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(bitsToFloat(0xff800001u)))));
}

}  // namespace
}  // namespace ps
