#pragma once
// How many connections the server holds and for how long (bounded_http_server.h
// explains each limit).
#include <chrono>
#include <cstddef>

namespace ps::server {

struct ConnectionLimits {
    int maxConnectionThreads = 256;
    int maxWaitingConnections = 4096;
    int softConnections = 64;
    std::chrono::milliseconds keepAliveIdle{5000};
    std::chrono::milliseconds idleUnderPressure{200};
    std::chrono::milliseconds requestReadTimeout{10000};
    std::chrono::milliseconds writeTimeout{10000};
    int maxRequestsPerConnection = 100;
    size_t maxRequestBytes = 1 << 20;  // body; headers may add 64 KiB
};

}  // namespace ps::server
