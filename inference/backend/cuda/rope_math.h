#pragma once
// Rotary position embedding (Su et al. 2021, "RoFormer"), as GGUF Llama files
// expect it: adjacent pairs (x[2i], x[2i+1]) turn by pos * invFreq[i].
//
// The table of inverse frequencies (scaling included) is the CPU backend's
// RopeFrequencies, computed once on the host in double precision and uploaded
// as floats; the kernels only multiply and rotate.
#include <cmath>

#include "tensor/host_device.h"

namespace ps {

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
