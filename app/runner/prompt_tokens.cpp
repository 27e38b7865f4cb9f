#include "runner/prompt_tokens.h"

#include "tokenizer/tokenizer.h"

namespace ps {

PromptTokenizer::PromptTokenizer(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

std::vector<int32_t> PromptTokenizer::encode(const std::string& text, bool addBos) const {
    std::vector<int32_t> ids = tokenizer_.encode(text, false, SpecialTokens::Parse);
    if (addBos && tokenizer_.bosId() >= 0 && (ids.empty() || ids.front() != tokenizer_.bosId())) {
        ids.insert(ids.begin(), tokenizer_.bosId());
    }
    return ids;
}

}  // namespace ps
