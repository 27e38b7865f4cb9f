// Opening and validating a GGUF file. The layout (header, metadata, tensor
// table, aligned data section) is in ../shared/docs/gguf-facts.md and ggml's
// docs/gguf.md. Nothing in the file is trusted: each count is checked against
// the bytes that are left before anything is allocated for it.
#include "gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "gguf/gguf_cursor.h"
#include "io/regular_file.h"

namespace ps {

namespace {

// The smallest possible encodings, used to reject counts the file cannot hold.
constexpr uint64_t kMinMetadataEntryBytes = 8 + 1 + 4 + 1;  // key length, 1-byte key, type, u8
constexpr uint64_t kMinTensorEntryBytes = 8 + 1 + 4 + 8 + 4 + 8;  // name, n_dims, ne[0], type, offset
constexpr int kMaxDims = 4;
// Arrays may nest (the format allows it; no model we know nests). Bounded so a
// hostile file cannot recurse the parser off the stack.
constexpr int kMaxArrayNesting = 8;
// Every array element becomes a GgufValue (~100 bytes), so the elements of all
// metadata arrays together are capped; real vocabularies (tokens, scores, types,
// merges of a 256k vocabulary) stay well below this.
constexpr uint64_t kMaxMetadataElements = uint64_t{1} << 22;

constexpr uint32_t kLastValueType = static_cast<uint32_t>(GgufValueType::F64);

// Bytes of one encoded element of `type`; strings and arrays give their minimum.
uint64_t minEncodedBytes(GgufValueType type) {
    switch (type) {
        case GgufValueType::U8:
        case GgufValueType::I8:
        case GgufValueType::Bool: return 1;
        case GgufValueType::U16:
        case GgufValueType::I16: return 2;
        case GgufValueType::U32:
        case GgufValueType::I32:
        case GgufValueType::F32: return 4;
        case GgufValueType::U64:
        case GgufValueType::I64:
        case GgufValueType::F64: return 8;
        case GgufValueType::String: return 8;  // the length
        case GgufValueType::Array: return 12;  // element type + count
    }
    return 1;
}

std::string dimsToString(const std::vector<int64_t>& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

class MetadataReader {
public:
    explicit MetadataReader(GgufCursor& cursor) : c_(cursor) {}

    GgufValue read(uint32_t typeId, const std::string& key, int depth) {
        const uint64_t start = c_.position();
        if (typeId > kLastValueType) {
            c_.fail("metadata key '" + key + "' has unknown value type " + std::to_string(typeId),
                    start - 4);
        }
        GgufValue v;
        v.type = static_cast<GgufValueType>(typeId);
        switch (v.type) {
            case GgufValueType::U8: v.asUnsigned = c_.readU8("a u8 value"); break;
            case GgufValueType::I8:
                v.asSigned = static_cast<int8_t>(c_.readU8("an i8 value"));
                break;
            case GgufValueType::U16: v.asUnsigned = c_.readU16("a u16 value"); break;
            case GgufValueType::I16:
                v.asSigned = static_cast<int16_t>(c_.readU16("an i16 value"));
                break;
            case GgufValueType::U32: v.asUnsigned = c_.readU32("a u32 value"); break;
            case GgufValueType::I32:
                v.asSigned = static_cast<int32_t>(c_.readU32("an i32 value"));
                break;
            case GgufValueType::U64: v.asUnsigned = c_.readU64("a u64 value"); break;
            case GgufValueType::I64:
                v.asSigned = static_cast<int64_t>(c_.readU64("an i64 value"));
                break;
            case GgufValueType::F32: {
                const uint32_t bits = c_.readU32("an f32 value");
                float f;
                std::memcpy(&f, &bits, sizeof f);
                v.asFloat = f;
                break;
            }
            case GgufValueType::F64: {
                const uint64_t bits = c_.readU64("an f64 value");
                std::memcpy(&v.asFloat, &bits, sizeof v.asFloat);
                break;
            }
            case GgufValueType::Bool: {
                const uint8_t b = c_.readU8("a bool value");
                if (b > 1) {
                    c_.fail("metadata key '" + key + "' has a bool value of " + std::to_string(b) +
                                " (must be 0 or 1)",
                            start);
                }
                v.asUnsigned = b;
                break;
            }
            case GgufValueType::String:
                v.asString = c_.readString("the string value of metadata key '" + key + "'");
                break;
            case GgufValueType::Array: readArray(v, key, depth); break;
        }
        return v;
    }

private:
    void readArray(GgufValue& v, const std::string& key, int depth) {
        const uint64_t start = c_.position();
        if (depth >= kMaxArrayNesting) {
            c_.fail("metadata key '" + key + "' nests arrays deeper than " +
                        std::to_string(kMaxArrayNesting) + " levels",
                    start);
        }
        const uint32_t elementTypeId = c_.readU32("an array element type");
        if (elementTypeId > kLastValueType) {
            c_.fail("metadata key '" + key + "' is an array of unknown value type " +
                        std::to_string(elementTypeId),
                    start);
        }
        v.elementType = static_cast<GgufValueType>(elementTypeId);
        const uint64_t count = c_.readU64("an array length");
        const uint64_t each = minEncodedBytes(v.elementType);
        if (count > c_.remaining() / each) {
            c_.fail("metadata key '" + key + "' claims an array of " + std::to_string(count) + " " +
                        ggufValueTypeName(v.elementType) + " elements (at least " +
                        std::to_string(each) + " bytes each), but only " +
                        std::to_string(c_.remaining()) + " bytes are left in the file",
                    start);
        }
        if (count > elementBudget_) {
            c_.fail("metadata key '" + key + "' brings the metadata arrays past " +
                        std::to_string(kMaxMetadataElements) + " elements in total",
                    start);
        }
        elementBudget_ -= count;
        // Justified by the check above: the file holds at least `count` elements.
        v.elements.reserve(static_cast<size_t>(count));
        for (uint64_t i = 0; i < count; ++i) {
            v.elements.push_back(read(elementTypeId, key, depth + 1));
        }
    }

    GgufCursor& c_;
    uint64_t elementBudget_ = kMaxMetadataElements;
};

}  // namespace

int64_t GgufTensorInfo::elementCount() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;  // validated against overflow when the file was opened
    return n;
}

std::shared_ptr<GgufFile> GgufFile::open(const std::filesystem::path& path) {
    std::shared_ptr<GgufFile> file(new GgufFile);
    file->name_ = path.string();
    io::RegularFile regular;
    try {
        regular = io::openRegularFile(path);  // no pipes or devices; does not block
    } catch (const io::InputFileError& e) {
        throw GgufError(e.what());
    }
    const int fd = regular.fd;
    struct stat st {};
    st.st_size = static_cast<off_t>(regular.size);
    if (st.st_size == 0) {
        ::close(fd);
        throw GgufError(file->name_ + ": the file is empty, not a GGUF file");
    }
    void* mapping = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    const int mapError = errno;
    ::close(fd);  // the mapping keeps the file open
    if (mapping == MAP_FAILED) {
        throw GgufError(file->name_ + ": cannot memory-map " + std::to_string(st.st_size) +
                        " bytes: " + std::strerror(mapError));
    }
    file->mapping_ = mapping;
    file->base_ = static_cast<const uint8_t*>(mapping);
    file->size_ = static_cast<uint64_t>(st.st_size);
    file->parse();  // on error the shared_ptr's deleter unmaps
    return file;
}

std::shared_ptr<GgufFile> GgufFile::fromBytes(std::vector<uint8_t> bytes, std::string name) {
    std::shared_ptr<GgufFile> file(new GgufFile);
    file->name_ = std::move(name);
    file->owned_ = std::move(bytes);
    file->base_ = file->owned_.data();
    file->size_ = file->owned_.size();
    file->parse();
    return file;
}

GgufFile::~GgufFile() {
    if (mapping_) ::munmap(mapping_, static_cast<size_t>(size_));
}

void GgufFile::parse() {
    GgufCursor c(base_, size_, name_);

    // --- header ---
    if (size_ < 4 || std::memcmp(base_, "GGUF", 4) != 0) {
        c.fail("not a GGUF file: it does not start with the magic bytes \"GGUF\"", 0);
    }
    c.skipTo(4);
    version_ = c.readU32("the version");
    if (version_ == 1) {
        c.fail("GGUF version 1 is obsolete and not supported (versions 2 and 3 are); "
               "convert the model again with a current converter",
               4);
    }
    if (version_ != 2 && version_ != 3) {
        std::string hint;
        if (version_ == 0x02000000u || version_ == 0x03000000u) hint = " (a big-endian file?)";
        c.fail("unsupported GGUF version " + std::to_string(version_) + hint +
                   "; versions 2 and 3 are supported",
               4);
    }
    const uint64_t tensorCount = c.readU64("the tensor count");
    const uint64_t kvCount = c.readU64("the metadata count");
    if (kvCount > c.remaining() / kMinMetadataEntryBytes) {
        c.fail("the header claims " + std::to_string(kvCount) + " metadata entries, but the " +
                   std::to_string(c.remaining()) + " bytes left cannot hold that many",
               16);
    }
    if (tensorCount > c.remaining() / kMinTensorEntryBytes) {
        c.fail("the header claims " + std::to_string(tensorCount) + " tensors, but the " +
                   std::to_string(c.remaining()) + " bytes left cannot hold that many",
               8);
    }

    // --- metadata ---
    MetadataReader reader(c);
    for (uint64_t i = 0; i < kvCount; ++i) {
        const uint64_t start = c.position();
        std::string key = c.readString("the key of metadata entry " + std::to_string(i));
        if (key.empty()) c.fail("metadata entry " + std::to_string(i) + " has an empty key", start);
        const uint32_t typeId = c.readU32("a metadata value type");
        GgufValue value = reader.read(typeId, key, 0);
        if (metadata_.count(key)) c.fail("duplicate metadata key '" + key + "'", start);
        metadata_.emplace(std::move(key), std::move(value));
    }

    if (const GgufValue* a = find("general.alignment")) {
        const std::optional<int64_t> value = a->toInteger();
        if (!value || *value <= 0 || *value > INT32_MAX || (*value & (*value - 1)) != 0) {
            throw GgufError(name_ + ": metadata key 'general.alignment' is " +
                            a->toDisplayString() + "; it must be a nonzero power of two");
        }
        alignment_ = static_cast<uint32_t>(*value);
    }

    // --- tensor table ---
    tensors_.reserve(static_cast<size_t>(tensorCount));  // justified by the check above
    for (uint64_t i = 0; i < tensorCount; ++i) {
        const uint64_t start = c.position();
        GgufTensorInfo t;
        t.name = c.readString("the name of tensor " + std::to_string(i));
        if (t.name.empty()) c.fail("tensor " + std::to_string(i) + " has an empty name", start);
        const std::string what = "tensor '" + t.name + "'";
        const uint32_t nDims = c.readU32("a tensor's dimension count");
        if (nDims < 1 || nDims > kMaxDims) {
            c.fail(what + " has " + std::to_string(nDims) + " dimensions (1 to " +
                       std::to_string(kMaxDims) + " are allowed)",
                   start);
        }
        int64_t elements = 1;
        for (uint32_t d = 0; d < nDims; ++d) {
            const uint64_t ne = c.readU64("a tensor dimension");
            if (ne == 0) c.fail(what + " has a dimension of size 0", start);
            if (ne > static_cast<uint64_t>(INT64_MAX) ||
                __builtin_mul_overflow(elements, static_cast<int64_t>(ne), &elements)) {
                c.fail(what + " has dimensions whose element count overflows (dimension " +
                           std::to_string(d) + " is " + std::to_string(ne) + ")",
                       start);
            }
            t.dims.push_back(static_cast<int64_t>(ne));
        }
        const uint32_t typeId = c.readU32("a tensor type");
        const std::optional<TensorType> type = tensorTypeFromId(typeId);
        if (!type) {
            c.fail(what + " has type " + ggmlTypeName(typeId) +
                       ", which Prompt Studio cannot compute with",
                   start);
        }
        t.type = *type;
        const TensorTypeInfo& info = tensorTypeInfo(t.type);
        if (t.dims[0] % info.blockValues != 0) {
            c.fail(what + " has a first dimension of " + std::to_string(t.dims[0]) +
                       ", not a multiple of the " + info.name + " block size " +
                       std::to_string(info.blockValues),
                   start);
        }
        // bytes = ne[0] / block * blockBytes * ne[1] * ... ; cannot overflow where the
        // element count did not, except through blockBytes, so check each step.
        uint64_t bytes = static_cast<uint64_t>(t.dims[0] / info.blockValues);
        bool overflow = __builtin_mul_overflow(bytes, static_cast<uint64_t>(info.blockBytes), &bytes);
        for (size_t d = 1; d < t.dims.size() && !overflow; ++d) {
            overflow = __builtin_mul_overflow(bytes, static_cast<uint64_t>(t.dims[d]), &bytes);
        }
        if (overflow) c.fail(what + " has a byte size that overflows", start);
        t.bytes = bytes;
        t.offset = c.readU64("a tensor data offset");
        if (t.offset % alignment_ != 0) {
            c.fail(what + " has data offset " + std::to_string(t.offset) +
                       ", not a multiple of the alignment " + std::to_string(alignment_),
                   start);
        }
        if (tensorIndex_.count(t.name)) c.fail("duplicate tensor name '" + t.name + "'", start);
        tensorIndex_.emplace(t.name, tensors_.size());
        tensors_.push_back(std::move(t));
    }

    // --- data section ---
    const uint64_t tableEnd = c.position();
    dataOffset_ = tableEnd + (alignment_ - tableEnd % alignment_) % alignment_;
    if (tensors_.empty()) return;  // vocabulary-only files may end right after the table
    if (dataOffset_ > size_) {
        c.fail("the data section would start at byte " + std::to_string(dataOffset_) +
                   ", past the end of the file (" + std::to_string(size_) + " bytes)",
               tableEnd);
    }
    const uint64_t dataBytes = size_ - dataOffset_;
    for (GgufTensorInfo& t : tensors_) {
        if (t.offset > dataBytes || t.bytes > dataBytes - t.offset) {
            throw GgufError(name_ + ": tensor '" + t.name + "' (" +
                            tensorTypeInfo(t.type).name + " " + dimsToString(t.dims) + ", " +
                            std::to_string(t.bytes) + " bytes at data offset " +
                            std::to_string(t.offset) + ") extends past the end of the file: " +
                            "the data section holds " + std::to_string(dataBytes) +
                            " bytes from byte offset " + std::to_string(dataOffset_));
        }
        t.data = base_ + dataOffset_ + t.offset;
    }
    // No two tensors may share bytes. A tensor whose type or shape claims more bytes
    // than the writer gave it (a type that disagrees with its data) runs into the next
    // one; computing with it would read the other's weights as its own.
    std::vector<const GgufTensorInfo*> byOffset;
    byOffset.reserve(tensors_.size());
    for (const GgufTensorInfo& t : tensors_) {
        if (t.bytes > 0) byOffset.push_back(&t);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        const GgufTensorInfo& before = *byOffset[i - 1];
        const GgufTensorInfo& after = *byOffset[i];
        if (before.offset + before.bytes > after.offset) {
            throw GgufError(name_ + ": tensor '" + before.name + "' (" +
                            tensorTypeInfo(before.type).name + " " + dimsToString(before.dims) +
                            ", " + std::to_string(before.bytes) + " bytes at data offset " +
                            std::to_string(before.offset) + ") overlaps tensor '" + after.name +
                            "' at data offset " + std::to_string(after.offset) +
                            ": its type and shape need more bytes than the file gives it");
        }
    }
}

// --- metadata access ---

const GgufValue* GgufFile::find(const std::string& key) const {
    const auto it = metadata_.find(key);
    return it == metadata_.end() ? nullptr : &it->second;
}

namespace {

[[noreturn]] void wrongType(const std::string& file, const std::string& key,
                            const GgufValue& value, const char* expected) {
    std::string actual = ggufValueTypeName(value.type);
    if (value.type == GgufValueType::Array) {
        actual += std::string(" of ") + ggufValueTypeName(value.elementType);
    }
    throw GgufError(file + ": metadata key '" + key + "' is " + actual + ", expected " + expected);
}

int64_t integerOf(const std::string& file, const std::string& key, const GgufValue& v) {
    const std::optional<int64_t> i = v.toInteger();
    if (!i) {
        if (v.isInteger()) {
            throw GgufError(file + ": metadata key '" + key + "' holds " + v.toDisplayString() +
                            ", too large for a signed 64-bit integer");
        }
        wrongType(file, key, v, "an integer");
    }
    return *i;
}

bool isNumeric(const GgufValue& v) { return v.isInteger() || v.isFloat(); }

}  // namespace

std::optional<std::string> GgufFile::getString(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::String) wrongType(name_, key, *v, "a string");
    return v->asString;
}

std::optional<int64_t> GgufFile::getInteger(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    return integerOf(name_, key, *v);
}

std::optional<double> GgufFile::getFloat(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (!isNumeric(*v)) wrongType(name_, key, *v, "a number");
    return v->toDouble();
}

std::optional<bool> GgufFile::getBool(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::Bool) wrongType(name_, key, *v, "a bool");
    return v->asUnsigned != 0;
}

std::optional<std::vector<std::string>> GgufFile::getStringArray(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::Array || v->elementType != GgufValueType::String) {
        wrongType(name_, key, *v, "an array of string");
    }
    std::vector<std::string> out;
    out.reserve(v->elements.size());
    for (const GgufValue& e : v->elements) out.push_back(e.asString);
    return out;
}

std::optional<std::vector<float>> GgufFile::getFloatArray(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    GgufValue probe;
    probe.type = v->elementType;
    if (v->type != GgufValueType::Array || !isNumeric(probe)) {
        wrongType(name_, key, *v, "an array of numbers");
    }
    std::vector<float> out;
    out.reserve(v->elements.size());
    for (const GgufValue& e : v->elements) out.push_back(static_cast<float>(e.toDouble()));
    return out;
}

std::optional<std::vector<int64_t>> GgufFile::getIntegerArray(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    GgufValue probe;
    probe.type = v->elementType;
    if (v->type != GgufValueType::Array || !probe.isInteger()) {
        wrongType(name_, key, *v, "an array of integers");
    }
    std::vector<int64_t> out;
    out.reserve(v->elements.size());
    for (const GgufValue& e : v->elements) out.push_back(integerOf(name_, key, e));
    return out;
}

// --- tensors ---

const GgufTensorInfo* GgufFile::findTensor(const std::string& name) const {
    const auto it = tensorIndex_.find(name);
    return it == tensorIndex_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::tensor(const std::string& name) const {
    if (const GgufTensorInfo* t = findTensor(name)) return *t;
    throw GgufError(name_ + ": has no tensor named '" + name + "'");
}

}  // namespace ps
