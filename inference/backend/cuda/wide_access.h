#pragma once
// One load or store of a whole 8- or 16-byte vector, as the GPU's ld.v2/ld.v4
// and st.v4 make it. On the device (and in host tests) a plain copy; on the
// emulated device one recorded access of sizeof(T) bytes, because the host
// compiler splits a struct copy into scalar accesses, and the emulator's
// bank-conflict count would then see four 4-byte accesses where the GPU makes
// one 16-byte access.
#include <cstring>

#include "tensor/host_device.h"

#if defined(PROMPTSTUDIO_CUDA_EMULATOR)
#include "backend/cuda/emulator/device_builtins.h"
#endif

namespace ps {

#if defined(PROMPTSTUDIO_CUDA_EMULATOR)
template <typename T>
__attribute__((no_sanitize_thread)) inline T wideLoad(const T* p) {
    emu::recordAccess(p, sizeof(T), false);
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
}
template <typename T>
__attribute__((no_sanitize_thread)) inline void wideStore(T* p, const T& value) {
    emu::recordAccess(p, sizeof(T), true);
    std::memcpy(p, &value, sizeof(T));
}
// This lane skips a load the rest of the warp makes (for the traffic count's
// grouping of loads into warp accesses; nothing on a GPU).
inline void inactiveLoad() { emu::recordInactiveLoad(); }
#else
template <typename T>
PS_HD T wideLoad(const T* p) {
    return *p;
}
template <typename T>
PS_HD void wideStore(T* p, const T& value) {
    *p = value;
}
PS_HD void inactiveLoad() {}
#endif

}  // namespace ps
