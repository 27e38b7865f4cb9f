#include "tokenizer/sentencepiece_engine.h"

#include <sentencepiece_processor.h>

#include <algorithm>
#include <exception>
#include <cstdio>
#include <string_view>
#include <unordered_map>

namespace ps {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // "▁" (U+2581), SentencePiece's space

// The byte a "<0xNN>" piece stands for, or -1.
int pieceByte(const std::string& piece) {
    unsigned value = 0;
    char tail = 0;
    if (piece.size() != 6 || std::sscanf(piece.c_str(), "<0x%2X%c", &value, &tail) != 2 ||
        tail != '>') {
        return -1;
    }
    return static_cast<int>(value);
}

class SentencePieceEngine final : public TokenizerEngine {
public:
    SentencePieceEngine(const Vocabulary& vocab, std::string_view serialized,
                        const std::string& source)
        : vocab_(vocab), source_(source) {
        // libsentencepiece puts these pieces into a trie of NUL-terminated keys that
        // throws (not a status) on an empty one, which would end the program: refuse
        // an empty piece, or one holding a NUL byte, here.
        for (int32_t id = 0; id < vocab.size(); ++id) {
            const TokenKind kind = vocab.kinds[id];
            const std::string& piece = vocab.pieces[id];
            if ((piece.empty() || piece.find('\0') != std::string::npos) &&
                (kind == TokenKind::Normal || kind == TokenKind::UserDefined || kind == TokenKind::Unused)) {
                throw TokenizerError(source + ": piece " + std::to_string(id) +
                                     (piece.empty() ? " is empty" : " holds a NUL byte") +
                                     " (a vocabulary piece is text of at least one character)");
            }
        }
        sentencepiece::util::Status status;
        try {
            status = processor_.LoadFromSerializedProto(serialized);
        } catch (const std::exception& e) {  // the library's own checks may throw
            throw TokenizerError(source + ": SentencePiece rejected the vocabulary: " + e.what());
        }
        if (!status.ok()) {
            throw TokenizerError(source + ": SentencePiece rejected the vocabulary: " +
                                 status.ToString());
        }
        if (processor_.GetPieceSize() != vocab.size()) {
            throw TokenizerError(source + ": SentencePiece loaded " +
                                 std::to_string(processor_.GetPieceSize()) + " pieces, expected " +
                                 std::to_string(vocab.size()));
        }
        byteOf_.resize(vocab.pieces.size(), -1);
        for (int32_t id = 0; id < vocab.size(); ++id) {
            if (vocab.kinds[id] == TokenKind::Byte) byteOf_[id] = pieceByte(vocab.pieces[id]);
        }
    }

    std::vector<int32_t> encode(const std::string& text) const override {
        std::vector<int> ids;
        const auto status = processor_.Encode(text, &ids);
        if (!status.ok()) {
            throw TokenizerError(source_ + ": SentencePiece could not encode the text: " +
                                 status.ToString());
        }
        return {ids.begin(), ids.end()};
    }

    std::string decode(const std::vector<int32_t>& ids) const override {
        const std::vector<int> asInt(ids.begin(), ids.end());
        std::string text;
        const auto status = processor_.Decode(asInt, &text);
        if (!status.ok()) {
            throw TokenizerError(source_ + ": SentencePiece could not decode: " + status.ToString());
        }
        return text;
    }

    // The rules of SentencePieceProcessor::Decode, one token at a time:
    // control pieces are invisible, the unknown piece shows its surface, a
    // byte piece is its byte, and a piece at the start of the text (first, or
    // right after BOS) loses the space the dummy prefix added.
    std::string tokenBytes(int32_t id, int32_t previous) const override {
        switch (vocab_.kinds[id]) {
            case TokenKind::Control: return {};
            case TokenKind::Unknown: return vocab_.unknownSurface;
            case TokenKind::Byte:
                if (byteOf_[id] >= 0) return std::string(1, static_cast<char>(byteOf_[id]));
                break;
            default: break;
        }
        std::string_view piece = vocab_.pieces[id];
        const bool atStart = previous < 0 || previous == vocab_.bos;
        if (atStart && (vocab_.addSpacePrefix || vocab_.removeExtraWhitespaces) &&
            piece.substr(0, kSpaceSymbol.size()) == kSpaceSymbol) {
            piece.remove_prefix(kSpaceSymbol.size());
        }
        std::string text;
        text.reserve(piece.size());
        for (size_t pos = 0; pos < piece.size();) {
            if (piece.compare(pos, kSpaceSymbol.size(), kSpaceSymbol) == 0) {
                text.push_back(' ');
                pos += kSpaceSymbol.size();
            } else {
                text.push_back(piece[pos++]);
            }
        }
        return text;
    }

private:
    const Vocabulary& vocab_;
    std::string source_;
    sentencepiece::SentencePieceProcessor processor_;
    std::vector<int> byteOf_;  // per id: the byte of a byte piece, else -1
};

}  // namespace

void prepareSentencePieceVocabulary(Vocabulary& vocab, const std::string& source) {
    const auto fail = [&](const std::string& what) { throw TokenizerError(source + ": " + what); };
    std::unordered_map<std::string_view, int32_t> firstId;
    firstId.reserve(vocab.pieces.size());
    for (int32_t id = 0; id < vocab.size(); ++id) {
        const std::string& piece = vocab.pieces[id];
        if (piece.empty()) fail("token " + std::to_string(id) + " is an empty string");
        const auto [it, inserted] = firstId.emplace(piece, id);
        if (!inserted) {
            fail("token " + std::to_string(id) + " \"" + piece + "\" repeats token " +
                 std::to_string(it->second));
        }
        if (vocab.kinds[id] == TokenKind::Byte && pieceByte(piece) < 0) {
            fail("token " + std::to_string(id) + " \"" + piece +
                 "\" has the byte type but is not spelled <0xNN>");
        }
    }
    // SentencePiece wants exactly one unknown piece. Vocabularies may mark
    // several (Phi-3 pads its vocabulary with unknown-typed "[PAD32011]"...):
    // the unknown id's piece is the one (else the first unknown-typed piece),
    // the others become unused, which SentencePiece never produces either.
    int32_t unknownPiece = vocab.unk;
    if (unknownPiece < 0) {
        const auto first = std::find(vocab.kinds.begin(), vocab.kinds.end(), TokenKind::Unknown);
        if (first == vocab.kinds.end()) fail("the vocabulary has no unknown token, which SentencePiece needs");
        unknownPiece = static_cast<int32_t>(first - vocab.kinds.begin());
    }
    for (int32_t id = 0; id < vocab.size(); ++id) {
        if (vocab.kinds[id] == TokenKind::Unknown && id != unknownPiece) vocab.kinds[id] = TokenKind::Unused;
    }
    vocab.kinds[unknownPiece] = TokenKind::Unknown;
    vocab.unk = unknownPiece;
}

std::unique_ptr<TokenizerEngine> makeSentencePieceEngine(const Vocabulary& vocab,
                                                         std::string_view serializedModel,
                                                         const std::string& source) {
    return std::make_unique<SentencePieceEngine>(vocab, serializedModel, source);
}

}  // namespace ps
