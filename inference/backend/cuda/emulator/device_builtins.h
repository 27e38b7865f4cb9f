#pragma once
// What a kernel sees on the emulated device. The backend's .cu files are
// compiled by the host compiler against this header: the CUDA qualifiers are
// spelled away, threadIdx & co. are the running fiber's coordinates (set by the
// block scheduler, block_scheduler.cpp), and the synchronizing intrinsics are
// real barriers among the fibers of a block, with CUDA's semantics:
//   __syncthreads   all threads of the block; a thread that exited while others
//                   wait, or threads waiting at different barriers, is reported
//                   as barrier divergence;
//   __syncwarp, __shfl*_sync, __ballot_sync
//                   every lane named in the mask; an exited lane in the mask is
//                   reported.
// __shared__ variables are statics: one block runs at a time, so a static is
// exactly one block's shared memory (docs/cuda-backend.md, "The emulated device").
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "backend/cuda/emulator/runtime_api.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) alignas(n)

namespace ps::emu {

// The running thread's coordinates; one object, so that the access tracker can
// tell these reads from shared-memory reads.
struct Builtins {
    uint3 thread;    // threadIdx
    uint3 block;     // blockIdx
    dim3 blockSize;  // blockDim
    dim3 gridSize;   // gridDim
};
extern Builtins builtins;

// Barriers: they yield to the block scheduler until the condition holds.
void syncthreads(const void* site);
void syncwarp(unsigned mask, const void* site);
// Deposits `value` for this lane, waits for the lanes of `mask`, returns what
// lane `sourceLane` deposited (its own value when that lane is outside the mask
// or the warp).
uint64_t exchangeInWarp(unsigned mask, uint64_t value, int sourceLane, const void* site);
unsigned ballotInWarp(unsigned mask, bool predicate, const void* site);
// Dynamic shared memory of the running launch (extern __shared__ on a GPU).
void* dynamicSharedMemory();

template <typename T>
uint64_t toLaneBits(T value) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>);
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof value);
    return bits;
}
template <typename T>
T fromLaneBits(uint64_t bits) {
    T value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

inline int laneOfCurrentThread() {
    const unsigned linear =
        builtins.thread.x + builtins.blockSize.x * (builtins.thread.y + builtins.blockSize.y * builtins.thread.z);
    return static_cast<int>(linear % 32);
}

}  // namespace ps::emu

#define threadIdx (::ps::emu::builtins.thread)
#define blockIdx (::ps::emu::builtins.block)
#define blockDim (::ps::emu::builtins.blockSize)
#define gridDim (::ps::emu::builtins.gridSize)
constexpr int warpSize = 32;

#define PS_EMU_STRINGIFY2(x) #x
#define PS_EMU_STRINGIFY(x) PS_EMU_STRINGIFY2(x)
// A barrier's call site: one string per source line, readable in reports.
#define PS_EMU_SITE (__FILE__ ":" PS_EMU_STRINGIFY(__LINE__))
inline unsigned ps_emu_mask() { return 0xffffffffu; }
inline unsigned ps_emu_mask(unsigned mask) { return mask; }
#define __syncthreads() ::ps::emu::syncthreads(PS_EMU_SITE)
#define __syncwarp(...) ::ps::emu::syncwarp(ps_emu_mask(__VA_ARGS__), PS_EMU_SITE)

template <typename T>
T __shfl_sync(unsigned mask, T value, int sourceLane, int width = 32) {
    const int lane = ::ps::emu::laneOfCurrentThread();
    const int source = (lane / width) * width + (sourceLane % width);
    return ::ps::emu::fromLaneBits<T>(::ps::emu::exchangeInWarp(mask, ::ps::emu::toLaneBits(value), source, nullptr));
}
template <typename T>
T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = 32) {
    const int lane = ::ps::emu::laneOfCurrentThread();
    int source = lane ^ laneMask;
    if (source / width != lane / width) source = lane;  // outside the segment: own value
    return ::ps::emu::fromLaneBits<T>(::ps::emu::exchangeInWarp(mask, ::ps::emu::toLaneBits(value), source, nullptr));
}
template <typename T>
T __shfl_down_sync(unsigned mask, T value, unsigned delta, int width = 32) {
    const int lane = ::ps::emu::laneOfCurrentThread();
    int source = lane + static_cast<int>(delta);
    if (source / width != lane / width) source = lane;
    return ::ps::emu::fromLaneBits<T>(::ps::emu::exchangeInWarp(mask, ::ps::emu::toLaneBits(value), source, nullptr));
}
template <typename T>
T __shfl_up_sync(unsigned mask, T value, unsigned delta, int width = 32) {
    const int lane = ::ps::emu::laneOfCurrentThread();
    int source = lane - static_cast<int>(delta);
    if (source < (lane / width) * width) source = lane;
    return ::ps::emu::fromLaneBits<T>(::ps::emu::exchangeInWarp(mask, ::ps::emu::toLaneBits(value), source, nullptr));
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
    return ::ps::emu::ballotInWarp(mask, predicate != 0, nullptr);
}
inline int __all_sync(unsigned mask, int predicate) {
    return (::ps::emu::ballotInWarp(mask, predicate != 0, nullptr) & mask) == mask;
}
inline int __any_sync(unsigned mask, int predicate) {
    return (::ps::emu::ballotInWarp(mask, predicate != 0, nullptr) & mask) != 0;
}

namespace ps::emu {
// One access of `size` bytes, as the kernel's instruction makes it (the
// compiler may split a struct copy into scalar loads; __ldg's must stay one).
void recordAccess(const void* address, unsigned size, bool write);
// A load instruction this lane skips (predicated off): the traffic count groups
// the lanes' k-th loads into one warp access, so a skipping lane says so.
void recordInactiveLoad();
}  // namespace ps::emu

// Read-only cache loads: one load of the whole T (a float4 is one 16-byte
// access, as ld.global.nc.v4 is), counted as a global load.
template <typename T>
__attribute__((no_sanitize_thread)) T __ldg(const T* address) {
    ::ps::emu::recordAccess(address, sizeof(T), false);
    T value;
    std::memcpy(&value, address, sizeof(T));
    return value;
}

// Loads that bypass L1 (ld.global.cg): what a block uses to read what other
// blocks of the same launch wrote. Counted as a global load like __ldg.
template <typename T>
__attribute__((no_sanitize_thread)) T __ldcg(const T* address) {
    ::ps::emu::recordAccess(address, sizeof(T), false);
    T value;
    std::memcpy(&value, address, sizeof(T));
    return value;
}

// Integer atomics on global memory: a load and a store of the word, counted.
// Blocks run one after another here, so the order of tickets is the block
// order; kernels must not depend on it (they add partials in a fixed order).
__attribute__((no_sanitize_thread)) inline unsigned atomicAdd(unsigned* address, unsigned value) {
    ::ps::emu::recordAccess(address, sizeof(unsigned), false);
    ::ps::emu::recordAccess(address, sizeof(unsigned), true);
    const unsigned old = *address;
    *address = old + value;
    return old;
}
// Blocks run one at a time: every write is visible to the blocks after it.
inline void __threadfence() {}

// Device math under its CUDA names; fmaxf, expf, sincosf come from the C
// library (the host's functions: timing and the last
// bit of transcendental functions are what the emulator does not reproduce).
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __int_as_float(int bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
inline float __uint_as_float(unsigned bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
inline unsigned __float_as_uint(float f) {
    unsigned bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits;
}
inline int __float_as_int(float f) {
    int bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits;
}
