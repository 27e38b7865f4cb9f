#pragma once
// The GGUF/ggml tensor types the runtime computes with, and their block sizes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ps {

// Values are the ggml type ids stored in GGUF files.
enum class TensorType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q8_0 = 8,
    Q4_K = 12,
    Q6_K = 14,
    BF16 = 30,
};

struct TensorTypeInfo {
    const char* name;  // as the reference implementation prints it, e.g. "Q4_K"
    int blockValues;   // values per block (1 for plain float types)
    int blockBytes;    // bytes per block
};

// Traits of a supported type.
const TensorTypeInfo& tensorTypeInfo(TensorType type);

// The supported type with this ggml id, or nothing.
std::optional<TensorType> tensorTypeFromId(uint32_t id);

// A printable name for any ggml type id, also the ones we cannot compute with
// ("Q5_K", "IQ2_XS", ...), so that an error can say what the file holds.
std::string ggmlTypeName(uint32_t id);

// Bytes of one row of `values` elements; `values` must be a multiple of the block size.
inline size_t rowBytes(TensorType type, int64_t values) {
    const TensorTypeInfo& info = tensorTypeInfo(type);
    return static_cast<size_t>(values / info.blockValues) * static_cast<size_t>(info.blockBytes);
}

}  // namespace ps
