#include "bench/gpu_benchmark.h"

#include <algorithm>
#include <chrono>
#include <span>
#include <vector>

#include "backend/backend.h"
#include "model/model.h"
#include "model/model_config.h"

namespace ps {

uint64_t decodeBytesAtPosition(const ModelConfig& config, uint64_t weightBytesPerToken, int position) {
    const uint64_t kvBytesPerPosition = 2ull * static_cast<uint64_t>(config.layerCount) *
                                        static_cast<uint64_t>(config.kvDim()) * 2;  // K and V, FP16
    return weightBytesPerToken + kvBytesPerPosition * static_cast<uint64_t>(std::max(0, position));
}

double prefillFlops(const ModelConfig& config, int tokens) {
    const double dim = config.dim, qDim = static_cast<double>(config.headCount) * config.headDim,
                 kvDim = config.kvDim(), ffn = config.ffnDim, n = tokens;
    const double layerWeights = dim * qDim + 2 * dim * kvDim + qDim * dim + 3 * dim * ffn;
    // Query i attends to i + 1 keys: q·k and the weighted sum of v, 2 flops each per dimension.
    const double attendedPairs = n * (n + 1) / 2;
    const double perLayer = 2 * layerWeights * n + 4 * qDim * attendedPairs;
    return config.layerCount * perLayer + 2.0 * dim * config.vocabSize;  // + output, last token
}

void addDeviceCeilings(const ModelConfig& config, const CudaDeviceCeilings& ceilings, BenchmarkResult& result) {
    result.deviceCopyGbPerSecond = ceilings.copyGBps;
    result.gemmTflops = ceilings.fp16GemmTflops;
    if (ceilings.copyGBps > 0) {
        const auto fraction = [&](int position, double tokensPerSecond) {
            return static_cast<double>(decodeBytesAtPosition(config, result.bytesPerToken, position)) *
                   tokensPerSecond / 1e9 / ceilings.copyGBps;
        };
        result.bandwidthFraction = fraction(result.decodeContext, result.decodeTokensPerSecond);
        if (result.longContext && result.longContextDecodeTokensPerSecond) {
            result.longContextBandwidthFraction =
                fraction(*result.longContext, *result.longContextDecodeTokensPerSecond);
        }
    }
    if (!result.prefill.empty()) {
        const PrefillMeasurement& longest = result.prefill.back();
        if (longest.milliseconds > 0) {
            result.prefillTflops = prefillFlops(config, longest.tokens) / (longest.milliseconds * 1e-3) / 1e12;
        }
    }
}

void measureCachedPrefixTtft(Backend& backend, const GpuBenchmarkOptions& options, BenchmarkResult& result) {
    const ModelConfig& config = backend.model().config();
    const int newTokens = std::clamp(options.newTokens, 1, std::max(1, backend.contextLength() - 1));
    const int prefix = std::clamp(options.cachedPrefixTokens, 1, backend.contextLength() - newTokens);
    // Ordinary token ids (past the usual <unk>, <s>, </s>), no randomness needed.
    std::vector<int32_t> tokens(static_cast<size_t>(prefix + newTokens));
    for (size_t i = 0; i < tokens.size(); ++i) {
        tokens[i] = static_cast<int32_t>(3 + (i * 7919) % static_cast<size_t>(std::max(1, config.vocabSize - 3)));
    }
    std::vector<float> logits(static_cast<size_t>(config.vocabSize));
    const std::span<const int32_t> all(tokens);
    backend.forward(all.first(static_cast<size_t>(prefix)), 0, logits);
    double best = 1e30;
    for (int r = 0; r < std::max(1, options.repetitions); ++r) {
        const auto start = std::chrono::steady_clock::now();
        backend.forward(all.subspan(static_cast<size_t>(prefix)), prefix, logits);
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    result.cachedPrefixTokens = prefix;
    result.cachedPrefixNewTokens = newTokens;
    result.cachedPrefixTtftMilliseconds = best;
}

void addGpuMeasurements(Backend& backend, int device, const GpuBenchmarkOptions& options, BenchmarkResult& result) {
    measureCachedPrefixTtft(backend, options, result);
    addDeviceCeilings(backend.model().config(), measureCudaCeilings(device), result);
}

}  // namespace ps
