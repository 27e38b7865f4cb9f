#include "reference_forward.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "backend/cpu/dequantize.h"
#include "gguf/gguf_file.h"

namespace ps::test {

namespace {

using Vector = std::vector<double>;

// A matrix stored as ne = [cols, rows]: rows of `cols` values.
struct Matrix {
    int64_t rows = 0, cols = 0;
    std::vector<double> values;
    Vector times(const Vector& x) const {
        Vector y(static_cast<size_t>(rows), 0.0);
        for (int64_t r = 0; r < rows; ++r) {
            double sum = 0.0;
            for (int64_t c = 0; c < cols; ++c) sum += values[static_cast<size_t>(r * cols + c)] * x[static_cast<size_t>(c)];
            y[static_cast<size_t>(r)] = sum;
        }
        return y;
    }
    // Rows [first, first + count).
    Matrix slice(int64_t first, int64_t count) const {
        Matrix m{count, cols, {}};
        m.values.assign(values.begin() + first * cols, values.begin() + (first + count) * cols);
        return m;
    }
};

class Weights {
public:
    explicit Weights(const GgufFile& file) : file_(file) {}
    bool has(const std::string& name) const { return file_.findTensor(name) != nullptr; }
    Matrix matrix(const std::string& name) const {
        const GgufTensorInfo* t = file_.findTensor(name);
        if (!t) throw std::runtime_error("reference: no tensor " + name);
        Matrix m;
        m.cols = t->dims[0];
        m.rows = t->dims.size() > 1 ? t->dims[1] : 1;
        std::vector<float> row(static_cast<size_t>(m.cols));
        const size_t rowBytes = static_cast<size_t>(t->bytes / static_cast<uint64_t>(m.rows));
        for (int64_t r = 0; r < m.rows; ++r) {
            dequantizeRow(t->type, t->data + static_cast<size_t>(r) * rowBytes, m.cols, row.data());
            m.values.insert(m.values.end(), row.begin(), row.end());
        }
        return m;
    }
    Vector vector(const std::string& name) const { return matrix(name).values; }

private:
    const GgufFile& file_;
};

Vector rmsnorm(const Vector& x, const Vector& w, double eps) {
    double ss = 0.0;
    for (double v : x) ss += v * v;
    const double scale = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps);
    Vector out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] * scale * w[i];
    return out;
}

void add(Vector& y, const Vector& x) {
    for (size_t i = 0; i < y.size(); ++i) y[i] += x[i];
}

}  // namespace

std::vector<float> referenceLogits(const GgufFile& file, const std::vector<int32_t>& tokens,
                                   const ReferenceOptions& options) {
    const std::string arch = *file.getString("general.architecture");
    const std::string p = arch + ".";
    const auto integer = [&](const std::string& key, int64_t fallback) {
        return file.getInteger(p + key).value_or(fallback);
    };
    const int dim = static_cast<int>(*file.getInteger(p + "embedding_length"));
    const int layers = static_cast<int>(*file.getInteger(p + "block_count"));
    const int heads = static_cast<int>(*file.getInteger(p + "attention.head_count"));
    const int kvHeads = static_cast<int>(integer("attention.head_count_kv", heads));
    const int ffn = static_cast<int>(*file.getInteger(p + "feed_forward_length"));
    const int headDim = dim / heads, kvDim = kvHeads * headDim;
    const int ropeDim = static_cast<int>(integer("rope.dimension_count", headDim));
    const double eps = file.find(p + "attention.layer_norm_rms_epsilon")
                           ? file.find(p + "attention.layer_norm_rms_epsilon")->toDouble()
                           : 1e-5;
    const double base = file.find(p + "rope.freq_base") ? file.find(p + "rope.freq_base")->toDouble() : 10000.0;
    const int window = options.slidingWindow >= 0 ? options.slidingWindow
                                                  : static_cast<int>(integer("attention.sliding_window", 0));
    const bool neox = arch == "qwen2" || arch == "phi3";

    const Weights w(file);
    std::vector<double> invFreq(static_cast<size_t>(ropeDim / 2));
    for (int i = 0; i < ropeDim / 2; ++i) invFreq[static_cast<size_t>(i)] = std::pow(base, -2.0 * i / ropeDim);
    if (w.has("rope_freqs.weight")) {
        const Vector factors = w.vector("rope_freqs.weight");
        for (size_t i = 0; i < invFreq.size(); ++i) invFreq[i] /= factors[i];
    }
    const auto rope = [&](double* v, int pos) {
        for (int i = 0; i < ropeDim / 2; ++i) {
            const double angle = pos * invFreq[static_cast<size_t>(i)];
            const int a = neox ? i : 2 * i, b = neox ? i + ropeDim / 2 : 2 * i + 1;
            const double x0 = v[a], x1 = v[b];
            v[a] = x0 * std::cos(angle) - x1 * std::sin(angle);
            v[b] = x0 * std::sin(angle) + x1 * std::cos(angle);
        }
    };

    const Matrix embedding = w.matrix("token_embd.weight");
    const size_t n = tokens.size();
    std::vector<Vector> x(n);
    for (size_t t = 0; t < n; ++t) {
        x[t].assign(embedding.values.begin() + tokens[t] * dim, embedding.values.begin() + (tokens[t] + 1) * dim);
    }
    for (int l = 0; l < layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        Matrix wq, wk, wv;
        if (w.has(b + "attn_qkv.weight")) {
            const Matrix qkv = w.matrix(b + "attn_qkv.weight");
            wq = qkv.slice(0, dim);
            wk = qkv.slice(dim, kvDim);
            wv = qkv.slice(dim + kvDim, kvDim);
        } else {
            wq = w.matrix(b + "attn_q.weight");
            wk = w.matrix(b + "attn_k.weight");
            wv = w.matrix(b + "attn_v.weight");
        }
        const Vector attnNorm = w.vector(b + "attn_norm.weight");
        std::vector<Vector> q(n), k(n), v(n);
        for (size_t t = 0; t < n; ++t) {
            const Vector xn = rmsnorm(x[t], attnNorm, eps);
            q[t] = wq.times(xn);
            k[t] = wk.times(xn);
            v[t] = wv.times(xn);
            if (w.has(b + "attn_q.bias")) add(q[t], w.vector(b + "attn_q.bias"));
            if (w.has(b + "attn_k.bias")) add(k[t], w.vector(b + "attn_k.bias"));
            if (w.has(b + "attn_v.bias")) add(v[t], w.vector(b + "attn_v.bias"));
            for (int h = 0; h < heads; ++h) rope(q[t].data() + h * headDim, static_cast<int>(t));
            for (int h = 0; h < kvHeads; ++h) rope(k[t].data() + h * headDim, static_cast<int>(t));
        }
        const Matrix wo = w.matrix(b + "attn_output.weight");
        for (size_t t = 0; t < n; ++t) {
            Vector att(static_cast<size_t>(dim), 0.0);
            for (int h = 0; h < heads; ++h) {
                const int kvh = h / (heads / kvHeads);
                std::vector<double> scores;
                std::vector<size_t> keys;
                for (size_t s = 0; s <= t; ++s) {
                    if (window > 0 && t - s >= static_cast<size_t>(window)) continue;  // masked
                    double dot = 0.0;
                    for (int d = 0; d < headDim; ++d) dot += q[t][h * headDim + d] * k[s][kvh * headDim + d];
                    scores.push_back(dot / std::sqrt(static_cast<double>(headDim)));
                    keys.push_back(s);
                }
                double maxScore = -INFINITY, sum = 0.0;
                for (double sc : scores) maxScore = std::max(maxScore, sc);
                for (double& sc : scores) sum += (sc = std::exp(sc - maxScore));
                for (size_t j = 0; j < keys.size(); ++j) {
                    for (int d = 0; d < headDim; ++d) {
                        att[static_cast<size_t>(h * headDim + d)] += scores[j] / sum * v[keys[j]][kvh * headDim + d];
                    }
                }
            }
            add(x[t], wo.times(att));
        }
        Matrix gate, up;
        if (w.has(b + "ffn_gate.weight")) {
            gate = w.matrix(b + "ffn_gate.weight");
            up = w.matrix(b + "ffn_up.weight");
        } else {
            const Matrix gateUp = w.matrix(b + "ffn_up.weight");
            gate = gateUp.slice(0, ffn);
            up = gateUp.slice(ffn, ffn);
        }
        const Matrix down = w.matrix(b + "ffn_down.weight");
        const Vector ffnNorm = w.vector(b + "ffn_norm.weight");
        for (size_t t = 0; t < n; ++t) {
            const Vector xn = rmsnorm(x[t], ffnNorm, eps);
            const Vector g = gate.times(xn), u = up.times(xn);
            Vector hidden(g.size());
            for (size_t i = 0; i < g.size(); ++i) hidden[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
            add(x[t], down.times(hidden));
        }
    }
    const Vector xn = rmsnorm(x[n - 1], w.vector("output_norm.weight"), eps);
    const Matrix output = w.has("output.weight") ? w.matrix("output.weight") : embedding;
    const Vector logits = output.times(xn);
    return std::vector<float>(logits.begin(), logits.end());
}

}  // namespace ps::test
