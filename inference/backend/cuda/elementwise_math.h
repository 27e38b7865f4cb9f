#pragma once
// The small per-element formulas the CUDA kernels fuse into their neighbours,
// shared with the host tests: RMSNorm's scale and SwiGLU.
#include <cmath>

#include "tensor/host_device.h"

namespace ps {

// RMSNorm (Zhang & Sennrich 2019): x * rmsScale * w, rmsScale = 1/sqrt(mean(x^2) + eps).
PS_HD float rmsScale(float sumOfSquares, int count, float eps) {
    const float meanSquare = sumOfSquares / static_cast<float>(count) + eps;
#if defined(__CUDA_ARCH__)
    return rsqrtf(meanSquare);
#else
    return 1.0f / std::sqrt(meanSquare);
#endif
}

// SwiGLU (Shazeer 2020) as Llama uses it: silu(gate) * up, silu(g) = g / (1 + e^-g).
PS_HD float swiglu(float gate, float up) {
#if defined(__CUDA_ARCH__)
    return gate / (1.0f + expf(-gate)) * up;
#else
    return gate / (1.0f + std::exp(-gate)) * up;
#endif
}

}  // namespace ps
