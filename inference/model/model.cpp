// Loading a Llama model from GGUF: the hyperparameters, a view of every weight
// (checked against the shape those hyperparameters imply), the tokenizer.
#include "model/model.h"

#include <map>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

namespace ps {

size_t WeightTensor::rowBytes() const { return ps::rowBytes(type, cols); }

namespace {

std::string shapeString(const std::vector<int64_t>& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

// Finds the tensors of a Llama model and checks each one's shape.
class WeightBinder {
public:
    explicit WeightBinder(const GgufFile& file) : file_(file) {}

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
                             "' is missing; a Llama model with these hyperparameters needs it");
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
        return w;
    }

    const GgufFile& file_;
};

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
    if (f.tensors().empty()) {
        throw ModelError(f.name() + ": the file holds no tensors (a vocabulary-only GGUF?); "
                         "it cannot be run as a model");
    }
    ModelConfig& c = model->config_;
    c = ModelConfig::fromGguf(f);

    const WeightBinder bind(f);
    ModelWeights& w = model->weights_;
    const GgufTensorInfo* embedding = f.findTensor("token_embd.weight");
    if (!embedding) {
        throw ModelError(f.name() + ": tensor 'token_embd.weight' is missing; a Llama model needs it");
    }
    if (embedding->dims.size() != 2 || embedding->dims[0] != c.dim ||
        embedding->dims[1] > INT32_MAX) {
        throw ModelError(f.name() + ": tensor 'token_embd.weight' has shape " +
                         shapeString(embedding->dims) + "; a model with these hyperparameters needs [" +
                         std::to_string(c.dim) + ", vocabulary size]");
    }
    c.vocabSize = static_cast<int>(embedding->dims[1]);
    w.tokenEmbedding = bind.matrix("token_embd.weight", c.dim, c.vocabSize);

    const int64_t qDim = static_cast<int64_t>(c.headCount) * c.headDim;
    w.layers.reserve(static_cast<size_t>(c.layerCount));
    for (int l = 0; l < c.layerCount; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights layer;
        layer.attnNorm = bind.vector(p + "attn_norm.weight", c.dim);
        layer.wq = bind.matrix(p + "attn_q.weight", c.dim, qDim);
        layer.wk = bind.matrix(p + "attn_k.weight", c.dim, c.kvDim());
        layer.wv = bind.matrix(p + "attn_v.weight", c.dim, c.kvDim());
        layer.wo = bind.matrix(p + "attn_output.weight", qDim, c.dim);
        layer.ffnNorm = bind.vector(p + "ffn_norm.weight", c.dim);
        layer.wGate = bind.matrix(p + "ffn_gate.weight", c.dim, c.ffnDim);
        layer.wUp = bind.matrix(p + "ffn_up.weight", c.dim, c.ffnDim);
        layer.wDown = bind.matrix(p + "ffn_down.weight", c.ffnDim, c.dim);
        w.layers.push_back(std::move(layer));
    }
    w.outputNorm = bind.vector("output_norm.weight", c.dim);
    if (std::optional<WeightTensor> output = bind.optionalMatrix("output.weight", c.dim, c.vocabSize)) {
        w.output = std::move(*output);
    } else {
        w.output = w.tokenEmbedding;  // tied embeddings
        w.outputTied = true;
    }
    w.ropeFrequencyFactors = bind.optionalVector("rope_freqs.weight", c.ropeDim / 2);

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
    }
    bytes += w.outputNorm.bytes + w.output.bytes;
    return bytes;
}

}  // namespace ps
