#pragma once
// GPT-2's byte-level alphabet (openai/gpt-2 encoder.py, bytes_to_unicode): every
// byte is spelled as one printable code point, so that a byte-level BPE
// vocabulary stores arbitrary bytes as text. Bytes '!'..'~', U+00A1..U+00AC and
// U+00AE..U+00FF stand for themselves; the other 68 take U+0100.. in byte order
// (a space is "Ġ" U+0120, a newline "Ċ" U+010A).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ps::byte_level {

// The code point byte `b` is spelled as.
char32_t codePointOfByte(uint8_t b);

// The UTF-8 spelling of each byte (1 or 2 bytes long), indexed by byte.
const std::array<std::string, 256>& utf8OfBytes();

// `bytes` spelled in the byte-level alphabet.
std::string encode(std::string_view bytes);

// The bytes a byte-level string stands for. A character outside the alphabet
// (a vocabulary piece that is not byte-level, e.g. an added token) is copied
// as it is.
std::string decode(std::string_view text);

}  // namespace ps::byte_level
