#include "tokenizer/special_token_splitter.h"

#include <algorithm>
#include <unordered_set>

namespace ps {

SpecialTokenSplitter::SpecialTokenSplitter(const Vocabulary& vocab) {
    const std::unordered_set<int32_t> strip(vocab.stripSpaceAfter.begin(),
                                            vocab.stripSpaceAfter.end());
    for (int32_t id = 0; id < vocab.size(); ++id) {
        const TokenKind kind = vocab.kinds[id];
        const bool control = kind == TokenKind::Control || kind == TokenKind::Unknown;
        if (!control && kind != TokenKind::UserDefined) continue;
        const std::string& piece = vocab.pieces[id];
        if (piece.empty()) continue;
        byFirstByte_[static_cast<uint8_t>(piece[0])].push_back(
            {piece, id, control, strip.count(id) > 0});
    }
    for (auto& candidates : byFirstByte_) {
        std::stable_sort(
            candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.text.size() > b.text.size(); });
    }
}

std::vector<SpecialTokenSplitter::Part> SpecialTokenSplitter::split(
    std::string_view text, bool matchControl, const std::vector<TextRange>& literal) const {
    std::vector<Part> parts;
    size_t plainStart = 0;
    size_t pos = 0;
    size_t nextLiteral = 0;  // the first range that does not end at or before `pos`
    while (pos < text.size()) {
        const auto& candidates = byFirstByte_[static_cast<uint8_t>(text[pos])];
        if (candidates.empty()) {
            ++pos;
            continue;
        }
        while (nextLiteral < literal.size() && literal[nextLiteral].end <= pos) ++nextLiteral;
        const Candidate* found = nullptr;
        for (const Candidate& candidate : candidates) {
            if (candidate.control) {
                if (!matchControl) continue;
                const size_t end = pos + candidate.text.size();
                if (nextLiteral < literal.size() && literal[nextLiteral].begin < end) continue;
            }
            if (text.compare(pos, candidate.text.size(), candidate.text) == 0) {
                found = &candidate;
                break;
            }
        }
        if (!found) {
            ++pos;
            continue;
        }
        if (pos > plainStart) parts.push_back({text.substr(plainStart, pos - plainStart), -1});
        parts.push_back({found->text, found->id});
        pos += found->text.size();
        if (found->stripSpaceAfter) {
            while (pos < text.size() &&
                   (text[pos] == ' ' || (text[pos] >= '\t' && text[pos] <= '\r')))
                ++pos;
        }
        plainStart = pos;
    }
    if (pos > plainStart) parts.push_back({text.substr(plainStart, pos - plainStart), -1});
    return parts;
}

}  // namespace ps
