#pragma once
// A small persistent pool of worker threads for the CPU backend. A decode step
// runs a few hundred short parallel loops, so the workers are started once and
// woken per loop (spinning briefly before they sleep) instead of being created
// per call. The calling thread takes part in every loop and can finish it
// alone: a worker that the OS has not scheduled (other programs busy on the
// cores) delays nothing, it just finds no items left.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
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

    // Like run(), but the items are split into size() contiguous shares, one per
    // thread, each taken in order from its front; a thread done with its share
    // takes the next items of the others' shares. Decode reads each weight once:
    // one contiguous stream per thread keeps the hardware prefetchers running,
    // where items handed out alternately make every item a fresh start.
    void runInShares(int64_t items, const std::function<void(int64_t item, int worker)>& task);

    // Number of hardware threads (at least 1).
    static int hardwareThreads();

private:
    using Task = std::function<void(int64_t, int)>;
    void workerLoop(int worker);
    // Claims and runs items of loop `generation` until none is left.
    void drain(uint32_t generation, int worker);

    int threadCount_ = 1;
    std::vector<std::thread> workers_;

    // The loop in progress: generation in the high 32 bits, next item in the low
    // 32, so that a late worker can only claim items of the loop it read the task of.
    std::atomic<uint64_t> claim_{0};
    std::atomic<const Task*> task_{nullptr};
    std::atomic<int64_t> items_{0};
    std::atomic<int64_t> completed_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<int> sleepers_{0};
    std::atomic<bool> stopping_{false};

    // runInShares()'s shares: the next item of each and where it ends, a cache line each.
    struct alignas(64) Share {
        std::atomic<int64_t> next{0};
        int64_t end = 0;
    };
    std::unique_ptr<Share[]> shares_;
};

}  // namespace ps
