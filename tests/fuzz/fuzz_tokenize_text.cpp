// libFuzzer: text a person typed, through the real vocabularies of today's models
// (Llama 3's and Qwen 2.5's byte-level BPE, Phi-3's and Llama 2's SentencePiece,
// from ../shared/models/tokenizer-vectors). The first byte picks the vocabulary,
// the rest is the text. Besides "no crash, no hang", two properties must hold:
//   - typed text never becomes a control token (SpecialTokens::AsText), whatever
//     control-token text it holds;
//   - byte-level BPE is lossless: valid UTF-8 decodes back to exactly itself.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

struct Vocabulary {
    const char* file;
    bool byteLevel;  // gpt2-style BPE: decode(encode(text)) == text
};

constexpr Vocabulary kVocabularies[] = {
    {"ggml-vocab-llama-bpe.gguf", true},
    {"ggml-vocab-qwen2.gguf", true},
    {"ggml-vocab-phi-3.gguf", false},
    {"ggml-vocab-llama-spm.gguf", false},
};
constexpr size_t kVocabularyCount = sizeof(kVocabularies) / sizeof(kVocabularies[0]);

std::unique_ptr<ps::Tokenizer> gTokenizers[kVocabularyCount];

void fail(const char* what, size_t vocabulary, const std::string& text) {
    std::fprintf(stderr, "%s (%s), text of %zu bytes\n", what, kVocabularies[vocabulary].file, text.size());
    std::abort();  // libFuzzer keeps the input
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* shared = std::getenv("PROMPTSTUDIO_SHARED_DIR");
    const std::string folder = std::string(shared ? shared : PS_SHARED_DIR) + "/models/tokenizer-vectors/";
    for (size_t i = 0; i < kVocabularyCount; ++i) {
        try {
            const auto file = ps::GgufFile::open(folder + kVocabularies[i].file);
            gTokenizers[i] = ps::Tokenizer::fromGguf(*file);
        } catch (const std::exception& error) {
            std::fprintf(stderr, "fuzz_tokenize_text needs %s%s: %s\n", folder.c_str(), kVocabularies[i].file,
                         error.what());
            std::exit(2);
        }
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t which = data[0] % kVocabularyCount;
    const ps::Tokenizer& tokenizer = *gTokenizers[which];
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

    const std::vector<int32_t> typed = tokenizer.encode(text, false, ps::SpecialTokens::AsText);
    for (const int32_t id : typed) {
        if (tokenizer.kind(id) == ps::TokenKind::Control) fail("typed text became a control token", which, text);
    }
    if (kVocabularies[which].byteLevel && ps::utf8::isValid(text) && tokenizer.decode(typed) != text)
        fail("byte-level BPE did not decode back to the text", which, text);

    // The program's own markup may hold control tokens; it must not crash either.
    (void)tokenizer.encode(text, true, ps::SpecialTokens::Parse);
    (void)tokenizer.encodeMarkup(text, true, {{0, text.size() / 2}});
    return 0;
}
