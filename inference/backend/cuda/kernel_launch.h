#pragma once
// The one way the backend launches a kernel:
//
//     launchKernel<matvecKernel<T, false>>(grid, block, sharedBytes, stream, args...);
//
// is kernel<<<grid, block, sharedBytes, stream>>>(args...) when nvcc builds the
// kernels, and a launch on the emulated device (emulator/launch.h) when the
// host compiler builds the same .cu files for the tests. Kernels that take
// dynamic shared memory get it from dynamicSharedMemory<T>(). These two are
// the only places the two builds differ; the kernels themselves are one text.
#include <cuda_runtime.h>

#include <cstddef>
#include <utility>

#if defined(PROMPTSTUDIO_CUDA_EMULATOR)
#include "backend/cuda/emulator/launch.h"
#else
namespace ps {

template <auto Kernel, typename... Args>
void launchKernel(dim3 grid, dim3 block, size_t sharedBytes, cudaStream_t stream, Args&&... args) {
    Kernel<<<grid, block, sharedBytes, stream>>>(std::forward<Args>(args)...);
}

// The launch's dynamic shared memory (the sharedBytes of launchKernel).
template <typename T>
__device__ __forceinline__ T* dynamicSharedMemory() {
    extern __shared__ __align__(16) unsigned char psDynamicShared[];
    return reinterpret_cast<T*>(psDynamicShared);
}

}  // namespace ps
#endif
