#include "server/connection_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace ps::server {

namespace {

constexpr size_t kReadChunkBytes = 4096;

void addressText(const sockaddr_storage& address, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        port = ntohs(v4->sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        port = ntohs(v6->sin6_port);
    }
    ip = text;
}

}  // namespace

ConnectionStream::ConnectionStream(int socket, std::chrono::milliseconds writeTimeout)
    : socket_(socket), writeTimeout_(writeTimeout) {}

bool ConnectionStream::waitFor(short events, std::chrono::milliseconds timeout) const {
    pollfd descriptor{socket_, events, 0};
    const int timeoutMs = static_cast<int>(std::clamp<long long>(timeout.count(), 0, 1 << 30));
    for (;;) {
        const int ready = ::poll(&descriptor, 1, timeoutMs);
        if (ready < 0 && errno == EINTR) continue;
        return ready > 0 && (descriptor.revents & (events | POLLHUP | POLLERR));
    }
}

void ConnectionStream::startRequest(Clock::time_point deadline, size_t maxBytes) {
    readDeadline_ = deadline;
    requestBytesLeft_ = maxBytes;
}

bool ConnectionStream::is_readable() const {
    if (hasBufferedBytes()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(readDeadline_ - Clock::now());
    return left.count() > 0 && waitFor(POLLIN, left);
}

bool ConnectionStream::is_writable() const { return waitFor(POLLOUT, writeTimeout_); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
    if (!hasBufferedBytes()) {
        if (!is_readable()) return -1;  // past the request's deadline, or closed
        buffer_.resize(kReadChunkBytes);
        bufferStart_ = 0;
        ssize_t received;
        do {
            received = ::recv(socket_, buffer_.data(), buffer_.size(), 0);
        } while (received < 0 && errno == EINTR);
        if (received <= 0) {
            buffer_.clear();
            return received;
        }
        buffer_.resize(static_cast<size_t>(received));
    }
    const size_t n = std::min({size, buffer_.size() - bufferStart_, requestBytesLeft_});
    if (n == 0) return -1;  // the request is larger than any the server takes
    requestBytesLeft_ -= n;
    std::copy_n(buffer_.data() + bufferStart_, n, ptr);
    bufferStart_ += n;
    return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
    size_t sent = 0;
    while (sent < size) {
        if (!is_writable()) return -1;  // the reader took nothing for writeTimeout
        const ssize_t n = ::send(socket_, ptr + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            return -1;
        }
        sent += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(sent);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        addressText(address, ip, port);
    }
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        addressText(address, ip, port);
    }
}

bool peerHasHungUp(int socket) {
    pollfd descriptor{socket, POLLRDHUP, 0};
    if (::poll(&descriptor, 1, 0) <= 0) return false;
    return descriptor.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL);
}

}  // namespace ps::server
