#include "tokenizer/utf8.h"

#include <cstdint>

namespace ps::utf8 {

Sequence inspect(std::string_view text, size_t pos) {
    const auto byteAt = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    const uint8_t lead = byteAt(pos);
    if (lead < 0x80) return {SequenceStatus::Complete, 1};
    // Length and the allowed range of the second byte (Unicode Table 3-7,
    // "Well-Formed UTF-8 Byte Sequences"): the narrowed ranges exclude overlong
    // forms (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
    size_t length = 0;
    uint8_t secondLow = 0x80, secondHigh = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) secondLow = 0xA0;
        if (lead == 0xED) secondHigh = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) secondLow = 0x90;
        if (lead == 0xF4) secondHigh = 0x8F;
    } else {
        return {SequenceStatus::Invalid, 1};  // continuation byte, C0, C1, F5..FF
    }
    for (size_t i = 1; i < length; ++i) {
        if (pos + i >= text.size()) return {SequenceStatus::Incomplete, 1};
        const uint8_t b = byteAt(pos + i);
        const uint8_t low = i == 1 ? secondLow : 0x80;
        const uint8_t high = i == 1 ? secondHigh : 0xBF;
        if (b < low || b > high) return {SequenceStatus::Invalid, 1};
    }
    return {SequenceStatus::Complete, length};
}

bool isValid(std::string_view text) {
    for (size_t pos = 0; pos < text.size();) {
        const Sequence s = inspect(text, pos);
        if (s.status != SequenceStatus::Complete) return false;
        pos += s.length;
    }
    return true;
}

}  // namespace ps::utf8
