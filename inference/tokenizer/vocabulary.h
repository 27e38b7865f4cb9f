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
    std::string model;  // tokenizer.ggml.model ("llama" = SentencePiece, "gpt2" = byte-level BPE)
    std::string architecture;  // general.architecture of a GGUF file, "" otherwise
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

    // Byte-level BPE ("gpt2") only: the merges ("left right", rank = index),
    // the pre-tokenizer's name (tokenizer.ggml.pre), and whether a word that is
    // a piece as a whole skips the merges (Llama 3's ignore_merges).
    std::vector<std::string> merges;
    std::string preTokenizer;
    bool ignoreMerges = false;

    // Special tokens after which whitespace is dropped when they are matched in
    // text (the rstrip of Phi-3's added tokens in its tokenizer.json).
    std::vector<int32_t> stripSpaceAfter;

    int32_t size() const { return static_cast<int32_t>(pieces.size()); }
};

}  // namespace ps
