#pragma once
// Tokenizing a rendered chat prompt. A chat template writes its special tokens
// as text ("<|im_start|>user\n...<|im_end|>"); those must become their token
// ids, not the characters "<", "|", ...; the message contents inside must stay
// text whatever they hold (see chat_prompt.h). The plain parts are encoded as
// llama.cpp and Hugging Face encode the same text.
//
// Prefix reuse depends on this being deterministic and local: the same leading
// text always gives the same leading tokens (a piece never spans a
// special-token boundary), so the app's fixed preamble is token-identical from
// run to run and the Generator finds it in the KV cache.
#include <cstdint>
#include <string>
#include <vector>

namespace ps {

class Tokenizer;
struct ChatPrompt;

class PromptTokenizer {
public:
    explicit PromptTokenizer(const Tokenizer& tokenizer);

    // Ids of a chat prompt: control-token texts outside the message contents
    // become their ids, the contents stay text. A BOS is put first when
    // `addBos` and the prompt does not already start with one.
    std::vector<int32_t> encodeChat(const ChatPrompt& prompt, bool addBos) const;

    // Ids of `text` with every special-token text turned into its id: only for
    // text that holds nothing a person wrote. BOS as in encodeChat.
    std::vector<int32_t> encode(const std::string& text, bool addBos) const;

    // Whether `text` holds the text of a control token of the vocabulary.
    bool holdsControlText(const std::string& text) const;

private:
    std::vector<int32_t> withBos(std::vector<int32_t> ids, bool addBos) const;
    const Tokenizer& tokenizer_;
};

}  // namespace ps
