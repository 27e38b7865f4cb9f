// Writing GGUF v3 (layout in ../shared/docs/gguf-facts.md): header, metadata,
// tensor table, padding to the alignment, then each tensor's data at an
// aligned offset.
#include "gguf/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ps {

namespace {

constexpr uint32_t kVersion = 3;

uint64_t alignUp(uint64_t n, uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

class ByteSink {
public:
    explicit ByteSink(std::vector<uint8_t>& out) : out_(out) {}
    template <typename T>
    void scalar(T value) {
        raw(&value, sizeof value);
    }
    void raw(const void* data, size_t bytes) {
        const size_t at = out_.size();
        out_.resize(at + bytes);
        if (bytes) std::memcpy(out_.data() + at, data, bytes);
    }
    void string(const std::string& s) {
        scalar<uint64_t>(s.size());
        raw(s.data(), s.size());
    }
    void value(const GgufValue& v) {
        switch (v.type) {
            case GgufValueType::U8: scalar(static_cast<uint8_t>(v.asUnsigned)); break;
            case GgufValueType::I8: scalar(static_cast<int8_t>(v.asSigned)); break;
            case GgufValueType::U16: scalar(static_cast<uint16_t>(v.asUnsigned)); break;
            case GgufValueType::I16: scalar(static_cast<int16_t>(v.asSigned)); break;
            case GgufValueType::U32: scalar(static_cast<uint32_t>(v.asUnsigned)); break;
            case GgufValueType::I32: scalar(static_cast<int32_t>(v.asSigned)); break;
            case GgufValueType::U64: scalar(static_cast<uint64_t>(v.asUnsigned)); break;
            case GgufValueType::I64: scalar(static_cast<int64_t>(v.asSigned)); break;
            case GgufValueType::F32: scalar(static_cast<float>(v.asFloat)); break;
            case GgufValueType::F64: scalar(v.asFloat); break;
            case GgufValueType::Bool: scalar(static_cast<uint8_t>(v.asUnsigned ? 1 : 0)); break;
            case GgufValueType::String: string(v.asString); break;
            case GgufValueType::Array:
                scalar(static_cast<uint32_t>(v.elementType));
                scalar<uint64_t>(v.elements.size());
                for (const GgufValue& e : v.elements) value(e);
                break;
        }
    }

private:
    std::vector<uint8_t>& out_;
};

// Checks that an array's elements all have its element type, at any depth, so
// the file we write is one we can read back.
void checkValue(const std::string& key, const GgufValue& v) {
    if (v.type != GgufValueType::Array) return;
    for (const GgufValue& e : v.elements) {
        if (e.type != v.elementType) {
            throw GgufError("GgufWriter: metadata key '" + key + "' is an array of " +
                            ggufValueTypeName(v.elementType) + " holding a " +
                            ggufValueTypeName(e.type) + " element");
        }
        checkValue(key, e);
    }
}

GgufValue scalarValue(GgufValueType type) {
    GgufValue v;
    v.type = type;
    return v;
}

}  // namespace

void GgufWriter::set(const std::string& key, GgufValue value) {
    if (key.empty()) throw GgufError("GgufWriter: a metadata key cannot be empty");
    checkValue(key, value);
    if (key == "general.alignment") {
        const std::optional<int64_t> a = value.toInteger();
        if (!a || *a <= 0 || *a > INT32_MAX || (*a & (*a - 1)) != 0) {
            throw GgufError("GgufWriter: general.alignment must be a nonzero power of two");
        }
        alignment_ = static_cast<uint32_t>(*a);
    }
    const auto it = metadataIndex_.find(key);
    if (it != metadataIndex_.end()) {
        metadata_[it->second].second = std::move(value);
        return;
    }
    metadataIndex_.emplace(key, metadata_.size());
    metadata_.emplace_back(key, std::move(value));
}

void GgufWriter::setString(const std::string& key, std::string value) {
    GgufValue v = scalarValue(GgufValueType::String);
    v.asString = std::move(value);
    set(key, std::move(v));
}

void GgufWriter::setU32(const std::string& key, uint32_t value) {
    GgufValue v = scalarValue(GgufValueType::U32);
    v.asUnsigned = value;
    set(key, std::move(v));
}

void GgufWriter::setI32(const std::string& key, int32_t value) {
    GgufValue v = scalarValue(GgufValueType::I32);
    v.asSigned = value;
    set(key, std::move(v));
}

void GgufWriter::setU64(const std::string& key, uint64_t value) {
    GgufValue v = scalarValue(GgufValueType::U64);
    v.asUnsigned = value;
    set(key, std::move(v));
}

void GgufWriter::setF32(const std::string& key, float value) {
    GgufValue v = scalarValue(GgufValueType::F32);
    v.asFloat = value;
    set(key, std::move(v));
}

void GgufWriter::setBool(const std::string& key, bool value) {
    GgufValue v = scalarValue(GgufValueType::Bool);
    v.asUnsigned = value ? 1 : 0;
    set(key, std::move(v));
}

void GgufWriter::setStringArray(const std::string& key, const std::vector<std::string>& values) {
    GgufValue v = scalarValue(GgufValueType::Array);
    v.elementType = GgufValueType::String;
    v.elements.reserve(values.size());
    for (const std::string& s : values) {
        GgufValue e = scalarValue(GgufValueType::String);
        e.asString = s;
        v.elements.push_back(std::move(e));
    }
    set(key, std::move(v));
}

void GgufWriter::setFloatArray(const std::string& key, const std::vector<float>& values) {
    GgufValue v = scalarValue(GgufValueType::Array);
    v.elementType = GgufValueType::F32;
    v.elements.reserve(values.size());
    for (float f : values) {
        GgufValue e = scalarValue(GgufValueType::F32);
        e.asFloat = f;
        v.elements.push_back(std::move(e));
    }
    set(key, std::move(v));
}

void GgufWriter::setI32Array(const std::string& key, const std::vector<int32_t>& values) {
    GgufValue v = scalarValue(GgufValueType::Array);
    v.elementType = GgufValueType::I32;
    v.elements.reserve(values.size());
    for (int32_t i : values) {
        GgufValue e = scalarValue(GgufValueType::I32);
        e.asSigned = i;
        v.elements.push_back(std::move(e));
    }
    set(key, std::move(v));
}

bool GgufWriter::remove(const std::string& key) {
    const auto it = metadataIndex_.find(key);
    if (it == metadataIndex_.end()) return false;
    metadata_.erase(metadata_.begin() + static_cast<std::ptrdiff_t>(it->second));
    metadataIndex_.clear();
    for (size_t i = 0; i < metadata_.size(); ++i) metadataIndex_.emplace(metadata_[i].first, i);
    if (key == "general.alignment") alignment_ = 32;
    return true;
}

void GgufWriter::copyMetadata(const GgufFile& file) {
    for (const auto& [key, value] : file.metadata()) set(key, value);
}

void GgufWriter::setAlignment(uint32_t alignment) { setU32("general.alignment", alignment); }

void GgufWriter::addTensor(const std::string& name, TensorType type, std::vector<int64_t> dims,
                           std::vector<uint8_t> data) {
    const std::string what = "GgufWriter: tensor '" + name + "'";
    if (name.empty()) throw GgufError("GgufWriter: a tensor name cannot be empty");
    if (tensorIndex_.count(name)) throw GgufError(what + " is added twice");
    if (dims.empty() || dims.size() > 4) throw GgufError(what + " needs 1 to 4 dimensions");
    const TensorTypeInfo& info = tensorTypeInfo(type);
    uint64_t bytes = 0;
    for (size_t d = 0; d < dims.size(); ++d) {
        if (dims[d] <= 0) throw GgufError(what + " has a dimension that is not positive");
        const uint64_t factor = d == 0 ? static_cast<uint64_t>(dims[0] / info.blockValues) *
                                             static_cast<uint64_t>(info.blockBytes)
                                       : static_cast<uint64_t>(dims[d]);
        if (d == 0) {
            if (dims[0] % info.blockValues != 0) {
                throw GgufError(what + ": first dimension " + std::to_string(dims[0]) +
                                " is not a multiple of the " + info.name + " block size");
            }
            bytes = factor;
        } else if (__builtin_mul_overflow(bytes, factor, &bytes)) {
            throw GgufError(what + " is too large");
        }
    }
    if (data.size() != bytes) {
        throw GgufError(what + " (" + info.name + ") needs " + std::to_string(bytes) +
                        " bytes of data, got " + std::to_string(data.size()));
    }
    tensorIndex_.emplace(name, tensors_.size());
    tensors_.push_back(PendingTensor{name, type, std::move(dims), std::move(data)});
}

// Offsets are laid out when writing (the alignment may change until then):
// each tensor starts at the next multiple of the alignment.
uint64_t GgufWriter::dataBytes() const {
    uint64_t end = 0;
    for (const PendingTensor& t : tensors_) end = alignUp(end, alignment_) + t.data.size();
    return end;
}

std::vector<uint8_t> GgufWriter::header() const {
    std::vector<uint8_t> out;
    ByteSink sink(out);
    sink.raw("GGUF", 4);
    sink.scalar<uint32_t>(kVersion);
    sink.scalar<uint64_t>(tensors_.size());
    sink.scalar<uint64_t>(metadata_.size());
    for (const auto& [key, value] : metadata_) {
        sink.string(key);
        sink.scalar(static_cast<uint32_t>(value.type));
        sink.value(value);
    }
    uint64_t offset = 0;
    for (const PendingTensor& t : tensors_) {
        offset = alignUp(offset, alignment_);
        sink.string(t.name);
        sink.scalar<uint32_t>(static_cast<uint32_t>(t.dims.size()));
        for (int64_t d : t.dims) sink.scalar<uint64_t>(static_cast<uint64_t>(d));
        sink.scalar(static_cast<uint32_t>(t.type));
        sink.scalar<uint64_t>(offset);
        offset += t.data.size();
    }
    out.resize(alignUp(out.size(), alignment_), 0);
    return out;
}

uint64_t GgufWriter::byteSize() const { return header().size() + dataBytes(); }

std::vector<uint8_t> GgufWriter::toBytes() const {
    std::vector<uint8_t> out = header();
    const size_t dataStart = out.size();
    out.reserve(dataStart + dataBytes());
    uint64_t offset = 0;
    for (const PendingTensor& t : tensors_) {
        offset = alignUp(offset, alignment_);
        out.resize(dataStart + offset, 0);  // zero padding
        out.insert(out.end(), t.data.begin(), t.data.end());
        offset += t.data.size();
    }
    return out;
}

void GgufWriter::writeFile(const std::filesystem::path& path) const {
    const std::string name = path.string();
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(name.c_str(), "wb"), &std::fclose);
    if (!file) throw GgufError(name + ": cannot create: " + std::strerror(errno));
    auto write = [&](const void* data, size_t bytes) {
        if (bytes && std::fwrite(data, 1, bytes, file.get()) != bytes) {
            throw GgufError(name + ": write failed: " + std::strerror(errno));
        }
    };
    const std::vector<uint8_t> head = header();
    write(head.data(), head.size());
    const std::vector<uint8_t> zeros(alignment_, 0);
    uint64_t offset = 0;
    for (const PendingTensor& t : tensors_) {
        const uint64_t aligned = alignUp(offset, alignment_);
        write(zeros.data(), static_cast<size_t>(aligned - offset));
        write(t.data.data(), t.data.size());
        offset = aligned + t.data.size();
    }
    if (std::fclose(file.release()) != 0) {
        throw GgufError(name + ": write failed: " + std::strerror(errno));
    }
}

}  // namespace ps
