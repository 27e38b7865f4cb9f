// The one symbol libpromptstudio-cuda.so exports: the table of what the
// programs may ask of the GPU (cuda_plugin_api.h). Everything else in the
// plugin is hidden, so it cannot clash with the programs' own symbols.
#include <cuda_runtime.h>

#include <exception>
#include <string_view>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_device_benchmark.h"
#include "backend/cuda/cuda_plugin_api.h"

#if defined(PROMPTSTUDIO_CUDA_EMULATOR)
#include "backend/cuda/emulator/emulator_control.h"
#endif

namespace ps {
namespace {

GpuListing listGpus() {
    GpuListing listing;
    try {
        int count = 0;
        listing.whyNone = findCudaDevices(count);
        for (int device = 0; device < count; ++device) {
            cudaDeviceProp properties{};
            CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
            GpuInfo gpu;
            gpu.index = device;
            gpu.name = properties.name;
            gpu.computeCapability = properties.major * 10 + properties.minor;
            gpu.totalBytes = properties.totalGlobalMem;
            // Free memory needs a context on the device (the first call creates it).
            CUDA_CHECK(cudaSetDevice(device));
            size_t freeBytes = 0, totalBytes = 0;
            CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
            gpu.freeBytes = freeBytes;
            gpu.totalBytes = totalBytes;
            listing.gpus.push_back(gpu);
        }
    } catch (const std::exception& e) {
        listing.whyNone = listing.gpus.empty() ? std::string("the GPUs could not be listed: ") + e.what() : "";
    }
    return listing;
}

CudaDeviceCeilings measureCeilings(int device) {
    int count = 0;
    if (const std::string whyNot = findCudaDevices(count); !whyNot.empty()) throw BackendError(whyNot);
    if (device < 0 || device >= count) {
        throw BackendError("there is no CUDA device " + std::to_string(device) + " (this machine has " +
                           std::to_string(count) + ")");
    }
    return measureCudaDeviceCeilings(device);
}

#if defined(PROMPTSTUDIO_CUDA_EMULATOR)
void setTrafficCounting(bool on) { emu::setTrafficCounting(on); }

std::vector<CudaKernelTraffic> takeTraffic() {
    std::vector<CudaKernelTraffic> result;
    for (const emu::KernelTraffic& k : emu::takeTraffic()) {
        CudaKernelTraffic t;
        t.name = k.name;
        t.launches = k.launches;
        t.blocks = k.blocks;
        t.bytesLoaded = k.bytesLoaded;
        t.bytesIdeal = k.distinctBytesLoaded;
        const auto role = [](emu::MemoryRole r) { return static_cast<int>(r); };
        t.weightBytesLoaded = k.loadedByRole[role(emu::MemoryRole::Weights)];
        t.weightBytesDistinct = k.distinctByRole[role(emu::MemoryRole::Weights)];
        t.activationBytesLoaded = k.loadedByRole[role(emu::MemoryRole::Activations)];
        t.kvBytesLoaded = k.loadedByRole[role(emu::MemoryRole::KvCache)];
        t.kvBytesDistinct = k.distinctByRole[role(emu::MemoryRole::KvCache)];
        t.sectorEfficiency = k.sectorEfficiency();
        t.weightSectorEfficiency = k.sectorEfficiency(emu::MemoryRole::Weights);
        t.kvSectorEfficiency = k.sectorEfficiency(emu::MemoryRole::KvCache);
        t.bankConflictWays = k.worstBankConflictWays;
        for (const auto& l : k.launchLoads) t.launchLoads.push_back({l.order, l.weightBytes, l.activationBytes});
        result.push_back(t);
    }
    return result;
}
constexpr auto kSetTrafficCounting = &setTrafficCounting;
constexpr auto kTakeTraffic = &takeTraffic;
#else
constexpr void (*kSetTrafficCounting)(bool) = nullptr;
constexpr std::vector<CudaKernelTraffic> (*kTakeTraffic)() = nullptr;
#endif

constexpr CudaPluginApi kApi{
    kCudaPluginAbiVersion, PROMPTSTUDIO_BUILD_ID, &createCudaBackendOnGpu, &listGpus, &measureCeilings,
    kSetTrafficCounting,   kTakeTraffic,
};

}  // namespace
}  // namespace ps

static_assert(std::string_view(ps::kCudaPluginEntryPoint) == "promptstudio_cuda_plugin",
              "the exported name below is the one the loader looks up");

extern "C" __attribute__((visibility("default"))) const ps::CudaPluginApi* promptstudio_cuda_plugin() {
    return &ps::kApi;
}
