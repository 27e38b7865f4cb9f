#include "bench/benchmark.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <span>

#include "backend/backend.h"
#include "bench/memory_bandwidth.h"
#include "bench/random_weights.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/model_config.h"

namespace ps {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Random ordinary token ids (the first few ids are usually <unk>, <s>, </s>).
std::vector<int32_t> randomTokens(int count, int vocabSize, uint64_t seed) {
    SplitMix64 rng(seed);
    std::vector<int32_t> tokens(static_cast<size_t>(count));
    const uint64_t range = static_cast<uint64_t>(std::max(1, vocabSize - 3));
    for (int32_t& t : tokens) t = static_cast<int32_t>(3 + rng.next() % range);
    return tokens;
}

int argmax(const std::vector<float>& logits) {
    return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// Seconds for `steps` greedy decode steps starting at `position`.
double timeDecode(Backend& backend, int position, int steps, std::vector<float>& logits) {
    int32_t token = argmax(logits);
    const auto start = Clock::now();
    for (int i = 0; i < steps; ++i) {
        backend.forward(std::span<const int32_t>(&token, 1), position + i, logits);
        token = argmax(logits);
    }
    return secondsSince(start);
}

std::string number(double v, int decimals = 2) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
    return buffer;
}

std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            out += buffer;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace

BenchmarkResult runBenchmark(Backend& backend, const BenchmarkOptions& options) {
    const Model& model = backend.model();
    const ModelConfig& config = model.config();
    const ModelCard card = model.card();
    BenchmarkResult result;
    result.backend = backend.kind() == BackendKind::Cuda ? "cuda" : "cpu";
    result.device = backend.deviceName();
    result.model = card.name.empty() ? model.file().name() : card.name;
    result.weightType = card.mainTensorType;
    result.parameterCount = card.parameterCount;
    result.bytesPerToken = model.bytesReadPerToken();

    const int context = backend.contextLength();
    const int repetitions = std::max(1, options.repetitions);
    std::vector<float> logits(static_cast<size_t>(config.vocabSize));
    const std::vector<int32_t> tokens =
        randomTokens(std::max({context, 1}), config.vocabSize, options.seed);
    const auto prompt = [&](int n) { return std::span<const int32_t>(tokens.data(), static_cast<size_t>(n)); };

    // Warm-up: first touches of the weights and the KV cache, thread start.
    backend.forward(prompt(std::min(8, context)), 0, logits);

    // Prefill.
    for (int length : options.prefillLengths) {
        const int n = std::min(length, context);
        if (n <= 0) continue;
        double best = 1e30;
        for (int r = 0; r < repetitions; ++r) {
            const auto start = Clock::now();
            backend.forward(prompt(n), 0, logits);
            best = std::min(best, secondsSince(start));
        }
        result.prefill.push_back({n, best * 1e3, n / best});
    }
    if (!result.prefill.empty()) {
        result.ttftMilliseconds = result.prefill.front().milliseconds;
        result.prefillTokensPerSecond = result.prefill.back().tokensPerSecond;
    }

    // Decode after a short prompt.
    const int promptTokens = std::clamp(options.decodePromptTokens, 1, std::max(1, context - 1));
    const int steps = std::clamp(options.decodeTokens, 1, std::max(1, context - promptTokens));
    double bestDecode = 1e30;
    for (int r = 0; r < repetitions; ++r) {
        backend.forward(prompt(promptTokens), 0, logits);
        bestDecode = std::min(bestDecode, timeDecode(backend, promptTokens, steps, logits));
    }
    result.decodeContext = promptTokens;
    result.decodeTokens = steps;
    result.decodeTokensPerSecond = steps / bestDecode;
    result.decodeGbPerSecond = static_cast<double>(result.bytesPerToken) * result.decodeTokensPerSecond / 1e9;

    // Decode deep in a long context, where attention reads a large KV cache.
    if (options.longContext > 0) {
        const int start = std::min(options.longContext, context - steps);
        if (start > 0) {
            backend.forward(prompt(start), 0, logits);
            result.longContext = start;
            result.longContextDecodeTokensPerSecond = steps / timeDecode(backend, start, steps, logits);
        }
    }

    if (options.measureHostBandwidth && backend.kind() == BackendKind::Cpu) {
        const double bandwidth = measureHostReadBandwidth(options.threads);
        result.memoryReadGbPerSecond = bandwidth;
        if (bandwidth > 0) result.bandwidthFraction = result.decodeGbPerSecond / bandwidth;
    }
    return result;
}

std::string toJson(const BenchmarkResult& r) {
    std::string s = "{";
    const auto field = [&](const std::string& key, const std::string& value) {
        if (s.size() > 1) s += ", ";
        s += jsonString(key) + ": " + value;
    };
    field("backend", jsonString(r.backend));
    field("device", jsonString(r.device));
    field("model", jsonString(r.model));
    field("weight_type", jsonString(r.weightType));
    field("parameters", std::to_string(r.parameterCount));
    std::string prefill = "[";
    for (const PrefillMeasurement& p : r.prefill) {
        if (prefill.size() > 1) prefill += ", ";
        prefill += "{\"tokens\": " + std::to_string(p.tokens) + ", \"ms\": " + number(p.milliseconds, 3) +
                   ", \"tokens_per_s\": " + number(p.tokensPerSecond) + "}";
    }
    field("prefill", prefill + "]");
    field("prefill_tokens_per_s", number(r.prefillTokensPerSecond));
    field("ttft_ms", number(r.ttftMilliseconds, 3));
    field("decode_context", std::to_string(r.decodeContext));
    field("decode_tokens", std::to_string(r.decodeTokens));
    field("decode_tokens_per_s", number(r.decodeTokensPerSecond));
    if (r.longContext) {
        field("long_context", std::to_string(*r.longContext));
        field("long_context_decode_tokens_per_s", number(r.longContextDecodeTokensPerSecond.value_or(0)));
    }
    field("bytes_per_token", std::to_string(r.bytesPerToken));
    field("decode_gb_per_s", number(r.decodeGbPerSecond, 3));
    if (r.memoryReadGbPerSecond) field("memory_read_gb_per_s", number(*r.memoryReadGbPerSecond, 3));
    if (r.bandwidthFraction) field("bandwidth_fraction", number(*r.bandwidthFraction, 3));
    if (r.deviceCopyGbPerSecond) field("device_copy_gb_per_s", number(*r.deviceCopyGbPerSecond, 3));
    if (r.gemmTflops) field("gemm_tflops", number(*r.gemmTflops, 3));
    if (r.longContextBandwidthFraction) {
        field("long_context_bandwidth_fraction", number(*r.longContextBandwidthFraction, 3));
    }
    if (r.prefillTflops) field("prefill_tflops", number(*r.prefillTflops, 3));
    if (r.cachedPrefixTtftMilliseconds) {
        field("cached_prefix_tokens", std::to_string(r.cachedPrefixTokens.value_or(0)));
        field("cached_prefix_new_tokens", std::to_string(r.cachedPrefixNewTokens.value_or(0)));
        field("cached_prefix_ttft_ms", number(*r.cachedPrefixTtftMilliseconds, 3));
    }
    if (r.backendLoadSeconds) field("backend_load_s", number(*r.backendLoadSeconds, 3));
    return s + "}";
}

std::string toText(const BenchmarkResult& r) {
    std::string s;
    s += "model      " + r.model + " (" + r.weightType + ", " +
         number(static_cast<double>(r.parameterCount) / 1e9, 3) + "B parameters)\n";
    s += "backend    " + r.backend + ": " + r.device + "\n";
    for (const PrefillMeasurement& p : r.prefill) {
        s += "prefill    " + std::to_string(p.tokens) + " tokens: " + number(p.tokensPerSecond) +
             " tokens/s (" + number(p.milliseconds, 1) + " ms)\n";
    }
    s += "ttft       " + number(r.ttftMilliseconds, 1) + " ms\n";
    s += "decode     " + number(r.decodeTokensPerSecond) + " tokens/s (" + std::to_string(r.decodeTokens) +
         " tokens from position " + std::to_string(r.decodeContext) + ")\n";
    if (r.longContext) {
        s += "decode     " + number(r.longContextDecodeTokensPerSecond.value_or(0)) +
             " tokens/s from position " + std::to_string(*r.longContext) + "\n";
    }
    s += "weights    " + number(static_cast<double>(r.bytesPerToken) / 1e6, 1) + " MB read per token, " +
         number(r.decodeGbPerSecond) + " GB/s";
    if (r.memoryReadGbPerSecond) {
        s += " of " + number(*r.memoryReadGbPerSecond) + " GB/s measured host read bandwidth (" +
             number(100.0 * r.bandwidthFraction.value_or(0), 0) + "%)";
    }
    s += "\n";
    if (r.deviceCopyGbPerSecond) s += "device     copy " + number(*r.deviceCopyGbPerSecond) + " GB/s\n";
    if (r.gemmTflops) s += "device     GEMM " + number(*r.gemmTflops) + " TFLOP/s\n";
    if (r.bandwidthFraction && r.deviceCopyGbPerSecond) {
        s += "bound      decode at " + number(100.0 * *r.bandwidthFraction, 0) + "% of the copy bandwidth";
        if (r.longContextBandwidthFraction) {
            s += ", " + number(100.0 * *r.longContextBandwidthFraction, 0) + "% from position " +
                 std::to_string(r.longContext.value_or(0));
        }
        s += "\n";
    }
    if (r.prefillTflops) s += "prefill    " + number(*r.prefillTflops) + " TFLOP/s\n";
    if (r.cachedPrefixTtftMilliseconds) {
        s += "ttft       " + number(*r.cachedPrefixTtftMilliseconds, 1) + " ms for " +
             std::to_string(r.cachedPrefixNewTokens.value_or(0)) + " tokens behind " +
             std::to_string(r.cachedPrefixTokens.value_or(0)) + " cached\n";
    }
    if (r.backendLoadSeconds) s += "load       " + number(*r.backendLoadSeconds) + " s\n";
    return s;
}

}  // namespace ps
