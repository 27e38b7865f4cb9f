#include "tensor/tensor_type.h"

#include <stdexcept>

namespace ps {

const TensorTypeInfo& tensorTypeInfo(TensorType type) {
    static const TensorTypeInfo f32{"F32", 1, 4}, f16{"F16", 1, 2}, bf16{"BF16", 1, 2},
        q8_0{"Q8_0", 32, 34}, q4_0{"Q4_0", 32, 18}, q4_k{"Q4_K", 256, 144},
        q6_k{"Q6_K", 256, 210};
    switch (type) {
        case TensorType::F32: return f32;
        case TensorType::F16: return f16;
        case TensorType::BF16: return bf16;
        case TensorType::Q8_0: return q8_0;
        case TensorType::Q4_0: return q4_0;
        case TensorType::Q4_K: return q4_k;
        case TensorType::Q6_K: return q6_k;
    }
    throw std::logic_error("tensorTypeInfo: unknown TensorType");
}

std::optional<TensorType> tensorTypeFromId(uint32_t id) {
    switch (id) {
        case 0: return TensorType::F32;
        case 1: return TensorType::F16;
        case 2: return TensorType::Q4_0;
        case 8: return TensorType::Q8_0;
        case 12: return TensorType::Q4_K;
        case 14: return TensorType::Q6_K;
        case 30: return TensorType::BF16;
        default: return std::nullopt;
    }
}

std::string ggmlTypeName(uint32_t id) {
    // ggml's type table (ggml.h, enum ggml_type); gaps are ids ggml retired.
    static const char* const names[] = {
        "F32",  "F16",     "Q4_0",   "Q4_1",    "Q4_2", "Q4_3",  "Q5_0",  "Q5_1",
        "Q8_0", "Q8_1",    "Q2_K",   "Q3_K",    "Q4_K", "Q5_K",  "Q6_K",  "Q8_K",
        "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
        "I8",   "I16",     "I32",    "I64",     "F64",  "IQ1_M", "BF16",
    };
    if (id < sizeof names / sizeof names[0]) return names[id];
    return "unknown type " + std::to_string(id);
}

}  // namespace ps
