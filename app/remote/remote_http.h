#pragma once
// What the remote backend's calls share: an httplib client set up for an
// endpoint, and HTTP failures turned into sentences for people.
#include <httplib.h>

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "remote/remote_endpoint.h"

namespace ps::remote_http {

std::unique_ptr<httplib::Client> makeClient(const RemoteEndpoint& endpoint);
httplib::Headers authorizationHeaders(const RemoteEndpoint& endpoint);

// Stops `client` from its own thread when `cancel` is set (at once, even while the
// server is silent) or when nothing counted as progress (touch()) happened for
// `quietSeconds`. httplib's read timeout only notices a server that sends nothing; this
// also cuts off one that keeps the connection busy with bytes that never make an
// answer (keep-alive comments or empty events without end, a body trickling in).
class ClientWatchdog {
public:
    ClientWatchdog(httplib::Client& client, const std::atomic<bool>* cancel, int quietSeconds);
    ~ClientWatchdog();
    ClientWatchdog(const ClientWatchdog&) = delete;
    ClientWatchdog& operator=(const ClientWatchdog&) = delete;

    void touch();
    // True when the watchdog stopped the client for having been quiet too long.
    bool expired() const { return expired_.load(); }

private:
    using Clock = std::chrono::steady_clock;
    httplib::Client& client_;
    const std::atomic<bool>* cancel_;
    const Clock::duration quiet_;
    std::atomic<Clock::rep> lastProgress_;
    std::atomic<bool> expired_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool finished_ = false;
    std::thread thread_;
};

// A request that got no HTTP answer (refused, timed out, TLS), in words.
QString transportFailure(const RemoteEndpoint& endpoint, httplib::Error error, bool answerStarted);
// An HTTP answer other than 200, in words. `body` is the answer's text (an
// OpenAI error object, usually); `retryAfter` its Retry-After header.
QString statusFailure(const RemoteEndpoint& endpoint, int status, const std::string& body,
                      const std::string& retryAfter);
// The "message" of an OpenAI error object, or the text itself; shortened either way.
QString errorMessageOf(const std::string& body);

}  // namespace ps::remote_http
