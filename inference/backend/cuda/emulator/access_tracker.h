#pragma once
// Watches every load and store the kernels make. The kernel sources are
// compiled with ThreadSanitizer's instrumentation but linked against the
// callbacks in access_tracker.cpp instead of its runtime: each access arrives
// with its address and size, and the tracker
//   - checks shared memory for races: a thread reads or writes a byte that
//     another thread wrote since the last barrier that orders the two
//     (__syncthreads for the block, __syncwarp within a warp);
//   - while traffic counting is on, records each lane's global loads and
//     shared accesses in order, and when the warp next synchronizes (or the
//     block ends) groups the lanes' k-th accesses into one warp access, as SIMT
//     hardware issues them: 32-byte sectors touched vs bytes used, and for
//     shared memory the bank-conflict ways.
// The block scheduler tells it which thread runs and when barriers complete.
#include <cstdint>
#include <string>

namespace ps::emu::tracker {

// Device memory lies in [base, base + bytes) (device_memory.cpp).
void setDeviceRange(const void* base, uint64_t bytes);

void beginLaunch(const std::string& kernel, int threadsPerBlock);
void beginBlock();
// What every access looks at first: whether a kernel thread runs, and which.
struct RunningThread {
    bool active = false;  // off while the scheduler itself runs
    int thread = 0;       // linear index in the block
};
extern RunningThread running;
inline void setCurrentThread(int linearThread) { running.thread = linearThread; }
inline void setActive(bool active) { running.active = active; }
// The lanes of `warp` passed a __syncwarp (orders shared memory within the warp).
void warpMemoryBarrier(int warp);
// All threads passed a __syncthreads.
void blockMemoryBarrier();
// The lanes of `warp` met (any warp-wide call, or a block barrier): their
// recorded accesses become warp accesses.
void flushWarp(int warp);
void endBlock();
void endLaunch();

}  // namespace ps::emu::tracker
