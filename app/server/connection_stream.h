#pragma once
// httplib's Stream over one accepted socket, with the limits the server needs
// that httplib 0.11's own socket stream lacks: every read of a request must end
// before a deadline for the whole request (a client trickling one byte a second,
// "slowloris", cannot hold a connection for longer), and a write waits at most
// `writeTimeout` for a slow reader to take the bytes.
#include <httplib.h>

#include <chrono>
#include <string>

namespace ps::server {

class ConnectionStream : public httplib::Stream {
public:
    using Clock = std::chrono::steady_clock;

    ConnectionStream(int socket, std::chrono::milliseconds writeTimeout);

    // A new request starts: its reads fail once `deadline` has passed or more
    // than `maxBytes` were read for it (headers and body).
    void startRequest(Clock::time_point deadline, size_t maxBytes);
    // Bytes already received and not yet consumed (a pipelined next request).
    bool hasBufferedBytes() const { return bufferStart_ < buffer_.size(); }

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return socket_; }

private:
    // Waits for `events` until the timeout; true when they are there.
    bool waitFor(short events, std::chrono::milliseconds timeout) const;

    int socket_;
    std::chrono::milliseconds writeTimeout_;
    Clock::time_point readDeadline_ = Clock::time_point::max();
    size_t requestBytesLeft_ = 0;
    std::string buffer_;
    size_t bufferStart_ = 0;
};

// True when the peer of `socket` has closed or reset the connection (checked
// without blocking and without consuming data).
bool peerHasHungUp(int socket);

}  // namespace ps::server
