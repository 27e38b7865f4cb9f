#pragma once
// SentencePiece's ModelProto, written and read field by field. Field numbers
// and enum values follow google/sentencepiece src/sentencepiece_model.proto:
//   ModelProto      { repeated SentencePiece pieces = 1; TrainerSpec trainer_spec = 2;
//                     NormalizerSpec normalizer_spec = 3; }
//   SentencePiece   { string piece = 1; float score = 2; Type type = 3; }
//                   Type: NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6
//                   (the same numbers GGUF uses in tokenizer.ggml.token_type)
//   TrainerSpec     { ModelType model_type = 3 (UNIGRAM 1, BPE 2, WORD 3, CHAR 4);
//                     int32 vocab_size = 4; bool byte_fallback = 35;
//                     int32 unk_id = 40, bos_id = 41, eos_id = 42, pad_id = 43;
//                     string unk_surface = 44; unk_piece = 45, bos_piece = 46,
//                     eos_piece = 47, pad_piece = 48 }
//   NormalizerSpec  { string name = 1; bytes precompiled_charsmap = 2;
//                     bool add_dummy_prefix = 3 [default true];
//                     bool remove_extra_whitespaces = 4 [default true];
//                     bool escape_whitespaces = 5 [default true]; }
#include <cstdint>
#include <string>
#include <string_view>

#include "tokenizer/vocabulary.h"

namespace ps {

enum class SentencePieceModelType : int32_t { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };

// A serialized ModelProto of `vocab` as the given model type, with byte
// fallback on when the vocabulary has byte pieces, and the "identity"
// normalizer (no Unicode normalization, as llama.cpp's SPM tokenizer).
std::string writeSentencePieceModel(const Vocabulary& vocab, SentencePieceModelType type);

// The pieces, scores, types, special ids and normalizer flags of a serialized
// ModelProto. Throws std::runtime_error describing what is malformed and where.
Vocabulary readSentencePieceModel(std::string_view serialized);

}  // namespace ps
