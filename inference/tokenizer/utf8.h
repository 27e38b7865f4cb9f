#pragma once
// Strict UTF-8 checking (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF) for handing out text that is always valid, even when a
// character's bytes arrive in several tokens.
#include <cstddef>
#include <string>
#include <string_view>

namespace ps::utf8 {

enum class SequenceStatus {
    Complete,    // a whole, valid character of `length` bytes
    Incomplete,  // the text ends inside a sequence that could still become valid
    Invalid,     // the byte at `pos` can never start a valid character here
};

struct Sequence {
    SequenceStatus status = SequenceStatus::Invalid;
    size_t length = 1;  // Complete: bytes of the character; otherwise 1
};

// The character that starts at text[pos] (pos < text.size()).
Sequence inspect(std::string_view text, size_t pos);

bool isValid(std::string_view text);

// U+FFFD, the replacement character, in UTF-8.
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

}  // namespace ps::utf8
