#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "gguf/gguf_file.h"
#include "io/regular_file.h"
#include "tokenizer/bpe_engine.h"
#include "tokenizer/gguf_vocabulary.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/sentencepiece_engine.h"
#include "tokenizer/sentencepiece_model_proto.h"
#include "tokenizer/special_token_splitter.h"
#include "tokenizer/tokenizer_engine.h"
#include "tokenizer/vocabulary.h"

namespace ps {

struct Tokenizer::Impl {
    std::string source;  // file name, for messages
    Vocabulary vocab;    // declared before the engine, which refers to it
    std::unique_ptr<PreTokenizer> preTokenizer;  // byte-level BPE only; the engine refers to it
    std::unique_ptr<TokenizerEngine> engine;
    std::unique_ptr<SpecialTokenSplitter> splitter;
    std::unordered_map<std::string_view, int32_t> idOfPiece;  // views of vocab.pieces

    void checkId(int32_t id) const {
        if (id < 0 || id >= vocab.size()) {
            throw TokenizerError(source + ": token id " + std::to_string(id) +
                                 " is outside the vocabulary of " + std::to_string(vocab.size()) +
                                 " tokens");
        }
    }
};

Tokenizer::Tokenizer() : impl_(std::make_unique<Impl>()) {}
Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::fromGguf(const GgufFile& file) {
    std::unique_ptr<Tokenizer> tokenizer(new Tokenizer());
    Impl& impl = *tokenizer->impl_;
    impl.source = file.name();
    impl.vocab = readGgufVocabulary(file);  // "llama" or "gpt2"
    if (impl.vocab.model == "gpt2") {
        impl.preTokenizer = std::make_unique<PreTokenizer>(impl.vocab.preTokenizer);
        impl.engine = makeBpeEngine(impl.vocab, *impl.preTokenizer, impl.source);
    } else {
        prepareSentencePieceVocabulary(impl.vocab, impl.source);
        // llama.cpp's SPM tokenizer merges pieces by score, highest first, and
        // falls back to bytes: that is SentencePiece's BPE model with byte fallback.
        const std::string model = writeSentencePieceModel(impl.vocab, SentencePieceModelType::Bpe);
        impl.engine = makeSentencePieceEngine(impl.vocab, model, impl.source);
    }
    tokenizer->finishLoading();
    return tokenizer;
}

std::unique_ptr<Tokenizer> Tokenizer::fromModelFile(const std::filesystem::path& path) {
    // Real SentencePiece models are a few MB; anything else (a pipe, a device, a huge
    // file) is refused before it is read.
    constexpr uint64_t kMaxModelBytes = 256u * 1024 * 1024;
    std::string bytes;
    try {
        bytes = io::readRegularFile(path, kMaxModelBytes);
    } catch (const io::InputFileError& e) {
        throw TokenizerError(std::string(e.what()) + " (reading the SentencePiece model)");
    }

    std::unique_ptr<Tokenizer> tokenizer(new Tokenizer());
    Impl& impl = *tokenizer->impl_;
    impl.source = path.string();
    try {
        impl.vocab = readSentencePieceModel(bytes);
    } catch (const std::runtime_error& e) {
        throw TokenizerError(impl.source + ": not a SentencePiece model: " + e.what());
    }
    if (impl.vocab.pieces.empty()) {
        throw TokenizerError(impl.source + ": not a SentencePiece model: it has no pieces");
    }
    // Special ids the model names but does not have are treated as absent.
    for (int32_t* id : {&impl.vocab.bos, &impl.vocab.eos, &impl.vocab.unk, &impl.vocab.pad}) {
        if (*id >= impl.vocab.size()) *id = -1;
    }
    impl.engine = makeSentencePieceEngine(impl.vocab, bytes, impl.source);
    tokenizer->finishLoading();
    return tokenizer;
}

void Tokenizer::finishLoading() {
    const Vocabulary& vocab = impl_->vocab;
    bos_ = vocab.bos;
    eos_ = vocab.eos;
    unk_ = vocab.unk;
    addBos_ = vocab.addBos;
    impl_->idOfPiece.reserve(vocab.pieces.size());
    for (int32_t id = 0; id < vocab.size(); ++id) impl_->idOfPiece.emplace(vocab.pieces[id], id);

    impl_->splitter = std::make_unique<SpecialTokenSplitter>(vocab);

    endIds_.clear();
    if (eos_ >= 0) endIds_.push_back(eos_);
    // End-of-turn and end-of-text markers of chat models (Llama 3, ChatML,
    // Phi-3, Gemma, GPT-2 style, Llama 3.1 tool calls, CodeLlama infill):
    // llama.cpp's list, by name whatever their type.
    for (const char* marker :
         {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>"}) {
        const int32_t id = findPiece(marker);
        if (id >= 0 && id != eos_) endIds_.push_back(id);
    }
}

bool Tokenizer::isEndOfGeneration(int32_t id) const {
    return std::find(endIds_.begin(), endIds_.end(), id) != endIds_.end();
}

std::vector<int32_t> Tokenizer::encode(const std::string& text, bool addBos, SpecialTokens special) const {
    return encodeParts(text, addBos, special == SpecialTokens::Parse, {});
}

std::vector<int32_t> Tokenizer::encodeMarkup(const std::string& text, bool addBos,
                                             const std::vector<TextRange>& literal) const {
    return encodeParts(text, addBos, true, literal);
}

std::vector<int32_t> Tokenizer::encodeParts(const std::string& text, bool addBos, bool parseControl,
                                            const std::vector<TextRange>& literal) const {
    std::vector<int32_t> ids;
    if (addBos && bos_ >= 0) ids.push_back(bos_);
    // The engine sees the text between special tokens, one part at a time (a
    // SentencePiece part gets its space prefix, as in llama.cpp).
    for (const SpecialTokenSplitter::Part& part : impl_->splitter->split(text, parseControl, literal)) {
        if (part.id >= 0) {
            ids.push_back(part.id);
            continue;
        }
        const std::vector<int32_t> plain = impl_->engine->encode(std::string(part.text));
        ids.insert(ids.end(), plain.begin(), plain.end());
    }
    return ids;
}

const std::string& Tokenizer::vocabularyType() const { return impl_->vocab.model; }

const std::string& Tokenizer::preTokenizerName() const { return impl_->vocab.preTokenizer; }

const std::string& Tokenizer::preTokenizerExpression() const {
    static const std::string none;
    return impl_->preTokenizer ? impl_->preTokenizer->expressionName() : none;
}

bool Tokenizer::preTokenizerIsFallback() const {
    return impl_->preTokenizer && impl_->preTokenizer->isFallback();
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
    for (const int32_t id : ids) impl_->checkId(id);
    return impl_->engine->decode(ids);
}

std::string Tokenizer::tokenBytes(int32_t id, int32_t previous) const {
    impl_->checkId(id);
    return impl_->engine->tokenBytes(id, previous);
}

std::string Tokenizer::piece(int32_t id) const {
    if (id < 0 || id >= impl_->vocab.size()) return {};
    return impl_->vocab.pieces[id];
}

TokenKind Tokenizer::kind(int32_t id) const {
    if (id < 0 || id >= impl_->vocab.size()) return TokenKind::Unused;
    return impl_->vocab.kinds[id];
}

int32_t Tokenizer::vocabSize() const { return impl_->vocab.size(); }

int32_t Tokenizer::findPiece(const std::string& piece) const {
    const auto it = impl_->idOfPiece.find(piece);
    return it == impl_->idOfPiece.end() ? -1 : it->second;
}

}  // namespace ps
