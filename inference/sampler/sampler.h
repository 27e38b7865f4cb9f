#pragma once
// Picks the next token from logits. Greedy (temperature 0) is exact argmax;
// otherwise repetition penalty, then temperature, top-k, top-p and min-p
// filter the distribution before a seeded draw.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace ps {

struct SamplingParams {
    float temperature = 0.8f;   // 0 = greedy
    int topK = 40;              // 0 = off
    float topP = 0.95f;         // 1 = off
    float minP = 0.05f;         // 0 = off; relative to the most likely token
    float repeatPenalty = 1.1f; // 1 = off; applied to the last repeatLastN tokens
    int repeatLastN = 64;
    uint64_t seed = 0;          // same seed, same output
};

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);

    // The next token. `recent` is the tail of the sequence for the repetition
    // penalty. `logits` is taken by value-span and may be modified in place.
    int32_t sample(std::span<float> logits, std::span<const int32_t> recent);

    const SamplingParams& params() const { return params_; }

private:
    SamplingParams params_;
    std::mt19937_64 rng_;
    std::vector<std::pair<float, int32_t>> candidates_;  // reused between calls
};

// Index of the largest value (the first on ties).
int32_t argmax(std::span<const float> values);

}  // namespace ps
