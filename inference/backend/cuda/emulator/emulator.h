#pragma once
// Inside the emulated device: what launch.h, the runtime calls and the block
// scheduler share. Not for the backend's code (it sees runtime_api.h), nor for
// tests (they see emulator_control.h).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "backend/cuda/emulator/runtime_api.h"

namespace ps::emu {

struct KernelLaunch {
    const char* signature = "";  // kernelSignature<Kernel>(): names the kernel in reports
    dim3 grid, block;
    size_t sharedBytes = 0;
    std::function<void()> body;  // one thread's run of the kernel, arguments bound
};

// Checks the configuration (an error becomes cudaGetLastError's, as on a GPU)
// and queues the launch on `stream`.
void enqueueLaunch(KernelLaunch launch, cudaStream_t stream);

// Runs every block of `launch` now (block_scheduler.cpp).
void executeLaunch(const KernelLaunch& launch);

// "matvecKernel<Q4_K, false>" from a kernelSignature.
std::string kernelName(const char* signature);

// A check fired while a kernel ran (barrier divergence, a race, a bad address):
// printed to stderr, kept for emulator_control.h's takeDiagnostics(), and the
// device fails the next runtime call with `error` (sticky, as on a GPU).
void reportKernelError(cudaError_t error, const std::string& message);

// Largest dynamic shared memory a launch may ask for (an H100's opt-in limit).
constexpr size_t kMaxDynamicSharedBytes = 227 * 1024;
// Without opting in (cudaFuncSetAttribute), static + dynamic shared memory of a block.
constexpr size_t kDefaultSharedBytesLimit = 48 * 1024;

}  // namespace ps::emu

namespace ps::emu {
// Drops the role labels of freed memory (access_tracker.cpp).
void forgetMemoryLabels(const void* address, size_t bytes);
}  // namespace ps::emu

namespace ps::emu {
// True when [pointer, pointer + bytes) lies in one device allocation (or bytes is 0).
bool deviceMemoryHolds(const void* pointer, size_t bytes);
// Queues host work on a stream, in order with kernels (cuBLAS's calls).
void enqueueWork(cudaStream_t stream, std::function<void()> work);
}  // namespace ps::emu
