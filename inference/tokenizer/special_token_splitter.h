#pragma once
// Cuts text at the texts of special tokens before the engine sees it. Which
// ones: user-defined tokens always (they are ordinary pieces that a vocabulary
// added, e.g. Qwen's "<think>", and the models' own tokenizers match them in
// any text); control tokens (and unknown-typed placeholders) only when the
// caller asks, because a user who types "<|im_end|>" must not end a turn.
// Matching is leftmost-longest, as Hugging Face's added-token matcher.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/vocabulary.h"

namespace ps {

class SpecialTokenSplitter {
public:
    struct Part {
        std::string_view text;  // plain text (id < 0) or the matched token's text
        int32_t id = -1;        // the special token, or -1 for plain text
    };

    explicit SpecialTokenSplitter(const Vocabulary& vocab);

    // The parts of `text` in order; plain parts are never empty. With
    // `matchControl`, a control token is not matched where it would overlap one
    // of `literal` (byte ranges, sorted, not overlapping): text a person wrote.
    std::vector<Part> split(std::string_view text, bool matchControl,
                            const std::vector<TextRange>& literal = {}) const;

private:
    struct Candidate {
        std::string_view text;
        int32_t id;
        bool control;  // matched only when asked
        bool stripSpaceAfter;
    };
    // By first byte, longest first.
    std::array<std::vector<Candidate>, 256> byFirstByte_;
};

}  // namespace ps
