#pragma once
// Random-weight Llama models of real shapes, for benchmarks that need no
// download: the weights are random, the work per token is that of the real model.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor_type.h"

namespace ps {

class GgufWriter;
class Model;

struct SyntheticModelShape {
    std::string name;
    int dim = 0;
    int layerCount = 0;
    int headCount = 0;
    int kvHeadCount = 0;
    int ffnDim = 0;
    int vocabSize = 0;
    int contextLength = 0;
    // "llama"; "qwen2" (Q/K/V biases, NEOX RoPE, base 1e6, output tied to the
    // embedding); "phi3" (fused attn_qkv and gate|up ffn_up, NEOX RoPE).
    std::string architecture = "llama";
    int slidingWindow = 0;  // phi3: attention.sliding_window (0: none written)
};

// "tinyllama-1.1b", "llama2-7b", "llama3-8b", "qwen2.5-1.5b", "phi3-mini"; the
// same-size variants "tinyllama-1.1b-qwen2" and "tinyllama-1.1b-phi3" (the
// tinyllama shape as those architectures, to compare their cost); "tiny",
// "tiny-qwen2", "tiny-phi3" (dim 256, 2 layers) for tests.
std::optional<SyntheticModelShape> syntheticModelShape(std::string_view name);
std::vector<std::string> syntheticModelShapeNames();

// A GGUF image (as a writer) of the shape with every matrix and the embedding in
// `type` and F32 norms, with a minimal SentencePiece vocabulary (<unk>, <s>,
// </s>, 256 byte pieces, filler pieces). Weights come from `seed`.
GgufWriter makeSyntheticGguf(const SyntheticModelShape& shape, TensorType type, uint64_t seed = 1);
// By type name ("Q8_0", ...), or "Q4_K_M": llama.cpp's mix of that name, Q4_K
// except output.weight and, in the layers llama.cpp gives more bits (its
// use_more_bits: the first and last eighth and every third between), attn_v and
// ffn_down in Q6_K. Throws std::invalid_argument naming the choices.
GgufWriter makeSyntheticGguf(const SyntheticModelShape& shape, std::string_view typeName, uint64_t seed = 1);

// The same, loaded as a Model held in memory (about the size of its weights).
std::shared_ptr<const Model> buildSyntheticModel(const SyntheticModelShape& shape, TensorType type,
                                                 uint64_t seed = 1);
// By shape name and type name ("Q8_0", "F16", ..., "Q4_K_M"); throws std::invalid_argument
// naming the choices when either is unknown.
std::shared_ptr<const Model> buildSyntheticModel(std::string_view shapeName,
                                                 std::string_view typeName, uint64_t seed = 1);

}  // namespace ps
