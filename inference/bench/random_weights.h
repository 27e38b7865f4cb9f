#pragma once
// Random weight tensors in any supported type, for synthetic benchmark models
// and kernel tests: a cheap PRNG fills quantized blocks directly (random quants,
// sane f16 scales), so that a 7B-parameter model is made in seconds.
#include <cstdint>

#include "tensor/tensor_type.h"

namespace ps {

// splitmix64 (Steele, Lea & Flood 2014): fast, good enough for weights.
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [-1, 1).
    float nextSigned() { return static_cast<float>(static_cast<int64_t>(next()) >> 40) * 0x1p-23f; }

private:
    uint64_t state_;
};

// Fills `rows` rows of `cols` values of `type` at `data` (rowBytes(type, cols)
// each) with values spread over about [-amplitude, amplitude].
void fillRandomWeights(TensorType type, uint8_t* data, int64_t rows, int64_t cols, float amplitude,
                       uint64_t seed);

}  // namespace ps
