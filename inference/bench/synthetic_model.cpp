#include "bench/synthetic_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "bench/random_weights.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"

namespace ps {

namespace {

const SyntheticModelShape kShapes[] = {
    // name, dim, layers, heads, kv heads, ffn, vocab, context, architecture, sliding window
    {"tiny", 256, 2, 8, 4, 768, 512, 256, "llama", 0},
    {"tiny-qwen2", 256, 2, 8, 4, 768, 512, 256, "qwen2", 0},
    {"tiny-phi3", 256, 2, 8, 4, 768, 512, 256, "phi3", 32},
    {"tinyllama-1.1b", 2048, 22, 32, 4, 5632, 32000, 2048, "llama", 0},
    {"tinyllama-1.1b-qwen2", 2048, 22, 32, 4, 5632, 32000, 2048, "qwen2", 0},
    {"tinyllama-1.1b-phi3", 2048, 22, 32, 4, 5632, 32000, 2048, "phi3", 2047},
    {"llama2-7b", 4096, 32, 32, 32, 11008, 32000, 4096, "llama", 0},
    {"llama3-8b", 4096, 32, 32, 8, 14336, 128256, 8192, "llama", 0},
    {"qwen2.5-1.5b", 1536, 28, 12, 2, 8960, 151936, 32768, "qwen2", 0},
    {"phi3-mini", 3072, 32, 32, 32, 8192, 32064, 4096, "phi3", 2047},
};

const TensorType kTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q8_0,
                             TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K};

struct TensorSpec {
    std::string name;
    TensorType type;
    int64_t cols, rows;
    std::vector<uint8_t> data;
};

// <unk>, <s>, </s>, the 256 byte-fallback pieces, then distinct filler pieces.
void addVocabulary(GgufWriter& writer, int vocabSize) {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
    const auto add = [&](std::string piece, float score, int32_t type) {
        tokens.push_back(std::move(piece));
        scores.push_back(score);
        types.push_back(type);
    };
    add("<unk>", 0.0f, 2);
    add("<s>", 0.0f, 3);
    add("</s>", 0.0f, 3);
    for (int b = 0; b < 256 && static_cast<int>(tokens.size()) < vocabSize; ++b) {
        char piece[8];
        std::snprintf(piece, sizeof piece, "<0x%02X>", b);
        add(piece, 0.0f, 6);
    }
    for (int i = 0; static_cast<int>(tokens.size()) < vocabSize; ++i) {
        add("\xe2\x96\x81w" + std::to_string(i), -static_cast<float>(i + 1), 1);  // "▁w<i>"
    }
    writer.setString("tokenizer.ggml.model", "llama");
    writer.setStringArray("tokenizer.ggml.tokens", tokens);
    writer.setFloatArray("tokenizer.ggml.scores", scores);
    writer.setI32Array("tokenizer.ggml.token_type", types);
    writer.setU32("tokenizer.ggml.unknown_token_id", 0);
    writer.setU32("tokenizer.ggml.bos_token_id", 1);
    writer.setU32("tokenizer.ggml.eos_token_id", 2);
    writer.setBool("tokenizer.ggml.add_bos_token", true);
}

// Fills the tensors on every hardware thread: a 7B model is gigabytes of random bytes.
void fillTensors(std::vector<TensorSpec>& specs, uint64_t seed) {
    const int threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> workers;
    for (int w = 0; w < threads; ++w) {
        workers.emplace_back([&, w] {
            for (size_t i = static_cast<size_t>(w); i < specs.size(); i += static_cast<size_t>(threads)) {
                TensorSpec& s = specs[i];
                s.data.resize(rowBytes(s.type, s.cols) * static_cast<size_t>(s.rows));
                if (s.name.find("norm") != std::string::npos) {
                    float* f = reinterpret_cast<float*>(s.data.data());
                    for (int64_t k = 0; k < s.cols; ++k) f[k] = 1.0f;
                } else {
                    // Amplitude sqrt(3/cols): uniform weights that keep unit-variance activations.
                    fillRandomWeights(s.type, s.data.data(), s.rows, s.cols,
                                      std::sqrt(3.0f / static_cast<float>(s.cols)), seed * 1000003 + i);
                }
            }
        });
    }
    for (std::thread& t : workers) t.join();
}

}  // namespace

std::optional<SyntheticModelShape> syntheticModelShape(std::string_view name) {
    for (const SyntheticModelShape& s : kShapes) {
        if (s.name == name) return s;
    }
    return std::nullopt;
}

std::vector<std::string> syntheticModelShapeNames() {
    std::vector<std::string> names;
    for (const SyntheticModelShape& s : kShapes) names.push_back(s.name);
    return names;
}

namespace {

// llama.cpp's use_more_bits(): the layers its *_M mixes give more bits.
bool moreBitsLayer(int layer, int layers) {
    return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}

// typeOf(name, layer) is the type of tensor `name` of `layer` (-1 outside the layers).
template <typename TypeOf>
GgufWriter makeGguf(const SyntheticModelShape& shape, const std::string& typeName, TypeOf typeOf, uint64_t seed) {
    const bool qwen2 = shape.architecture == "qwen2", phi3 = shape.architecture == "phi3";
    if (!qwen2 && !phi3 && shape.architecture != "llama") {
        throw std::invalid_argument("synthetic models are llama, qwen2 or phi3, not " + shape.architecture);
    }
    const std::string a = shape.architecture + ".";
    GgufWriter writer;
    writer.setString("general.architecture", shape.architecture);
    writer.setString("general.name", "synthetic " + shape.name + " " + typeName);
    writer.setU32(a + "context_length", static_cast<uint32_t>(shape.contextLength));
    writer.setU32(a + "embedding_length", static_cast<uint32_t>(shape.dim));
    writer.setU32(a + "block_count", static_cast<uint32_t>(shape.layerCount));
    writer.setU32(a + "feed_forward_length", static_cast<uint32_t>(shape.ffnDim));
    writer.setU32(a + "attention.head_count", static_cast<uint32_t>(shape.headCount));
    writer.setU32(a + "attention.head_count_kv", static_cast<uint32_t>(shape.kvHeadCount));
    writer.setU32(a + "rope.dimension_count", static_cast<uint32_t>(shape.dim / shape.headCount));
    writer.setF32(a + "attention.layer_norm_rms_epsilon", 1e-5f);
    writer.setF32(a + "rope.freq_base", qwen2 ? 1000000.0f : 10000.0f);
    if (shape.slidingWindow > 0) writer.setU32(a + "attention.sliding_window", static_cast<uint32_t>(shape.slidingWindow));
    addVocabulary(writer, shape.vocabSize);

    const int64_t dim = shape.dim, kvDim = static_cast<int64_t>(shape.kvHeadCount) * (dim / shape.headCount);
    std::vector<TensorSpec> specs;
    specs.push_back({"token_embd.weight", typeOf("token_embd", -1), dim, shape.vocabSize, {}});
    for (int l = 0; l < shape.layerCount; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        const auto type = [&](const char* name) { return typeOf(name, l); };
        specs.push_back({p + "attn_norm.weight", TensorType::F32, dim, 1, {}});
        if (phi3) {
            specs.push_back({p + "attn_qkv.weight", type("attn_qkv"), dim, dim + 2 * kvDim, {}});
        } else {
            specs.push_back({p + "attn_q.weight", type("attn_q"), dim, dim, {}});
            specs.push_back({p + "attn_k.weight", type("attn_k"), dim, kvDim, {}});
            specs.push_back({p + "attn_v.weight", type("attn_v"), dim, kvDim, {}});
        }
        if (qwen2) {
            specs.push_back({p + "attn_q.bias", TensorType::F32, dim, 1, {}});
            specs.push_back({p + "attn_k.bias", TensorType::F32, kvDim, 1, {}});
            specs.push_back({p + "attn_v.bias", TensorType::F32, kvDim, 1, {}});
        }
        specs.push_back({p + "attn_output.weight", type("attn_output"), dim, dim, {}});
        specs.push_back({p + "ffn_norm.weight", TensorType::F32, dim, 1, {}});
        if (phi3) {
            specs.push_back({p + "ffn_up.weight", type("ffn_up"), dim, 2 * static_cast<int64_t>(shape.ffnDim), {}});
        } else {
            specs.push_back({p + "ffn_gate.weight", type("ffn_gate"), dim, shape.ffnDim, {}});
            specs.push_back({p + "ffn_up.weight", type("ffn_up"), dim, shape.ffnDim, {}});
        }
        specs.push_back({p + "ffn_down.weight", type("ffn_down"), shape.ffnDim, dim, {}});
    }
    specs.push_back({"output_norm.weight", TensorType::F32, dim, 1, {}});
    if (!qwen2) specs.push_back({"output.weight", typeOf("output", -1), dim, shape.vocabSize, {}});  // Qwen 2.5 ties it
    fillTensors(specs, seed);
    for (TensorSpec& s : specs) {
        const bool vector = s.rows == 1 && (s.name.find("norm") != std::string::npos ||
                                            s.name.find(".bias") != std::string::npos);
        std::vector<int64_t> dims = vector ? std::vector<int64_t>{s.cols} : std::vector<int64_t>{s.cols, s.rows};
        writer.addTensor(s.name, s.type, std::move(dims), std::move(s.data));
    }
    return writer;
}

std::shared_ptr<const Model> modelFromWriter(const GgufWriter& writer, const std::string& name) {
    return Model::fromGguf(GgufFile::fromBytes(writer.toBytes(), name));
}

}  // namespace

GgufWriter makeSyntheticGguf(const SyntheticModelShape& shape, TensorType type, uint64_t seed) {
    return makeGguf(shape, tensorTypeInfo(type).name, [type](const char*, int) { return type; }, seed);
}

GgufWriter makeSyntheticGguf(const SyntheticModelShape& shape, std::string_view typeName, uint64_t seed) {
    if (typeName == "Q4_K_M") {
        const int layers = shape.layerCount;
        return makeGguf(
            shape, "Q4_K_M",
            [layers](const char* name, int layer) {
                const std::string_view n = name;
                if (n == "output") return TensorType::Q6_K;
                if ((n == "attn_v" || n == "ffn_down") && moreBitsLayer(layer, layers)) return TensorType::Q6_K;
                return TensorType::Q4_K;
            },
            seed);
    }
    for (TensorType t : kTypes) {
        if (typeName == tensorTypeInfo(t).name) return makeSyntheticGguf(shape, t, seed);
    }
    throw std::invalid_argument("unknown tensor type \"" + std::string(typeName) +
                                "\" (choose F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K, Q4_K_M)");
}

std::shared_ptr<const Model> buildSyntheticModel(const SyntheticModelShape& shape, TensorType type,
                                                 uint64_t seed) {
    return modelFromWriter(makeSyntheticGguf(shape, type, seed),
                           "synthetic-" + shape.name + "-" + tensorTypeInfo(type).name + ".gguf");
}

std::shared_ptr<const Model> buildSyntheticModel(std::string_view shapeName, std::string_view typeName,
                                                 uint64_t seed) {
    const std::optional<SyntheticModelShape> shape = syntheticModelShape(shapeName);
    if (!shape) {
        std::string choices;
        for (const std::string& n : syntheticModelShapeNames()) choices += (choices.empty() ? "" : ", ") + n;
        throw std::invalid_argument("unknown model shape \"" + std::string(shapeName) + "\" (choose " +
                                    choices + ")");
    }
    return modelFromWriter(makeSyntheticGguf(*shape, typeName, seed),
                           "synthetic-" + shape->name + "-" + std::string(typeName) + ".gguf");
}

}  // namespace ps
