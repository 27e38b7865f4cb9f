#pragma once
// Hand-assembled GGUF bytes for the hostile-input tests: every field written
// explicitly, so a test can put any value (a wrong count, an absurd length)
// exactly where the reader will find it.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ps::test {

class RawGguf {
public:
    RawGguf& bytes(const void* data, size_t n) {
        const size_t at = out.size();
        out.resize(at + n);
        if (n) std::memcpy(out.data() + at, data, n);
        return *this;
    }
    RawGguf& u8(uint8_t v) { return bytes(&v, 1); }
    RawGguf& u32(uint32_t v) { return bytes(&v, 4); }
    RawGguf& u64(uint64_t v) { return bytes(&v, 8); }
    RawGguf& f32(float v) { return bytes(&v, 4); }
    RawGguf& str(const std::string& s) {
        u64(s.size());
        return bytes(s.data(), s.size());
    }
    // "GGUF", version, tensor count, metadata count.
    RawGguf& header(uint64_t tensorCount, uint64_t kvCount, uint32_t version = 3) {
        bytes("GGUF", 4);
        u32(version);
        u64(tensorCount);
        return u64(kvCount);
    }
    // One tensor table entry.
    RawGguf& tensor(const std::string& name, const std::vector<uint64_t>& dims, uint32_t type,
                    uint64_t offset) {
        str(name);
        u32(static_cast<uint32_t>(dims.size()));
        for (uint64_t d : dims) u64(d);
        u32(type);
        return u64(offset);
    }
    // Zero padding to the next multiple of `alignment`, then `dataBytes` bytes of data.
    RawGguf& data(uint64_t dataBytes, uint64_t alignment = 32) {
        out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
        out.resize(out.size() + dataBytes, 0x5a);
        return *this;
    }

    std::vector<uint8_t> out;
};

}  // namespace ps::test
