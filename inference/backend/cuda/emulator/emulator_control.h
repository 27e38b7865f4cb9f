#pragma once
// What tests and the traffic report ask of the emulated device beyond the CUDA
// API: the checks that fired, the memory traffic each kernel caused, labels
// for memory (weights, KV cache, activations) so traffic can be split by
// what it read, and a way to clear a failed device. Inside the emulated
// plugin and the emulator's own tests only.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ps::emu {

enum class MemoryRole { Other = 0, Weights = 1, Activations = 2, KvCache = 3 };
constexpr int kMemoryRoles = 4;

// Marks device memory [address, address + bytes) as holding `role`.
void labelMemory(const void* address, size_t bytes, MemoryRole role);

// Per kernel (by name, all its launches together) while counting is on.
struct KernelTraffic {
    std::string name;
    int64_t launches = 0;
    int64_t blocks = 0;
    uint64_t bytesLoaded = 0;           // global loads, every access counted
    uint64_t bytesStored = 0;
    uint64_t distinctBytesLoaded = 0;   // each byte once per launch: the ideal
    uint64_t loadedByRole[kMemoryRoles] = {};
    uint64_t distinctByRole[kMemoryRoles] = {};
    uint64_t warpLoads = 0;             // warp-wide load instructions (lanes grouped by their k-th load)
    uint64_t sectorsTouched = 0;        // 32-byte sectors those touched
    uint64_t sectorBytesUsed = 0;       // distinct bytes of them the warp asked for
    uint64_t sectorsByRole[kMemoryRoles] = {};  // the same, by what the warp access read
    uint64_t sectorBytesUsedByRole[kMemoryRoles] = {};
    uint64_t sharedWarpAccesses = 0;
    uint64_t sharedWavefronts = 0;      // bank-conflict replays included
    int worstBankConflictWays = 0;      // most distinct words in one bank, one warp access
    // Each launch's loads, with its place among all launches counted since the
    // traffic was last taken: what one part of a forward pass (a layer) reads.
    struct LaunchLoads {
        int64_t order = 0;
        uint64_t weightBytes = 0, activationBytes = 0;
    };
    std::vector<LaunchLoads> launchLoads;
    double sectorEfficiency(MemoryRole role) const {
        const int r = static_cast<int>(role);
        return sectorsByRole[r] ? static_cast<double>(sectorBytesUsedByRole[r]) / (32.0 * static_cast<double>(sectorsByRole[r]))
                                : 1.0;
    }
    double sectorEfficiency() const {
        return sectorsTouched ? static_cast<double>(sectorBytesUsed) / (32.0 * static_cast<double>(sectorsTouched)) : 1.0;
    }
};

void setTrafficCounting(bool on);
// The counts since counting was turned on or last taken, in order of first launch.
std::vector<KernelTraffic> takeTraffic();

// Messages of the checks that fired since the last call.
std::vector<std::string> takeDiagnostics();

// Clears a sticky error (what cudaDeviceReset does, without freeing memory).
void clearDeviceError();

// Device memory in use, in bytes.
uint64_t bytesAllocated();

}  // namespace ps::emu
