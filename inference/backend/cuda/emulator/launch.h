#pragma once
// launchKernel and dynamicSharedMemory (backend/cuda/kernel_launch.h) on the
// emulated device: the launch is queued on the stream (or captured into a
// graph) with a copy of its arguments, as a real launch copies them into the
// kernel's parameter space, and runs block by block when the stream does.
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "backend/cuda/emulator/emulator.h"

namespace ps {

namespace emu {
// "ps::{anonymous}::matvecKernel<ps::TensorType::Q4_K, false>": the compiler
// spells the kernel's name in this function's signature.
template <auto Kernel>
const char* kernelSignature() {
    return __PRETTY_FUNCTION__;
}
}  // namespace emu

template <auto Kernel, typename... Args>
void launchKernel(dim3 grid, dim3 block, size_t sharedBytes, cudaStream_t stream, Args&&... args) {
    emu::KernelLaunch launch;
    launch.signature = emu::kernelSignature<Kernel>();
    launch.grid = grid;
    launch.block = block;
    launch.sharedBytes = sharedBytes;
    launch.body = [... parameters = std::decay_t<Args>(std::forward<Args>(args))]() { Kernel(parameters...); };
    emu::enqueueLaunch(std::move(launch), stream);
}

template <typename T>
T* dynamicSharedMemory() {
    return static_cast<T*>(emu::dynamicSharedMemory());
}

}  // namespace ps
