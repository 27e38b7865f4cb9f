#pragma once
// The memory traffic of one decode token, counted kernel by kernel on the
// emulated CUDA device (`promptstudio-cli bench --backend cuda-emulated
// --traffic`): what the kernels load against what they would load reading each
// byte once, how well their warp accesses fill 32-byte sectors, and the worst
// shared-memory bank conflict. The paper side of "decode at the bandwidth
// limit" until a GPU measures it (docs/performance.md).
#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend_factory.h"

namespace ps {

class Backend;

struct TrafficReport {
    std::string model;       // shape name, with the slice ("tinyllama-1.1b, 2 of 22 layers")
    std::string weightType;
    int position = 0;        // of the decode token counted
    int layers = 0;          // layers the model run has
    std::vector<CudaKernelTraffic> kernels;
    uint64_t weightBytesLoaded = 0;
    uint64_t weightBytesStored = 0;  // distinct weight bytes the token read
    uint64_t activationBytesLoaded = 0;
    uint64_t kvBytesLoaded = 0;
    uint64_t kvBytesDistinct = 0;
    int kernelsPerLayer = 0;
    double weightSectorEfficiency = 1.0;  // of the kernels that read weights, weighted by bytes
    // One transformer layer, measured: the launches between the embedding
    // (the token's first) and the output matrix (its last), over the layers.
    double layerWeightBytesLoaded = 0;
    double layerActivationBytesLoaded = 0;
    double layerActivationRatio() const {
        return layerWeightBytesLoaded > 0 ? layerActivationBytesLoaded / layerWeightBytesLoaded : 0.0;
    }
};

// Runs one decode token at `position` with counting on (the cache before it
// holds the zeros the backend starts with: traffic does not depend on them). `backend` must run on the emulated device.
// Throws BackendError when it does not.
TrafficReport measureDecodeTraffic(Backend& backend, int position);

std::string toText(const TrafficReport& report);
// {"model", "weight_type", "position", "layers", "kernels": [{"name", "launches",
// "blocks", "bytes_loaded", "bytes_ideal", "sector_efficiency",
// "bank_conflict_ways"}], "weight_bytes_loaded", "weight_bytes_stored",
// "activation_bytes_loaded", "kv_bytes_loaded", "kernels_per_layer",
// "layer_activation_ratio" (activations / weights of one layer), ...}
std::string toJson(const TrafficReport& report);

// The same counts for a short prefill: `tokens` prompt tokens at positions
// 0.. (issue 17, item 3: up to kBatchedMatvecMaxTokens, each weight should be
// read once for all of them and nothing dequantized).
struct PrefillTrafficReport {
    int tokens = 0;  // 0: not run
    std::vector<CudaKernelTraffic> kernels;
    uint64_t weightBytesLoaded = 0;
    uint64_t weightBytesStored = 0;  // distinct weight bytes the prefill read
    uint64_t activationBytesLoaded = 0;
    uint64_t kvBytesLoaded = 0;
    uint64_t kvBytesDistinct = 0;
    double weightSectorEfficiency = 1.0;
};

// Runs a prefill of `tokens` (>= 2) tokens from position 0 with counting on.
// Throws BackendError off the emulated device, or when they do not fit the context.
PrefillTrafficReport measurePrefillTraffic(Backend& backend, int tokens);

// Text: a second table after the decode one. JSON: the decode report's object
// with "prefill": {"tokens", "kernels": [same keys as decode's], "weight_bytes_loaded",
// "weight_bytes_stored", "activation_bytes_loaded", "kv_bytes_loaded",
// "kv_bytes_distinct", "weight_sector_efficiency"} added (nothing added when
// prefill.tokens is 0).
std::string toText(const PrefillTrafficReport& prefill);
std::string toJson(const TrafficReport& decode, const PrefillTrafficReport& prefill);

}  // namespace ps
