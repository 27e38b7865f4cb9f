#include "runner/prompt_tokens.h"

#include "runner/chat_prompt.h"
#include "tokenizer/tokenizer.h"

namespace ps {

PromptTokenizer::PromptTokenizer(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

std::vector<int32_t> PromptTokenizer::encodeChat(const ChatPrompt& prompt, bool addBos) const {
    // A content the template changed beyond finding (see chat_prompt.h) may sit
    // anywhere; if it could become a control token, nothing is parsed.
    for (const std::string& content : prompt.unplaced) {
        if (holdsControlText(content)) {
            return withBos(tokenizer_.encode(prompt.text, false, SpecialTokens::AsText), addBos);
        }
    }
    return withBos(tokenizer_.encodeMarkup(prompt.text, false, prompt.literal), addBos);
}

std::vector<int32_t> PromptTokenizer::encode(const std::string& text, bool addBos) const {
    return withBos(tokenizer_.encode(text, false, SpecialTokens::Parse), addBos);
}

bool PromptTokenizer::holdsControlText(const std::string& text) const {
    for (const int32_t id : tokenizer_.encode(text, false, SpecialTokens::Parse)) {
        const TokenKind kind = tokenizer_.kind(id);
        if (kind == TokenKind::Control || kind == TokenKind::Unknown) return true;
    }
    return false;
}

std::vector<int32_t> PromptTokenizer::withBos(std::vector<int32_t> ids, bool addBos) const {
    if (addBos && tokenizer_.bosId() >= 0 && (ids.empty() || ids.front() != tokenizer_.bosId())) {
        ids.insert(ids.begin(), tokenizer_.bosId());
    }
    return ids;
}

}  // namespace ps
