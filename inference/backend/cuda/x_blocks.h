#pragma once
// x as 8-bit blocks: what the decode matrix-vector kernel reads where the
// weights are quantized (Q8_0, Q4_0, Q4_K, Q6_K). Each block of 32 values is
// 32 int8 quants and one float scale, value = quant * scale, the scale from the
// block's largest |value| (as llama.cpp's q8_1 for its GPU mmvq path and our
// CPU fast kernels do). 1.125 bytes a value instead of FP16's 2: x is read once
// per group of rows (matvec_plan.h), so its bytes are what the matvec reads
// besides the weights. The cost: the products land about 2e-2 (relative L2)
// from exact (/work/shared/models/README.md), as on the CPU backend; float
// weights keep FP16 or float x. Shared by the kernels and the host tests.
#include <cmath>
#include <cstdint>

#include "tensor/host_device.h"

namespace ps {

constexpr int kXBlockValues = 32;
constexpr double kXBlockBytesPerValue = (kXBlockValues + 4.0) / kXBlockValues;  // quants + a float scale

// Where the blocks of a vector live: quants[i] and scales[i / kXBlockValues].
struct XBlocks {
    int8_t* quants = nullptr;
    float* scales = nullptr;
    PS_HD explicit operator bool() const { return quants != nullptr; }
};

// The scale of a block whose largest |value| is `amax`: its values map to -127..127.
PS_HD float xBlockScale(float amax) { return amax / 127.0f; }

// One value's quant (round to nearest, ties to even, as the hardware's cvt.rni).
PS_HD int8_t xBlockQuant(float value, float scale) {
    const float inverse = scale > 0.0f ? 1.0f / scale : 0.0f;
    float q = rintf(value * inverse);
    q = q > 127.0f ? 127.0f : q < -127.0f ? -127.0f : q;
    return static_cast<int8_t>(q);
}

}  // namespace ps
