#pragma once
// Rotary position embedding (Su et al. 2021, "RoFormer"), as GGUF files expect
// it: `llama` turns adjacent pairs (x[2i], x[2i+1]), `qwen2`/`phi3` GPT-NeoX's
// halves (x[i], x[i + ropeDim/2]); pair i turns by pos * invFreq[i].
//
// The table of inverse frequencies (scaling included) is the CPU backend's
// RopeFrequencies, computed once on the host in double precision and uploaded
// as floats; the kernels only multiply and rotate.
#include <cmath>

#include "model/model_config.h"
#include "tensor/host_device.h"

namespace ps {

// The two dimensions of a head that pair `pair` (0 <= pair < headDim / 2) moves
// together, and whether RoPE turns them (the first ropeDim / 2 pairs do; the
// dimensions past ropeDim are paired up only so every dimension belongs to one
// pair, and stay as they are). Every dimension of the head is in exactly one pair.
PS_HD bool ropePairDims(int pair, int ropeDim, RopeStyle style, int& a, int& b) {
    const int rotated = ropeDim / 2;
    if (pair >= rotated) {
        a = ropeDim + 2 * (pair - rotated);
        b = a + 1;
        return false;
    }
    if (style == RopeStyle::Halves) {
        a = pair;
        b = pair + rotated;
    } else {
        a = 2 * pair;
        b = 2 * pair + 1;
    }
    return true;
}

PS_HD float ropeAngle(int position, float inverseFrequency) {
    return static_cast<float>(position) * inverseFrequency;
}

// Rotates the pair (x0, x1) by `angle`.
PS_HD void ropeRotate(float& x0, float& x1, float angle) {
    float s, c;
#if defined(__CUDA_ARCH__)
    sincosf(angle, &s, &c);
#else
    s = std::sin(angle);
    c = std::cos(angle);
#endif
    const float r0 = x0 * c - x1 * s;
    const float r1 = x0 * s + x1 * c;
    x0 = r0;
    x1 = r1;
}

}  // namespace ps
