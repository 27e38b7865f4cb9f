#pragma once
// A bounds-checked little-endian reader over a GGUF image. Every read checks
// the bytes left first, so a truncated or hostile file ends in a GgufError that
// names the file, the byte offset and what was being read, never in a read past
// the end.
#include <cstdint>
#include <cstring>
#include <string>

#include "gguf/gguf_file.h"

namespace ps {

class GgufCursor {
public:
    GgufCursor(const uint8_t* base, uint64_t size, const std::string& fileName)
        : base_(base), size_(size), fileName_(fileName) {}

    uint64_t position() const { return position_; }
    uint64_t remaining() const { return size_ - position_; }
    const std::string& fileName() const { return fileName_; }

    // "<file>: <what> at byte offset <offset>" as a GgufError.
    [[noreturn]] void fail(const std::string& what, uint64_t offset) const {
        throw GgufError(fileName_ + ": " + what + " (at byte offset " + std::to_string(offset) +
                        ")");
    }
    [[noreturn]] void fail(const std::string& what) const { fail(what, position_); }

    // Throws unless `bytes` more bytes are there to read `what`.
    void require(uint64_t bytes, const std::string& what) const {
        if (bytes > remaining()) {
            fail("file ends while reading " + what + ": needs " + std::to_string(bytes) +
                 " bytes, " + std::to_string(remaining()) + " left");
        }
    }

    uint8_t readU8(const char* what) { return readScalar<uint8_t>(what); }
    uint16_t readU16(const char* what) { return readScalar<uint16_t>(what); }
    uint32_t readU32(const char* what) { return readScalar<uint32_t>(what); }
    uint64_t readU64(const char* what) { return readScalar<uint64_t>(what); }

    // A GGUF string: uint64 length, then that many bytes (no terminator).
    std::string readString(const std::string& what) {
        const uint64_t start = position_;
        const uint64_t length = readU64("a string length");
        if (length > remaining()) {
            fail(what + " claims a length of " + std::to_string(length) + " bytes, but only " +
                     std::to_string(remaining()) + " bytes are left in the file",
                 start);
        }
        std::string s(reinterpret_cast<const char*>(base_ + position_), static_cast<size_t>(length));
        position_ += length;
        return s;
    }

    void skipTo(uint64_t position) { position_ = position; }

private:
    // The host is little-endian (x86-64, aarch64), as GGUF is.
    template <typename T>
    T readScalar(const char* what) {
        require(sizeof(T), what);
        T value;
        std::memcpy(&value, base_ + position_, sizeof(T));
        position_ += sizeof(T);
        return value;
    }

    const uint8_t* base_;
    uint64_t size_;
    uint64_t position_ = 0;
    std::string fileName_;
};

}  // namespace ps
