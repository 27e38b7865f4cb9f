#pragma once
// httplib's Server with the connection handling a public-facing server needs.
// httplib 0.11 serves each connection on a thread of a fixed pool for as long as
// the connection is kept alive, so eight idle connections starve everybody else.
// Here instead:
//   - each connection gets a thread of its own, up to `maxConnectionThreads`;
//     beyond that, connections wait in a bounded FIFO, and beyond that they are
//     answered 503 and closed at once (by the accepting thread, without blocking);
//   - a connection waits at most `keepAliveIdle` for its next request, and only
//     `idleUnderPressure` while more than `softConnections` are open, so a flood
//     of idle connections drains in milliseconds and leaves room for real ones;
//   - a whole request (headers and body) must arrive within `requestReadTimeout`
//     (slowloris), and a reader that takes no bytes for `writeTimeout` is dropped.
// The connection's socket is available to handlers (currentSocket()) so that a
// streaming handler can notice a client that went away.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

#include "server/connection_limits.h"

namespace ps::server {

class BoundedHttpServer : public httplib::Server {
public:
    explicit BoundedHttpServer(ConnectionLimits limits);
    ~BoundedHttpServer() override;

    // Binds host:port (port 0 = any free port) with a listen backlog large enough
    // for a burst of clients (httplib's is 5). Returns the port, or -1.
    int bind(const std::string& host, int port);

    // The socket of the connection the calling handler serves, or -1.
    static int currentSocket();
    // Called from a handler that answers without reading the request's body:
    // the connection closes after the answer (letting the client finish
    // sending first, so that it sees the answer instead of a reset).
    static void closeAfterResponse();

    // Open connections now (served or waiting), for tests and the status line.
    int openConnections() const;

private:
    class ConnectionThreads;

    bool process_and_close_socket(socket_t socket) override;
    // Waits for the first byte of the next request; false when the connection
    // should close (idle too long, the server stopping, the peer gone).
    bool waitForRequest(int socket, bool firstRequest) const;

    ConnectionLimits limits_;
    ConnectionThreads* threads_ = nullptr;  // owned by httplib (new_task_queue)
};

}  // namespace ps::server
