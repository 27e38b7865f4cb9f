// The forward pass on the CPU, written to be read top to bottom like llama2.c's
// run.c: embed, then per layer attention and feed-forward blocks with residuals,
// then the final norm and the classifier. One pass for every architecture: what
// differs (Q/K/V biases, RoPE pairing, sliding window) is data in ModelConfig
// and LayerWeights, and fused matrices arrive as views. Batched: a call runs up
// to kMaxBatch tokens through each weight matrix together (prefill), so weights
// are read once per batch instead of once per token.
#include "backend/cpu/cpu_backend.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "backend/cpu/dequantize.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/rope_frequencies.h"
#include "backend/cpu/thread_pool.h"
#include "backend/cpu/transformer_ops.h"
#include "model/model.h"

namespace ps {

namespace {

constexpr int kMaxBatch = 64;            // tokens per pass through the weights
constexpr int kDefaultContextCap = 4096;  // KV positions when the caller asks for "the model's"

std::vector<float> normToFloats(const WeightTensor& w) {
    std::vector<float> values(static_cast<size_t>(w.cols));
    dequantizeRow(w.type, w.data, w.cols, values.data());
    return values;
}

// A bias as floats, or empty when the model has none.
std::vector<float> biasToFloats(const std::optional<WeightTensor>& w) {
    return w ? normToFloats(*w) : std::vector<float>{};
}

// An uninitialized float buffer of `count` values; OutOfMemoryError names what it was for.
std::unique_ptr<float[]> allocateFloats(size_t count, const char* what) {
    try {
        return std::unique_ptr<float[]>(new float[count]);
    } catch (const std::bad_alloc&) {
        throw OutOfMemoryError("the CPU backend could not allocate " +
                               std::to_string(count * sizeof(float) / (1024 * 1024)) +
                               " MiB for the " + what);
    }
}

class CpuBackend final : public Backend {
public:
    CpuBackend(std::shared_ptr<const Model> model, const BackendOptions& options,
               const MatmulKernelSet& kernels);

    BackendKind kind() const override { return BackendKind::Cpu; }
    std::string deviceName() const override {
        return "CPU (" + std::to_string(pool_.size()) + (pool_.size() == 1 ? " thread, " : " threads, ") +
               matmul_.kernels().name + ")";
    }
    int contextLength() const override { return contextLength_; }
    void forward(std::span<const int32_t> tokens, int startPos, std::span<float> logits) override;

private:
    void forwardBatch(const int32_t* tokens, int n, int startPos, float* logits);
    void attention(int layer, int n, int startPos);
    void applyRope(float* v, int heads, int token);
    void computeRopeAngles(int n, int startPos);
    void storeKeysAndValues(int layer, int n, int startPos);
    float* keyCache(int layer, int kvHead, int pos) { return keyCache_.get() + cacheOffset(layer, kvHead, pos); }
    float* valueCache(int layer, int kvHead, int pos) { return valueCache_.get() + cacheOffset(layer, kvHead, pos); }
    size_t cacheOffset(int layer, int kvHead, int pos) const {
        const size_t rows = static_cast<size_t>(layer) * config_.kvHeadCount + kvHead;
        return (rows * contextLength_ + pos) * config_.headDim;
    }

    const ModelConfig& config_;
    const ModelWeights& weights_;
    int contextLength_;
    int qDim_;  // headCount * headDim
    int maxBatch_;
    ThreadPool pool_;
    MatmulRunner matmul_;

    // Norm weights and biases as floats, whatever their stored type (a bias is
    // empty where the model has none).
    std::vector<std::vector<float>> attnNorm_, ffnNorm_, qBias_, kBias_, vBias_;
    std::vector<float> outputNorm_;
    RopeFrequencies rope_;

    // Run state, [maxBatch][width] each.
    std::unique_ptr<float[]> x_;         // residual stream [dim]
    std::unique_ptr<float[]> xb_;        // normed input / block output [dim]
    std::unique_ptr<float[]> q_;         // queries [qDim]
    std::unique_ptr<float[]> k_;         // the batch's keys [kvDim], before they go to the cache
    std::unique_ptr<float[]> v_;         // the batch's values [kvDim]
    std::unique_ptr<float[]> attnOut_;   // attention output [qDim]
    std::unique_ptr<float[]> hb_;        // gate, then silu(gate) * up [ffnDim]
    std::unique_ptr<float[]> hb2_;       // up [ffnDim]
    std::unique_ptr<float[]> ropeCos_;   // [maxBatch][rope pairs]
    std::unique_ptr<float[]> ropeSin_;
    std::unique_ptr<float[]> scores_;    // attention scores, [threads][heads per KV head][contextLength]
    // KV cache, [layer][KV head][position][headDim]: the rows one attention
    // work item reads are one contiguous stream (with [position][kvDim] rows,
    // reading a quarter of every row, the 1.1B shape's attention at position
    // 1024 took 8.4 ms of a thread per token instead of 5.3; docs/performance.md).
    std::unique_ptr<float[]> keyCache_;
    std::unique_ptr<float[]> valueCache_;
};

int chooseContextLength(const ModelConfig& config, int requested) {
    if (requested > 0) return requested;
    const int modelContext = config.contextLength > 0 ? config.contextLength : kDefaultContextCap;
    return std::min(modelContext, kDefaultContextCap);
}

CpuBackend::CpuBackend(std::shared_ptr<const Model> model, const BackendOptions& options,
                       const MatmulKernelSet& kernels)
    : Backend(std::move(model)),
      config_(model_->config()),
      weights_(model_->weights()),
      contextLength_(chooseContextLength(config_, options.contextLength)),
      qDim_(config_.headCount * config_.headDim),
      maxBatch_(std::min(kMaxBatch, contextLength_)),
      pool_(options.threads),
      matmul_(pool_, kernels, maxBatch_,
              std::max({config_.dim, qDim_, config_.ffnDim})),
      rope_(RopeFrequencies::fromModel(*model_)) {
    const ModelConfig& c = config_;
    for (const LayerWeights& layer : weights_.layers) {
        attnNorm_.push_back(normToFloats(layer.attnNorm));
        ffnNorm_.push_back(normToFloats(layer.ffnNorm));
        qBias_.push_back(biasToFloats(layer.qBias));
        kBias_.push_back(biasToFloats(layer.kBias));
        vBias_.push_back(biasToFloats(layer.vBias));
    }
    outputNorm_ = normToFloats(weights_.outputNorm);
    // Matrices whose kernels read a repacked layout are repacked once, here.
    for (const LayerWeights& layer : weights_.layers) {
        for (const WeightTensor* w : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.wGate, &layer.wUp,
                                      &layer.wDown}) {
            matmul_.pack(*w);
        }
    }
    matmul_.pack(weights_.output);

    const size_t batch = static_cast<size_t>(maxBatch_);
    x_ = allocateFloats(batch * c.dim, "activations");
    xb_ = allocateFloats(batch * c.dim, "activations");
    q_ = allocateFloats(batch * qDim_, "queries");
    k_ = allocateFloats(batch * c.kvDim(), "keys");
    v_ = allocateFloats(batch * c.kvDim(), "values");
    attnOut_ = allocateFloats(batch * qDim_, "attention output");
    hb_ = allocateFloats(batch * c.ffnDim, "feed-forward activations");
    hb2_ = allocateFloats(batch * c.ffnDim, "feed-forward activations");
    ropeCos_ = allocateFloats(batch * rope_.pairs(), "RoPE table");
    ropeSin_ = allocateFloats(batch * rope_.pairs(), "RoPE table");
    scores_ = allocateFloats(static_cast<size_t>(pool_.size()) * (c.headCount / c.kvHeadCount) * contextLength_,
                             "attention scores");
    const size_t cacheValues = static_cast<size_t>(c.layerCount) * contextLength_ * c.kvDim();
    keyCache_ = allocateFloats(cacheValues, "KV cache");
    valueCache_ = allocateFloats(cacheValues, "KV cache");
}

void CpuBackend::forward(std::span<const int32_t> tokens, int startPos, std::span<float> logits) {
    const int64_t end = static_cast<int64_t>(startPos) + static_cast<int64_t>(tokens.size());
    if (startPos < 0 || end > contextLength_) {
        throw BackendError("forward at positions " + std::to_string(startPos) + ".." +
                           std::to_string(end) + " is beyond the context of " +
                           std::to_string(contextLength_) + " positions");
    }
    if (tokens.empty()) throw BackendError("forward needs at least one token");
    if (logits.size() < static_cast<size_t>(config_.vocabSize)) {
        throw BackendError("logits buffer holds " + std::to_string(logits.size()) +
                           " floats, the vocabulary has " + std::to_string(config_.vocabSize));
    }
    for (const int32_t token : tokens) {
        if (token < 0 || token >= config_.vocabSize) {
            throw BackendError("token id " + std::to_string(token) + " is outside the vocabulary (" +
                               std::to_string(config_.vocabSize) + " tokens)");
        }
    }
    const int n = static_cast<int>(tokens.size());
    for (int done = 0; done < n; done += maxBatch_) {
        const int count = std::min(maxBatch_, n - done);
        const bool last = done + count == n;
        forwardBatch(tokens.data() + done, count, startPos + done, last ? logits.data() : nullptr);
    }
}

void CpuBackend::forwardBatch(const int32_t* tokens, int n, int startPos, float* logits) {
    const ModelConfig& c = config_;
    const int dim = c.dim, ffnDim = c.ffnDim;
    float* x = x_.get();
    float* xb = xb_.get();

    // Token embeddings: one row of token_embd each, in its stored type.
    const WeightTensor& embedding = weights_.tokenEmbedding;
    const size_t embeddingRowBytes = rowBytes(embedding.type, embedding.cols);
    for (int i = 0; i < n; ++i) {
        dequantizeRow(embedding.type, embedding.data + tokens[i] * embeddingRowBytes, dim,
                      x + static_cast<size_t>(i) * dim);
    }
    computeRopeAngles(n, startPos);

    for (int l = 0; l < c.layerCount; ++l) {
        const LayerWeights& w = weights_.layers[static_cast<size_t>(l)];

        // Attention block: xb = rmsnorm(x); q, k, v = xb Wq + bq, xb Wk + bk,
        // xb Wv + bv (biases: qwen2), RoPE on queries and keys, then keys and
        // values into the cache rows of their KV heads and positions.
        for (int i = 0; i < n; ++i) {
            rmsnorm(xb + i * dim, x + i * dim, attnNorm_[l].data(), dim, c.rmsEpsilon);
        }
        matmul_.run(w.wq, xb, dim, n, q_.get());
        matmul_.run(w.wk, xb, dim, n, k_.get());
        matmul_.run(w.wv, xb, dim, n, v_.get());
        if (!qBias_[l].empty()) addBias(q_.get(), qBias_[l].data(), qDim_, n);
        if (!kBias_[l].empty()) addBias(k_.get(), kBias_[l].data(), c.kvDim(), n);
        if (!vBias_[l].empty()) addBias(v_.get(), vBias_[l].data(), c.kvDim(), n);
        for (int i = 0; i < n; ++i) {
            applyRope(q_.get() + static_cast<size_t>(i) * qDim_, c.headCount, i);
            applyRope(k_.get() + static_cast<size_t>(i) * c.kvDim(), c.kvHeadCount, i);
        }
        storeKeysAndValues(l, n, startPos);

        // Causal grouped-query attention, then the output projection and the residual.
        attention(l, n, startPos);
        matmul_.run(w.wo, attnOut_.get(), qDim_, n, xb);
        for (size_t i = 0; i < static_cast<size_t>(n) * dim; ++i) x[i] += xb[i];

        // Feed-forward block: x += Wdown (silu(xb Wgate) * (xb Wup)), xb = rmsnorm(x).
        for (int i = 0; i < n; ++i) {
            rmsnorm(xb + i * dim, x + i * dim, ffnNorm_[l].data(), dim, c.rmsEpsilon);
        }
        matmul_.run(w.wGate, xb, dim, n, hb_.get());
        matmul_.run(w.wUp, xb, dim, n, hb2_.get());
        swiglu(hb_.get(), hb2_.get(), n * ffnDim);
        matmul_.run(w.wDown, hb_.get(), ffnDim, n, xb);
        for (size_t i = 0; i < static_cast<size_t>(n) * dim; ++i) x[i] += xb[i];
    }

    // Final norm and classifier, for the last token only.
    if (logits != nullptr) {
        rmsnorm(xb, x + static_cast<size_t>(n - 1) * dim, outputNorm_.data(), dim, c.rmsEpsilon);
        matmul_.run(weights_.output, xb, dim, 1, logits);
    }
}

void CpuBackend::storeKeysAndValues(int layer, int n, int startPos) {
    const size_t rowBytes = static_cast<size_t>(config_.headDim) * sizeof(float);
    for (int i = 0; i < n; ++i) {
        for (int kvHead = 0; kvHead < config_.kvHeadCount; ++kvHead) {
            const size_t from = static_cast<size_t>(i) * config_.kvDim() + static_cast<size_t>(kvHead) * config_.headDim;
            std::memcpy(keyCache(layer, kvHead, startPos + i), k_.get() + from, rowBytes);
            std::memcpy(valueCache(layer, kvHead, startPos + i), v_.get() + from, rowBytes);
        }
    }
}

// Rotates `heads` vectors of token `token` of the batch, in the model's pairing.
void CpuBackend::applyRope(float* v, int heads, int token) {
    const float* cos = ropeCos_.get() + static_cast<size_t>(token) * rope_.pairs();
    const float* sin = ropeSin_.get() + static_cast<size_t>(token) * rope_.pairs();
    if (config_.ropeStyle == RopeStyle::Halves) {
        ropeHalves(v, heads, config_.headDim, cos, sin, rope_.pairs());
    } else {
        rope(v, heads, config_.headDim, cos, sin, rope_.pairs());
    }
}

// For each token i (position pos = startPos + i) and query head h: softmax over
// the scaled scores q.k of the positions the query sees (0..pos, or the last
// slidingWindow of them), then the weighted sum of values. Query head h reads
// KV head h / (headCount / kvHeadCount). One work item per token and KV head
// takes all the query heads that share it, so each key and value row is read
// once for them (at long contexts the cache no longer fits the caches); each
// head's arithmetic is the same as it would be alone.
void CpuBackend::attention(int layer, int n, int startPos) {
    const ModelConfig& c = config_;
    const int headDim = c.headDim;
    const int headsPerKv = c.headCount / c.kvHeadCount;
    const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
    const AttendKernel attend =
        headDim % 16 == 0 && headsPerKv <= kAttendMaxHeads ? matmul_.kernels().attend : nullptr;
    pool_.run(static_cast<int64_t>(n) * c.kvHeadCount, [&](int64_t item, int worker) {
        const int i = static_cast<int>(item / c.kvHeadCount);
        const int kvHead = static_cast<int>(item % c.kvHeadCount);
        const int pos = startPos + i;
        const int firstHead = kvHead * headsPerKv;
        const float* q = q_.get() + static_cast<size_t>(i) * qDim_ + static_cast<size_t>(firstHead) * headDim;
        const int first = c.firstVisibleKey(pos);
        // scores[h * contextLength_ + p] for the group's head h.
        float* scores = scores_.get() + static_cast<size_t>(worker) * headsPerKv * contextLength_;
        float* out = attnOut_.get() + static_cast<size_t>(i) * qDim_ + static_cast<size_t>(firstHead) * headDim;
        if (attend != nullptr) {
            AttentionRows rows;
            rows.q = q;
            rows.keys = keyCache(layer, kvHead, 0);
            rows.values = valueCache(layer, kvHead, 0);
            rows.rowStride = static_cast<size_t>(headDim);
            rows.heads = headsPerKv;
            rows.headDim = headDim;
            rows.first = first;
            rows.last = pos;
            rows.scale = scale;
            rows.scores = scores;
            rows.scoreStride = static_cast<size_t>(contextLength_);
            rows.out = out;
            attend(rows);
            return;
        }
        for (int p = first; p <= pos; ++p) {
            const float* key = keyCache(layer, kvHead, p);
            for (int h = 0; h < headsPerKv; ++h) {
                scores[static_cast<size_t>(h) * contextLength_ + p] = dot(q + h * headDim, key, headDim) * scale;
            }
        }
        for (int h = 0; h < headsPerKv; ++h) {
            softmax(scores + static_cast<size_t>(h) * contextLength_ + first, pos - first + 1);
        }
        std::fill(out, out + static_cast<size_t>(headsPerKv) * headDim, 0.0f);
        for (int p = first; p <= pos; ++p) {
            const float* value = valueCache(layer, kvHead, p);
            for (int h = 0; h < headsPerKv; ++h) {
                axpy(out + h * headDim, scores[static_cast<size_t>(h) * contextLength_ + p], value, headDim);
            }
        }
    });
}

void CpuBackend::computeRopeAngles(int n, int startPos) {
    const int pairs = rope_.pairs();
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < pairs; ++j) {
            const double angle = rope_.angle(startPos + i, j);
            ropeCos_[static_cast<size_t>(i) * pairs + j] = static_cast<float>(std::cos(angle));
            ropeSin_[static_cast<size_t>(i) * pairs + j] = static_cast<float>(std::sin(angle));
        }
    }
}

}  // namespace

std::unique_ptr<Backend> createCpuBackend(std::shared_ptr<const Model> model,
                                          const BackendOptions& options,
                                          const MatmulKernelSet* kernels) {
    if (!model) throw BackendError("createCpuBackend: no model");
    return std::make_unique<CpuBackend>(std::move(model), options,
                                        kernels != nullptr ? *kernels : bestKernels());
}

}  // namespace ps
