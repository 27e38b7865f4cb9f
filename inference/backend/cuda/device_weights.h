#pragma once
// The model's weights on the GPU, in their stored type (F32, F16, BF16, Q8_0,
// Q4_0, Q4_K, Q6_K), uploaded once into one allocation. Matrix rows are padded
// to a 32-byte stride so that the kernels' chunk loads are aligned and each row
// starts on a memory sector; norm and
// bias vectors are converted to FP32 (they are tiny and read by every token).
// phi3's fused matrices arrive as row-range views (Model's binder) and are
// uploaded as the separate matrices they stand for: the same bytes in all.
#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

#include "backend/cuda/cuda_buffers.h"
#include "tensor/tensor_type.h"

namespace ps {

class Model;
struct WeightTensor;

struct DeviceMatrix {
    TensorType type = TensorType::F32;
    int64_t rows = 0;
    int64_t cols = 0;
    int64_t storedRowBytes = 0;  // bytes of a row in the file
    int64_t rowStride = 0;       // bytes between rows on the GPU (32-byte multiple)
    const uint8_t* data = nullptr;
};

struct DeviceLayer {
    const float* attnNorm = nullptr;
    DeviceMatrix wq, wk, wv, wo;
    // FP32; null where the model has none (only qwen2 has them).
    const float* qBias = nullptr;
    const float* kBias = nullptr;
    const float* vBias = nullptr;
    const float* ffnNorm = nullptr;
    DeviceMatrix wGate, wUp, wDown;
};

// Halves a matrix takes in prefill's buffer of dequantized matrices: rows x
// cols, rounded up to 256 bytes so that the next matrix starts aligned.
inline int64_t dequantizedSlotHalves(int64_t rows, int64_t cols) { return (rows * cols + 127) / 128 * 128; }

class DeviceWeights {
public:
    // Bytes the weights will take on the GPU (for the memory plan).
    static uint64_t bytesNeeded(const Model& model);
    // The most FP16 halves one layer's matrices take dequantized (F16 matrices
    // are used as stored and take none): prefill's per-layer buffer.
    static int64_t layerDequantHalves(const Model& model);

    // Uploads every weight of `model` through pinned staging buffers on `stream`
    // and waits for the copies. Throws CudaError.
    DeviceWeights(const Model& model, cudaStream_t stream);

    const DeviceMatrix& tokenEmbedding() const { return tokenEmbedding_; }
    const std::vector<DeviceLayer>& layers() const { return layers_; }
    const float* outputNorm() const { return outputNorm_; }
    const DeviceMatrix& output() const { return output_; }
    const uint8_t* data() const { return storage_.get(); }
    uint64_t bytes() const { return storage_.size(); }

private:
    DeviceBuffer<uint8_t> storage_;
    DeviceMatrix tokenEmbedding_;
    std::vector<DeviceLayer> layers_;
    const float* outputNorm_ = nullptr;
    DeviceMatrix output_;
};

}  // namespace ps
