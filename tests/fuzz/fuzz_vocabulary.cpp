// libFuzzer: the vocabulary loader (tokenizer.ggml.* metadata of a GGUF file) and the
// tokenizer built from it: load, then encode and decode a little text.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto file = ps::GgufFile::fromBytes(std::vector<uint8_t>(data, data + size), "fuzz.gguf");
        const auto tokenizer = ps::Tokenizer::fromGguf(*file);
        const std::string text = "Once upon a time, \xE2\x80\x94 <s> <|im_end|> 12\n";
        const std::vector<int32_t> ids = tokenizer->encode(text, true, ps::SpecialTokens::AsText);
        (void)tokenizer->encode(text, false, ps::SpecialTokens::Parse);
        (void)tokenizer->decode(ids);
        int32_t previous = -1;
        for (const int32_t id : ids) {
            (void)tokenizer->tokenBytes(id, previous);
            (void)tokenizer->piece(id);
            previous = id;
        }
    } catch (const std::runtime_error&) {  // GgufError, TokenizerError
    }
    return 0;
}
