#include "io/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ps::io {

namespace {

const char* kindOf(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a named pipe";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "a special file";
}

}  // namespace

RegularFile openRegularFile(const std::filesystem::path& path) {
    const std::string name = path.string();
    // O_NONBLOCK: opening a named pipe must not wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) throw InputFileError(name + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int error = errno;
        ::close(fd);
        throw InputFileError(name + ": cannot read its size: " + std::strerror(error));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw InputFileError(name + ": not a regular file (" + kindOf(st.st_mode) + ")");
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return {fd, static_cast<uint64_t>(st.st_size)};
}

std::string readRegularFile(const std::filesystem::path& path, uint64_t maxBytes) {
    const RegularFile file = openRegularFile(path);
    const std::string name = path.string();
    if (file.size > maxBytes) {
        ::close(file.fd);
        throw InputFileError(name + ": " + std::to_string(file.size) +
                             " bytes is over the limit of " + std::to_string(maxBytes) +
                             " bytes for this kind of file");
    }
    std::string bytes(static_cast<size_t>(file.size), '\0');
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(file.fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            ::close(file.fd);
            throw InputFileError(name + ": cannot read: " + std::strerror(error));
        }
        if (n == 0) break;  // shrank while reading
        done += static_cast<size_t>(n);
    }
    bytes.resize(done);
    ::close(file.fd);
    return bytes;
}

}  // namespace ps::io
