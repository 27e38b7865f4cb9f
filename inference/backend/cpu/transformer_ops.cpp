#include "backend/cpu/transformer_ops.h"

#include <cmath>
#include <cstddef>

namespace ps {

void rmsnorm(float* out, const float* x, const float* weight, int n, float eps) {
    float sumSquares = 0.0f;
#pragma omp simd reduction(+ : sumSquares)
    for (int i = 0; i < n; ++i) sumSquares += x[i] * x[i];
    const float scale = 1.0f / std::sqrt(sumSquares / static_cast<float>(n) + eps);
    for (int i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

void softmax(float* x, int n) {
    float maxValue = x[0];
    for (int i = 1; i < n; ++i) maxValue = std::fmax(maxValue, x[i]);
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - maxValue);
        sum += x[i];
    }
    const float inverse = 1.0f / sum;
    for (int i = 0; i < n; ++i) x[i] *= inverse;
}

void swiglu(float* gate, const float* up, int n) {
    for (int i = 0; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
}

void rope(float* v, int heads, int headDim, const float* cos, const float* sin, int rotatedPairs) {
    for (int h = 0; h < heads; ++h) {
        float* vh = v + h * headDim;
        for (int i = 0; i < rotatedPairs; ++i) {
            const float a = vh[2 * i], b = vh[2 * i + 1];
            vh[2 * i] = a * cos[i] - b * sin[i];
            vh[2 * i + 1] = a * sin[i] + b * cos[i];
        }
    }
}

void ropeHalves(float* v, int heads, int headDim, const float* cos, const float* sin, int rotatedPairs) {
    for (int h = 0; h < heads; ++h) {
        float* vh = v + h * headDim;
        for (int i = 0; i < rotatedPairs; ++i) {
            const float a = vh[i], b = vh[i + rotatedPairs];
            vh[i] = a * cos[i] - b * sin[i];
            vh[i + rotatedPairs] = a * sin[i] + b * cos[i];
        }
    }
}

void addBias(float* y, const float* bias, int n, int tokens) {
    for (int t = 0; t < tokens; ++t) {
        float* row = y + static_cast<size_t>(t) * n;
#pragma omp simd
        for (int i = 0; i < n; ++i) row[i] += bias[i];
    }
}

float dot(const float* a, const float* b, int n) {
    // Reassociating the sum lets the compiler vectorize it (needs -fopenmp-simd).
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int i = 0; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

void axpy(float* y, float a, const float* x, int n) {
#pragma omp simd
    for (int i = 0; i < n; ++i) y[i] += a * x[i];
}

}  // namespace ps
