#pragma once
// Picks the next token from logits. Greedy (temperature <= 0) is exact argmax of
// the logits as given (no penalty, first index on ties); otherwise repetition
// penalty, then temperature, top-k, top-p and min-p filter the distribution
// before a seeded draw. Same parameters and seed, same sequence of tokens.
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace ps {

// Temperatures below this sample greedily (exact argmax).
inline constexpr float kGreedyBelowTemperature = 1e-5f;

struct SamplingParams {
    float temperature = 0.8f;   // < kGreedyBelowTemperature (0 included): greedy
    int topK = 40;              // 0 = off
    float topP = 0.95f;         // 1 = off
    float minP = 0.05f;         // 0 = off; relative to the most likely token
    float repeatPenalty = 1.1f; // 1 = off; applied to the last repeatLastN tokens
    int repeatLastN = 64;       // 0 = off, < 0 = all of `recent`
    uint64_t seed = 0;          // same seed, same output
};

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);

    // The next token. `recent` is the tail of the sequence for the repetition
    // penalty. `logits` may be modified in place (the penalty is applied to it).
    int32_t sample(std::span<float> logits, std::span<const int32_t> recent);

    const SamplingParams& params() const { return params_; }

private:
    // Keeps the smallest prefix (in descending order) of candidates_ holding
    // `mass` of the probability; sorts only as far as it needs to.
    void keepNucleus(double mass, double maxLogit);

    SamplingParams params_;
    std::mt19937_64 rng_;
    std::vector<std::pair<float, int32_t>> candidates_;  // (scaled logit, id), reused between calls
    std::vector<int32_t> penalized_;                     // reused between calls
};

// Index of the largest value (the first on ties; NaN never wins).
int32_t argmax(std::span<const float> values);

// llama.cpp's repetition penalty: each distinct id among the last `lastN` of
// `recent` (all of them when lastN < 0) has its logit divided by `penalty` when
// positive and multiplied by it when negative. Ids outside `logits` are ignored.
void applyRepetitionPenalty(std::span<float> logits, std::span<const int32_t> recent, int lastN,
                            float penalty);

}  // namespace ps
