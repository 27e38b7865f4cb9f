#pragma once
// Tells the emulated device what a range of device memory holds (weights, KV
// cache, activations), so that its traffic report can split the bytes each
// kernel loads by what they are. Does nothing on a GPU.
#include <cstddef>

#if defined(PROMPTSTUDIO_CUDA_EMULATOR)
#include "backend/cuda/emulator/emulator_control.h"
#endif

namespace ps {

enum class DeviceMemoryRole { Weights = 1, Activations = 2, KvCache = 3 };

inline void labelDeviceMemory(const void* address, size_t bytes, DeviceMemoryRole role) {
#if defined(PROMPTSTUDIO_CUDA_EMULATOR)
    emu::labelMemory(address, bytes, static_cast<emu::MemoryRole>(role));
#else
    (void)address;
    (void)bytes;
    (void)role;
#endif
}

}  // namespace ps
