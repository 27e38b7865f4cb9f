#include "runner/prompt_tokens.h"

#include <algorithm>

#include "tokenizer/tokenizer.h"

namespace ps {

PromptTokenizer::PromptTokenizer(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {
    for (int32_t id = 0; id < tokenizer.vocabSize(); ++id) {
        const TokenKind kind = tokenizer.kind(id);
        if (kind != TokenKind::Control && kind != TokenKind::UserDefined) continue;
        std::string text = tokenizer.piece(id);
        if (!text.empty()) specials_.push_back({std::move(text), id});
    }
    std::stable_sort(specials_.begin(), specials_.end(),
                     [](const Special& a, const Special& b) { return a.text.size() > b.text.size(); });
}

std::vector<int32_t> PromptTokenizer::encode(const std::string& text, bool addBos) const {
    std::vector<int32_t> ids;
    size_t position = 0;
    auto encodePlain = [&](size_t end) {
        if (end <= position) return;
        const std::vector<int32_t> part = tokenizer_.encode(text.substr(position, end - position), false);
        ids.insert(ids.end(), part.begin(), part.end());
    };
    while (position < text.size()) {
        // The earliest special piece from here; the longest one where several start there.
        size_t bestAt = std::string::npos;
        const Special* best = nullptr;
        for (const Special& special : specials_) {
            const size_t at = text.find(special.text, position);
            if (at < bestAt) {
                bestAt = at;
                best = &special;
            }
        }
        if (!best) break;
        encodePlain(bestAt);
        ids.push_back(best->id);
        position = bestAt + best->text.size();
    }
    encodePlain(text.size());
    if (addBos && (ids.empty() || ids.front() != tokenizer_.bosId())) {
        ids.insert(ids.begin(), tokenizer_.bosId());
    }
    return ids;
}

}  // namespace ps
