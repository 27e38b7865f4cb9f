#pragma once
// The vocabulary a tokenizer is built from, whatever it was read from (GGUF
// tokenizer.ggml.* metadata or a SentencePiece `.model`). Internal to the
// tokenizer component.
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace ps {

struct Vocabulary {
    std::string model;  // tokenizer.ggml.model ("llama" = SentencePiece)
    std::vector<std::string> pieces;
    std::vector<float> scores;
    std::vector<TokenKind> kinds;
    int32_t bos = -1;  // -1: the vocabulary has none
    int32_t eos = -1;
    int32_t unk = -1;
    int32_t pad = -1;
    bool addBos = true;
    // SentencePiece NormalizerSpec: prefix the text with a space ("▁Hello" for
    // "Hello"), and whether runs of spaces are collapsed.
    bool addSpacePrefix = true;
    bool removeExtraWhitespaces = false;
    // What the unknown token decodes to (SentencePiece's TrainerSpec.unk_surface).
    std::string unknownSurface = " \xE2\x81\x87 ";  // " ⁇ "

    int32_t size() const { return static_cast<int32_t>(pieces.size()); }
};

}  // namespace ps
