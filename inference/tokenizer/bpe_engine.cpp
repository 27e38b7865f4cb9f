#include "tokenizer/bpe_engine.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

#include "tokenizer/bpe_merge_table.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/utf8.h"

namespace ps {
namespace {

// The working memory of one encode() call: the ids of every word seen in the
// call (text repeats its words, and a cached word skips the merges), and the
// buffers of the merge loop, reused word after word.
struct EncodeSession {
    struct Span {
        uint32_t offset;
        uint32_t count;
    };
    std::unordered_map<std::string_view, Span> wordIds;  // keys point into the text
    std::vector<int32_t> idPool;                         // the ids of the cached words

    struct Symbol {
        int32_t id;
        int32_t prev;  // index of the previous live symbol, -1 at the start
        int32_t next;  // index of the next live symbol, -1 at the end
    };
    struct Candidate {
        int32_t rank;
        int32_t left;  // index of the left symbol
        int32_t leftId, rightId;
        // Lowest rank first; among equal ranks the leftmost (as GPT-2's loop).
        bool operator<(const Candidate& other) const {
            return rank != other.rank ? rank > other.rank : left > other.left;
        }
    };
    std::vector<Symbol> symbols;
    std::vector<Candidate> heapStorage;
    std::string spelled;  // a word in the byte-level alphabet
    std::vector<std::string_view> words;
};

class BpeEngine final : public TokenizerEngine {
public:
    BpeEngine(const Vocabulary& vocab, const PreTokenizer& preTokenizer, const std::string& source)
        : vocab_(vocab), preTokenizer_(preTokenizer) {
        idOfPiece_.reserve(vocab.pieces.size());
        for (int32_t id = 0; id < vocab.size(); ++id) idOfPiece_.emplace(vocab.pieces[id], id);

        const auto& spelling = byte_level::utf8OfBytes();
        for (int b = 0; b < 256; ++b) byteId_[b] = findId(spelling[b]);

        // "left right", rank = position in the list. A merge whose halves or
        // result are not pieces can never apply to ids and is left out.
        merges_.reserve(vocab.merges.size());
        std::string joined;
        for (size_t rank = 0; rank < vocab.merges.size(); ++rank) {
            const std::string& merge = vocab.merges[rank];
            // The first space after the first character separates the halves.
            const size_t space = merge.find(' ', 1);
            if (space == std::string::npos) {
                throw TokenizerError(source + ": tokenizer.ggml.merges[" + std::to_string(rank) +
                                     "] \"" + merge + "\" is not two pieces separated by a space");
            }
            const std::string_view left(merge.data(), space);
            const std::string_view right(merge.data() + space + 1, merge.size() - space - 1);
            joined.assign(left);
            joined.append(right);
            const int32_t leftId = findId(left), rightId = findId(right), result = findId(joined);
            if (leftId < 0 || rightId < 0 || result < 0) continue;
            merges_.add(leftId, rightId, static_cast<int32_t>(rank), result);
        }

        // What each id decodes to, computed once: pieces spell bytes in the
        // byte-level alphabet; added tokens (user-defined) are stored as plain
        // text; control and placeholder tokens show nothing.
        bytesOf_.resize(vocab.pieces.size());
        for (int32_t id = 0; id < vocab.size(); ++id) {
            switch (vocab.kinds[id]) {
                case TokenKind::Normal:
                case TokenKind::Byte:
                    bytesOf_[id] = byte_level::decode(vocab.pieces[id]);
                    break;
                case TokenKind::UserDefined:
                    bytesOf_[id] = vocab.pieces[id];
                    break;
                default:
                    break;
            }
        }
    }

    std::vector<int32_t> encode(const std::string& text) const override {
        std::vector<int32_t> ids;
        EncodeSession session;
        preTokenizer_.split(text, session.words);
        session.wordIds.reserve(std::min<size_t>(session.words.size(), 1 << 16));
        ids.reserve(text.size() / 3);
        for (const std::string_view word : session.words) {
            const auto found = session.wordIds.find(word);
            if (found != session.wordIds.end()) {
                const auto begin = session.idPool.begin() + found->second.offset;
                ids.insert(ids.end(), begin, begin + found->second.count);
                continue;
            }
            const size_t offset = session.idPool.size();
            encodeWord(word, session);
            const auto count = static_cast<uint32_t>(session.idPool.size() - offset);
            session.wordIds.emplace(word,
                                    EncodeSession::Span{static_cast<uint32_t>(offset), count});
            ids.insert(ids.end(), session.idPool.begin() + offset, session.idPool.end());
        }
        return ids;
    }

    std::string decode(const std::vector<int32_t>& ids) const override {
        std::string bytes;
        for (const int32_t id : ids) bytes += bytesOf_[id];
        // Bytes that do not form whole characters become U+FFFD (one per byte),
        // as TokenTextStream shows them.
        if (utf8::isValid(bytes)) return bytes;
        std::string text;
        for (size_t pos = 0; pos < bytes.size();) {
            const utf8::Sequence s = utf8::inspect(bytes, pos);
            if (s.status == utf8::SequenceStatus::Complete) {
                text.append(bytes, pos, s.length);
                pos += s.length;
            } else {
                text.append(utf8::kReplacement);
                pos += 1;
            }
        }
        return text;
    }

    std::string tokenBytes(int32_t id, int32_t /*previous*/) const override { return bytesOf_[id]; }

private:
    int32_t findId(std::string_view piece) const {
        const auto it = idOfPiece_.find(piece);
        return it == idOfPiece_.end() ? -1 : it->second;
    }

    // Appends the ids of one word to session.idPool.
    void encodeWord(std::string_view word, EncodeSession& session) const {
        std::vector<int32_t>& out = session.idPool;
        // Llama 3 (ignore_merges in its tokenizer.json): a word that is a piece
        // as a whole is that piece, even where the merges would cut it.
        if (vocab_.ignoreMerges && word.size() > 1) {
            session.spelled.clear();
            const auto& spelling = byte_level::utf8OfBytes();
            for (const char c : word) session.spelled += spelling[static_cast<uint8_t>(c)];
            const int32_t whole = findId(session.spelled);
            if (whole >= 0) {
                out.push_back(whole);
                return;
            }
        }
        auto& symbols = session.symbols;
        symbols.clear();
        const auto n = static_cast<int32_t>(word.size());
        for (int32_t i = 0; i < n; ++i) {
            symbols.push_back(
                {byteId_[static_cast<uint8_t>(word[i])], i - 1, i + 1 < n ? i + 1 : -1});
        }
        if (n > 1) mergeSymbols(session);
        // A byte the vocabulary cannot spell is dropped, as llama.cpp drops it.
        for (int32_t i = 0; i >= 0; i = symbols[i].next) {
            if (symbols[i].id >= 0) out.push_back(symbols[i].id);
        }
    }

    // Applies the merges: the lowest-rank adjacent pair first, until none applies.
    // A heap of candidate pairs, checked when taken (a pair whose symbols have
    // changed since it was pushed is stale), keeps long words O(n log n).
    void mergeSymbols(EncodeSession& session) const {
        auto& symbols = session.symbols;
        auto& heap = session.heapStorage;  // a binary heap (std::push_heap) on a reused buffer
        heap.clear();
        const auto consider = [&](int32_t left) {
            const int32_t right = symbols[left].next;
            if (right < 0) return;
            const BpeMergeTable::Merge merge = merges_.find(symbols[left].id, symbols[right].id);
            if (merge.rank < 0) return;
            heap.push_back({merge.rank, left, symbols[left].id, symbols[right].id});
            std::push_heap(heap.begin(), heap.end());
        };
        for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) consider(i);
        while (!heap.empty()) {
            std::pop_heap(heap.begin(), heap.end());
            const EncodeSession::Candidate top = heap.back();
            heap.pop_back();
            EncodeSession::Symbol& left = symbols[top.left];
            if (left.id != top.leftId || left.next < 0) continue;  // merged away or changed
            EncodeSession::Symbol& right = symbols[left.next];
            if (right.id != top.rightId) continue;
            left.id = merges_.find(top.leftId, top.rightId).result;
            right.id = -2;  // dead: never equals a candidate's id
            left.next = right.next;
            if (left.next >= 0) symbols[left.next].prev = top.left;
            if (left.prev >= 0) consider(left.prev);
            consider(top.left);
        }
    }

    const Vocabulary& vocab_;
    const PreTokenizer& preTokenizer_;
    std::unordered_map<std::string_view, int32_t> idOfPiece_;  // views of vocab_.pieces
    std::array<int32_t, 256> byteId_{};                        // the piece of each single byte
    BpeMergeTable merges_;
    std::vector<std::string> bytesOf_;
};

}  // namespace

std::unique_ptr<TokenizerEngine> makeBpeEngine(const Vocabulary& vocab,
                                               const PreTokenizer& preTokenizer,
                                               const std::string& source) {
    return std::make_unique<BpeEngine>(vocab, preTokenizer, source);
}

}  // namespace ps
