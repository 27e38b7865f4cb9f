// libFuzzer: a SentencePiece `.model` file (protobuf) through Tokenizer::fromModelFile,
// read from an in-memory file so that the real path is exercised.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const int fd = memfd_create("fuzz.model", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
    try {
        const auto tokenizer =
            ps::Tokenizer::fromModelFile("/proc/self/fd/" + std::to_string(fd));
        (void)tokenizer->decode(
            tokenizer->encode("Hello world, \xC3\xA9t\xC3\xA9 42\n", true, ps::SpecialTokens::AsText));
    } catch (const std::runtime_error&) {  // TokenizerError
    }
    return 0;
}
