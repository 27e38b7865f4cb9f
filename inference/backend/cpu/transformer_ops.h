#pragma once
// The small building blocks of the Llama forward pass, one job each (after
// llama2.c's run.c). All work on float32 vectors in place or into `out`.
#include <cstdint>

namespace ps {

// out = x / sqrt(mean(x^2) + eps) * weight   (RMSNorm, Zhang & Sennrich 2019)
void rmsnorm(float* out, const float* x, const float* weight, int n, float eps);

// x = softmax(x), numerically stable (max subtracted).
void softmax(float* x, int n);

// gate = silu(gate) * up   (SwiGLU, Shazeer 2020); silu(g) = g / (1 + e^-g)
void swiglu(float* gate, const float* up, int n);

// Rotates the adjacent pairs (v[2i], v[2i+1]) of each of `heads` vectors of
// `headDim` values by the angles whose cos/sin are given for i < rotatedPairs.
void rope(float* v, int heads, int headDim, const float* cos, const float* sin, int rotatedPairs);
// The same for GPT-NeoX's pairing (qwen2, phi3): the pairs are (v[i], v[i + rotatedPairs]).
void ropeHalves(float* v, int heads, int headDim, const float* cos, const float* sin, int rotatedPairs);

// y[t][i] += bias[i] for each of `tokens` rows of `n` values.
void addBias(float* y, const float* bias, int n, int tokens);

float dot(const float* a, const float* b, int n);
// y += a * x
void axpy(float* y, float a, const float* x, int n);

}  // namespace ps
