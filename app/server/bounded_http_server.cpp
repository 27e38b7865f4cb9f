#include "server/bounded_http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>

#include "server/connection_stream.h"

namespace ps::server {

namespace {

using Clock = std::chrono::steady_clock;

// Set on the thread that serves a connection (see currentSocket()).
thread_local int tCurrentSocket = -1;
// Set by a handler whose request's body was left unread.
thread_local bool tCloseAfterResponse = false;
// Set while the accepting thread runs a connection it has no room for.
thread_local bool tRefuseConnection = false;
// When the connection being served was accepted (time spent waiting counts as idle).
thread_local Clock::time_point tAcceptedAt{};

constexpr std::chrono::milliseconds kIdleSlice{50};
constexpr size_t kHeaderBytes = 64 * 1024;

void closeSocket(int socket) {
    ::shutdown(socket, SHUT_RDWR);
    ::close(socket);
}

// Closing with unread bytes makes the kernel send a reset, which can destroy the
// answer before the client reads it. Stop sending, read what still comes for a
// moment, then close.
void closeAfterDraining(int socket) {
    ::shutdown(socket, SHUT_WR);
    const auto until = Clock::now() + std::chrono::milliseconds(500);
    char scratch[16384];
    size_t drained = 0;
    while (Clock::now() < until && drained < (size_t{64} << 20)) {
        pollfd descriptor{socket, POLLIN, 0};
        if (::poll(&descriptor, 1, 50) <= 0) continue;
        const ssize_t n = ::recv(socket, scratch, sizeof scratch, 0);
        if (n <= 0) break;
        drained += static_cast<size_t>(n);
    }
    ::close(socket);
}

// Written without waiting: the accepting thread must never block on a client.
void refuseBusy(int socket) {
    static const std::string kResponse = [] {
        const std::string body =
            "{\"error\":{\"message\":\"The server has too many open connections; try again in a moment.\","
            "\"type\":\"server_busy\",\"param\":null,\"code\":\"too_many_connections\"}}\n";
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
               "Connection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    ::send(socket, kResponse.data(), kResponse.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

// httplib's TaskQueue: one thread per connection up to the cap, then a bounded
// FIFO, then refusal. A queued connection's clock keeps running, so under a
// flood it is closed at once if it has not sent anything.
class BoundedHttpServer::ConnectionThreads : public httplib::TaskQueue {
public:
    explicit ConnectionThreads(const ConnectionLimits& limits) : limits_(limits) {}

    void enqueue(std::function<void()> connection) override {
        {
            std::lock_guard lock(mutex_);
            if (!stopping_) {
                if (running_ < limits_.maxConnectionThreads) {
                    ++running_;
                    std::thread(&ConnectionThreads::serve, this, std::move(connection), Clock::now()).detach();
                    return;
                }
                if (static_cast<int>(waiting_.size()) < limits_.maxWaitingConnections) {
                    waiting_.push_back({std::move(connection), Clock::now()});
                    return;
                }
            }
        }
        // No room: process_and_close_socket sees the flag, answers 503 and closes.
        tRefuseConnection = true;
        connection();
        tRefuseConnection = false;
    }

    void shutdown() override {
        std::unique_lock lock(mutex_);
        stopping_ = true;
        // Waiting connections are closed by their own (refusing) run.
        std::deque<Waiting> refused;
        refused.swap(waiting_);
        lock.unlock();
        for (Waiting& waiting : refused) {
            tRefuseConnection = true;
            waiting.connection();
            tRefuseConnection = false;
        }
        lock.lock();
        idle_.wait(lock, [this] { return running_ == 0; });
    }

    int open() const {
        std::lock_guard lock(mutex_);
        return running_ + static_cast<int>(waiting_.size());
    }

private:
    struct Waiting {
        std::function<void()> connection;
        Clock::time_point acceptedAt;
    };

    void serve(std::function<void()> connection, Clock::time_point acceptedAt) {
        for (;;) {
            tAcceptedAt = acceptedAt;
            connection();
            std::lock_guard lock(mutex_);
            if (waiting_.empty() || stopping_) {
                --running_;
                if (running_ == 0) idle_.notify_all();
                return;
            }
            connection = std::move(waiting_.front().connection);
            acceptedAt = waiting_.front().acceptedAt;
            waiting_.pop_front();
        }
    }

    const ConnectionLimits& limits_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::deque<Waiting> waiting_;
    int running_ = 0;
    bool stopping_ = false;
};

BoundedHttpServer::BoundedHttpServer(ConnectionLimits limits) : limits_(limits) {
    new_task_queue = [this] {
        threads_ = new ConnectionThreads(limits_);
        return threads_;
    };
    const auto seconds = [](std::chrono::milliseconds ms) {
        return std::max<time_t>(1, static_cast<time_t>((ms.count() + 999) / 1000));
    };
    // httplib sets these on accepted sockets; our stream has its own waits, but
    // a kernel-level send timeout is a second guard.
    set_read_timeout(seconds(limits_.requestReadTimeout));
    set_write_timeout(seconds(limits_.writeTimeout));
}

BoundedHttpServer::~BoundedHttpServer() { stop(); }

int BoundedHttpServer::bind(const std::string& host, int port) {
    const int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
    if (bound < 0) return -1;
    ::listen(svr_sock_, SOMAXCONN);  // widens httplib's backlog of 5 (Linux allows re-listen)
    return bound;
}

int BoundedHttpServer::currentSocket() { return tCurrentSocket; }

void BoundedHttpServer::closeAfterResponse() { tCloseAfterResponse = true; }

int BoundedHttpServer::openConnections() const { return threads_ ? threads_->open() : 0; }

bool BoundedHttpServer::waitForRequest(int socket, bool firstRequest) const {
    const Clock::time_point start = firstRequest ? tAcceptedAt : Clock::now();
    for (;;) {
        if (svr_sock_ == INVALID_SOCKET) return false;  // stopping
        pollfd descriptor{socket, POLLIN, 0};
        const int ready = ::poll(&descriptor, 1, static_cast<int>(kIdleSlice.count()));
        if (ready > 0) return (descriptor.revents & POLLIN) != 0;
        if (ready < 0 && errno != EINTR) return false;
        const bool crowded = threads_ && threads_->open() > limits_.softConnections;
        const auto limit = crowded ? limits_.idleUnderPressure : limits_.keepAliveIdle;
        if (Clock::now() - start >= limit) return false;
    }
}

bool BoundedHttpServer::process_and_close_socket(socket_t socket) {
    if (tRefuseConnection) {
        refuseBusy(socket);
        closeSocket(socket);
        return false;
    }
    // Each streamed event goes out as it is written: without this, Nagle's
    // algorithm holds small writes back until the client acknowledges (up to 40 ms).
    const int on = 1;
    ::setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    tCurrentSocket = socket;
    tCloseAfterResponse = false;
    ConnectionStream stream(socket, limits_.writeTimeout);
    bool ok = true;
    for (int served = 0; served < limits_.maxRequestsPerConnection; ++served) {
        if (!stream.hasBufferedBytes() && !waitForRequest(socket, served == 0)) break;
        stream.startRequest(Clock::now() + limits_.requestReadTimeout, limits_.maxRequestBytes + kHeaderBytes);
        const bool last = served + 1 == limits_.maxRequestsPerConnection || svr_sock_ == INVALID_SOCKET;
        bool closed = false;
        ok = process_request(stream, last, closed, nullptr);
        if (!ok || closed || tCloseAfterResponse) break;
    }
    tCurrentSocket = -1;
    if (tCloseAfterResponse) {
        tCloseAfterResponse = false;
        closeAfterDraining(socket);
    } else {
        closeSocket(socket);
    }
    return ok;
}

}  // namespace ps::server
