#include "tokenizer/byte_level.h"

#include "tokenizer/utf8.h"

namespace ps::byte_level {
namespace {

bool standsForItself(uint8_t b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
}

struct Tables {
    std::array<char32_t, 256> codePoint{};
    std::array<std::string, 256> utf8;
    // Code points up to U+0143 (the highest the alphabet uses) -> byte + 1, 0 = none.
    std::array<uint16_t, 0x144> byteOf{};

    Tables() {
        char32_t next = 0x100;
        for (int b = 0; b < 256; ++b) {
            const char32_t cp =
                standsForItself(static_cast<uint8_t>(b)) ? static_cast<char32_t>(b) : next++;
            codePoint[b] = cp;
            byteOf[cp] = static_cast<uint16_t>(b + 1);
            // Every code point here is below U+0800: one or two UTF-8 bytes.
            if (cp < 0x80) {
                utf8[b] = std::string(1, static_cast<char>(cp));
            } else {
                utf8[b] = {static_cast<char>(0xC0 | (cp >> 6)),
                           static_cast<char>(0x80 | (cp & 0x3F))};
            }
        }
    }
};

const Tables& tables() {
    static const Tables instance;
    return instance;
}

}  // namespace

char32_t codePointOfByte(uint8_t b) {
    return tables().codePoint[b];
}

const std::array<std::string, 256>& utf8OfBytes() {
    return tables().utf8;
}

std::string encode(std::string_view bytes) {
    const auto& utf8 = tables().utf8;
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) out += utf8[static_cast<uint8_t>(c)];
    return out;
}

std::string decode(std::string_view text) {
    const Tables& t = tables();
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        const utf8::Sequence s = utf8::inspect(text, pos);
        if (s.status != utf8::SequenceStatus::Complete) {
            out.push_back(text[pos++]);
            continue;
        }
        char32_t cp = 0;
        const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
        if (s.length == 1) cp = byte(0);
        if (s.length == 2) cp = ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
        if (s.length <= 2 && cp < t.byteOf.size() && t.byteOf[cp] != 0) {
            out.push_back(static_cast<char>(t.byteOf[cp] - 1));
        } else {
            out.append(text, pos, s.length);
        }
        pos += s.length;
    }
    return out;
}

}  // namespace ps::byte_level
