#pragma once
// Hyperparameters of a model, read from GGUF `<architecture>.*` metadata, and
// what its architecture does differently from Llama's block (architecture as
// data: one forward pass per backend reads these, no per-family copies).
#include <cstdint>
#include <string>

#include "tensor/host_device.h"

namespace ps {

// The first key position a query at `position` attends to with a sliding
// window of `window` keys (0: no window): keys at distance position - k >= window
// are masked (llama.cpp's rule). Shared by the CPU and the CUDA attention.
PS_HD int firstVisibleKey(int position, int window) {
    return window > 0 && position >= window ? position - window + 1 : 0;
}

class GgufFile;

enum class RopeScalingType { None, Linear, Yarn, Llama3 };

struct RopeScaling {
    RopeScalingType type = RopeScalingType::None;
    float factor = 1.0f;                  // rope.scaling.factor
    int originalContextLength = 0;        // rope.scaling.original_context_length
    // Llama 3.1 style (rope_freqs.weight holds the resulting per-pair factors when present).
    float lowFrequencyFactor = 1.0f;
    float highFrequencyFactor = 4.0f;
};

// Which dimensions of a head RoPE turns together.
enum class RopeStyle {
    // (x[2i], x[2i+1]): `llama` (the GGUF converter permuted Q and K for it).
    AdjacentPairs,
    // (x[i], x[i + ropeDim/2]), GPT-NeoX's layout: `qwen2`, `phi3`.
    Halves,
};

// The architectures the runtime runs (general.architecture) and what sets them apart.
struct ArchitectureTraits {
    const char* id;          // "llama", "qwen2", "phi3": also the metadata prefix
    const char* familyName;  // for people: "Llama", "Qwen 2", "Phi-3"
    RopeStyle ropeStyle;
    // Whether attention.sliding_window applies (llama.cpp reads it for phi3,
    // not for llama or qwen2 even where a file carries it).
    bool usesSlidingWindow;
};

// The traits of a supported architecture id, or nullptr.
const ArchitectureTraits* findArchitecture(const std::string& id);

struct ModelConfig {
    std::string architecture = "llama";  // general.architecture
    std::string name;                    // general.name (may be empty)
    // The keys below are `<architecture>.<key>` ("llama.", "qwen2.", "phi3.").
    int contextLength = 0;    // context_length: what the model was made for
    int dim = 0;              // embedding_length
    int layerCount = 0;       // block_count
    int ffnDim = 0;           // feed_forward_length
    int headCount = 0;        // attention.head_count
    int kvHeadCount = 0;      // attention.head_count_kv (absent: = headCount)
    int headDim = 0;          // dim / headCount
    int ropeDim = 0;          // rope.dimension_count (absent: headDim)
    float rmsEpsilon = 1e-5f; // attention.layer_norm_rms_epsilon
    float ropeBase = 10000.0f;  // rope.freq_base
    RopeScaling ropeScaling;
    RopeStyle ropeStyle = RopeStyle::AdjacentPairs;  // from the architecture
    // attention.sliding_window (phi3): a query at position q sees the keys at
    // positions k with q - k < slidingWindow (llama.cpp's rule); 0 = all k <= q.
    int slidingWindow = 0;
    int vocabSize = 0;        // rows of token_embd.weight

    int kvDim() const { return kvHeadCount * headDim; }
    int qDim() const { return headCount * headDim; }
    // The first key position a query at `position` attends to.
    int firstVisibleKey(int position) const { return ps::firstVisibleKey(position, slidingWindow); }
    // Reads and validates the hyperparameters; throws ModelError naming the key.
    static ModelConfig fromGguf(const GgufFile& file);
};

}  // namespace ps
