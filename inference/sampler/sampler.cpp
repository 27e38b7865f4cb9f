// The sampling chain. Every filter (top-k, top-p, min-p) keeps a prefix of the
// candidates in descending order, so nothing sorts the whole vocabulary: top-k
// and min-p are O(V) selections, and top-p sorts only the prefix it keeps.
#include "sampler/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ps {
namespace {

// Descending by logit, ascending by id on ties: a strict total order, so the
// result never depends on how the standard library breaks ties.
bool before(const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
}

// Uniform in [0, 1) from the top 53 bits; the same on every standard library
// (std::uniform_real_distribution is not specified bit for bit).
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1p-53; }

}  // namespace

int32_t argmax(std::span<const float> values) {
    int32_t best = 0;
    float bestValue = -std::numeric_limits<float>::infinity();
    bool found = false;
    for (size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        if (std::isnan(v)) continue;
        if (!found || v > bestValue) {
            best = static_cast<int32_t>(i);
            bestValue = v;
            found = true;
        }
    }
    return best;
}

void applyRepetitionPenalty(std::span<float> logits, std::span<const int32_t> recent, int lastN,
                            float penalty) {
    if (penalty == 1.0f || lastN == 0 || recent.empty()) return;
    const size_t n = lastN < 0 ? recent.size() : std::min(recent.size(), static_cast<size_t>(lastN));
    std::vector<int32_t> ids(recent.end() - static_cast<std::ptrdiff_t>(n), recent.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const int32_t id : ids) {
        if (id < 0 || static_cast<size_t>(id) >= logits.size()) continue;
        float& logit = logits[static_cast<size_t>(id)];
        logit = logit > 0 ? logit / penalty : logit * penalty;
    }
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {}

int32_t Sampler::sample(std::span<float> logits, std::span<const int32_t> recent) {
    if (logits.empty()) return 0;
    // A temperature this small makes the distribution one token to float precision, and
    // 1/T would overflow to infinity (1e-40 gave inf * 0 = NaN and garbage): greedy.
    if (params_.temperature < kGreedyBelowTemperature) return argmax(logits);

    applyRepetitionPenalty(logits, recent, params_.repeatLastN, params_.repeatPenalty);

    // Temperature; NaN becomes -inf so that the order stays total.
    const float invTemperature = 1.0f / params_.temperature;
    candidates_.resize(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) {
        const float v = logits[i];
        candidates_[i] = {std::isnan(v) ? -std::numeric_limits<float>::infinity() : v * invTemperature,
                          static_cast<int32_t>(i)};
    }

    // Top-k: an O(V) selection of the k best (unordered among themselves).
    if (params_.topK > 0 && static_cast<size_t>(params_.topK) < candidates_.size()) {
        std::nth_element(candidates_.begin(), candidates_.begin() + params_.topK - 1,
                         candidates_.end(), before);
        candidates_.resize(static_cast<size_t>(params_.topK));
    }

    float maxLogit = -std::numeric_limits<float>::infinity();
    for (const auto& c : candidates_) maxLogit = std::max(maxLogit, c.first);
    if (maxLogit == -std::numeric_limits<float>::infinity()) {
        // Nothing has any probability: fall back to the best index.
        return std::min_element(candidates_.begin(), candidates_.end(), before)->second;
    }

    // Top-p: relative to the mass left after top-k, before min-p removes anything.
    if (params_.topP < 1.0f) {
        double total = 0;
        for (const auto& c : candidates_) total += std::exp(static_cast<double>(c.first - maxLogit));
        // Min-p first is the same set (both keep a prefix; the shorter wins) and
        // makes the part top-p has to sort smaller.
        if (params_.minP > 0.0f) {
            const float threshold = maxLogit + std::log(params_.minP);
            std::erase_if(candidates_, [threshold](const auto& c) { return c.first < threshold; });
        }
        keepNucleus(std::max(0.0f, params_.topP) * total, maxLogit);
    } else if (params_.minP > 0.0f) {
        // Min-p: p_i >= minP * p_max  <=>  logit_i >= max + log(minP).
        const float threshold = maxLogit + std::log(params_.minP);
        std::erase_if(candidates_, [threshold](const auto& c) { return c.first < threshold; });
    }

    // The draw: inverse CDF over the kept candidates.
    double sum = 0;
    for (const auto& c : candidates_) sum += std::exp(static_cast<double>(c.first - maxLogit));
    const double target = uniform01(rng_) * sum;
    double cumulative = 0;
    for (const auto& c : candidates_) {
        cumulative += std::exp(static_cast<double>(c.first - maxLogit));
        if (target < cumulative) return c.second;
    }
    return candidates_.back().second;  // rounding at the very end
}

void Sampler::keepNucleus(double mass, double maxLogit) {
    // Sort in growing blocks: after nth_element at `end`, everything before it is
    // at least everything after it, so [sorted, end) can be sorted on its own.
    const size_t n = candidates_.size();
    size_t sorted = 0;
    size_t block = 64;
    double cumulative = 0;
    while (sorted < n) {
        const size_t end = std::min(n, sorted + block);
        if (end < n) {
            std::nth_element(candidates_.begin() + static_cast<std::ptrdiff_t>(sorted),
                             candidates_.begin() + static_cast<std::ptrdiff_t>(end),
                             candidates_.end(), before);
        }
        std::sort(candidates_.begin() + static_cast<std::ptrdiff_t>(sorted),
                  candidates_.begin() + static_cast<std::ptrdiff_t>(end), before);
        for (size_t i = sorted; i < end; ++i) {
            cumulative += std::exp(static_cast<double>(candidates_[i].first) - maxLogit);
            if (cumulative >= mass) {
                candidates_.resize(i + 1);  // at least one is always kept
                return;
            }
        }
        sorted = end;
        block *= 4;
    }
}

}  // namespace ps
