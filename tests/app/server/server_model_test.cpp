// The server and the remote backend on a real model (stories260K):
//   - load: 32 clients streaming at once; none dropped or mixed up, each answer
//     the same as the same request run alone (greedy), time to first token
//     percentiles printed (docs/performance.md records them);
//   - a server nobody here wrote: llama.cpp's llama-server, with the Runner
//     running the bedtime-story sample on it through the remote backend.
#include <QEventLoop>
#include <QProcess>
#include <QTimer>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "document/promptapp_reader.h"
#include "remote/remote_generation_service.h"
#include "runner/local_generation_service.h"
#include "runner/runner.h"
#include "server_test_support.h"
#include "slow_service.h"
#include "support/shared_data.h"

namespace ps {
namespace {

using namespace std::chrono_literals;

BackendOptions cpuOptions() {
    BackendOptions options;
    options.choice = BackendOptions::Choice::Cpu;
    options.threads = 1;
    options.contextLength = 512;
    return options;
}

GenerationInput storyPrompt(int index) {
    static const char* heroes[] = {"a little fox", "a girl named Lily", "a sleepy dragon", "a brave boy", "a cat",
                                   "a tiny bird", "an old dog", "a happy frog"};
    GenerationInput input;
    input.kind = GenerationInput::Kind::Completion;
    input.prompt = std::string("Once upon a time, there was ") + heroes[index % 8] + (index >= 8 ? " who" : "") +
                   std::string(index / 8, '!');
    return input;
}

GenerationParameters greedy(int maxTokens) {
    GenerationParameters parameters;
    parameters.sampling.temperature = 0;
    parameters.maxTokens = maxTokens;
    return parameters;
}

double percentile(std::vector<double> values, double fraction) {
    std::sort(values.begin(), values.end());
    const size_t index = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

TEST(ServerLoadTest, ThirtyTwoStreamingClientsGetTheirOwnAnswersUnmixed) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    auto service = LocalGenerationService::load(modelPath, cpuOptions());
    auto server = test::startServer(service);
    RemoteEndpoint endpoint;
    endpoint.baseUrl = server->baseUrl();
    endpoint.readTimeoutSeconds = 30;
    constexpr int kClients = 32;
    constexpr int kTokens = 24;

    std::vector<std::string> alone(kClients);
    for (int i = 0; i < kClients; ++i) {
        alone[i] = RemoteGenerationService(endpoint).generate(storyPrompt(i), greedy(kTokens), {}, nullptr).text;
        ASSERT_FALSE(alone[i].empty()) << "client " << i;
    }

    std::vector<std::string> together(kClients);
    std::vector<std::string> streamed(kClients);
    std::vector<double> firstTokenMs(kClients, 0);
    std::vector<std::string> failures(kClients);
    std::atomic<int> ready{0};
    std::vector<std::thread> clients;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&, i] {
            RemoteGenerationService remote(endpoint);
            ++ready;
            while (ready.load() < kClients) std::this_thread::yield();  // all start together
            try {
                const GenerationResult result =
                    remote.generate(storyPrompt(i), greedy(kTokens), [&](const std::string& piece) {
                        streamed[i] += piece;
                        return true;
                    }, nullptr);
                together[i] = result.text;
                firstTokenMs[i] = result.stats.timeToFirstTokenMs;
            } catch (const std::exception& error) {
                failures[i] = error.what();
            }
        });
    }
    for (std::thread& client : clients) client.join();
    const double wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    for (int i = 0; i < kClients; ++i) {
        EXPECT_EQ(failures[i], "") << "client " << i;
        EXPECT_EQ(together[i], alone[i]) << "client " << i << " got another answer than alone";
        EXPECT_EQ(streamed[i], together[i]) << "client " << i;
    }
    const double p50 = percentile(firstTokenMs, 0.50);
    const double p99 = percentile(firstTokenMs, 0.99);
    std::printf("[load] %d streaming clients x %d tokens, stories260K, CPU 1 thread: time to first token p50 %.1f ms, "
                "p99 %.1f ms, all done in %.0f ms\n",
                kClients, kTokens, p50, p99, wallMs);
    ::testing::Test::RecordProperty("ttft_p50_ms", std::to_string(p50));
    ::testing::Test::RecordProperty("ttft_p99_ms", std::to_string(p99));
}

int freePort() {
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(probe);
    return ntohs(address.sin_port);
}

TEST(LlamaServerTest, TheRemoteBackendStreamsASampleAppFromLlamaCppsServer) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(serverPath, "tools/llama.cpp/llama-server");
    const int port = freePort();
    QProcess llama;
    llama.setProcessChannelMode(QProcess::MergedChannels);
    llama.start(QString::fromStdString(serverPath.string()),
                {"-m", QString::fromStdString(modelPath.string()), "--host", "127.0.0.1", "--port",
                 QString::number(port), "-c", "512", "-t", "1", "--log-disable"});
    ASSERT_TRUE(llama.waitForStarted(5000)) << llama.errorString().toStdString();
    struct Stop {
        QProcess& process;
        ~Stop() {
            process.kill();
            process.waitForFinished(5000);
        }
    } stop{llama};
    RemoteEndpoint endpoint;
    endpoint.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
    endpoint.readTimeoutSeconds = 20;
    ASSERT_TRUE(test::waitFor(
        [&] {
            const int fd = test::connectTo(port);
            if (fd < 0) return false;
            test::sendAll(fd, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            const std::string answer = test::readUntilClosed(fd, 1s);
            ::close(fd);
            return test::statusOf(answer) == 200;
        },
        20s))
        << "llama-server did not come up: " << llama.readAll().toStdString();

    auto remote = RemoteGenerationService::connect(endpoint);
    const PromptAppLoadResult sample = loadPromptApp(PROMPTSTUDIO_SAMPLE_APPS_DIR "/bedtime-story.promptapp");
    ASSERT_TRUE(sample.ok());
    Runner runner;
    runner.setService(remote);
    runner.setApp(sample.app, sample.app.filePath);
    int pieces = 0;
    QString streamed;
    RunResult result;
    QString failure;
    QEventLoop loop;
    QObject::connect(&runner, &Runner::tokenReceived, [&](const QString& text) {
        ++pieces;
        streamed += text;
    });
    QObject::connect(&runner, &Runner::finished, [&](const RunResult& finished) {
        result = finished;
        loop.quit();
    });
    QObject::connect(&runner, &Runner::failed, [&](const QString& message) {
        failure = message;
        loop.quit();
    });
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    ASSERT_TRUE(runner.start({{"hero", "a little fox"}}, {{"temperature", 0}, {"max_tokens", 32}}));
    loop.exec();
    ASSERT_TRUE(failure.isEmpty()) << failure.toStdString();
    EXPECT_GE(pieces, 8) << "the answer streamed in pieces";
    EXPECT_EQ(result.output, streamed);
    EXPECT_FALSE(result.output.trimmed().isEmpty());
    EXPECT_GT(result.stats.generatedTokens, 8);
    EXPECT_LE(result.stats.generatedTokens, 32);
    EXPECT_GT(result.stats.timeToFirstTokenMs, 0.0);
    EXPECT_GT(result.stats.decodeTokensPerSecond(), 0.0);
    EXPECT_EQ(result.service.toStdString(), remote->describe().toStdString());
}

}  // namespace
}  // namespace ps
