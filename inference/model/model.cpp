// Loading a model from GGUF: the hyperparameters, a view of every weight
// (checked against the shape those hyperparameters imply), the tokenizer.
// Every family is normalized here to one layer layout (ModelWeights): fused
// matrices become row-range views, optional tensors stay optional, and a tensor
// the layout has no place for is an error rather than silently ignored.
#include "model/model.h"

#include <map>
#include <set>

#include "gguf/gguf_file.h"
#include "model/model_support.h"
#include "tokenizer/tokenizer.h"

namespace ps {

size_t WeightTensor::rowBytes() const { return ps::rowBytes(type, cols); }

WeightTensor WeightTensor::rowRange(int64_t first, int64_t count) const {
    if (first < 0 || count <= 0 || first + count > rows) {
        throw ModelError("rows " + std::to_string(first) + ".." + std::to_string(first + count) + " of tensor '" +
                         name + "' are outside its " + std::to_string(rows) + " rows");
    }
    WeightTensor view = *this;
    view.name = name + "[" + std::to_string(first) + ":" + std::to_string(first + count) + "]";
    view.rows = count;
    view.data = row(first);
    view.bytes = static_cast<size_t>(count) * rowBytes();
    return view;
}

namespace {

std::string shapeString(const std::vector<int64_t>& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

// Finds the tensors of a model and checks each one's shape; remembers which
// tensors it bound so that a file with more than the layout knows is refused.
class WeightBinder {
public:
    explicit WeightBinder(const GgufFile& file) : file_(file) {}

    bool has(const std::string& name) const { return file_.findTensor(name) != nullptr; }

    // The first tensor of the file that nothing bound, or nullptr.
    const GgufTensorInfo* firstUnbound() const {
        for (const GgufTensorInfo& t : file_.tensors()) {
            if (!bound_.contains(t.name)) return &t;
        }
        return nullptr;
    }

    // A matrix stored as ne = [cols, rows] (cols contiguous).
    WeightTensor matrix(const std::string& name, int64_t cols, int64_t rows) const {
        return bind(name, {cols, rows});
    }
    WeightTensor vector(const std::string& name, int64_t size) const { return bind(name, {size}); }

    std::optional<WeightTensor> optionalMatrix(const std::string& name, int64_t cols, int64_t rows) const {
        if (!file_.findTensor(name)) return std::nullopt;
        return matrix(name, cols, rows);
    }
    std::optional<WeightTensor> optionalVector(const std::string& name, int64_t size) const {
        if (!file_.findTensor(name)) return std::nullopt;
        return vector(name, size);
    }

private:
    WeightTensor bind(const std::string& name, const std::vector<int64_t>& expected) const {
        const GgufTensorInfo* t = file_.findTensor(name);
        if (!t) {
            throw ModelError(file_.name() + ": tensor '" + name +
                             "' is missing; a model with these hyperparameters needs it");
        }
        if (t->dims != expected) {
            throw ModelError(file_.name() + ": tensor '" + name + "' has shape " +
                             shapeString(t->dims) + "; a model with these hyperparameters needs " +
                             shapeString(expected));
        }
        WeightTensor w;
        w.name = name;
        w.type = t->type;
        w.cols = expected[0];
        w.rows = expected.size() > 1 ? expected[1] : 1;
        w.data = t->data;
        w.bytes = static_cast<size_t>(t->bytes);
        bound_.insert(name);
        return w;
    }

    const GgufFile& file_;
    mutable std::set<std::string> bound_;
};

// One layer in the common layout. Q, K and V come as three matrices or as
// phi3's fused attn_qkv (rows: Q, then K, then V); gate and up as two matrices
// or as phi3's ffn_up of 2*ffnDim rows without an ffn_gate (gate first).
LayerWeights bindLayer(const WeightBinder& bind, const ModelConfig& c, int l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    const int64_t qDim = c.qDim(), kvDim = c.kvDim();
    LayerWeights layer;
    layer.attnNorm = bind.vector(p + "attn_norm.weight", c.dim);
    if (bind.has(p + "attn_qkv.weight")) {
        const WeightTensor qkv = bind.matrix(p + "attn_qkv.weight", c.dim, qDim + 2 * kvDim);
        layer.wq = qkv.rowRange(0, qDim);
        layer.wk = qkv.rowRange(qDim, kvDim);
        layer.wv = qkv.rowRange(qDim + kvDim, kvDim);
    } else {
        layer.wq = bind.matrix(p + "attn_q.weight", c.dim, qDim);
        layer.wk = bind.matrix(p + "attn_k.weight", c.dim, kvDim);
        layer.wv = bind.matrix(p + "attn_v.weight", c.dim, kvDim);
    }
    layer.qBias = bind.optionalVector(p + "attn_q.bias", qDim);
    layer.kBias = bind.optionalVector(p + "attn_k.bias", kvDim);
    layer.vBias = bind.optionalVector(p + "attn_v.bias", kvDim);
    layer.wo = bind.matrix(p + "attn_output.weight", qDim, c.dim);
    layer.ffnNorm = bind.vector(p + "ffn_norm.weight", c.dim);
    if (!bind.has(p + "ffn_gate.weight")) {
        const WeightTensor gateUp = bind.matrix(p + "ffn_up.weight", c.dim, 2 * static_cast<int64_t>(c.ffnDim));
        layer.wGate = gateUp.rowRange(0, c.ffnDim);
        layer.wUp = gateUp.rowRange(c.ffnDim, c.ffnDim);
    } else {
        layer.wGate = bind.matrix(p + "ffn_gate.weight", c.dim, c.ffnDim);
        layer.wUp = bind.matrix(p + "ffn_up.weight", c.dim, c.ffnDim);
    }
    layer.wDown = bind.matrix(p + "ffn_down.weight", c.ffnDim, c.dim);
    return layer;
}

}  // namespace

Model::~Model() = default;

std::shared_ptr<const Model> Model::load(const std::filesystem::path& path) {
    return fromGguf(GgufFile::open(path));
}

std::shared_ptr<const Model> Model::fromGguf(std::shared_ptr<GgufFile> file) {
    if (!file) throw ModelError("Model::fromGguf: no file");
    std::shared_ptr<Model> model(new Model);
    model->file_ = file;
    const GgufFile& f = *file;
    if (const std::string reason = unsupportedArchitectureReason(f); !reason.empty()) {
        throw ModelError(f.name() + ": " + reason);
    }
    ModelConfig& c = model->config_;
    c = ModelConfig::fromGguf(f);

    const WeightBinder bind(f);
    ModelWeights& w = model->weights_;
    const GgufTensorInfo* embedding = f.findTensor("token_embd.weight");
    if (!embedding) {
        throw ModelError(f.name() + ": tensor 'token_embd.weight' is missing; every model needs it");
    }
    if (embedding->dims.size() != 2 || embedding->dims[0] != c.dim ||
        embedding->dims[1] > INT32_MAX) {
        throw ModelError(f.name() + ": tensor 'token_embd.weight' has shape " +
                         shapeString(embedding->dims) + "; a model with these hyperparameters needs [" +
                         std::to_string(c.dim) + ", vocabulary size]");
    }
    c.vocabSize = static_cast<int>(embedding->dims[1]);
    w.tokenEmbedding = bind.matrix("token_embd.weight", c.dim, c.vocabSize);

    w.layers.reserve(static_cast<size_t>(c.layerCount));
    for (int l = 0; l < c.layerCount; ++l) w.layers.push_back(bindLayer(bind, c, l));
    w.outputNorm = bind.vector("output_norm.weight", c.dim);
    if (std::optional<WeightTensor> output = bind.optionalMatrix("output.weight", c.dim, c.vocabSize)) {
        w.output = std::move(*output);
    } else {
        w.output = w.tokenEmbedding;  // tied embeddings
        w.outputTied = true;
    }
    w.ropeFrequencyFactors = bind.optionalVector("rope_freqs.weight", c.ropeDim / 2);
    if (const GgufTensorInfo* extra = bind.firstUnbound()) {
        throw ModelError(f.name() + ": tensor '" + extra->name + "' has no place in a " +
                         findArchitecture(c.architecture)->familyName +
                         " model as Prompt Studio runs it; running without it would give wrong answers");
    }

    model->tokenizer_ = Tokenizer::fromGguf(f);
    if (model->tokenizer_->vocabSize() != c.vocabSize) {
        throw ModelError(f.name() + ": the tokenizer has " +
                         std::to_string(model->tokenizer_->vocabSize()) +
                         " tokens but token_embd.weight has " + std::to_string(c.vocabSize) +
                         " rows; they must match");
    }
    try {
        model->chatTemplate_ = f.getString("tokenizer.chat_template").value_or("");
    } catch (const GgufError& e) {
        throw ModelError(e.what());
    }
    return model;
}

ModelCard Model::card() const {
    ModelCard card;
    card.path = file_->name();
    card.name = config_.name;
    card.architecture = config_.architecture;
    card.family = findArchitecture(config_.architecture)->familyName;
    card.fileBytes = file_->fileSize();
    card.contextLength = config_.contextLength;
    card.vocabSize = config_.vocabSize;

    std::map<TensorType, std::pair<int, uint64_t>> byType;  // count, bytes
    for (const GgufTensorInfo& t : file_->tensors()) {
        card.parameterCount += static_cast<uint64_t>(t.elementCount());
        card.weightBytes += t.bytes;
        auto& [count, bytes] = byType[t.type];
        ++count;
        bytes += t.bytes;
    }
    uint64_t mostBytes = 0;
    for (const auto& [type, countAndBytes] : byType) {
        const char* name = tensorTypeInfo(type).name;
        card.tensorTypeCounts.emplace_back(name, countAndBytes.first);
        if (countAndBytes.second > mostBytes) {
            mostBytes = countAndBytes.second;
            card.mainTensorType = name;
        }
    }
    // K and V, per layer, per position, kvDim values each.
    const uint64_t kvValues = 2ull * static_cast<uint64_t>(config_.layerCount) *
                              static_cast<uint64_t>(config_.contextLength) *
                              static_cast<uint64_t>(config_.kvDim());
    card.kvCacheBytesFp32 = kvValues * 4;
    card.kvCacheBytesFp16 = kvValues * 2;
    return card;
}

uint64_t Model::bytesReadPerToken() const {
    const ModelWeights& w = weights_;
    uint64_t bytes = w.tokenEmbedding.rowBytes();  // one embedding row is looked up
    for (const LayerWeights& l : w.layers) {
        for (const WeightTensor* t : {&l.attnNorm, &l.wq, &l.wk, &l.wv, &l.wo, &l.ffnNorm,
                                      &l.wGate, &l.wUp, &l.wDown}) {
            bytes += t->bytes;
        }
        for (const std::optional<WeightTensor>* b : {&l.qBias, &l.kBias, &l.vBias}) {
            if (*b) bytes += (*b)->bytes;
        }
    }
    bytes += w.outputNorm.bytes + w.output.bytes;
    return bytes;
}

}  // namespace ps
