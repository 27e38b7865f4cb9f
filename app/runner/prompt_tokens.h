#pragma once
// Tokenizing a rendered chat prompt. A chat template writes its special tokens
// as text ("<s>[INST] hi [/INST]"); those must become their token ids, not the
// characters "<", "s", ">". The text is split at every control piece of the
// vocabulary and the plain parts are encoded one by one, as llama.cpp and
// Hugging Face do for the same text.
//
// Prefix reuse depends on this being deterministic and local: the same leading
// text always gives the same leading tokens (a SentencePiece piece never spans
// a whitespace or special-token boundary), so the app's fixed preamble is
// token-identical from run to run and the Generator finds it in the KV cache.
#include <cstdint>
#include <string>
#include <vector>

namespace ps {

class Tokenizer;

class PromptTokenizer {
public:
    explicit PromptTokenizer(const Tokenizer& tokenizer);

    // Ids of `text` with special-token texts turned into their ids. A BOS is put
    // first when `addBos` and the text does not already start with one.
    std::vector<int32_t> encode(const std::string& text, bool addBos) const;

private:
    const Tokenizer& tokenizer_;
};

}  // namespace ps
