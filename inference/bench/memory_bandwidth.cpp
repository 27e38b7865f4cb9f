#include "bench/memory_bandwidth.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace ps {

namespace {
// XOR of every 8-byte word; `omp simd` lets the compiler use vector loads.
uint64_t readAll(const uint64_t* words, size_t count) {
    uint64_t acc = 0;
#pragma omp simd reduction(^ : acc)
    for (size_t i = 0; i < count; ++i) acc ^= words[i];
    return acc;
}
}  // namespace

double measureHostReadBandwidth(int threads, size_t bytes) {
    if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
    const size_t words = bytes / 8;
    std::unique_ptr<uint64_t[]> buffer(new uint64_t[words]);
    for (size_t i = 0; i < words; ++i) buffer[i] = i * 0x9e3779b97f4a7c15ull;  // touch every page

    double best = 0.0;
    std::vector<uint64_t> sinks(static_cast<size_t>(threads));
    for (int repetition = 0; repetition < 4; ++repetition) {
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> workers;
        const size_t share = words / static_cast<size_t>(threads);
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                sinks[static_cast<size_t>(t)] = readAll(buffer.get() + share * t, share);
            });
        }
        for (std::thread& w : workers) w.join();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, static_cast<double>(share * threads * 8) / seconds / 1e9);
    }
    // Keep the reads observable so that they are not optimized away.
    volatile uint64_t sink = 0;
    for (uint64_t s : sinks) sink = sink ^ s;
    return best;
}

}  // namespace ps
