// The access tracker (access_tracker.h): ThreadSanitizer's callback ABI,
// implemented for the emulated device, plus the shared-memory race check and
// the traffic counts.
#include "backend/cuda/emulator/access_tracker.h"

#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "backend/cuda/emulator/device_builtins.h"
#include "backend/cuda/emulator/emulator.h"
#include "backend/cuda/emulator/emulator_control.h"

namespace ps::emu {

namespace tracker {
extern RunningThread running;
}

namespace {

struct Access {
    uintptr_t address;
    uint32_t size;
};

// Who last touched a byte of shared memory, and when.
struct ShadowAccess {
    uint32_t block;       // block serial of the access (0: never)
    uint32_t blockEpoch;  // __syncthreads passed by then
    uint32_t warpEpoch;   // __syncwarps the thread's warp had passed by then
    int32_t thread;       // linear thread index
};
// One entry per byte of shared memory: its last write and its last read.
struct ShadowByte {
    ShadowAccess write, read;
};

struct RoleRange {
    uintptr_t begin, end;
    MemoryRole role;
};

struct TrackerState {
    // Where things are.
    uintptr_t deviceBase = 0, deviceBytes = 0;
    uintptr_t sharedBase = 0, sharedBytes = 0;  // the writable segment holding every __shared__ static
    uintptr_t builtinsBase = 0;

    bool counting = false;
    int threadsPerBlock = 0;
    uint32_t blockSerial = 0;
    uint32_t blockEpoch = 0;
    std::vector<uint32_t> warpEpochs;
    ShadowByte* shadow = nullptr;
    int racesThisLaunch = 0;

    // Traffic of the running launch and the totals per kernel.
    std::vector<std::vector<Access>> globalLoads, sharedAccesses;  // per thread, since the warp last met
    std::string kernel;
    KernelTraffic* current = nullptr;
    std::vector<KernelTraffic> kernels;
    std::map<std::string, size_t> kernelIndex;
    std::vector<RoleRange> roles;
    uint64_t* seen = nullptr;  // one bit per device byte: loaded in this launch
    int64_t launchOrder = 0;   // launches counted since the traffic was last taken
    uint64_t weightsBefore = 0, activationsBefore = 0;  // the kernel's loads before this launch
    std::vector<size_t> seenWords;
};

TrackerState trackerState;
inline TrackerState& state() { return trackerState; }

// The writable PT_LOAD segment of the module holding this code: the kernels'
// __shared__ statics live there (the emulator's own globals too, but only the
// kernels' accesses reach the tracker).
void findSharedSegment(TrackerState& s) {
    Dl_info info{};
    dladdr(reinterpret_cast<const void*>(&findSharedSegment), &info);
    struct Search {
        uintptr_t moduleBase;
        uintptr_t begin = 0, end = 0;
    } search{reinterpret_cast<uintptr_t>(info.dli_fbase)};
    dl_iterate_phdr(
        [](dl_phdr_info* module, size_t, void* data) {
            auto* found = static_cast<Search*>(data);
            bool ours = false;
            for (int i = 0; i < module->dlpi_phnum; ++i) {
                const ElfW(Phdr)& h = module->dlpi_phdr[i];
                if (h.p_type == PT_LOAD && module->dlpi_addr + h.p_vaddr <= found->moduleBase &&
                    found->moduleBase < module->dlpi_addr + h.p_vaddr + h.p_memsz)
                    ours = true;
            }
            if (!ours) return 0;
            for (int i = 0; i < module->dlpi_phnum; ++i) {
                const ElfW(Phdr)& h = module->dlpi_phdr[i];
                if (h.p_type != PT_LOAD || !(h.p_flags & PF_W)) continue;
                const uintptr_t begin = module->dlpi_addr + h.p_vaddr, end = begin + h.p_memsz;
                if (found->begin == 0 || begin < found->begin) found->begin = begin;
                if (end > found->end) found->end = end;
            }
            return 1;
        },
        &search);
    s.sharedBase = search.begin;
    s.sharedBytes = search.end - search.begin;
    s.builtinsBase = reinterpret_cast<uintptr_t>(&builtins);
    if (s.sharedBytes > 0) {
        void* shadow = mmap(nullptr, s.sharedBytes * sizeof(ShadowByte), PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        s.shadow = shadow == MAP_FAILED ? nullptr : static_cast<ShadowByte*>(shadow);
        if (!s.shadow) s.sharedBytes = 0;
    }
}

MemoryRole roleOf(const TrackerState& s, uintptr_t address) {
    auto it = std::upper_bound(s.roles.begin(), s.roles.end(), address,
                               [](uintptr_t a, const RoleRange& r) { return a < r.begin; });
    if (it == s.roles.begin()) return MemoryRole::Other;
    --it;
    return address < it->end ? it->role : MemoryRole::Other;
}

// True when `earlier` (by another thread) is not ordered before now by a
// barrier: same block, no __syncthreads since, and no __syncwarp since when
// both threads are in one warp.
bool unordered(const TrackerState& s, const ShadowAccess& earlier, int thread, int warp, uint32_t warpEpoch) {
    if (earlier.block != s.blockSerial || earlier.blockEpoch != s.blockEpoch || earlier.thread == thread) return false;
    return !(earlier.thread / 32 == warp && earlier.warpEpoch != warpEpoch);
}

// Read after write, write after write and write after read by different
// threads with no barrier between them. Threads run in order, so a read can
// come before the write it races with: the write-after-read check catches that.
void checkSharedRace(TrackerState& s, uintptr_t address, uint32_t size, bool write) {
    const int thread = tracker::running.thread;
    const int warp = thread / 32;
    const uint32_t warpEpoch = s.warpEpochs[static_cast<size_t>(warp)];
    const ShadowAccess now{s.blockSerial, s.blockEpoch, warpEpoch, thread};
    for (uint32_t i = 0; i < size; ++i) {
        ShadowByte& b = s.shadow[address + i - s.sharedBase];
        const bool afterWrite = unordered(s, b.write, thread, warp, warpEpoch);
        const bool afterRead = write && unordered(s, b.read, thread, warp, warpEpoch);
        if (afterWrite || afterRead) {
            if (++s.racesThisLaunch <= 4) {
                const uint3 blockIndex = builtins.block;
                const int other = afterWrite ? b.write.thread : b.read.thread;
                reportKernelError(cudaErrorLaunchFailure,
                                  s.kernel + " block (" + std::to_string(blockIndex.x) + "," +
                                      std::to_string(blockIndex.y) + "," + std::to_string(blockIndex.z) +
                                      "): shared-memory race: thread " + std::to_string(thread) +
                                      (write ? " writes" : " reads") + " a shared byte (" + std::to_string(size) +
                                      "-byte access) that thread " + std::to_string(other) +
                                      (afterWrite ? " wrote" : " read") + " since the last barrier between them");
            }
            break;
        }
        if (write) {
            b.write = now;
        } else {
            b.read = now;
        }
    }
}

__attribute__((noinline)) void onGlobalAccess(uintptr_t address, uint32_t size, bool write) {
    TrackerState& s = state();
    if (write) {
        s.current->bytesStored += size;
    } else {
        s.globalLoads[static_cast<size_t>(tracker::running.thread)].push_back(Access{address, size});
    }
}

__attribute__((noinline)) void onSharedAccess(uintptr_t address, uint32_t size, bool write) {
    TrackerState& s = state();
    if (address - s.builtinsBase < sizeof(Builtins)) return;  // threadIdx & co.
    if (address + size > s.sharedBase + s.sharedBytes) return;
    checkSharedRace(s, address, size, write);
    if (s.counting) s.sharedAccesses[static_cast<size_t>(tracker::running.thread)].push_back(Access{address, size});
}

// The fast path every load and store takes: no frame, two range checks.
inline void onAccess(const void* pointer, uint32_t size, bool write) {
    if (!tracker::running.active) return;
    const TrackerState& s = state();
    const auto address = reinterpret_cast<uintptr_t>(pointer);
    if (address - s.deviceBase < s.deviceBytes) {
        if (s.counting) onGlobalAccess(address, size, write);
    } else if (address - s.sharedBase < s.sharedBytes) {
        onSharedAccess(address, size, write);
    }
}

// The k-th global loads of the lanes of a warp, as one warp access. A lane's
// inactive slot (recordInactiveLoad: predicated off) keeps its later loads
// with the instruction they belong to and adds nothing.
void countWarpLoad(TrackerState& s, std::vector<Access>& group) {
    group.erase(std::remove_if(group.begin(), group.end(), [](const Access& a) { return a.size == 0; }), group.end());
    if (group.empty()) return;
    KernelTraffic& k = *s.current;
    std::vector<uintptr_t> sectors;
    for (const Access& a : group) {
        for (uintptr_t sector = a.address / 32; sector <= (a.address + a.size - 1) / 32; ++sector)
            sectors.push_back(sector);
    }
    std::sort(sectors.begin(), sectors.end());
    sectors.erase(std::unique(sectors.begin(), sectors.end()), sectors.end());
    std::sort(group.begin(), group.end(), [](const Access& a, const Access& b) { return a.address < b.address; });
    uint64_t used = 0;
    uintptr_t coveredTo = 0;
    for (const Access& a : group) {
        const uintptr_t begin = std::max(a.address, coveredTo), end = a.address + a.size;
        if (end > begin) used += end - begin;
        coveredTo = std::max(coveredTo, end);
    }
    k.warpLoads += 1;
    k.sectorsTouched += sectors.size();
    k.sectorBytesUsed += used;
    const int accessRole = static_cast<int>(roleOf(s, group.front().address));
    k.sectorsByRole[accessRole] += sectors.size();
    k.sectorBytesUsedByRole[accessRole] += used;
    for (const Access& a : group) {
        const int role = static_cast<int>(roleOf(s, a.address));
        k.bytesLoaded += a.size;
        k.loadedByRole[role] += a.size;
        // Distinct bytes of this launch: one bit per device byte.
        for (uintptr_t byte = a.address; byte < a.address + a.size; ++byte) {
            const uintptr_t offset = byte - s.deviceBase;
            uint64_t& word = s.seen[offset / 64];
            const uint64_t bit = uint64_t{1} << (offset % 64);
            if (word & bit) continue;
            if (word == 0) s.seenWords.push_back(offset / 64);
            word |= bit;
            k.distinctBytesLoaded += 1;
            k.distinctByRole[role] += 1;
        }
    }
}

// The k-th shared accesses of the lanes of a warp: bank conflicts. Accesses
// wider than 4 bytes are served in phases (8 bytes: half-warps, 16: quarters).
void countWarpSharedAccess(TrackerState& s, const std::vector<std::pair<int, Access>>& group) {
    KernelTraffic& k = *s.current;
    uint32_t width = 4;
    for (const auto& [lane, a] : group) width = std::max(width, a.size);
    const int lanesPerPhase = width >= 16 ? 8 : width >= 8 ? 16 : 32;
    k.sharedWarpAccesses += 1;
    for (int phase = 0; phase < 32 / lanesPerPhase; ++phase) {
        std::vector<uintptr_t> words[32];
        bool any = false;
        for (const auto& [lane, a] : group) {
            if (lane / lanesPerPhase != phase) continue;
            any = true;
            for (uintptr_t word = a.address / 4; word <= (a.address + a.size - 1) / 4; ++word) {
                std::vector<uintptr_t>& bank = words[word % 32];
                if (std::find(bank.begin(), bank.end(), word) == bank.end()) bank.push_back(word);
            }
        }
        if (!any) continue;
        int ways = 1;
        for (const auto& bank : words) ways = std::max(ways, static_cast<int>(bank.size()));
        k.sharedWavefronts += static_cast<uint64_t>(ways);
        k.worstBankConflictWays = std::max(k.worstBankConflictWays, ways);
    }
}

}  // namespace

namespace tracker {

void setDeviceRange(const void* base, uint64_t bytes) {
    TrackerState& s = state();
    s.deviceBase = reinterpret_cast<uintptr_t>(base);
    s.deviceBytes = bytes;
}

void beginLaunch(const std::string& kernel, int threadsPerBlock) {
    TrackerState& s = state();
    if (s.sharedBase == 0) findSharedSegment(s);
    s.kernel = kernel;
    s.threadsPerBlock = threadsPerBlock;
    s.racesThisLaunch = 0;
    s.warpEpochs.assign(static_cast<size_t>((threadsPerBlock + 31) / 32), 0);
    if (s.counting) {
        if (!s.seen && s.deviceBytes > 0) {
            void* bits = mmap(nullptr, s.deviceBytes / 8 + 8, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            s.seen = bits == MAP_FAILED ? nullptr : static_cast<uint64_t*>(bits);
            if (!s.seen) s.counting = false;
        }
        s.globalLoads.resize(static_cast<size_t>(threadsPerBlock));
        s.sharedAccesses.resize(static_cast<size_t>(threadsPerBlock));
        auto [it, added] = s.kernelIndex.emplace(kernel, s.kernels.size());
        if (added) {
            s.kernels.emplace_back();
            s.kernels.back().name = kernel;
        }
        s.current = &s.kernels[it->second];
        s.current->launches += 1;
        s.weightsBefore = s.current->loadedByRole[static_cast<int>(MemoryRole::Weights)];
        s.activationsBefore = s.current->loadedByRole[static_cast<int>(MemoryRole::Activations)];
    }
}

void beginBlock() {
    TrackerState& s = state();
    ++s.blockSerial;
    s.blockEpoch = 0;
    std::fill(s.warpEpochs.begin(), s.warpEpochs.end(), 0);
    if (s.counting) s.current->blocks += 1;
}

RunningThread running;

void warpMemoryBarrier(int warp) { ++state().warpEpochs[static_cast<size_t>(warp)]; }

void blockMemoryBarrier() { ++state().blockEpoch; }

void flushWarp(int warp) {
    TrackerState& s = state();
    if (!s.counting) return;
    const int first = warp * 32, last = std::min(first + 32, s.threadsPerBlock);
    size_t most = 0;
    for (int t = first; t < last; ++t) most = std::max(most, s.globalLoads[static_cast<size_t>(t)].size());
    std::vector<Access> group;
    for (size_t k = 0; k < most; ++k) {
        group.clear();
        for (int t = first; t < last; ++t) {
            const auto& loads = s.globalLoads[static_cast<size_t>(t)];
            if (k < loads.size()) group.push_back(loads[k]);
        }
        countWarpLoad(s, group);
    }
    most = 0;
    for (int t = first; t < last; ++t) most = std::max(most, s.sharedAccesses[static_cast<size_t>(t)].size());
    std::vector<std::pair<int, Access>> shared;
    for (size_t k = 0; k < most; ++k) {
        shared.clear();
        for (int t = first; t < last; ++t) {
            const auto& accesses = s.sharedAccesses[static_cast<size_t>(t)];
            if (k < accesses.size()) shared.emplace_back(t - first, accesses[k]);
        }
        countWarpSharedAccess(s, shared);
    }
    for (int t = first; t < last; ++t) {
        s.globalLoads[static_cast<size_t>(t)].clear();
        s.sharedAccesses[static_cast<size_t>(t)].clear();
    }
}

void endBlock() {}

void endLaunch() {
    TrackerState& s = state();
    if (s.seen) {
        for (size_t word : s.seenWords) s.seen[word] = 0;
        s.seenWords.clear();
    }
    if (s.current) {
        s.current->launchLoads.push_back(KernelTraffic::LaunchLoads{
            s.launchOrder++, s.current->loadedByRole[static_cast<int>(MemoryRole::Weights)] - s.weightsBefore,
            s.current->loadedByRole[static_cast<int>(MemoryRole::Activations)] - s.activationsBefore});
    }
    s.current = nullptr;
}

}  // namespace tracker

void recordAccess(const void* address, unsigned size, bool write) { onAccess(address, size, write); }

void recordInactiveLoad() {
    TrackerState& s = state();
    if (tracker::running.active && s.counting)
        s.globalLoads[static_cast<size_t>(tracker::running.thread)].push_back(Access{0, 0});
}

void labelMemory(const void* address, size_t bytes, MemoryRole role) {
    TrackerState& s = state();
    const auto begin = reinterpret_cast<uintptr_t>(address);
    s.roles.erase(std::remove_if(s.roles.begin(), s.roles.end(),
                                 [&](const RoleRange& r) { return r.begin < begin + bytes && begin < r.end; }),
                  s.roles.end());
    if (bytes == 0) return;
    s.roles.push_back(RoleRange{begin, begin + bytes, role});
    std::sort(s.roles.begin(), s.roles.end(), [](const RoleRange& a, const RoleRange& b) { return a.begin < b.begin; });
}

void forgetMemoryLabels(const void* address, size_t bytes) { labelMemory(address, bytes, MemoryRole::Other); }

void setTrafficCounting(bool on) { state().counting = on; }

std::vector<KernelTraffic> takeTraffic() {
    TrackerState& s = state();
    std::vector<KernelTraffic> taken = std::move(s.kernels);
    s.kernels.clear();
    s.kernelIndex.clear();
    s.launchOrder = 0;
    return taken;
}

}  // namespace ps::emu

// --- ThreadSanitizer's instrumentation ABI ----------------------------------------
// Every load and store of the kernel translation units calls one of these.
// Atomics are done for real (the kernels run on one host thread, but the host
// code in the same files may use them).
#define PS_EMU_VISIBLE extern "C" __attribute__((visibility("hidden")))
#define PS_EMU_ACCESS(size)                                                                                  \
    PS_EMU_VISIBLE void __tsan_read##size(void* p) { ps::emu::onAccess(p, size, false); }                  \
    PS_EMU_VISIBLE void __tsan_write##size(void* p) { ps::emu::onAccess(p, size, true); }                  \
    PS_EMU_VISIBLE void __tsan_unaligned_read##size(void* p) { ps::emu::onAccess(p, size, false); }        \
    PS_EMU_VISIBLE void __tsan_unaligned_write##size(void* p) { ps::emu::onAccess(p, size, true); }        \
    PS_EMU_VISIBLE void __tsan_volatile_read##size(void* p) { ps::emu::onAccess(p, size, false); }         \
    PS_EMU_VISIBLE void __tsan_volatile_write##size(void* p) { ps::emu::onAccess(p, size, true); }         \
    PS_EMU_VISIBLE void __tsan_unaligned_volatile_read##size(void* p) { ps::emu::onAccess(p, size, false); } \
    PS_EMU_VISIBLE void __tsan_unaligned_volatile_write##size(void* p) { ps::emu::onAccess(p, size, true); }
PS_EMU_ACCESS(1)
PS_EMU_ACCESS(2)
PS_EMU_ACCESS(4)
PS_EMU_ACCESS(8)
PS_EMU_ACCESS(16)
PS_EMU_VISIBLE void __tsan_read_range(void* p, unsigned long size) {
    ps::emu::onAccess(p, static_cast<uint32_t>(size), false);
}
PS_EMU_VISIBLE void __tsan_write_range(void* p, unsigned long size) {
    ps::emu::onAccess(p, static_cast<uint32_t>(size), true);
}
PS_EMU_VISIBLE void __tsan_init() {}
PS_EMU_VISIBLE void __tsan_func_entry(void*) {}
PS_EMU_VISIBLE void __tsan_func_exit() {}
PS_EMU_VISIBLE void __tsan_vptr_update(void**, void*) {}
PS_EMU_VISIBLE void __tsan_vptr_read(void**) {}
PS_EMU_VISIBLE void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
PS_EMU_VISIBLE void __tsan_atomic_signal_fence(int) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

#define PS_EMU_ATOMIC(bits, type)                                                                             \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_load(const volatile type* a, int) {                          \
        return __atomic_load_n(a, __ATOMIC_SEQ_CST);                                                        \
    }                                                                                                       \
    PS_EMU_VISIBLE void __tsan_atomic##bits##_store(volatile type* a, type v, int) {                       \
        __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                                           \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_exchange(volatile type* a, type v, int) {                    \
        return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST);                                                 \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_fetch_add(volatile type* a, type v, int) {                   \
        return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);                                                  \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_fetch_sub(volatile type* a, type v, int) {                   \
        return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST);                                                  \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_fetch_and(volatile type* a, type v, int) {                   \
        return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST);                                                  \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_fetch_or(volatile type* a, type v, int) {                    \
        return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST);                                                   \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_fetch_xor(volatile type* a, type v, int) {                   \
        return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST);                                                  \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_fetch_nand(volatile type* a, type v, int) {                  \
        return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST);                                                 \
    }                                                                                                       \
    PS_EMU_VISIBLE int __tsan_atomic##bits##_compare_exchange_strong(volatile type* a, type* c, type v, int, int) { \
        return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);             \
    }                                                                                                       \
    PS_EMU_VISIBLE int __tsan_atomic##bits##_compare_exchange_weak(volatile type* a, type* c, type v, int, int) { \
        return __atomic_compare_exchange_n(a, c, v, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);              \
    }                                                                                                       \
    PS_EMU_VISIBLE type __tsan_atomic##bits##_compare_exchange_val(volatile type* a, type c, type v, int, int) { \
        __atomic_compare_exchange_n(a, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                   \
        return c;                                                                                           \
    }
PS_EMU_ATOMIC(8, unsigned char)
PS_EMU_ATOMIC(16, unsigned short)
PS_EMU_ATOMIC(32, unsigned int)
PS_EMU_ATOMIC(64, unsigned long long)
