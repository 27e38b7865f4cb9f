#pragma once
// Device memory of the emulated device: host memory, inside one reserved
// address range so that the access tracker tells a global access from any
// other by one comparison. Allocations are page-granular with an unmapped
// page after each, so most overruns fault at once; under AddressSanitizer they
// come from the heap instead, and ASan reports the overrun with its stack.
// The device's size is settable (PROMPTSTUDIO_CUDA_EMULATOR_MEMORY), to test
// what the backend does when a model does not fit.
#include <cstddef>
#include <cstdint>
#include <map>

namespace ps::emu {

class DeviceMemory {
public:
    DeviceMemory();
    // Null when the device is full (or the host is).
    void* allocate(size_t bytes);
    // False when `pointer` is not an allocation's start.
    bool release(void* pointer);
    // True when [pointer, pointer + bytes) lies inside one allocation.
    bool contains(const void* pointer, size_t bytes) const;
    bool isDevice(const void* pointer) const { return contains(pointer, 1); }

    uint64_t capacity() const;  // the device's memory: PROMPTSTUDIO_CUDA_EMULATOR_MEMORY, or 80 GiB
    uint64_t used() const { return used_; }

private:
    char* base_ = nullptr;
    uint64_t reserved_ = 0;
    uint64_t top_ = 0;                       // bump pointer into the reservation
    std::map<uint64_t, uint64_t> free_;      // offset -> bytes, released ranges
    std::map<uintptr_t, size_t> allocations_;  // start -> requested bytes
    uint64_t used_ = 0;
};

}  // namespace ps::emu
