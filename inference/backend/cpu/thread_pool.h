#pragma once
// A small persistent pool of worker threads for the CPU backend. A decode step
// runs a few hundred short parallel loops, so the workers are started once and
// woken per loop (spinning briefly before they sleep) instead of being created
// per call. The calling thread takes part in every loop as worker 0.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ps {

class ThreadPool {
public:
    // `threads` workers in all, counting the caller; 0 = one per hardware thread.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return threadCount_; }

    // Calls task(item, worker) for every item in [0, items), handing out items
    // dynamically; worker is in [0, size()). Returns when all items are done.
    // Not reentrant: task must not call run() itself.
    void run(int64_t items, const std::function<void(int64_t item, int worker)>& task);

    // Number of hardware threads (at least 1).
    static int hardwareThreads();

private:
    void workerLoop(int worker);
    void drain(int worker);

    int threadCount_ = 1;
    std::vector<std::thread> workers_;

    std::mutex mutex_;
    std::condition_variable wake_;
    const std::function<void(int64_t, int)>* task_ = nullptr;
    int64_t items_ = 0;
    std::atomic<int64_t> nextItem_{0};
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> busyWorkers_{0};
    bool stopping_ = false;
};

}  // namespace ps
