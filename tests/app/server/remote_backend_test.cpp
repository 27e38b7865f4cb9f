// The remote backend against our own server, end to end over the loopback:
// streaming, cancel (which must stop the server's generation too), and every
// failure a person can meet, in words.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "remote/remote_generation_service.h"
#include "remote/server_sent_events.h"
#include "runner_test_support.h"
#include "server_test_support.h"
#include "slow_service.h"

namespace ps {
namespace {

GenerationInput chatInput(const std::string& text) {
    GenerationInput input;
    input.kind = GenerationInput::Kind::Chat;
    input.messages = {{"user", text}};
    return input;
}

GenerationParameters maxTokens(int count) {
    GenerationParameters parameters;
    parameters.maxTokens = count;
    return parameters;
}

RemoteEndpoint endpointOf(const server::OpenAiServer& server) {
    RemoteEndpoint endpoint;
    endpoint.baseUrl = server.baseUrl();
    endpoint.readTimeoutSeconds = 10;
    return endpoint;
}

// The message GenerationServiceError carries, or "" when `call` did not throw it.
template <typename Call>
std::string failureOf(Call call) {
    try {
        call();
    } catch (const GenerationServiceError& error) {
        return error.what();
    }
    return {};
}

// A hostile server: answers each connection, one at a time, with whatever `answer`
// writes on the socket after the request (head and body) was read. `answer` gets the
// request's head and returns when it is done or a write fails (the client left).
class RawServer {
public:
    using Answer = std::function<void(int fd, const std::string& head)>;
    explicit RawServer(Answer answer) : answer_(std::move(answer)) {
        listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(listen_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        EXPECT_EQ(::listen(listen_, 8), 0);
        socklen_t length = sizeof address;
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~RawServer() {
        stop_ = true;
        thread_.join();
        ::close(listen_);
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(port_); }

    // Writes all of `bytes`; false when the client has gone.
    static bool send(int fd, const std::string& bytes) {
        size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return false;
            done += static_cast<size_t>(n);
        }
        return true;
    }

private:
    void serve() {
        while (!stop_) {
            pollfd waiting{listen_, POLLIN, 0};
            if (::poll(&waiting, 1, 20) <= 0) continue;
            const int fd = ::accept(listen_, nullptr, nullptr);
            if (fd < 0) continue;
            timeval limit{5, 0};  // a client that stops reading does not hold the test
            ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
            std::string request;
            char buffer[4096];
            size_t headEnd = std::string::npos;
            while (headEnd == std::string::npos) {
                const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
                if (n <= 0) break;
                request.append(buffer, static_cast<size_t>(n));
                headEnd = request.find("\r\n\r\n");
            }
            if (headEnd != std::string::npos) {
                const std::string head = request.substr(0, headEnd);
                size_t bodyBytes = 0;
                if (const size_t at = head.find("Content-Length: "); at != std::string::npos) {
                    bodyBytes = std::stoul(head.substr(at + 16));
                }
                while (request.size() < headEnd + 4 + bodyBytes) {
                    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
                    if (n <= 0) break;
                    request.append(buffer, static_cast<size_t>(n));
                }
                answer_(fd, head);
            }
            ::close(fd);
        }
    }

    Answer answer_;
    int listen_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

const std::string kEventStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

RemoteEndpoint endpointOf(const RawServer& server) {
    RemoteEndpoint endpoint;
    endpoint.baseUrl = server.baseUrl();
    endpoint.model = "any";
    endpoint.readTimeoutSeconds = 1;
    return endpoint;
}

TEST(ServerSentEventReaderTest, ReadsEventsSplitAnywhereWithAnyLineEnding) {
    const std::string stream =
        ": a comment\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line one\ndata: line two\n\nid: 7\rdata:[DONE]\r\r";
    // Every split of the bytes into two feeds gives the same events.
    for (size_t split = 0; split <= stream.size(); ++split) {
        ServerSentEventReader reader;
        std::vector<std::string> events;
        const auto collect = [&](const std::string& data) {
            events.push_back(data);
            return true;
        };
        reader.feed(std::string_view(stream).substr(0, split), collect);
        reader.feed(std::string_view(stream).substr(split), collect);
        EXPECT_EQ(events, (std::vector<std::string>{"{\"a\":1}", "line one\nline two", "[DONE]"})) << split;
    }
    ServerSentEventReader stopping;
    int seen = 0;
    EXPECT_FALSE(stopping.feed("data: 1\n\ndata: 2\n\n", [&](const std::string&) { return ++seen < 1; }));
    EXPECT_EQ(seen, 1);
}

TEST(RemoteBackendTest, StreamsWhatTheServerGenerates) {
    auto service = std::make_shared<test::ScriptedService>(std::vector<std::string>{"Once", " upon", " a", " time"},
                                                           std::chrono::milliseconds(2));
    auto server = test::startServer(service);
    auto remote = RemoteGenerationService::connect(endpointOf(*server));
    EXPECT_EQ(remote->modelName(), "scripted-model") << "the first model the server lists";
    EXPECT_EQ(remote->describe().toStdString(), "scripted-model at " + server->baseUrl().toStdString());

    std::vector<std::string> pieces;
    const GenerationResult result = remote->generate(chatInput("hello"), maxTokens(10), [&](const std::string& text) {
        pieces.push_back(text);
        return true;
    }, nullptr);
    EXPECT_EQ(pieces, (std::vector<std::string>{"Once", " upon", " a", " time"}));
    EXPECT_EQ(result.text, "Once upon a time");
    EXPECT_EQ(result.stopReason, StopReason::EndOfGeneration);
    EXPECT_EQ(result.stats.generatedTokens, 4);
    EXPECT_GT(result.stats.timeToFirstTokenMs, 0.0);
    EXPECT_EQ(result.stats.decodeSteps, 3);
    EXPECT_GT(result.stats.decodeTokensPerSecond(), 0.0);
    // The messages reached the service as they were sent.
    ASSERT_EQ(service->inputs().size(), 1u);
    EXPECT_EQ(service->inputs()[0].messages.back().content, "hello");

    GenerationInput completion;
    completion.kind = GenerationInput::Kind::Completion;
    completion.prompt = "Once";
    EXPECT_EQ(remote->generate(completion, maxTokens(10), {}, nullptr).text, "Once upon a time");
    EXPECT_EQ(service->inputs()[1].prompt, "Once");
}

TEST(RemoteBackendTest, CancelStopsTheClientAtOnceAndTheServersGenerationWithinATokenOrTwo) {
    auto service = std::make_shared<test::SlowService>(std::chrono::milliseconds(10));
    auto server = test::startServer(service);
    auto remote = RemoteGenerationService::connect(endpointOf(*server));
    std::atomic<bool> cancel{false};
    int seen = 0;
    std::chrono::steady_clock::time_point cancelledAt;
    const GenerationResult result = remote->generate(chatInput("go"), maxTokens(1000), [&](const std::string&) {
        if (++seen == 5) {
            cancel = true;
            cancelledAt = std::chrono::steady_clock::now();
        }
        return true;
    }, &cancel);
    const auto stoppedAfter = std::chrono::steady_clock::now() - cancelledAt;
    EXPECT_EQ(result.stopReason, StopReason::Cancelled);
    EXPECT_LT(stoppedAfter, std::chrono::milliseconds(200));
    ASSERT_TRUE(test::waitFor([&] { return service->finished.load() == 1; }, std::chrono::seconds(2)))
        << "the server kept generating for a client that left";
    EXPECT_TRUE(service->lastRunCancelled.load());
    EXPECT_LE(service->lastRunPieces.load(), seen + 3) << "pieces generated after the client hung up";

    // Cancelling before anything arrived (the server still queued or thinking).
    std::atomic<bool> early{true};
    EXPECT_EQ(remote->generate(chatInput("go"), maxTokens(1000), {}, &early).stopReason, StopReason::Cancelled);
}

TEST(RemoteBackendTest, SaysWhatWentWrongInPlainSentences) {
    auto service = std::make_shared<test::SlowService>(std::chrono::milliseconds(10));
    server::ServerOptions options;
    options.apiKey = "right-key";
    options.maxWaitingGenerations = 0;
    auto server = test::startServer(service, options);

    RemoteEndpoint endpoint = endpointOf(*server);
    EXPECT_NE(failureOf([&] { listRemoteModels(endpoint); }).find("needs an API key (HTTP 401)"), std::string::npos);
    endpoint.apiKey = "wrong-key";
    EXPECT_NE(failureOf([&] { RemoteGenerationService::connect(endpoint); }).find("refused the API key (HTTP 401)"),
              std::string::npos);
    endpoint.apiKey = "right-key";
    endpoint.model = "llama-70b";
    EXPECT_NE(failureOf([&] { RemoteGenerationService::connect(endpoint); })
                  .find("has no model named 'llama-70b'. It has: slow-model"),
              std::string::npos);
    // A model that went away after connecting: the server's 404.
    RemoteGenerationService stale(endpoint);
    EXPECT_NE(failureOf([&] { stale.generate(chatInput("hi"), maxTokens(5), {}, nullptr); })
                  .find("no model named 'llama-70b'"),
              std::string::npos);

    // 429: one generation runs, none may wait.
    endpoint.model.clear();
    auto remote = RemoteGenerationService::connect(endpoint);
    std::atomic<bool> stopFirst{false};
    std::thread first([&] { remote->generate(chatInput("long"), maxTokens(1000), {}, &stopFirst); });
    ASSERT_TRUE(test::waitFor([&] { return service->started.load() == 1; }));
    const std::string busy = failureOf([&] { remote->generate(chatInput("second"), maxTokens(5), {}, nullptr); });
    EXPECT_NE(busy.find("is busy: too many requests (HTTP 429). Try again in"), std::string::npos) << busy;
    stopFirst = true;
    first.join();

    // Nothing listening: the port of a socket just closed.
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
    const int closedPort = ntohs(address.sin_port);
    ::close(probe);
    RemoteEndpoint nobody;
    nobody.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(closedPort);
    EXPECT_NE(failureOf([&] { RemoteGenerationService::connect(nobody); }).find("Cannot connect to the server"),
              std::string::npos);

    // A server that takes the connection and never answers.
    const int mute = ::socket(AF_INET, SOCK_STREAM, 0);
    address.sin_port = 0;
    ASSERT_EQ(::bind(mute, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(mute, 8), 0);
    length = sizeof address;
    ::getsockname(mute, reinterpret_cast<sockaddr*>(&address), &length);
    RemoteEndpoint silent;
    silent.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(ntohs(address.sin_port));
    silent.model = "any";
    silent.readTimeoutSeconds = 1;
    RemoteGenerationService waiting(silent);
    EXPECT_NE(failureOf([&] { waiting.generate(chatInput("hi"), maxTokens(5), {}, nullptr); })
                  .find("did not answer within 1 seconds"),
              std::string::npos);
    ::close(mute);

    RemoteEndpoint notUrl;
    notUrl.baseUrl = "localhost:8080";
    EXPECT_NE(failureOf([&] { listRemoteModels(notUrl); }).find("give one like http://127.0.0.1:8080/v1"),
              std::string::npos);
}

TEST(ServerSentEventReaderTest, AnEventWithoutEndIsRefusedNotKeptGrowing) {
    ServerSentEventReader reader;
    const std::string line = "data: " + std::string(1 << 20, 'x') + "\n";  // never a blank line
    int events = 0;
    bool goOn = true;
    for (int i = 0; i < 20 && goOn; ++i) goOn = reader.feed(line, [&](const std::string&) { return ++events > 0; });
    EXPECT_FALSE(goOn);
    EXPECT_TRUE(reader.tooLarge());
    EXPECT_EQ(events, 0);
}

// Servers that never stop or never make sense: each call ends within seconds, with a
// sentence, however the server behaves.
TEST(RemoteBackendTest, AServerThatStreamsWithoutEndIsStoppedAtMaxTokens) {
    RawServer server([](int fd, const std::string&) {
        if (!RawServer::send(fd, kEventStreamHead)) return;
        while (RawServer::send(fd, "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n")) {
        }
    });
    RemoteGenerationService remote(endpointOf(server));
    const auto start = std::chrono::steady_clock::now();
    const GenerationResult result = remote.generate(chatInput("hi"), maxTokens(5), {}, nullptr);
    EXPECT_EQ(result.text, "xxxxx");
    EXPECT_EQ(result.stopReason, StopReason::MaxTokens);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(RemoteBackendTest, AServerThatSendsNoTextOrEndlessEventsIsCutOff) {
    // Keep-alive comments every 100 ms: never silent, never an answer.
    RawServer keepAlive([](int fd, const std::string&) {
        if (!RawServer::send(fd, kEventStreamHead)) return;
        for (int i = 0; i < 100 && RawServer::send(fd, ": ping\n\ndata: {}\n\n"); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    RemoteGenerationService waiting(endpointOf(keepAlive));
    const auto start = std::chrono::steady_clock::now();
    const std::string quiet = failureOf([&] { waiting.generate(chatInput("hi"), maxTokens(5), {}, nullptr); });
    EXPECT_NE(quiet.find("sent no text for more than 1 seconds"), std::string::npos) << quiet;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

    // One event whose data lines never end: refused at 16 MiB, not kept in memory.
    RawServer endless([](int fd, const std::string&) {
        if (!RawServer::send(fd, kEventStreamHead)) return;
        const std::string line = "data: " + std::string(64 * 1024, 'x') + "\n";
        while (RawServer::send(fd, line)) {
        }
    });
    RemoteGenerationService flooded(endpointOf(endless));
    const std::string large = failureOf([&] { flooded.generate(chatInput("hi"), maxTokens(5), {}, nullptr); });
    EXPECT_NE(large.find("a streamed event larger than 16 MiB"), std::string::npos) << large;

    // Not HTTP at all.
    RawServer garbage([](int fd, const std::string&) { RawServer::send(fd, "\x1b[2J hello\r\n\r\n"); });
    RemoteGenerationService confused(endpointOf(garbage));
    EXPECT_FALSE(failureOf([&] { confused.generate(chatInput("hi"), maxTokens(5), {}, nullptr); }).empty());
    EXPECT_FALSE(failureOf([&] { listRemoteModels(endpointOf(garbage)); }).empty());
}

TEST(RemoteBackendTest, AModelListWithoutEndOrOfThousandsIsBounded) {
    RawServer endless([](int fd, const std::string&) {
        if (!RawServer::send(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"data\":[")) return;
        const std::string model = std::string(1000, ' ') + "{\"id\":\"m\"},";
        while (RawServer::send(fd, model)) {
        }
    });
    const std::string large = failureOf([&] { listRemoteModels(endpointOf(endless)); });
    EXPECT_NE(large.find("GET /models sent more than 4 MiB"), std::string::npos) << large;

    std::string list = "{\"object\":\"list\",\"data\":[";
    for (int i = 0; i < 5000; ++i) list += (i ? ",{\"id\":\"model-" : "{\"id\":\"model-") + std::to_string(i) + "\"}";
    list += "]}";
    RawServer many([&](int fd, const std::string&) {
        RawServer::send(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(list.size()) + "\r\n\r\n" + list);
    });
    RemoteEndpoint endpoint = endpointOf(many);
    endpoint.model = "missing";
    const std::string named = failureOf([&] { RemoteGenerationService::connect(endpoint); });
    EXPECT_NE(named.find("It has: model-0, model-1,"), std::string::npos) << named;
    EXPECT_NE(named.find("model-11 and 4988 more."), std::string::npos) << named;
    EXPECT_LT(named.size(), 1000u);
}

}  // namespace
}  // namespace ps
