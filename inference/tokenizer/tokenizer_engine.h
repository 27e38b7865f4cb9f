#pragma once
// What differs between kinds of vocabulary: how text becomes ids and ids
// become bytes. Tokenizer owns the vocabulary table (pieces, kinds, special
// ids) and forwards to one engine. Today there is the SentencePiece engine
// (GGUF "llama" vocabularies and `.model` files); a byte-level BPE engine for
// GGUF "gpt2" vocabularies (Llama 3, Qwen) is meant to be a second one.
#include <cstdint>
#include <string>
#include <vector>

namespace ps {

class TokenizerEngine {
public:
    virtual ~TokenizerEngine() = default;
    // Ids of `text`, without BOS. Throws TokenizerError.
    virtual std::vector<int32_t> encode(const std::string& text) const = 0;
    // Text of a whole sequence; ids are in range (checked by the caller).
    virtual std::string decode(const std::vector<int32_t>& ids) const = 0;
    // Raw bytes of `id` after `previous` (-1 at the start); see Tokenizer::tokenBytes.
    virtual std::string tokenBytes(int32_t id, int32_t previous) const = 0;
};

}  // namespace ps
