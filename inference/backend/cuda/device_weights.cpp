#include "backend/cuda/device_weights.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "backend/cpu/dequantize.h"
#include "backend/cuda/weight_units.h"
#include "model/model.h"

namespace ps {

namespace {

constexpr uint64_t kTensorAlignment = 256;
constexpr size_t kStagingBytes = 16u << 20;  // per pinned staging buffer (two of them)

uint64_t alignUp(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

// Where each weight goes in the one GPU allocation.
struct Placement {
    const WeightTensor* tensor = nullptr;
    bool asFloatVector = false;  // norms: converted to FP32
    uint64_t offset = 0;
    uint64_t bytes = 0;
};

struct WeightLayout {
    std::vector<Placement> placements;
    uint64_t totalBytes = 0;
};

WeightLayout layoutWeights(const Model& model) {
    WeightLayout layout;
    auto place = [&](const WeightTensor& t, bool vector) {
        Placement p;
        p.tensor = &t;
        p.asFloatVector = vector;
        p.offset = layout.totalBytes;
        p.bytes = vector ? static_cast<uint64_t>(t.cols * t.rows) * 4
                         : static_cast<uint64_t>(t.rows) *
                               static_cast<uint64_t>(paddedRowBytes(static_cast<int64_t>(rowBytes(t.type, t.cols))));
        layout.totalBytes = alignUp(p.offset + p.bytes, kTensorAlignment);
        layout.placements.push_back(p);
    };
    const ModelWeights& w = model.weights();
    place(w.tokenEmbedding, false);
    for (const LayerWeights& l : w.layers) {
        place(l.attnNorm, true);
        place(l.wq, false);
        place(l.wk, false);
        place(l.wv, false);
        for (const std::optional<WeightTensor>* bias : {&l.qBias, &l.kBias, &l.vBias}) {
            if (*bias) place(**bias, true);
        }
        place(l.wo, false);
        place(l.ffnNorm, true);
        place(l.wGate, false);
        place(l.wUp, false);
        place(l.wDown, false);
    }
    place(w.outputNorm, true);
    if (!w.outputTied) place(w.output, false);
    return layout;
}

// Streams bytes into consecutive GPU addresses through two pinned buffers: the
// CPU fills one (reading the memory-mapped file) while the DMA engine copies the
// other, so the upload runs at the speed of the slower of the two.
class StagedUpload {
public:
    StagedUpload(uint8_t* device, cudaStream_t stream) : device_(device), stream_(stream) {
        for (auto& b : staging_) b = PinnedBuffer<uint8_t>(kStagingBytes);
    }

    void append(const void* source, size_t bytes) {
        const auto* from = static_cast<const uint8_t*>(source);
        while (bytes > 0) {
            const size_t n = std::min(bytes, kStagingBytes - fill_);
            if (from) {
                std::memcpy(staging_[current_].get() + fill_, from, n);
                from += n;
            } else {
                std::memset(staging_[current_].get() + fill_, 0, n);
            }
            fill_ += n;
            bytes -= n;
            if (fill_ == kStagingBytes) flush();
        }
    }
    void zeros(size_t bytes) { append(nullptr, bytes); }
    uint64_t position() const { return flushed_ + fill_; }

    void finish() {
        flush();
        CUDA_CHECK(cudaStreamSynchronize(stream_));
    }

private:
    void flush() {
        if (fill_ == 0) return;
        CUDA_CHECK(cudaMemcpyAsync(device_ + flushed_, staging_[current_].get(), fill_, cudaMemcpyHostToDevice,
                                   stream_));
        CUDA_CHECK(cudaEventRecord(copied_[current_].get(), stream_));
        flushed_ += fill_;
        fill_ = 0;
        current_ ^= 1;
        // The buffer we fill next may still be on its way to the GPU.
        CUDA_CHECK(cudaEventSynchronize(copied_[current_].get()));
    }

    uint8_t* device_;
    cudaStream_t stream_;
    PinnedBuffer<uint8_t> staging_[2];
    CudaEvent copied_[2];
    int current_ = 0;
    size_t fill_ = 0;
    uint64_t flushed_ = 0;
};

DeviceMatrix describeMatrix(const WeightTensor& t, const uint8_t* data) {
    DeviceMatrix m;
    m.type = t.type;
    m.rows = t.rows;
    m.cols = t.cols;
    m.storedRowBytes = static_cast<int64_t>(rowBytes(t.type, t.cols));
    m.rowStride = paddedRowBytes(m.storedRowBytes);
    m.data = data;
    return m;
}

}  // namespace

uint64_t DeviceWeights::bytesNeeded(const Model& model) { return layoutWeights(model).totalBytes; }

int64_t DeviceWeights::layerDequantHalves(const Model& model) {
    int64_t most = 0;
    for (const LayerWeights& l : model.weights().layers) {
        int64_t halves = 0;
        for (const WeightTensor* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.wGate, &l.wUp, &l.wDown})
            if (m->type != TensorType::F16) halves += dequantizedSlotHalves(m->rows, m->cols);
        most = std::max(most, halves);
    }
    return most;
}

DeviceWeights::DeviceWeights(const Model& model, cudaStream_t stream) {
    const WeightLayout layout = layoutWeights(model);
    storage_ = DeviceBuffer<uint8_t>(layout.totalBytes);
    uint8_t* base = storage_.get();

    StagedUpload upload(base, stream);
    for (const Placement& p : layout.placements) {
        upload.zeros(p.offset - upload.position());
        const WeightTensor& t = *p.tensor;
        if (p.asFloatVector) {
            std::vector<float> values(static_cast<size_t>(t.cols * t.rows));
            dequantizeRow(t.type, t.data, t.cols * t.rows, values.data());
            upload.append(values.data(), values.size() * sizeof(float));
        } else {
            const size_t stored = rowBytes(t.type, t.cols);
            const size_t padding = static_cast<size_t>(paddedRowBytes(static_cast<int64_t>(stored))) - stored;
            for (int64_t r = 0; r < t.rows; ++r) {
                upload.append(t.data + static_cast<size_t>(r) * stored, stored);
                upload.zeros(padding);
            }
        }
    }
    upload.zeros(layout.totalBytes - upload.position());
    upload.finish();

    // Same order as layoutWeights().
    size_t i = 0;
    auto next = [&]() { return base + layout.placements[i++].offset; };
    const ModelWeights& w = model.weights();
    tokenEmbedding_ = describeMatrix(w.tokenEmbedding, next());
    for (const LayerWeights& l : w.layers) {
        DeviceLayer d;
        d.attnNorm = reinterpret_cast<const float*>(next());
        d.wq = describeMatrix(l.wq, next());
        d.wk = describeMatrix(l.wk, next());
        d.wv = describeMatrix(l.wv, next());
        if (l.qBias) d.qBias = reinterpret_cast<const float*>(next());
        if (l.kBias) d.kBias = reinterpret_cast<const float*>(next());
        if (l.vBias) d.vBias = reinterpret_cast<const float*>(next());
        d.wo = describeMatrix(l.wo, next());
        d.ffnNorm = reinterpret_cast<const float*>(next());
        d.wGate = describeMatrix(l.wGate, next());
        d.wUp = describeMatrix(l.wUp, next());
        d.wDown = describeMatrix(l.wDown, next());
        layers_.push_back(d);
    }
    outputNorm_ = reinterpret_cast<const float*>(next());
    output_ = w.outputTied ? describeMatrix(w.output, tokenEmbedding_.data) : describeMatrix(w.output, next());
}

}  // namespace ps
