#pragma once
// The few pieces of the protocol-buffer wire format that a SentencePiece
// ModelProto needs: varints, length-delimited fields and 32-bit floats
// (https://protobuf.dev/programming-guides/encoding/). Debian's
// libsentencepiece-dev ships no generated ModelProto classes, so the tokenizer
// writes and reads the message itself.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ps::protobuf {

// Wire types (the low three bits of a field key).
enum class WireType : uint32_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

// Appends fields to a message buffer.
class WireWriter {
public:
    void varintField(uint32_t field, uint64_t value);
    // int32 fields encode negative values as ten-byte two's-complement varints.
    void int32Field(uint32_t field, int32_t value);
    void boolField(uint32_t field, bool value) { varintField(field, value ? 1 : 0); }
    void floatField(uint32_t field, float value);
    void bytesField(uint32_t field, std::string_view bytes);  // also strings and sub-messages

    const std::string& bytes() const { return buffer_; }

private:
    void key(uint32_t field, WireType type);
    void varint(uint64_t value);
    std::string buffer_;
};

// One field as read from a message.
struct WireField {
    uint32_t number = 0;
    WireType type = WireType::Varint;
    uint64_t varint = 0;    // Varint
    uint32_t fixed32 = 0;   // Fixed32 (reinterpret as float with asFloat())
    std::string_view bytes;  // LengthDelimited: points into the message

    float asFloat() const;
};

// Walks the fields of one message. next() returns nullopt at the end and
// throws std::runtime_error on truncated or malformed input (the caller adds
// which file it was).
class WireReader {
public:
    explicit WireReader(std::string_view message) : data_(message) {}
    std::optional<WireField> next();
    size_t offset() const { return pos_; }

private:
    uint64_t varint();
    std::string_view data_;
    size_t pos_ = 0;
};

}  // namespace ps::protobuf
