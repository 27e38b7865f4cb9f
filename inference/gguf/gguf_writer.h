#pragma once
// Builds GGUF v3 images: metadata of every value type and tensors in any
// supported type. Used by the tests (valid and deliberately broken files) and
// by the synthetic benchmark models, so tensor data is moved in, never copied,
// and writeFile streams it to disk without building the image in memory.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tensor/tensor_type.h"

namespace ps {

class GgufWriter {
public:
    // --- metadata (a key set twice keeps its first position, takes the new value) ---
    void set(const std::string& key, GgufValue value);
    void setString(const std::string& key, std::string value);
    void setU32(const std::string& key, uint32_t value);
    void setI32(const std::string& key, int32_t value);
    void setU64(const std::string& key, uint64_t value);
    void setF32(const std::string& key, float value);
    void setBool(const std::string& key, bool value);
    void setStringArray(const std::string& key, const std::vector<std::string>& values);
    void setFloatArray(const std::string& key, const std::vector<float>& values);
    void setI32Array(const std::string& key, const std::vector<int32_t>& values);
    bool remove(const std::string& key);
    // Copies every metadata entry of `file` (in key order), e.g. to rebuild a model.
    void copyMetadata(const GgufFile& file);

    // general.alignment: a nonzero power of two (default 32). Throws GgufError otherwise.
    void setAlignment(uint32_t alignment);
    uint32_t alignment() const { return alignment_; }

    // Adds a tensor; `dims[0]` is the contiguous dimension. Throws GgufError when
    // the name is empty or taken, dims are not 1..4 positive sizes, dims[0] is not a
    // multiple of the block size, or `data` does not hold exactly the tensor's bytes.
    void addTensor(const std::string& name, TensorType type, std::vector<int64_t> dims,
                   std::vector<uint8_t> data);
    size_t tensorCount() const { return tensors_.size(); }

    // Size of the image toBytes() returns.
    uint64_t byteSize() const;
    std::vector<uint8_t> toBytes() const;
    // Writes the image to `path` (tensor data straight from the moved-in buffers).
    // Throws GgufError naming the path when the file cannot be written.
    void writeFile(const std::filesystem::path& path) const;

private:
    struct PendingTensor {
        std::string name;
        TensorType type;
        std::vector<int64_t> dims;
        std::vector<uint8_t> data;
    };

    std::vector<uint8_t> header() const;  // everything before the data section, padded
    uint64_t dataBytes() const;

    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::map<std::string, size_t> metadataIndex_;
    std::vector<PendingTensor> tensors_;
    std::map<std::string, size_t> tensorIndex_;
    uint32_t alignment_ = 32;
};

}  // namespace ps
