#pragma once
// A validated, memory-mapped GGUF file (versions 2 and 3). Opening it checks
// every count, offset, size, type and dimension before anything is used, so a
// truncated or hostile file gives a GgufError instead of a crash or a huge
// allocation. Tensor data stays in the mapping; nothing is copied.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tensor/tensor_type.h"

namespace ps {

// The message names the file, what is wrong and where (byte offset, key or tensor).
class GgufError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class GgufValueType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};

const char* ggufValueTypeName(GgufValueType type);

// One metadata value. Scalars are widened into one of three slots; arrays keep
// their element type and may nest.
struct GgufValue {
    GgufValueType type = GgufValueType::U32;
    uint64_t asUnsigned = 0;  // U8, U16, U32, U64, Bool
    int64_t asSigned = 0;     // I8, I16, I32, I64
    double asFloat = 0;       // F32, F64
    std::string asString;     // String
    GgufValueType elementType = GgufValueType::U32;  // Array
    std::vector<GgufValue> elements;                 // Array

    bool isInteger() const;
    bool isFloat() const;
    // Numeric value of any integer, float or bool type.
    double toDouble() const;
    // Integer value; throws GgufError-free std::nullopt when not an integer type.
    std::optional<int64_t> toInteger() const;
    // A short human-readable rendering (arrays abbreviated), for `info`.
    std::string toDisplayString(size_t maxElements = 8) const;
};

struct GgufTensorInfo {
    std::string name;
    TensorType type = TensorType::F32;
    std::vector<int64_t> dims;  // dims[0] is the contiguous dimension (ggml's ne[0])
    uint64_t offset = 0;        // from the start of the data section
    uint64_t bytes = 0;         // validated size of the data
    const uint8_t* data = nullptr;  // into the mapping, valid while the GgufFile lives

    int64_t elementCount() const;
};

class GgufFile {
public:
    // Memory-maps and validates `path`. Throws GgufError.
    static std::shared_ptr<GgufFile> open(const std::filesystem::path& path);
    // Validates an in-memory image (takes ownership); `name` is used in errors.
    static std::shared_ptr<GgufFile> fromBytes(std::vector<uint8_t> bytes, std::string name);

    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& name() const { return name_; }  // path or given name, for messages
    uint32_t version() const { return version_; }
    uint64_t fileSize() const { return size_; }
    uint32_t alignment() const { return alignment_; }
    uint64_t dataOffset() const { return dataOffset_; }

    // --- metadata ---
    const std::map<std::string, GgufValue>& metadata() const { return metadata_; }
    const GgufValue* find(const std::string& key) const;
    bool has(const std::string& key) const { return find(key) != nullptr; }
    // Typed getters: nullopt when absent; GgufError when present with the wrong type.
    std::optional<std::string> getString(const std::string& key) const;
    std::optional<int64_t> getInteger(const std::string& key) const;  // any integer type
    std::optional<double> getFloat(const std::string& key) const;     // any numeric type
    std::optional<bool> getBool(const std::string& key) const;
    // Arrays: GgufError when present but not an array of a fitting element type.
    std::optional<std::vector<std::string>> getStringArray(const std::string& key) const;
    std::optional<std::vector<float>> getFloatArray(const std::string& key) const;
    std::optional<std::vector<int64_t>> getIntegerArray(const std::string& key) const;

    // --- tensors ---
    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* findTensor(const std::string& name) const;
    // Throws GgufError naming the file and the missing tensor.
    const GgufTensorInfo& tensor(const std::string& name) const;

private:
    GgufFile() = default;
    void parse();

    std::string name_;
    const uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
    void* mapping_ = nullptr;     // mmap'd region (nullptr for in-memory images)
    std::vector<uint8_t> owned_;  // in-memory image
    uint32_t version_ = 0;
    uint32_t alignment_ = 32;
    uint64_t dataOffset_ = 0;
    std::map<std::string, GgufValue> metadata_;
    std::vector<GgufTensorInfo> tensors_;
    std::map<std::string, size_t> tensorIndex_;
};

}  // namespace ps
