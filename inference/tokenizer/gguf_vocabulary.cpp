#include "tokenizer/gguf_vocabulary.h"

#include <cctype>
#include <cstdint>
#include <optional>

#include "gguf/gguf_file.h"

namespace ps {
namespace {

constexpr const char* kModelKey = "tokenizer.ggml.model";
constexpr const char* kTokensKey = "tokenizer.ggml.tokens";
constexpr const char* kScoresKey = "tokenizer.ggml.scores";
constexpr const char* kTypesKey = "tokenizer.ggml.token_type";
constexpr const char* kMergesKey = "tokenizer.ggml.merges";

class Reader {
public:
    explicit Reader(const GgufFile& file) : file_(file) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw TokenizerError(file_.name() + ": " + what);
    }

    // An optional special-token id: absent, -1 or 0xFFFFFFFF (how converters
    // write "none") give -1; anything else must be a valid id.
    int32_t specialId(const std::string& key, int32_t fallback, int32_t vocabSize) const {
        const std::optional<int64_t> value = file_.getInteger(key);
        if (!value) return fallback;
        if (*value == -1 || *value == 0xFFFFFFFFll) return -1;
        if (*value < 0 || *value >= vocabSize) {
            fail(key + " is " + std::to_string(*value) + " but the vocabulary has " +
                 std::to_string(vocabSize) + " tokens");
        }
        return static_cast<int32_t>(*value);
    }

    Vocabulary read() const {
        Vocabulary vocab;
        const std::optional<std::string> model = file_.getString(kModelKey);
        if (!model) fail(std::string("no ") + kModelKey + " (the file has no tokenizer)");
        vocab.model = *model;
        if (vocab.model != "llama" && vocab.model != "gpt2") {
            fail("vocabulary type \"" + vocab.model +
                 "\" is not supported; \"llama\" (SentencePiece) and \"gpt2\" (byte-level BPE) are");
        }
        const bool bytePairs = vocab.model == "gpt2";
        vocab.architecture = file_.getString("general.architecture").value_or("");

        std::optional<std::vector<std::string>> tokens = file_.getStringArray(kTokensKey);
        if (!tokens) fail(std::string("no ") + kTokensKey);
        if (tokens->empty()) fail(std::string(kTokensKey) + " is empty");
        if (tokens->size() > static_cast<size_t>(INT32_MAX)) fail(std::string(kTokensKey) + " is too long");
        vocab.pieces = std::move(*tokens);
        const size_t n = vocab.pieces.size();
        const auto count = [](size_t size) { return std::to_string(size); };

        // SentencePiece: scores order the merges; without them the segmentation is
        // meaningless. Byte-level BPE orders its merges by their place in the list.
        std::optional<std::vector<float>> scores = file_.getFloatArray(kScoresKey);
        if (!scores && !bytePairs) fail(std::string("no ") + kScoresKey + " (a SentencePiece vocabulary needs them)");
        if (scores && scores->size() != n) {
            fail(std::string(kScoresKey) + " has " + count(scores->size()) + " entries but " +
                 kTokensKey + " has " + count(n));
        }
        vocab.scores = scores ? std::move(*scores) : std::vector<float>(n, 0.0f);

        vocab.kinds.assign(n, TokenKind::Normal);
        if (const auto types = file_.getIntegerArray(kTypesKey)) {
            if (types->size() != n) {
                fail(std::string(kTypesKey) + " has " + count(types->size()) + " entries but " +
                     kTokensKey + " has " + count(n));
            }
            for (size_t id = 0; id < n; ++id) {
                const int64_t type = (*types)[id];
                if (type < 0 || type > 6) {
                    fail(std::string(kTypesKey) + "[" + count(id) + "] is " + std::to_string(type) +
                         " (expected 1 normal .. 6 byte)");
                }
                // 0 is llama.cpp's "undefined"; treat it as a normal piece.
                vocab.kinds[id] = type == 0 ? TokenKind::Normal : static_cast<TokenKind>(type);
            }
        }

        const auto size = static_cast<int32_t>(n);
        if (bytePairs) {
            readBytePairMetadata(vocab);
        } else {
            // Defaults are llama.cpp's for SentencePiece vocabularies.
            vocab.bos = specialId("tokenizer.ggml.bos_token_id", 1 < size ? 1 : -1, size);
            vocab.eos = specialId("tokenizer.ggml.eos_token_id", 2 < size ? 2 : -1, size);
            vocab.unk = specialId("tokenizer.ggml.unknown_token_id", 0, size);
            vocab.pad = specialId("tokenizer.ggml.padding_token_id", -1, size);
            vocab.addBos = file_.getBool("tokenizer.ggml.add_bos_token").value_or(true);
            vocab.addSpacePrefix = file_.getBool("tokenizer.ggml.add_space_prefix").value_or(true);
            vocab.removeExtraWhitespaces =
                file_.getBool("tokenizer.ggml.remove_extra_whitespaces").value_or(false);
        }
        markStripSpaceAfter(vocab);
        return vocab;
    }

private:
    void readBytePairMetadata(Vocabulary& vocab) const {
        const int32_t size = vocab.size();
        std::optional<std::vector<std::string>> merges = file_.getStringArray(kMergesKey);
        if (!merges) fail(std::string("no ") + kMergesKey + " (a byte-level BPE vocabulary needs them)");
        vocab.merges = std::move(*merges);
        vocab.preTokenizer = file_.getString("tokenizer.ggml.pre").value_or("");
        // Llama 3's tokenizer.json sets ignore_merges; llama.cpp keys it on these names.
        for (const char* llama3 : {"llama-bpe", "llama3", "llama-v3", "falcon3"}) {
            if (vocab.preTokenizer == llama3) vocab.ignoreMerges = true;
        }
        // No default special ids: a byte-level vocabulary names the ones it has
        // (Qwen has no BOS at all).
        vocab.bos = specialId("tokenizer.ggml.bos_token_id", -1, size);
        vocab.eos = specialId("tokenizer.ggml.eos_token_id", -1, size);
        vocab.unk = specialId("tokenizer.ggml.unknown_token_id", -1, size);
        vocab.pad = specialId("tokenizer.ggml.padding_token_id", -1, size);
        vocab.addBos = file_.getBool("tokenizer.ggml.add_bos_token").value_or(vocab.ignoreMerges) && vocab.bos >= 0;
        vocab.addSpacePrefix = false;
    }

    // Phi-3's added tokens carry rstrip in its tokenizer.json, which GGUF does
    // not store; llama.cpp sets it by the model's name (src/llama-vocab.cpp),
    // and so do we, by architecture or name.
    void markStripSpaceAfter(Vocabulary& vocab) const {
        std::string name = file_.getString("general.name").value_or("");
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const bool phi3 = vocab.architecture == "phi3" || name.find("phi3") != std::string::npos ||
                          name.find("phi-3") != std::string::npos;
        if (!phi3) return;
        for (int32_t id = 0; id < vocab.size(); ++id) {
            const TokenKind kind = vocab.kinds[id];
            if (kind != TokenKind::Control && kind != TokenKind::UserDefined && kind != TokenKind::Unknown) continue;
            const std::string& piece = vocab.pieces[id];
            if (piece == "<unk>" || piece == "<s>" || piece == "<|endoftext|>") continue;
            vocab.stripSpaceAfter.push_back(id);
        }
    }

    const GgufFile& file_;
};

}  // namespace

Vocabulary readGgufVocabulary(const GgufFile& file) {
    try {
        return Reader(file).read();
    } catch (const GgufError& e) {
        // A key of the wrong type; the message already names file and key.
        throw TokenizerError(e.what());
    }
}

}  // namespace ps
