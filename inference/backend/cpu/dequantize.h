#pragma once
// Row dequantization of every supported tensor type to float32: the embedding
// lookup, the reference kernels and the tests use it.
#include <cstdint>

#include "tensor/tensor_type.h"

namespace ps {

// Decodes `cols` values (a multiple of the type's block size) starting at `row`.
void dequantizeRow(TensorType type, const uint8_t* row, int64_t cols, float* out);

}  // namespace ps
