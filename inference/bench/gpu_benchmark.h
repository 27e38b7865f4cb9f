#pragma once
// The figures a GPU run of `promptstudio-cli bench` adds to runBenchmark's
// (issue 3): the device's own ceilings (a large device-to-device copy, an FP16
// GEMM through cuBLAS), how close decode comes to the bandwidth bound, prefill's
// TFLOP/s, and the time to first token when a long prefix is already cached.
// The arithmetic is separate from the measuring so that it is tested anywhere.
#include <cstdint>

#include "backend/backend_factory.h"
#include "bench/benchmark.h"

namespace ps {

class Backend;
struct ModelConfig;

struct GpuBenchmarkOptions {
    int cachedPrefixTokens = 1000;  // tokens already in the KV cache
    int newTokens = 50;             // tokens then prefilled behind them
    int repetitions = 3;            // best of
};

// Bytes one decode step at `position` reads: the weights plus the FP16 keys and
// values of every earlier position in every layer.
uint64_t decodeBytesAtPosition(const ModelConfig& config, uint64_t weightBytesPerToken, int position);

// Floating-point operations of a prefill of `tokens` tokens from position 0:
// 2 per weight of the layer matrices per token (the output matrix runs on the
// last token only) plus the attention scores and weighted sums (causal).
double prefillFlops(const ModelConfig& config, int tokens);

// Fills result's device and derived fields from measured ceilings: copy GB/s,
// GEMM TFLOP/s, bandwidth fraction at the short and the long decode context,
// prefill TFLOP/s at the longest prefill length measured.
void addDeviceCeilings(const ModelConfig& config, const CudaDeviceCeilings& ceilings, BenchmarkResult& result);

// Milliseconds from handing `newTokens` tokens at position `prefixTokens` (the
// prefix is prefilled first, untimed) to having their logits; best of
// `repetitions`. Shrinks the prefix to fit the backend's context and records the
// lengths used in `result`. Any backend; throws BackendError.
void measureCachedPrefixTtft(Backend& backend, const GpuBenchmarkOptions& options, BenchmarkResult& result);

// All of the above on a CUDA backend running on `device`. Throws BackendError.
void addGpuMeasurements(Backend& backend, int device, const GpuBenchmarkOptions& options, BenchmarkResult& result);

}  // namespace ps
