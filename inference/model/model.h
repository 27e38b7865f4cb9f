#pragma once
// A loaded model: its GGUF file, hyperparameters, tokenizer and views of every
// weight tensor (still in the file's mapping, in the stored type), normalized to
// one layout whatever the architecture: phi3's fused matrices are row-range
// views, biases are optional. A model is immutable once loaded and shared by
// the backends that run it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/model_config.h"
#include "tensor/tensor_type.h"

namespace ps {

class GgufFile;
class Tokenizer;

class ModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A 1-D or 2-D weight. For a matrix, `cols` is the input size (contiguous,
// ggml's ne[0]) and `rows` the output size: y[r] = sum_c W[r][c] * x[c].
struct WeightTensor {
    std::string name;
    TensorType type = TensorType::F32;
    int64_t cols = 0;
    int64_t rows = 1;
    const uint8_t* data = nullptr;
    size_t bytes = 0;

    size_t rowBytes() const;
    const uint8_t* row(int64_t r) const { return data + static_cast<size_t>(r) * rowBytes(); }
    // Rows [first, first + count) as a matrix of their own, sharing the data
    // (rows are contiguous in every type); named `name[first:first+count]`.
    WeightTensor rowRange(int64_t first, int64_t count) const;
};

struct LayerWeights {
    WeightTensor attnNorm;  // [dim]
    WeightTensor wq;        // [dim -> headCount*headDim]  (phi3: rows of attn_qkv)
    WeightTensor wk;        // [dim -> kvDim]
    WeightTensor wv;        // [dim -> kvDim]
    // Added after the projections (qwen2); absent elsewhere.
    std::optional<WeightTensor> qBias;  // [headCount*headDim]
    std::optional<WeightTensor> kBias;  // [kvDim]
    std::optional<WeightTensor> vBias;  // [kvDim]
    WeightTensor wo;        // [headCount*headDim -> dim]
    WeightTensor ffnNorm;   // [dim]
    WeightTensor wGate;     // [dim -> ffnDim]  (phi3: the first half of ffn_up)
    WeightTensor wUp;       // [dim -> ffnDim]  (phi3: the second half of ffn_up)
    WeightTensor wDown;     // [ffnDim -> dim]
};

struct ModelWeights {
    WeightTensor tokenEmbedding;  // [dim] x vocab rows
    std::vector<LayerWeights> layers;
    WeightTensor outputNorm;      // [dim]
    WeightTensor output;          // [dim -> vocab]; token_embd when tied
    bool outputTied = false;
    std::optional<WeightTensor> ropeFrequencyFactors;  // rope_freqs.weight, [ropeDim/2]
};

// A summary for `info` and the model manager.
struct ModelCard {
    std::string path;
    std::string name;
    std::string architecture;
    std::string family;  // "Llama", "Qwen 2", "Phi-3"
    uint64_t fileBytes = 0;
    uint64_t parameterCount = 0;
    uint64_t weightBytes = 0;
    std::vector<std::pair<std::string, int>> tensorTypeCounts;  // e.g. {"Q4_K", 145}
    std::string mainTensorType;  // the type holding most weight bytes
    int contextLength = 0;
    int vocabSize = 0;
    // Bytes of an FP32 (CPU) / FP16 (GPU) KV cache for the model's full context.
    uint64_t kvCacheBytesFp32 = 0;
    uint64_t kvCacheBytesFp16 = 0;
};

class Model {
public:
    // Opens, validates and maps a GGUF model. Throws GgufError, ModelError or TokenizerError.
    static std::shared_ptr<const Model> load(const std::filesystem::path& path);
    // Same, for a GGUF already opened (e.g. an in-memory synthetic model).
    static std::shared_ptr<const Model> fromGguf(std::shared_ptr<GgufFile> file);

    ~Model();

    const GgufFile& file() const { return *file_; }
    const ModelConfig& config() const { return config_; }
    const ModelWeights& weights() const { return weights_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    // tokenizer.chat_template, or empty.
    const std::string& chatTemplate() const { return chatTemplate_; }
    ModelCard card() const;
    // Bytes of weights one decoded token reads (every matrix once, one embedding row).
    uint64_t bytesReadPerToken() const;

private:
    Model() = default;
    std::shared_ptr<GgufFile> file_;
    ModelConfig config_;
    ModelWeights weights_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::string chatTemplate_;
};

}  // namespace ps
