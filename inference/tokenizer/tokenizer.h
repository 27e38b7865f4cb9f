#pragma once
// Text <-> token ids. A GGUF vocabulary of type "llama" is turned into a
// SentencePiece model in memory (libsentencepiece encodes); a `.model` file
// loads as is; a GGUF vocabulary of type "gpt2" (Llama 3, Qwen) goes to the
// byte-level BPE engine. Decoding for streaming goes through TokenTextStream,
// which never hands out a broken UTF-8 sequence.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ps {

class GgufFile;

class TokenizerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Token kinds as GGUF stores them in tokenizer.ggml.token_type.
enum class TokenKind : int32_t {
    Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6,
};

// Whether the texts of control tokens ("<|im_end|>", "<|eot_id|>", "<s>") in
// the text to encode become those tokens. Only text the program wrote itself
// (a chat template's markup) may: text a person typed is always AsText, so it
// cannot end a turn or fake a role. User-defined tokens are matched either way.
enum class SpecialTokens { AsText, Parse };

// A byte range [begin, end) of a text.
struct TextRange {
    size_t begin = 0;
    size_t end = 0;
};

class Tokenizer {
public:
    // From the tokenizer.ggml.* metadata of a GGUF file. Throws TokenizerError.
    static std::unique_ptr<Tokenizer> fromGguf(const GgufFile& file);
    // From a SentencePiece `.model` file. Throws TokenizerError.
    static std::unique_ptr<Tokenizer> fromModelFile(const std::filesystem::path& path);

    ~Tokenizer();

    // Ids for `text`; a BOS is put first when `addBos` is true (and the
    // vocabulary has one).
    std::vector<int32_t> encode(const std::string& text, bool addBos, SpecialTokens special) const;
    // Text the program assembled around what people wrote (a rendered chat
    // prompt): control-token texts become their ids except where they would
    // overlap one of `literal` (sorted, not overlapping byte ranges of the
    // people's text). Tokenized in one pass, so the ids are those of
    // encode(text, addBos, Parse) wherever the literal text holds no control text.
    std::vector<int32_t> encodeMarkup(const std::string& text, bool addBos,
                                      const std::vector<TextRange>& literal) const;
    // Text of a whole sequence (control tokens such as BOS/EOS produce nothing).
    std::string decode(const std::vector<int32_t>& ids) const;
    // The raw bytes token `id` stands for when it follows `previous`: the leading
    // space of a word piece is dropped at the start (`previous` -1) and after BOS,
    // a byte piece <0xE2> gives that one byte (possibly an incomplete UTF-8
    // sequence), control tokens give "", the unknown token gives SentencePiece's
    // surface " ⁇ ". These are SentencePiece's decoding rules, so concatenating
    // tokenBytes over a sequence that starts at -1 or BOS gives decode()'s bytes.
    // Throws TokenizerError when `id` is outside the vocabulary.
    std::string tokenBytes(int32_t id, int32_t previous) const;
    // The piece as stored in the vocabulary (e.g. "▁time", "<0x0A>"); "" for an
    // id outside the vocabulary (e.g. bosId() of a vocabulary without BOS).
    std::string piece(int32_t id) const;
    // The kind of token `id`; Unused for an id outside the vocabulary.
    TokenKind kind(int32_t id) const;

    int32_t vocabSize() const;
    // -1 where the vocabulary has no such token.
    int32_t bosId() const { return bos_; }
    int32_t eosId() const { return eos_; }
    int32_t unknownId() const { return unk_; }
    bool addBosByDefault() const { return addBos_; }
    // Ids that end generation: EOS and every token named <|eot_id|>, <|im_end|>,
    // <|end|>, <end_of_turn>, <|endoftext|>, <|eom_id|> or <EOT> (llama.cpp's set).
    const std::vector<int32_t>& endOfGenerationIds() const { return endIds_; }
    bool isEndOfGeneration(int32_t id) const;

    // tokenizer.ggml.model of a GGUF vocabulary ("llama", "gpt2"), or
    // "sentencepiece-bpe"/"sentencepiece-unigram"/... for a `.model` file.
    const std::string& vocabularyType() const;
    // Byte-level BPE: tokenizer.ggml.pre as the file names it ("" if absent),
    // the expression used for it ("llama3", "qwen2" or "gpt2"), and whether
    // that is GPT-2's because the name is not known here. "" for SentencePiece.
    const std::string& preTokenizerName() const;
    const std::string& preTokenizerExpression() const;
    bool preTokenizerIsFallback() const;
    // The id of a piece spelled exactly so, or -1.
    int32_t findPiece(const std::string& piece) const;

private:
    Tokenizer();
    void finishLoading();  // special ids, end ids and the piece index from the vocabulary
    std::vector<int32_t> encodeParts(const std::string& text, bool addBos, bool parseControl,
                                     const std::vector<TextRange>& literal) const;
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int32_t bos_ = 1;
    int32_t eos_ = 2;
    int32_t unk_ = 0;
    bool addBos_ = true;
    std::vector<int32_t> endIds_;
};

// Turns a stream of token ids into text chunks that are always whole UTF-8
// sequences: bytes of an unfinished sequence are held until it completes (or
// replaced by U+FFFD when it can no longer complete).
class TokenTextStream {
public:
    explicit TokenTextStream(const Tokenizer& tokenizer, int32_t previous = -1);
    // The complete text this token makes available now (may be empty).
    std::string push(int32_t id);
    // What is still held at the end of the stream, made valid.
    std::string flush();

private:
    const Tokenizer& tokenizer_;
    int32_t previous_;
    std::string pending_;
};

}  // namespace ps
