#pragma once
// Helpers for the server tests: a server on a free loopback port around any
// GenerationService, and raw HTTP over a socket (for the framing and for the
// hostile requests a real client library would refuse to send).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include "server/openai_server.h"

namespace ps::test {

inline std::unique_ptr<server::OpenAiServer> startServer(std::shared_ptr<GenerationService> service,
                                                         server::ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    auto server = std::make_unique<server::OpenAiServer>(std::move(service), std::move(options));
    server->start();
    return server;
}

// A connected socket to 127.0.0.1:port, or -1.
inline int connectTo(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool sendAll(int fd, const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

// Reads until the peer closes or `timeout` passes.
inline std::string readUntilClosed(int fd, std::chrono::milliseconds timeout) {
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd descriptor{fd, POLLIN, 0};
        if (::poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) break;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        received.append(buffer, static_cast<size_t>(n));
    }
    return received;
}

// One request with "Connection: close"; the whole raw answer (status line, headers, body).
inline std::string rawRequest(int port, const std::string& request,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const int fd = connectTo(port);
    if (fd < 0) return {};
    sendAll(fd, request);
    std::string answer = readUntilClosed(fd, timeout);
    ::close(fd);
    return answer;
}

inline std::string postRequest(const std::string& path, const std::string& body, const std::string& extraHeaders = {}) {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n" +
           extraHeaders + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline int statusOf(const std::string& answer) {
    if (answer.rfind("HTTP/1.1 ", 0) != 0) return 0;
    return std::atoi(answer.c_str() + 9);
}

// The body of a raw answer, with a chunked transfer encoding undone.
inline std::string bodyOf(const std::string& answer) {
    const size_t headerEnd = answer.find("\r\n\r\n");
    if (headerEnd == std::string::npos) return {};
    const std::string headers = answer.substr(0, headerEnd);
    std::string body = answer.substr(headerEnd + 4);
    if (headers.find("Transfer-Encoding: chunked") == std::string::npos) return body;
    std::string decoded;
    size_t at = 0;
    for (;;) {
        const size_t lineEnd = body.find("\r\n", at);
        if (lineEnd == std::string::npos) break;
        const size_t size = std::stoul(body.substr(at, lineEnd - at), nullptr, 16);
        if (size == 0) break;
        decoded += body.substr(lineEnd + 2, size);
        at = lineEnd + 2 + size + 2;
    }
    return decoded;
}

inline std::string headerOf(const std::string& answer, const std::string& name) {
    const std::string key = "\r\n" + name + ": ";
    const size_t at = answer.find(key);
    if (at == std::string::npos || at > answer.find("\r\n\r\n")) return {};
    const size_t start = at + key.size();
    return answer.substr(start, answer.find("\r\n", start) - start);
}

}  // namespace ps::test
