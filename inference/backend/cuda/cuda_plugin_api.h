#pragma once
// The contract between ps_inference and the CUDA backend plugin
// (libpromptstudio-cuda.so). The plugin exports one C symbol,
// kCudaPluginEntryPoint, returning this table. The table holds C++ types, which
// is safe only between binaries of the same build: the loader refuses a plugin
// whose buildId differs from its own. Plain C++, no CUDA headers: the host
// compiles it too.
#include <memory>
#include <string>

#include "backend/backend.h"
#include "backend/backend_factory.h"

namespace ps {

// Bump when the table below changes.
inline constexpr int kCudaPluginAbiVersion = 2;
inline constexpr const char* kCudaPluginEntryPoint = "promptstudio_cuda_plugin";
inline constexpr const char* kCudaPluginFileName = "libpromptstudio-cuda.so";
// The same backend on the emulated device (tests, kernel development; never installed).
inline constexpr const char* kCudaEmulatedPluginFileName = "libpromptstudio-cuda-emulated.so";

struct CudaPluginApi {
    int abiVersion;
    const char* buildId;  // PROMPTSTUDIO_BUILD_ID of the build that made the plugin
    // tryCreateCudaBackend's contract (backend_factory.h); never throws.
    std::unique_ptr<Backend> (*createBackend)(std::shared_ptr<const Model> model, const BackendOptions& options,
                                              std::string& whyNot);
    // listCudaGpus's contract; never throws.
    GpuListing (*listGpus)();
    // measureCudaCeilings's contract; throws BackendError.
    CudaDeviceCeilings (*measureCeilings)(int device);
    // The emulated device's traffic counts (null in the real plugin).
    void (*setTrafficCounting)(bool on);
    std::vector<CudaKernelTraffic> (*takeTraffic)();
};

using CudaPluginEntryPoint = const CudaPluginApi* (*)();

}  // namespace ps
