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
// How long a worker spins for the next loop before it yields, then sleeps: a
// decode step issues its loops microseconds apart, an idle model none at all.
constexpr int kSpinIterations = 4000;
constexpr int kYieldIterations = 200;

inline uint32_t generationOf(uint64_t claim) { return static_cast<uint32_t>(claim >> 32); }
}  // namespace

int ThreadPool::hardwareThreads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

ThreadPool::ThreadPool(int threads) {
    threadCount_ = threads > 0 ? threads : hardwareThreads();
    shares_.reset(new Share[static_cast<size_t>(threadCount_)]);
    workers_.reserve(static_cast<size_t>(threadCount_ - 1));
    for (int w = 1; w < threadCount_; ++w) workers_.emplace_back([this, w] { workerLoop(w); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_.store(true);
        claim_.fetch_add(uint64_t{1} << 32);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::drain(uint32_t generation, int worker) {
    const Task* task = task_.load(std::memory_order_acquire);
    const int64_t items = items_.load(std::memory_order_acquire);
    uint64_t claim = claim_.load(std::memory_order_acquire);
    for (;;) {
        if (generationOf(claim) != generation) return;
        const int64_t item = static_cast<int64_t>(claim & 0xffffffffu);
        if (item >= items) return;
        if (!claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel)) continue;
        (*task)(item, worker);
        completed_.fetch_add(1, std::memory_order_acq_rel);
        claim = claim_.load(std::memory_order_acquire);
    }
}

void ThreadPool::run(int64_t items, const Task& task) {
    if (items <= 0) return;
    if (threadCount_ == 1 || items == 1) {
        for (int64_t i = 0; i < items; ++i) task(i, 0);
        return;
    }
    // Close the previous generation first: a worker still inside drain() for it may
    // already have read this loop's task and count (published next) while the claim
    // still holds the old generation; with the old claim's item index below the new
    // count, its compare-exchange would succeed, run an item of this loop and count
    // it in `completed_` after the reset below, so that `completed_` passed `items`
    // and this loop waited forever (seen as a hang when runs were stopped and started
    // quickly). An index past any count makes such a worker return instead.
    const uint32_t previous = generationOf(claim_.load(std::memory_order_relaxed));
    claim_.store((static_cast<uint64_t>(previous) << 32) | 0xffffffffu);
    // Publish the loop: task and count first, then the new generation with item 0.
    task_.store(&task, std::memory_order_release);
    items_.store(items, std::memory_order_release);
    completed_.store(0, std::memory_order_release);
    const uint32_t generation = previous + 1;
    // Sequentially consistent with the sleepers' count, so that a worker going to
    // sleep either sees the new generation or is seen here and woken.
    claim_.store(static_cast<uint64_t>(generation) << 32);
    if (sleepers_.load() > 0) {
        std::lock_guard lock(mutex_);
        wake_.notify_all();
    }
    drain(generation, 0);
    for (int spin = 0; completed_.load(std::memory_order_acquire) != items; ++spin) {
        if (spin < kSpinIterations) {
            cpuRelax();
        } else {
            std::this_thread::yield();
        }
    }
}

void ThreadPool::runInShares(int64_t items, const Task& task) {
    const int shares = threadCount_;
    if (shares == 1 || items < 2 * shares) {
        run(items, task);
        return;
    }
    // The previous loop's tasks have all returned (run() waited for them), so
    // nobody reads the shares while they are reset.
    for (int s = 0; s < shares; ++s) {
        shares_[s].next.store(items * s / shares, std::memory_order_relaxed);
        shares_[s].end = items * (s + 1) / shares;
    }
    struct Loop {
        Share* shares;
        int count;
        const Task* task;
    } loop{shares_.get(), shares, &task};
    // One pool item per share; whoever claims it drains that share first, then the others.
    run(shares, [l = &loop](int64_t first, int worker) {
        for (int k = 0; k < l->count; ++k) {
            Share& share = l->shares[(first + k) % l->count];
            for (int64_t item = share.next.fetch_add(1, std::memory_order_relaxed); item < share.end;
                 item = share.next.fetch_add(1, std::memory_order_relaxed)) {
                (*l->task)(item, worker);
            }
        }
    });
}

void ThreadPool::workerLoop(int worker) {
    uint32_t seen = 0;
    for (;;) {
        uint32_t current = generationOf(claim_.load(std::memory_order_acquire));
        for (int spin = 0; current == seen && spin < kSpinIterations + kYieldIterations; ++spin) {
            if (spin < kSpinIterations) {
                cpuRelax();
            } else {
                std::this_thread::yield();
            }
            current = generationOf(claim_.load(std::memory_order_acquire));
        }
        if (current == seen) {
            std::unique_lock lock(mutex_);
            sleepers_.fetch_add(1);
            wake_.wait(lock, [&] {
                return generationOf(claim_.load()) != seen;
            });
            sleepers_.fetch_sub(1, std::memory_order_acq_rel);
            current = generationOf(claim_.load(std::memory_order_acquire));
        }
        if (stopping_.load(std::memory_order_acquire)) return;
        seen = current;
        drain(current, worker);
    }
}

}  // namespace ps
