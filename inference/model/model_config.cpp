// Hyperparameters from GGUF metadata (keys in ../shared/docs/gguf-facts.md,
// defaults as the reference implementation applies them).
#include <cmath>
#include <limits>

#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/model_config.h"

namespace ps {

namespace {

// Generous upper bounds: large enough for any released Llama-family model,
// small enough that sizes derived from them (KV cache, buffers) cannot overflow.
constexpr int64_t kMaxSize = int64_t{1} << 24;  // dims, context, vocab, heads
constexpr int64_t kMaxLayers = 4096;

// Mistral is `llama` in GGUF; Qwen 2 / 2.5 are `qwen2`; Phi-3 / 3.5 mini are `phi3`.
constexpr ArchitectureTraits kArchitectures[] = {
    {"llama", "Llama", RopeStyle::AdjacentPairs, false},
    {"qwen2", "Qwen 2", RopeStyle::Halves, false},
    {"phi3", "Phi-3", RopeStyle::Halves, true},
};

class ConfigReader {
public:
    ConfigReader(const GgufFile& file, std::string prefix) : file_(file), prefix_(std::move(prefix)) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw ModelError(file_.name() + ": " + what);
    }

    // A positive integer `<prefix>.<key>`; `fallback` when absent (0: required).
    int positive(const std::string& key, int64_t fallback = 0, int64_t max = kMaxSize) const {
        const std::string full = prefix_ + key;
        const GgufValue* v = file_.find(full);
        if (!v) {
            if (fallback > 0) return static_cast<int>(fallback);
            fail("metadata key '" + full + "' is missing; the model needs it");
        }
        if (v->type == GgufValueType::Array) {
            fail("metadata key '" + full +
                 "' holds one value per layer; only models whose layers are all alike are "
                 "supported");
        }
        const std::optional<int64_t> i = v->toInteger();
        if (!i) fail("metadata key '" + full + "' is " + ggufValueTypeName(v->type) + ", expected an integer");
        if (*i <= 0 || *i > max) {
            fail("metadata key '" + full + "' is " + std::to_string(*i) + "; it must be between 1 and " +
                 std::to_string(max));
        }
        return static_cast<int>(*i);
    }

    // A finite positive float `<prefix>.<key>`, or `fallback` when absent.
    float positiveFloat(const std::string& key, float fallback) const {
        const std::string full = prefix_ + key;
        const GgufValue* v = file_.find(full);
        if (!v) return fallback;
        if (!v->isFloat() && !v->isInteger()) {
            fail("metadata key '" + full + "' is " + ggufValueTypeName(v->type) + ", expected a number");
        }
        const double d = v->toDouble();
        if (!(d > 0.0) || !std::isfinite(d) || d > std::numeric_limits<float>::max()) {
            fail("metadata key '" + full + "' is " + v->toDisplayString() + "; it must be a positive number");
        }
        return static_cast<float>(d);
    }

    std::optional<std::string> string(const std::string& key) const {
        try {
            return file_.getString(prefix_ + key);
        } catch (const GgufError& e) {
            throw ModelError(e.what());
        }
    }

    bool has(const std::string& key) const { return file_.has(prefix_ + key); }
    const std::string& prefix() const { return prefix_; }

private:
    const GgufFile& file_;
    std::string prefix_;
};

RopeScaling readRopeScaling(const ConfigReader& r) {
    RopeScaling s;
    // Older converters wrote only a linear factor.
    if (r.has("rope.scale_linear")) {
        s.type = RopeScalingType::Linear;
        s.factor = r.positiveFloat("rope.scale_linear", 1.0f);
    }
    if (const std::optional<std::string> type = r.string("rope.scaling.type")) {
        if (*type == "none") s.type = RopeScalingType::None;
        else if (*type == "linear") s.type = RopeScalingType::Linear;
        else if (*type == "yarn") s.type = RopeScalingType::Yarn;
        else if (*type == "llama3") s.type = RopeScalingType::Llama3;
        else {
            r.fail("metadata key '" + r.prefix() + "rope.scaling.type' is '" + *type +
                   "'; supported are none, linear, yarn and llama3");
        }
    }
    if (r.has("rope.scaling.factor")) s.factor = r.positiveFloat("rope.scaling.factor", 1.0f);
    if (r.has("rope.scaling.original_context_length")) {
        s.originalContextLength = r.positive("rope.scaling.original_context_length");
    }
    return s;
}

}  // namespace

const ArchitectureTraits* findArchitecture(const std::string& id) {
    for (const ArchitectureTraits& a : kArchitectures) {
        if (id == a.id) return &a;
    }
    return nullptr;
}

ModelConfig ModelConfig::fromGguf(const GgufFile& file) {
    ModelConfig c;
    std::optional<std::string> architecture;
    try {
        architecture = file.getString("general.architecture");
        c.name = file.getString("general.name").value_or("");
    } catch (const GgufError& e) {
        throw ModelError(e.what());
    }
    if (!architecture) {
        throw ModelError(file.name() + ": metadata key 'general.architecture' is missing; "
                         "this GGUF does not describe a model");
    }
    const ArchitectureTraits* traits = findArchitecture(*architecture);
    if (!traits) {
        throw ModelError(file.name() + ": the model architecture is '" + *architecture +
                         "'; Prompt Studio runs the architectures 'llama' (Llama, Mistral), "
                         "'qwen2' (Qwen 2 and 2.5) and 'phi3' (Phi-3)");
    }
    c.architecture = traits->id;
    c.ropeStyle = traits->ropeStyle;

    const ConfigReader r(file, c.architecture + ".");
    c.contextLength = r.positive("context_length");
    c.dim = r.positive("embedding_length");
    c.layerCount = r.positive("block_count", 0, kMaxLayers);
    c.ffnDim = r.positive("feed_forward_length");
    c.headCount = r.positive("attention.head_count");
    c.kvHeadCount = r.positive("attention.head_count_kv", c.headCount);
    c.rmsEpsilon = r.positiveFloat("attention.layer_norm_rms_epsilon", 1e-5f);
    c.ropeBase = r.positiveFloat("rope.freq_base", 10000.0f);
    c.ropeScaling = readRopeScaling(r);
    // 0 in a file means "no window" (llama.cpp's reading too).
    if (traits->usesSlidingWindow && r.has("attention.sliding_window")) {
        const GgufValue* v = file.find(r.prefix() + "attention.sliding_window");
        if (!v->toInteger() || *v->toInteger() != 0) c.slidingWindow = r.positive("attention.sliding_window");
    }

    if (c.dim % c.headCount != 0) {
        r.fail("embedding_length " + std::to_string(c.dim) + " is not divisible by head_count " +
               std::to_string(c.headCount));
    }
    if (c.headCount % c.kvHeadCount != 0) {
        r.fail("head_count " + std::to_string(c.headCount) + " is not divisible by head_count_kv " +
               std::to_string(c.kvHeadCount));
    }
    c.headDim = c.dim / c.headCount;
    c.ropeDim = r.positive("rope.dimension_count", c.headDim);
    if (c.ropeDim % 2 != 0 || c.ropeDim > c.headDim) {
        r.fail("rope.dimension_count is " + std::to_string(c.ropeDim) +
               "; it must be even and at most the head size " + std::to_string(c.headDim));
    }
    return c;
}

}  // namespace ps
