#include "backend/cpu/dequantize.h"

#include <cstring>

#include "tensor/float16.h"
#include "tensor/quant_blocks.h"

namespace ps {

namespace {
template <typename Block, int N, float (*decode)(const Block&, int)>
void dequantizeBlocks(const uint8_t* row, int64_t cols, float* out) {
    const Block* blocks = reinterpret_cast<const Block*>(row);
    for (int64_t b = 0; b < cols / N; ++b) {
        for (int i = 0; i < N; ++i) out[b * N + i] = decode(blocks[b], i);
    }
}
}  // namespace

void dequantizeRow(TensorType type, const uint8_t* row, int64_t cols, float* out) {
    switch (type) {
        case TensorType::F32: std::memcpy(out, row, static_cast<size_t>(cols) * 4); return;
        case TensorType::F16: {
            const uint16_t* h = reinterpret_cast<const uint16_t*>(row);
            for (int64_t i = 0; i < cols; ++i) out[i] = halfToFloat(h[i]);
            return;
        }
        case TensorType::BF16: {
            const uint16_t* h = reinterpret_cast<const uint16_t*>(row);
            for (int64_t i = 0; i < cols; ++i) out[i] = bf16ToFloat(h[i]);
            return;
        }
        case TensorType::Q8_0:
            return dequantizeBlocks<BlockQ8_0, kQ8_0BlockValues, dequantQ8_0>(row, cols, out);
        case TensorType::Q4_0:
            return dequantizeBlocks<BlockQ4_0, kQ4_0BlockValues, dequantQ4_0>(row, cols, out);
        case TensorType::Q4_K:
            return dequantizeBlocks<BlockQ4_K, kSuperBlockValues, dequantQ4_K>(row, cols, out);
        case TensorType::Q6_K:
            return dequantizeBlocks<BlockQ6_K, kSuperBlockValues, dequantQ6_K>(row, cols, out);
    }
}

}  // namespace ps
