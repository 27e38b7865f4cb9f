#pragma once
// Hyperparameters of a Llama-family model, read from GGUF `llama.*` metadata.
#include <cstdint>
#include <string>

namespace ps {

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

struct ModelConfig {
    std::string architecture = "llama";  // general.architecture
    std::string name;                    // general.name (may be empty)
    int contextLength = 0;    // llama.context_length: what the model was made for
    int dim = 0;              // llama.embedding_length
    int layerCount = 0;       // llama.block_count
    int ffnDim = 0;           // llama.feed_forward_length
    int headCount = 0;        // llama.attention.head_count
    int kvHeadCount = 0;      // llama.attention.head_count_kv (absent: = headCount)
    int headDim = 0;          // dim / headCount
    int ropeDim = 0;          // llama.rope.dimension_count (absent: headDim)
    float rmsEpsilon = 1e-5f; // llama.attention.layer_norm_rms_epsilon
    float ropeBase = 10000.0f;  // llama.rope.freq_base
    RopeScaling ropeScaling;
    int vocabSize = 0;        // rows of token_embd.weight

    int kvDim() const { return kvHeadCount * headDim; }
    // Reads and validates the hyperparameters; throws ModelError naming the key.
    static ModelConfig fromGguf(const GgufFile& file);
};

}  // namespace ps
