// The remote backend against our own server, end to end over the loopback:
// streaming, cancel (which must stop the server's generation too), and every
// failure a person can meet, in words.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ps
