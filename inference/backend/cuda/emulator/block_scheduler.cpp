// Runs a kernel launch: block after block, each block's threads as fibers on
// this host thread. A fiber runs until it reaches a barrier or returns; when
// every runnable thread has had its turn, the scheduler releases the barriers
// whose conditions hold (CUDA's: __syncthreads waits for the whole block,
// warp-wide calls for the lanes of their mask) and reports what a GPU would do
// wrong: threads that exited while others wait at __syncthreads, threads
// waiting at different __syncthreads, an exited lane in a warp-wide call's
// mask, and deadlock.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/cuda/emulator/access_tracker.h"
#include "backend/cuda/emulator/device_builtins.h"
#include "backend/cuda/emulator/emulator.h"
#include "backend/cuda/emulator/fiber.h"

namespace ps::emu {

Builtins builtins{};

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kFiberStackBytes = 512 * 1024;
#else
constexpr size_t kFiberStackBytes = 128 * 1024;
#endif

enum class ThreadState { Runnable, AtBlockBarrier, AtWarpBarrier, Exited };

struct EmulatedThread {
    FiberContext context;
    ThreadState state = ThreadState::Runnable;
    const void* site = nullptr;  // the barrier waited at
    unsigned mask = 0;           // of a warp-wide call
    bool memoryBarrier = false;  // a __syncwarp (not a shuffle or ballot)
    uint64_t exchanges = 0;      // warp exchanges so far: picks the slot bank
    uint3 index{};
};

struct Warp {
    uint64_t slots[2][32] = {};
};

alignas(16) unsigned char dynamicShared[kMaxDynamicSharedBytes];

class BlockScheduler {
public:
    void run(const KernelLaunch& launch) {
        launch_ = &launch;
        name_ = kernelName(launch.signature);
        const dim3 block = launch.block;
        count_ = static_cast<int>(block.x * block.y * block.z);
        while (stacks_.size() < static_cast<size_t>(count_)) stacks_.emplace_back(kFiberStackBytes);
        threads_.assign(static_cast<size_t>(count_), EmulatedThread{});
        warps_.assign(static_cast<size_t>((count_ + 31) / 32), Warp{});
        for (int t = 0; t < count_; ++t) {
            const unsigned u = static_cast<unsigned>(t);
            threads_[static_cast<size_t>(t)].index = uint3{u % block.x, u / block.x % block.y, u / (block.x * block.y)};
        }
        builtins.blockSize = block;
        builtins.gridSize = launch.grid;
        errorsThisLaunch_ = 0;
        tracker::beginLaunch(name_, count_);
        for (unsigned z = 0; z < launch.grid.z; ++z)
            for (unsigned y = 0; y < launch.grid.y; ++y)
                for (unsigned x = 0; x < launch.grid.x; ++x) runBlock(uint3{x, y, z});
        tracker::endLaunch();
        launch_ = nullptr;
    }

    void waitAtBlockBarrier(const void* site) {
        EmulatedThread& t = threads_[static_cast<size_t>(current_)];
        t.state = ThreadState::AtBlockBarrier;
        t.site = site;
        yield();
    }

    void waitAtWarpBarrier(unsigned mask, const void* site, bool memoryBarrier) {
        EmulatedThread& t = threads_[static_cast<size_t>(current_)];
        t.state = ThreadState::AtWarpBarrier;
        t.site = site;
        t.mask = mask;
        t.memoryBarrier = memoryBarrier;
        yield();
    }

    uint64_t exchange(unsigned mask, uint64_t value, int sourceLane, const void* site) {
        EmulatedThread& t = threads_[static_cast<size_t>(current_)];
        Warp& warp = warps_[static_cast<size_t>(current_ / 32)];
        const int bank = static_cast<int>(t.exchanges++ & 1);
        const int lane = current_ % 32;
        warp.slots[bank][lane] = value;
        waitAtWarpBarrier(mask, site, false);
        const int source = (current_ / 32) * 32 + sourceLane;
        if (sourceLane < 0 || sourceLane > 31 || source >= count_ || !(mask >> sourceLane & 1u)) return value;
        return warp.slots[bank][sourceLane];
    }

    bool running() const { return launch_ != nullptr; }

private:
    static void threadEntry(void* argument) {
        fiberStarted();
        auto* self = static_cast<BlockScheduler*>(argument);
        self->launch_->body();
        self->threads_[static_cast<size_t>(self->current_)].state = ThreadState::Exited;
        self->finishedThread();
    }

    void finishedThread() { passOn(true); }

    void yield() { passOn(false); }

    // A pass runs the runnable threads in order, each switching straight to the
    // next (one switch per turn, not two); the last returns to the scheduler.
    void passOn(bool leaving) {
        EmulatedThread& from = threads_[static_cast<size_t>(current_)];
        int next = current_ + 1;
        while (next < count_ && threads_[static_cast<size_t>(next)].state != ThreadState::Runnable) ++next;
        if (next == count_) {
            tracker::setActive(false);
            switchFiber(from.context, scheduler_, leaving);
        } else {
            enter(next);
            switchFiber(from.context, threads_[static_cast<size_t>(next)].context, leaving);
        }
        // Resumed: whoever switched here called enter() for this thread.
    }

    void enter(int t) {
        current_ = t;
        builtins.thread = threads_[static_cast<size_t>(t)].index;
        tracker::setCurrentThread(t);
        tracker::setActive(true);
    }

    // Runs one pass over the runnable threads.
    void runPass() {
        int first = 0;
        while (first < count_ && threads_[static_cast<size_t>(first)].state != ThreadState::Runnable) ++first;
        if (first == count_) return;
        enter(first);
        switchFiber(scheduler_, threads_[static_cast<size_t>(first)].context);
        tracker::setActive(false);
    }

    void runBlock(uint3 blockIndex) {
        builtins.block = blockIndex;
        tracker::beginBlock();
        for (int t = 0; t < count_; ++t) {
            EmulatedThread& thread = threads_[static_cast<size_t>(t)];
            const uint3 index = thread.index;
            thread = EmulatedThread{};
            thread.index = index;
            prepareFiber(thread.context, stacks_[static_cast<size_t>(t)], &threadEntry, this);
        }
        int live = count_;
        while (live > 0) {
            runPass();
            live = 0;
            for (const EmulatedThread& t : threads_) live += t.state != ThreadState::Exited;
            if (live == 0) break;
            const bool warpsReleased = releaseWarpBarriers();
            const bool blockReleased = releaseBlockBarrier(live);
            if (!warpsReleased && !blockReleased) {
                reportDeadlock(blockIndex);
                break;  // the waiting fibers are abandoned; their stacks are reused
            }
        }
        for (int w = 0; w < static_cast<int>(warps_.size()); ++w) tracker::flushWarp(w);
        tracker::endBlock();
    }

    // A warp-wide call completes when every lane of the masks waiting is there.
    bool releaseWarpBarriers() {
        bool released = false;
        for (int w = 0; w < static_cast<int>(warps_.size()); ++w) {
            unsigned required = 0;
            bool any = false;
            for (int lane = 0; lane < 32; ++lane) {
                const int t = w * 32 + lane;
                if (t >= count_) break;
                const EmulatedThread& thread = threads_[static_cast<size_t>(t)];
                if (thread.state == ThreadState::AtWarpBarrier) {
                    required |= thread.mask;
                    any = true;
                }
            }
            if (!any) continue;
            bool complete = true;
            for (int lane = 0; lane < 32 && complete; ++lane) {
                if (!(required >> lane & 1u)) continue;
                const int t = w * 32 + lane;
                if (t >= count_) {
                    report(cudaErrorLaunchFailure, "a warp-wide call's mask names lane " + std::to_string(lane) +
                                                       " of warp " + std::to_string(w) +
                                                       ", which this block does not have");
                    continue;
                }
                const EmulatedThread& thread = threads_[static_cast<size_t>(t)];
                if (thread.state == ThreadState::Exited) {
                    report(cudaErrorLaunchFailure, "warp divergence: lane " + std::to_string(lane) + " of warp " +
                                                       std::to_string(w) +
                                                       " has exited, but a warp-wide call (__syncwarp, __shfl_*_sync) "
                                                       "of its warp waits for it (mask " +
                                                       hex(required) + ")");
                    continue;
                }
                if (thread.state != ThreadState::AtWarpBarrier) complete = false;
            }
            if (!complete) continue;
            bool memoryBarrier = false;
            for (int lane = 0; lane < 32; ++lane) {
                const int t = w * 32 + lane;
                if (t >= count_) break;
                EmulatedThread& thread = threads_[static_cast<size_t>(t)];
                if (thread.state != ThreadState::AtWarpBarrier) continue;
                memoryBarrier = memoryBarrier || thread.memoryBarrier;
                thread.state = ThreadState::Runnable;
            }
            if (memoryBarrier) tracker::warpMemoryBarrier(w);
            tracker::flushWarp(w);
            released = true;
        }
        return released;
    }

    // __syncthreads completes when every thread that has not exited waits there.
    bool releaseBlockBarrier(int live) {
        int waiting = 0;
        for (const EmulatedThread& t : threads_) waiting += t.state == ThreadState::AtBlockBarrier;
        if (waiting == 0 || waiting != live) return false;
        std::map<const void*, int> sites;
        for (const EmulatedThread& t : threads_) {
            if (t.state == ThreadState::AtBlockBarrier) ++sites[t.site];
        }
        if (live != count_) {
            report(cudaErrorLaunchFailure,
                   "barrier divergence: " + std::to_string(waiting) + " threads wait at __syncthreads (" +
                       siteName(sites.begin()->first) + ") while " + std::to_string(count_ - live) +
                       " threads of the block have exited");
        }
        if (sites.size() > 1) {
            std::string where;
            for (const auto& [site, count] : sites)
                where += (where.empty() ? "" : ", ") + siteName(site) + " (" + std::to_string(count) + " threads)";
            report(cudaErrorLaunchFailure, "barrier divergence: threads wait at different __syncthreads: " + where);
        }
        for (EmulatedThread& t : threads_) {
            if (t.state == ThreadState::AtBlockBarrier) t.state = ThreadState::Runnable;
        }
        tracker::blockMemoryBarrier();
        for (int w = 0; w < static_cast<int>(warps_.size()); ++w) tracker::flushWarp(w);
        return true;
    }

    void reportDeadlock(uint3 blockIndex) {
        int atBlock = 0, atWarp = 0, exited = 0;
        for (const EmulatedThread& t : threads_) {
            atBlock += t.state == ThreadState::AtBlockBarrier;
            atWarp += t.state == ThreadState::AtWarpBarrier;
            exited += t.state == ThreadState::Exited;
        }
        report(cudaErrorLaunchFailure, "deadlock in block (" + std::to_string(blockIndex.x) + "," +
                                           std::to_string(blockIndex.y) + "," + std::to_string(blockIndex.z) +
                                           "): " + std::to_string(atBlock) + " threads at __syncthreads, " +
                                           std::to_string(atWarp) + " at warp-wide calls, " + std::to_string(exited) +
                                           " exited");
    }

    void report(cudaError_t error, const std::string& message) {
        if (++errorsThisLaunch_ > 8) return;  // one broken launch, not a flood
        const uint3 b = builtins.block;
        reportKernelError(error, name_ + " block (" + std::to_string(b.x) + "," + std::to_string(b.y) + "," +
                                     std::to_string(b.z) + "): " + message);
    }

    static std::string siteName(const void* site) {
        return site ? static_cast<const char*>(site) : std::string("?");
    }
    static std::string hex(unsigned value) {
        char text[16];
        std::snprintf(text, sizeof text, "0x%08x", value);
        return text;
    }

    const KernelLaunch* launch_ = nullptr;
    std::string name_;
    int count_ = 0;
    int current_ = 0;
    int errorsThisLaunch_ = 0;
    FiberContext scheduler_;
    std::vector<FiberStack> stacks_;
    std::vector<EmulatedThread> threads_;
    std::vector<Warp> warps_;
};

BlockScheduler* const theScheduler = new BlockScheduler();  // lives until exit: no destruction order issues
inline BlockScheduler& scheduler() { return *theScheduler; }

}  // namespace

void executeLaunch(const KernelLaunch& launch) { scheduler().run(launch); }

void syncthreads(const void* site) { scheduler().waitAtBlockBarrier(site); }

void syncwarp(unsigned mask, const void* site) { scheduler().waitAtWarpBarrier(mask, site, true); }

uint64_t exchangeInWarp(unsigned mask, uint64_t value, int sourceLane, const void* site) {
    return scheduler().exchange(mask, value, sourceLane % 32, site);
}

unsigned ballotInWarp(unsigned mask, bool predicate, const void* site) {
    // Every lane deposits its predicate; each then reads all 32 slots. Two exchanges
    // would do; one deposit plus a read of the whole bank is the same barrier.
    unsigned result = 0;
    for (int lane = 0; lane < 32; ++lane) {
        const uint64_t bit = scheduler().exchange(mask, predicate ? 1 : 0, lane, site);
        if ((mask >> lane & 1u) && bit) result |= 1u << lane;
    }
    return result;
}

void* dynamicSharedMemory() { return dynamicShared; }

std::string kernelName(const char* signature) {
    std::string s = signature;
    const size_t at = s.find("Kernel = ");
    if (at != std::string::npos) s = s.substr(at + 9);
    if (!s.empty() && s.back() == ']') s.pop_back();
    for (const std::string noise : {"ps::{anonymous}::", "ps::TensorType::", "ps::", "(anonymous namespace)::"}) {
        for (size_t p = s.find(noise); p != std::string::npos; p = s.find(noise)) s.erase(p, noise.size());
    }
    return s;
}

}  // namespace ps::emu
