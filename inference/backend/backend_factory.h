#pragma once
// The GPU side of backend choice, for callers that want more than
// createBackend(): which NVIDIA GPUs there are and how much memory they have
// free (so a UI can say whether a model fits), the CUDA backend on its own
// (tests), and the device's measured ceilings (bench).
//
// The CUDA backend is a plugin, libpromptstudio-cuda.so, loaded on first use
// (cuda_plugin_loader.h says where from). Every function here works in every
// build: without the plugin, or without a driver, they say why there is no GPU.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace ps {

struct GpuInfo {
    int index = 0;  // the --device number
    std::string name;
    int computeCapability = 0;  // major * 10 + minor, e.g. 90 for an H100
    uint64_t totalBytes = 0;
    uint64_t freeBytes = 0;  // at the time of listing
};

struct GpuListing {
    std::vector<GpuInfo> gpus;
    // Why the list is empty ("the CUDA backend is not installed (...)", "no NVIDIA
    // GPU found (no NVIDIA driver is installed)"), or empty when GPUs were found.
    std::string whyNone;
};

// The NVIDIA GPUs the CUDA backend can use, with their free memory. Never throws.
GpuListing listCudaGpus();

// The CUDA backend for `model` on options.cudaDevice, or nullptr with `whyNot`
// set to a sentence for the user (the plugin is not installed or cannot load,
// no GPU or driver, unsupported model shape, not enough GPU memory with the
// numbers). Never throws for a missing or failing GPU. createBackend() calls it.
std::unique_ptr<Backend> tryCreateCudaBackend(std::shared_ptr<const Model> model, const BackendOptions& options,
                                              std::string& whyNot);

// The two ceilings of a GPU, measured on it, for `bench` to report decode and
// prefill against: a large device-to-device copy (GB/s counting bytes read and
// written) and a large FP16 GEMM through cuBLAS with FP32 accumulation.
struct CudaDeviceCeilings {
    std::string deviceName;
    double copyGBps = 0;        // (read + written) bytes / second / 1e9
    double fp16GemmTflops = 0;  // 2*m*n*k / second / 1e12
};

// Memory traffic per kernel, counted by the emulated CUDA device
// (BackendOptions::Choice::CudaEmulated; docs/cuda-backend.md): global bytes
// loaded, the distinct bytes among them (each byte once per launch: the
// ideal), split by what they are, 32-byte sectors vs bytes used per warp
// access, and the worst shared-memory bank conflict.
struct CudaKernelTraffic {
    std::string name;
    int64_t launches = 0;
    int64_t blocks = 0;
    uint64_t bytesLoaded = 0;
    uint64_t bytesIdeal = 0;
    uint64_t weightBytesLoaded = 0, weightBytesDistinct = 0;
    uint64_t activationBytesLoaded = 0;
    uint64_t kvBytesLoaded = 0, kvBytesDistinct = 0;
    double sectorEfficiency = 1.0;         // all global loads
    double weightSectorEfficiency = 1.0;   // warp accesses that read weights
    double kvSectorEfficiency = 1.0;       // ... the KV cache
    int bankConflictWays = 1;
    // Each launch's loads, with its place among all launches counted (what one
    // layer of a forward pass reads: traffic_report.cpp).
    struct LaunchLoads {
        int64_t order = 0;
        uint64_t weightBytesLoaded = 0, activationBytesLoaded = 0;
    };
    std::vector<LaunchLoads> launchLoads;
};
// Turns counting on or off; false where the emulated device is not available.
bool setCudaTrafficCounting(bool on);
// The counts since counting was turned on (or last taken), in order of first launch.
std::vector<CudaKernelTraffic> takeCudaTraffic();

// Measures both on `device` (a few seconds). Throws BackendError when the
// plugin, the driver or the device is missing or a CUDA call fails.
CudaDeviceCeilings measureCudaCeilings(int device);

}  // namespace ps
