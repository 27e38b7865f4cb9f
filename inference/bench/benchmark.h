#pragma once
// Measures a backend the way a user feels it: prompt processing (prefill)
// tokens/s, time to first token, decode tokens/s, and for the memory-bound
// decode the bytes of weights read per token and the bandwidth achieved
// (against the machine's measured read bandwidth on the CPU). Used by
// `promptstudio-cli bench`; independent of the CLI.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ps {

class Backend;

struct BenchmarkOptions {
    std::vector<int> prefillLengths = {64, 512};  // prompt lengths measured (capped by the context)
    int decodePromptTokens = 16;  // prompt before the decode run
    int decodeTokens = 64;        // decode steps measured
    int longContext = 0;          // > 0: also decode at this context (e.g. 2048)
    int repetitions = 2;          // each figure is the best of these (after one warm-up)
    bool measureHostBandwidth = true;  // CPU backends: the memory read bound
    int threads = 0;              // threads for the bandwidth measurement (0 = all)
    uint64_t seed = 1;            // for the random prompt token ids
};

struct PrefillMeasurement {
    int tokens = 0;
    double milliseconds = 0;
    double tokensPerSecond = 0;
};

struct BenchmarkResult {
    std::string backend;  // "cpu" or "cuda"
    std::string device;   // Backend::deviceName()
    std::string model;    // model name or file
    std::string weightType;  // the type holding most weight bytes, e.g. "Q8_0"
    uint64_t parameterCount = 0;

    std::vector<PrefillMeasurement> prefill;
    double prefillTokensPerSecond = 0;  // at the longest prefill length measured
    double ttftMilliseconds = 0;        // prefill of the first (shortest) length, logits included

    int decodeContext = 0;  // position the measured decode steps start at
    int decodeTokens = 0;
    double decodeTokensPerSecond = 0;
    std::optional<int> longContext;
    std::optional<double> longContextDecodeTokensPerSecond;

    uint64_t bytesPerToken = 0;    // weight bytes one decode step reads
    double decodeGbPerSecond = 0;  // bytesPerToken * decode tokens/s / 1e9

    // CPU: the host's measured read bandwidth and the share of it decode reaches.
    std::optional<double> memoryReadGbPerSecond;
    std::optional<double> bandwidthFraction;

    // GPU figures, filled by the CUDA side when it measures them (bench/gpu_benchmark.h).
    std::optional<double> deviceCopyGbPerSecond;
    std::optional<double> gemmTflops;
    std::optional<double> longContextBandwidthFraction;  // at longContext, KV cache reads included
    std::optional<double> prefillTflops;                 // at the longest prefill length
    std::optional<int> cachedPrefixTokens;               // time to first token behind a cached prefix:
    std::optional<int> cachedPrefixNewTokens;            //   this many new tokens after that many cached
    std::optional<double> cachedPrefixTtftMilliseconds;
    // Seconds to create the backend (GPU: weights uploaded), filled by the caller.
    std::optional<double> backendLoadSeconds;
};

// Runs the measurements on `backend` (its KV cache is overwritten). Throws BackendError.
BenchmarkResult runBenchmark(Backend& backend, const BenchmarkOptions& options);

// One JSON object with at least: backend, device, prefill_tokens_per_s, ttft_ms,
// decode_tokens_per_s, bytes_per_token, decode_gb_per_s (optional figures only when measured).
std::string toJson(const BenchmarkResult& result);
// A few lines for people.
std::string toText(const BenchmarkResult& result);

}  // namespace ps
