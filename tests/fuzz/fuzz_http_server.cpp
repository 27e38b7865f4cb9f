// libFuzzer: raw bytes from a stranger on the network, sent to the real
// OpenAI-compatible server (httplib's request parser behind our bounded
// connection handling, the routes, the protocol, the sample apps) over the
// loopback. The server runs in this process, so a crash, a sanitizer report or a
// leak anywhere in it is found; each input is one connection that sends the bytes,
// closes its sending side and reads the answer. The answer must come within the
// time limit (libFuzzer's -timeout), and whatever came must be HTTP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "server/openai_server.h"

namespace {

// Answers at once with a few short pieces: the server, not the model, is under test.
class EchoService : public ps::GenerationService {
public:
    QString name() const override { return "echo"; }
    QString describe() const override { return "echo service for fuzzing"; }
    QString modelName() const override { return "echo-model"; }
    std::string renderPrompt(const ps::GenerationInput& input) const override { return input.prompt; }

    ps::GenerationResult generate(const ps::GenerationInput&, const ps::GenerationParameters& parameters,
                                  const ps::TextCallback& onText, const std::atomic<bool>* cancel) override {
        ps::GenerationResult result;
        result.stopReason = ps::StopReason::MaxTokens;
        for (int piece = 0; piece < parameters.maxTokens; ++piece) {
            if ((cancel && cancel->load()) || (onText && !onText(" ok"))) {
                result.stopReason = ps::StopReason::Cancelled;
                break;
            }
            result.text += " ok";
            ++result.stats.generatedTokens;
        }
        return result;
    }
};

std::unique_ptr<ps::server::OpenAiServer> gServer;

int connectToServer() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(gServer->port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        close(fd);
        return -1;
    }
    timeval timeout{5, 0};  // a server that stops answering shows up as a failed input
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    return fd;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    ps::server::ServerOptions options;
    options.port = 0;
    options.appFolders = {QStringLiteral(PS_SAMPLE_APPS_DIR)};
    options.maxTokensCap = 8;
    options.maxWaitingGenerations = 4;
    options.connections.requestReadTimeout = std::chrono::milliseconds(2000);
    options.connections.keepAliveIdle = std::chrono::milliseconds(500);
    gServer = std::make_unique<ps::server::OpenAiServer>(std::make_shared<EchoService>(), options);
    try {
        gServer->start();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fuzz_http_server: the server did not start: %s\n", error.what());
        std::exit(2);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const int fd = connectToServer();
    if (fd < 0) {
        std::fprintf(stderr, "the server stopped accepting connections\n");
        std::abort();
    }
    size_t sent = 0;
    while (sent < size) {
        const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may close early on a broken request
        sent += static_cast<size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    std::string answer;
    char buffer[4096];
    for (;;) {
        const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            std::fprintf(stderr, "the server neither answered nor closed within 5 s\n");
            std::abort();
        }
        if (n <= 0) break;
        answer.append(buffer, static_cast<size_t>(n));
    }
    close(fd);
    if (!answer.empty() && answer.rfind("HTTP/1.", 0) != 0) {
        std::fprintf(stderr, "the answer is not HTTP: %.60s\n", answer.c_str());
        std::abort();
    }
    return 0;
}
