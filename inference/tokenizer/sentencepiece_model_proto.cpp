#include "tokenizer/sentencepiece_model_proto.h"

#include <algorithm>
#include <stdexcept>

#include "tokenizer/protobuf_wire.h"

namespace ps {
namespace {

// Field numbers, from sentencepiece_model.proto (see the header).
namespace model_proto {
constexpr uint32_t kPieces = 1, kTrainerSpec = 2, kNormalizerSpec = 3;
}
namespace piece_proto {
constexpr uint32_t kPiece = 1, kScore = 2, kType = 3;
}
namespace trainer_spec {
constexpr uint32_t kModelType = 3, kVocabSize = 4, kByteFallback = 35, kUnkId = 40, kBosId = 41,
                   kEosId = 42, kPadId = 43, kUnkSurface = 44, kUnkPiece = 45, kBosPiece = 46,
                   kEosPiece = 47, kPadPiece = 48;
}
namespace normalizer_spec {
constexpr uint32_t kName = 1, kAddDummyPrefix = 3, kRemoveExtraWhitespaces = 4,
                   kEscapeWhitespaces = 5;
}

bool validId(const Vocabulary& vocab, int32_t id) { return id >= 0 && id < vocab.size(); }

std::string writeTrainerSpec(const Vocabulary& vocab, SentencePieceModelType type) {
    protobuf::WireWriter w;
    w.varintField(trainer_spec::kModelType, static_cast<uint64_t>(type));
    w.int32Field(trainer_spec::kVocabSize, vocab.size());
    const bool hasBytes =
        std::find(vocab.kinds.begin(), vocab.kinds.end(), TokenKind::Byte) != vocab.kinds.end();
    // SentencePiece refuses BYTE pieces unless byte_fallback is on.
    w.boolField(trainer_spec::kByteFallback, hasBytes);
    w.int32Field(trainer_spec::kUnkId, vocab.unk);
    w.int32Field(trainer_spec::kBosId, vocab.bos);
    w.int32Field(trainer_spec::kEosId, vocab.eos);
    w.int32Field(trainer_spec::kPadId, vocab.pad);
    w.bytesField(trainer_spec::kUnkSurface, vocab.unknownSurface);
    // The processor finds its bos/eos/unk/pad ids by these piece names.
    if (validId(vocab, vocab.unk)) w.bytesField(trainer_spec::kUnkPiece, vocab.pieces[vocab.unk]);
    if (validId(vocab, vocab.bos)) w.bytesField(trainer_spec::kBosPiece, vocab.pieces[vocab.bos]);
    if (validId(vocab, vocab.eos)) w.bytesField(trainer_spec::kEosPiece, vocab.pieces[vocab.eos]);
    if (validId(vocab, vocab.pad)) w.bytesField(trainer_spec::kPadPiece, vocab.pieces[vocab.pad]);
    return w.bytes();
}

std::string writeNormalizerSpec(const Vocabulary& vocab) {
    protobuf::WireWriter w;
    w.bytesField(normalizer_spec::kName, "identity");
    // proto2 defaults are true for all three: write them out explicitly.
    w.boolField(normalizer_spec::kAddDummyPrefix, vocab.addSpacePrefix);
    w.boolField(normalizer_spec::kRemoveExtraWhitespaces, vocab.removeExtraWhitespaces);
    w.boolField(normalizer_spec::kEscapeWhitespaces, true);
    return w.bytes();
}

int32_t asInt32(uint64_t varint) { return static_cast<int32_t>(static_cast<int64_t>(varint)); }

void readPiece(std::string_view message, Vocabulary& vocab) {
    std::string piece;
    float score = 0;
    int32_t type = static_cast<int32_t>(TokenKind::Normal);
    protobuf::WireReader reader(message);
    while (const auto field = reader.next()) {
        if (field->number == piece_proto::kPiece && field->type == protobuf::WireType::LengthDelimited) {
            piece.assign(field->bytes);
        } else if (field->number == piece_proto::kScore && field->type == protobuf::WireType::Fixed32) {
            score = field->asFloat();
        } else if (field->number == piece_proto::kType && field->type == protobuf::WireType::Varint) {
            type = asInt32(field->varint);
        }
    }
    if (type < 1 || type > 6) {
        throw std::runtime_error("piece " + std::to_string(vocab.pieces.size()) + " has type " +
                                 std::to_string(type) + " (expected 1..6)");
    }
    vocab.pieces.push_back(std::move(piece));
    vocab.scores.push_back(score);
    vocab.kinds.push_back(static_cast<TokenKind>(type));
}

void readTrainerSpec(std::string_view message, Vocabulary& vocab) {
    protobuf::WireReader reader(message);
    while (const auto field = reader.next()) {
        if (field->type == protobuf::WireType::Varint) {
            switch (field->number) {
                case trainer_spec::kModelType: {
                    const int32_t type = asInt32(field->varint);
                    vocab.model = type == 1   ? "sentencepiece-unigram"
                                  : type == 2 ? "sentencepiece-bpe"
                                  : type == 3 ? "sentencepiece-word"
                                              : "sentencepiece-char";
                    break;
                }
                case trainer_spec::kUnkId: vocab.unk = asInt32(field->varint); break;
                case trainer_spec::kBosId: vocab.bos = asInt32(field->varint); break;
                case trainer_spec::kEosId: vocab.eos = asInt32(field->varint); break;
                case trainer_spec::kPadId: vocab.pad = asInt32(field->varint); break;
                default: break;
            }
        } else if (field->number == trainer_spec::kUnkSurface &&
                   field->type == protobuf::WireType::LengthDelimited) {
            vocab.unknownSurface.assign(field->bytes);
        }
    }
}

void readNormalizerSpec(std::string_view message, Vocabulary& vocab) {
    protobuf::WireReader reader(message);
    while (const auto field = reader.next()) {
        if (field->type != protobuf::WireType::Varint) continue;
        if (field->number == normalizer_spec::kAddDummyPrefix) vocab.addSpacePrefix = field->varint != 0;
        if (field->number == normalizer_spec::kRemoveExtraWhitespaces) {
            vocab.removeExtraWhitespaces = field->varint != 0;
        }
    }
}

}  // namespace

std::string writeSentencePieceModel(const Vocabulary& vocab, SentencePieceModelType type) {
    protobuf::WireWriter model;
    for (int32_t id = 0; id < vocab.size(); ++id) {
        protobuf::WireWriter piece;
        piece.bytesField(piece_proto::kPiece, vocab.pieces[id]);
        piece.floatField(piece_proto::kScore, vocab.scores[id]);
        piece.varintField(piece_proto::kType, static_cast<uint64_t>(vocab.kinds[id]));
        model.bytesField(model_proto::kPieces, piece.bytes());
    }
    model.bytesField(model_proto::kTrainerSpec, writeTrainerSpec(vocab, type));
    model.bytesField(model_proto::kNormalizerSpec, writeNormalizerSpec(vocab));
    return model.bytes();
}

Vocabulary readSentencePieceModel(std::string_view serialized) {
    Vocabulary vocab;
    // Defaults of the proto2 fields this reads (sentencepiece_model.proto).
    vocab.model = "sentencepiece-unigram";
    vocab.unk = 0;
    vocab.bos = 1;
    vocab.eos = 2;
    vocab.pad = -1;
    vocab.addSpacePrefix = true;
    vocab.removeExtraWhitespaces = true;
    protobuf::WireReader reader(serialized);
    while (const auto field = reader.next()) {
        if (field->type != protobuf::WireType::LengthDelimited) continue;
        switch (field->number) {
            case model_proto::kPieces: readPiece(field->bytes, vocab); break;
            case model_proto::kTrainerSpec: readTrainerSpec(field->bytes, vocab); break;
            case model_proto::kNormalizerSpec: readNormalizerSpec(field->bytes, vocab); break;
            default: break;
        }
    }
    return vocab;
}

}  // namespace ps
