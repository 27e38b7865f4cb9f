#pragma once
// The SentencePiece engine: libsentencepiece does the encoding and the
// whole-sequence decoding; the per-token bytes for streaming are computed here
// with the same rules as SentencePieceProcessor::Decode.
#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/tokenizer_engine.h"
#include "tokenizer/vocabulary.h"

namespace ps {

// Checks what SentencePiece needs of a vocabulary, which it would otherwise
// reject with a less helpful message: non-empty unique pieces, byte pieces
// spelled <0xNN>, exactly one unknown piece (the unknown id's piece, as
// llama.cpp treats that id; other unknown-typed pieces become unused). Throws
// TokenizerError naming `source`.
void prepareSentencePieceVocabulary(Vocabulary& vocab, const std::string& source);

// Loads `serializedModel` (a ModelProto) into libsentencepiece. `vocab` must
// describe the same model and outlive the engine; `source` names the file in
// errors. Throws TokenizerError when SentencePiece rejects the model.
std::unique_ptr<TokenizerEngine> makeSentencePieceEngine(const Vocabulary& vocab,
                                                         std::string_view serializedModel,
                                                         const std::string& source);

}  // namespace ps
