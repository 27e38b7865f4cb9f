// The sampler: greedy is exact argmax, each filter removes what it must and
// nothing else, the penalty follows llama.cpp, and a seed fixes the sequence.
#include "sampler/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace ps {
namespace {

SamplingParams plain(float temperature, uint64_t seed = 7) {
    SamplingParams p;
    p.temperature = temperature;
    p.topK = 0;
    p.topP = 1.0f;
    p.minP = 0.0f;
    p.repeatPenalty = 1.0f;
    p.seed = seed;
    return p;
}

std::vector<float> randomLogits(size_t n, uint64_t seed, float scale = 3.0f) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> logits(n);
    for (auto& v : logits) v = normal(rng);
    return logits;
}

std::vector<int32_t> drawMany(const SamplingParams& params, const std::vector<float>& logits, int n) {
    Sampler sampler(params);
    std::vector<int32_t> ids;
    for (int i = 0; i < n; ++i) {
        std::vector<float> copy = logits;
        ids.push_back(sampler.sample(copy, {}));
    }
    return ids;
}

std::vector<double> softmax(const std::vector<float>& logits, float temperature) {
    double maxLogit = -INFINITY;
    for (float v : logits) maxLogit = std::max(maxLogit, static_cast<double>(v));
    std::vector<double> p(logits.size());
    double sum = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
        p[i] = std::exp((logits[i] - maxLogit) / temperature);
        sum += p[i];
    }
    for (auto& v : p) v /= sum;
    return p;
}

TEST(Argmax, FindsTheLargestAndTheFirstOnTies) {
    EXPECT_EQ(argmax(std::vector<float>{1, 5, 3}), 1);
    EXPECT_EQ(argmax(std::vector<float>{2, 7, 7, 1, 7}), 1);
    EXPECT_EQ(argmax(std::vector<float>{-3, -1, -2}), 1);
    EXPECT_EQ(argmax(std::vector<float>{NAN, -1, NAN, 4}), 3);
}

TEST(Sampler, GreedyIsExactArgmaxWithTiesToTheFirst) {
    std::vector<float> logits = randomLogits(32000, 11);
    const int32_t expected = argmax(logits);
    Sampler sampler(plain(0.0f));
    for (int i = 0; i < 5; ++i) {
        std::vector<float> copy = logits;
        EXPECT_EQ(sampler.sample(copy, {}), expected);
    }
    std::vector<float> tied(100, 0.5f);
    tied[40] = 2.0f;
    tied[77] = 2.0f;
    EXPECT_EQ(Sampler(plain(0.0f)).sample(tied, {}), 40);
    // Negative temperature is greedy too, and greedy ignores the penalty.
    SamplingParams penalized = plain(-1.0f);
    penalized.repeatPenalty = 10.0f;
    const std::vector<int32_t> recent = {40};
    EXPECT_EQ(Sampler(penalized).sample(tied, recent), 40);
}

TEST(Sampler, TinyTemperaturesAreGreedy) {
    // 1 / 1e-40 overflows float to infinity: every logit became +-inf or NaN and the
    // draw picked garbage. Below kGreedyBelowTemperature the sampler is greedy.
    const std::vector<float> logits = randomLogits(32000, 5);
    const int32_t expected = argmax(logits);
    for (const float temperature : {1e-40f, 1e-30f, 1e-10f, 9e-6f}) {
        for (uint64_t seed = 0; seed < 4; ++seed) {
            SamplingParams params = plain(temperature);
            params.seed = seed;
            std::vector<float> copy = logits;
            EXPECT_EQ(Sampler(params).sample(copy, {}), expected) << temperature;
        }
    }
}

TEST(Sampler, TopKOfOneEqualsGreedyWhateverTheTemperatureAndSeed) {
    for (uint64_t seed = 0; seed < 20; ++seed) {
        std::vector<float> logits = randomLogits(4096, 100 + seed, 0.5f);
        logits[seed * 31] = logits[argmax(logits)];  // a tie with an earlier or later index
        SamplingParams params = plain(1.5f, seed);
        params.topK = 1;
        std::vector<float> copy = logits;
        EXPECT_EQ(Sampler(params).sample(copy, {}), argmax(logits)) << "seed " << seed;
    }
}

TEST(Sampler, SameSeedSameSequenceDifferentSeedDifferentSequence) {
    const std::vector<float> logits = randomLogits(512, 3, 1.0f);
    SamplingParams params;  // the defaults: every filter on
    params.seed = 1234;
    const auto first = drawMany(params, logits, 200);
    const auto second = drawMany(params, logits, 200);
    EXPECT_EQ(first, second);
    params.seed = 1235;
    EXPECT_NE(drawMany(params, logits, 200), first);
}

TEST(Sampler, TopKDrawsOnlyFromTheKBest) {
    const std::vector<float> logits = randomLogits(1000, 5, 0.3f);  // flat: many tokens likely
    std::vector<int32_t> order(logits.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
    const std::set<int32_t> best(order.begin(), order.begin() + 10);

    SamplingParams params = plain(1.0f, 99);
    params.topK = 10;
    std::set<int32_t> seen;
    for (int32_t id : drawMany(params, logits, 3000)) {
        EXPECT_TRUE(best.count(id)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 10u);  // and every one of them gets drawn
}

TEST(Sampler, TopPKeepsTheSmallestNucleusAndAtLeastOne) {
    // Probabilities 0.5, 0.25, 0.125, 0.0625, ... (logits log2-spaced).
    std::vector<float> logits(12);
    for (size_t i = 0; i < logits.size(); ++i) logits[i] = -static_cast<float>(i) * std::log(2.0f);
    SamplingParams params = plain(1.0f, 5);
    params.topP = 0.7f;  // 0.5 + 0.25 = 0.75 >= 0.7: ids 0 and 1
    std::map<int32_t, int> counts;
    for (int32_t id : drawMany(params, logits, 6000)) counts[id]++;
    ASSERT_EQ(counts.size(), 2u);
    EXPECT_TRUE(counts.count(0) && counts.count(1));
    // Renormalized 2:1.
    EXPECT_NEAR(counts[0] / 6000.0, 2.0 / 3.0, 0.03);

    params.topP = 0.0f;  // keeps exactly the best one
    for (int32_t id : drawMany(params, logits, 200)) EXPECT_EQ(id, 0);

    // A large vocabulary where the nucleus is longer than the first sorted block.
    std::vector<float> flat = randomLogits(50000, 8, 0.01f);
    params.topP = 0.5f;
    Sampler sampler(params);
    std::set<int32_t> seen;
    for (int i = 0; i < 300; ++i) {
        std::vector<float> copy = flat;
        seen.insert(sampler.sample(copy, {}));
    }
    std::vector<float> sortedFlat = flat;
    std::sort(sortedFlat.begin(), sortedFlat.end(), std::greater<>());
    const auto p = softmax(sortedFlat, 1.0f);
    double cumulative = 0;
    size_t nucleus = 0;
    while (cumulative < 0.5) cumulative += p[nucleus++];
    const float cutoff = sortedFlat[nucleus - 1];
    for (int32_t id : seen) EXPECT_GE(flat[id], cutoff);
    EXPECT_GT(seen.size(), 250u);  // draws spread over the ~25000 kept
}

TEST(Sampler, MinPRemovesTokensBelowTheShareOfTheBest) {
    // p proportional to 1, 0.5, 0.2, 0.09, 0.01
    const std::vector<float> logits = {0.0f, std::log(0.5f), std::log(0.2f), std::log(0.09f),
                                       std::log(0.01f)};
    SamplingParams params = plain(1.0f, 17);
    params.minP = 0.1f;  // keeps 1, 0.5, 0.2
    std::map<int32_t, int> counts;
    const int n = 8000;
    for (int32_t id : drawMany(params, logits, n)) counts[id]++;
    EXPECT_EQ(counts.count(3), 0u);
    EXPECT_EQ(counts.count(4), 0u);
    EXPECT_NEAR(counts[0] / double(n), 1.0 / 1.7, 0.03);
    EXPECT_NEAR(counts[1] / double(n), 0.5 / 1.7, 0.03);
    EXPECT_NEAR(counts[2] / double(n), 0.2 / 1.7, 0.03);

    // Combined with top-p the smaller set wins.
    params.topP = 0.55f;  // 1/1.8 = 0.556 >= 0.55: only id 0
    for (int32_t id : drawMany(params, logits, 300)) EXPECT_EQ(id, 0);
}

TEST(Sampler, TemperatureSamplingFollowsTheSoftmax) {
    const std::vector<float> logits = {1.0f, 2.0f, 0.5f, 3.0f, -1.0f, 2.5f, 0.0f, 1.5f};
    for (float temperature : {0.7f, 1.0f, 2.0f}) {
        const auto p = softmax(logits, temperature);
        const int n = 20000;
        std::vector<int> counts(logits.size(), 0);
        for (int32_t id : drawMany(plain(temperature, 2024), logits, n)) counts[id]++;
        double chiSquare = 0;
        for (size_t i = 0; i < p.size(); ++i) {
            const double expected = p[i] * n;
            chiSquare += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        // 7 degrees of freedom: the 99.9% point is 24.3.
        EXPECT_LT(chiSquare, 24.3) << "temperature " << temperature;
    }
}

TEST(Sampler, RepetitionPenaltyFollowsLlamaCpp) {
    std::vector<float> logits = {2.0f, -2.0f, 1.0f, 0.5f};
    const std::vector<int32_t> recent = {0, 1, 0, 0, 9999};  // duplicates count once
    applyRepetitionPenalty(logits, recent, 64, 2.0f);
    EXPECT_FLOAT_EQ(logits[0], 1.0f);   // positive: divided
    EXPECT_FLOAT_EQ(logits[1], -4.0f);  // negative: multiplied
    EXPECT_FLOAT_EQ(logits[2], 1.0f);
    EXPECT_FLOAT_EQ(logits[3], 0.5f);

    // Only the last N count.
    std::vector<float> tail = {2.0f, 2.0f, 2.0f};
    applyRepetitionPenalty(tail, std::vector<int32_t>{0, 1, 2}, 1, 2.0f);
    EXPECT_EQ(tail, (std::vector<float>{2.0f, 2.0f, 1.0f}));
}

TEST(Sampler, RepetitionPenaltyChangesTheChoice) {
    const std::vector<float> logits = {3.0f, 2.5f, 0.0f};
    SamplingParams params = plain(1.0f, 3);
    params.topK = 1;  // the best after the penalty
    std::vector<float> copy = logits;
    EXPECT_EQ(Sampler(params).sample(copy, std::vector<int32_t>{}), 0);
    params.repeatPenalty = 1.5f;  // 3.0 / 1.5 = 2.0 < 2.5
    copy = logits;
    EXPECT_EQ(Sampler(params).sample(copy, std::vector<int32_t>{5, 0}), 1);
    params.repeatLastN = 1;  // 0 is no longer among the last tokens
    copy = logits;
    EXPECT_EQ(Sampler(params).sample(copy, std::vector<int32_t>{0, 2}), 0);
}

TEST(Sampler, SurvivesDegenerateLogits) {
    std::vector<float> allMinusInf(16, -INFINITY);
    SamplingParams params;
    params.seed = 1;
    const int32_t id = Sampler(params).sample(allMinusInf, {});
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 16);
    std::vector<float> withNan = {NAN, 1.0f, NAN};
    params.topK = 0;
    params.topP = 1.0f;
    params.minP = 0.0f;
    EXPECT_EQ(Sampler(params).sample(withNan, {}), 1);
}

}  // namespace
}  // namespace ps
