#include "backend/cpu/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ps {

namespace {
inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}
// How long a worker spins for the next loop before sleeping: a decode step issues
// its loops microseconds apart, a finished generation leaves the pool idle.
constexpr int kSpinIterations = 20000;
}  // namespace

int ThreadPool::hardwareThreads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

ThreadPool::ThreadPool(int threads) {
    threadCount_ = threads > 0 ? threads : hardwareThreads();
    workers_.reserve(static_cast<size_t>(threadCount_ - 1));
    for (int w = 1; w < threadCount_; ++w) workers_.emplace_back([this, w] { workerLoop(w); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::drain(int worker) {
    for (;;) {
        const int64_t item = nextItem_.fetch_add(1, std::memory_order_relaxed);
        if (item >= items_) break;
        (*task_)(item, worker);
    }
}

void ThreadPool::run(int64_t items, const std::function<void(int64_t, int)>& task) {
    if (items <= 0) return;
    if (threadCount_ == 1 || items == 1) {
        for (int64_t i = 0; i < items; ++i) task(i, 0);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        task_ = &task;
        items_ = items;
        nextItem_.store(0, std::memory_order_relaxed);
        busyWorkers_.store(threadCount_ - 1, std::memory_order_relaxed);
        generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    drain(0);
    while (busyWorkers_.load(std::memory_order_acquire) != 0) cpuRelax();
}

void ThreadPool::workerLoop(int worker) {
    uint64_t seen = 0;
    for (;;) {
        uint64_t current = generation_.load(std::memory_order_acquire);
        for (int spin = 0; current == seen && spin < kSpinIterations; ++spin) {
            cpuRelax();
            current = generation_.load(std::memory_order_acquire);
        }
        if (current == seen) {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
            current = generation_.load(std::memory_order_acquire);
        }
        seen = current;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        drain(worker);
        busyWorkers_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

}  // namespace ps
