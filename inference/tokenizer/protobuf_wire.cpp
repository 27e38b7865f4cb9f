#include "tokenizer/protobuf_wire.h"

#include <cstring>
#include <stdexcept>

namespace ps::protobuf {

void WireWriter::key(uint32_t field, WireType type) {
    varint((static_cast<uint64_t>(field) << 3) | static_cast<uint32_t>(type));
}

void WireWriter::varint(uint64_t value) {
    while (value >= 0x80) {
        buffer_.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    buffer_.push_back(static_cast<char>(value));
}

void WireWriter::varintField(uint32_t field, uint64_t value) {
    key(field, WireType::Varint);
    varint(value);
}

void WireWriter::int32Field(uint32_t field, int32_t value) {
    // Sign-extended to 64 bits, as protobuf does for int32 (not zigzag).
    varintField(field, static_cast<uint64_t>(static_cast<int64_t>(value)));
}

void WireWriter::floatField(uint32_t field, float value) {
    key(field, WireType::Fixed32);
    uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    for (int i = 0; i < 4; ++i) buffer_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void WireWriter::bytesField(uint32_t field, std::string_view bytes) {
    key(field, WireType::LengthDelimited);
    varint(bytes.size());
    buffer_.append(bytes);
}

float WireField::asFloat() const {
    float value = 0;
    std::memcpy(&value, &fixed32, sizeof value);
    return value;
}

uint64_t WireReader::varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos_ >= data_.size()) {
            throw std::runtime_error("truncated varint at byte " + std::to_string(pos_));
        }
        const auto byte = static_cast<uint8_t>(data_[pos_++]);
        value |= static_cast<uint64_t>(byte & 0x7F) << shift;
        if (byte < 0x80) return value;
    }
    throw std::runtime_error("varint longer than ten bytes at byte " + std::to_string(pos_));
}

std::optional<WireField> WireReader::next() {
    if (pos_ >= data_.size()) return std::nullopt;
    const size_t start = pos_;
    const uint64_t fieldKey = varint();
    WireField field;
    field.number = static_cast<uint32_t>(fieldKey >> 3);
    if (field.number == 0) {
        throw std::runtime_error("field number 0 at byte " + std::to_string(start));
    }
    switch (fieldKey & 7) {
        case 0:
            field.type = WireType::Varint;
            field.varint = varint();
            break;
        case 1:
            field.type = WireType::Fixed64;
            if (data_.size() - pos_ < 8) {
                throw std::runtime_error("truncated 64-bit field at byte " + std::to_string(start));
            }
            pos_ += 8;
            break;
        case 2: {
            field.type = WireType::LengthDelimited;
            const uint64_t length = varint();
            if (length > data_.size() - pos_) {
                throw std::runtime_error("field " + std::to_string(field.number) + " at byte " +
                                         std::to_string(start) + " claims " +
                                         std::to_string(length) + " bytes, " +
                                         std::to_string(data_.size() - pos_) + " remain");
            }
            field.bytes = data_.substr(pos_, length);
            pos_ += length;
            break;
        }
        case 5:
            field.type = WireType::Fixed32;
            if (data_.size() - pos_ < 4) {
                throw std::runtime_error("truncated 32-bit field at byte " + std::to_string(start));
            }
            for (int i = 0; i < 4; ++i) {
                field.fixed32 |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i]))
                                 << (8 * i);
            }
            pos_ += 4;
            break;
        default:
            throw std::runtime_error("unsupported wire type " + std::to_string(fieldKey & 7) +
                                     " at byte " + std::to_string(start));
    }
    return field;
}

}  // namespace ps::protobuf
