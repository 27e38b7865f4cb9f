#pragma once
// The one way Prompt Studio opens a file it reads as input (a model, an app, a template,
// messages, inputs): regular files only, opened without blocking. A named pipe would
// block open() until a writer came, /dev/zero never ends and a directory is no file;
// each is refused with a message naming the file. Plain C++ (no Qt).
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace ps::io {

class InputFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An open descriptor of a regular file (O_RDONLY | O_CLOEXEC, blocking again once it is
// known to be a regular file) and its size. The caller closes it. Throws InputFileError
// ("<path>: not a regular file (a named pipe)").
struct RegularFile {
    int fd = -1;
    uint64_t size = 0;
};
RegularFile openRegularFile(const std::filesystem::path& path);

// The whole content of a regular file of at most `maxBytes` bytes. Throws
// InputFileError for anything else (missing, unreadable, special, too large).
std::string readRegularFile(const std::filesystem::path& path, uint64_t maxBytes);

}  // namespace ps::io
