// Picks the backend: CUDA where it was asked for (or left to us) and works,
// otherwise the CPU, with the reason the GPU was not used. The CUDA backend is
// the plugin cuda_plugin_loader.cpp loads; this file links no CUDA library.
#include "backend/backend_factory.h"

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cuda/cuda_plugin_api.h"
#include "backend/cuda_plugin_loader.h"

namespace ps {

bool cudaBackendCompiled() {
#if defined(PROMPTSTUDIO_HAVE_CUDA)
    return true;
#else
    return false;
#endif
}

GpuListing listCudaGpus() {
    const CudaPluginLoad& plugin = cudaPlugin();
    if (!plugin.api) return GpuListing{{}, plugin.whyNot};
    return plugin.api->listGpus();
}

std::unique_ptr<Backend> tryCreateCudaBackend(std::shared_ptr<const Model> model, const BackendOptions& options,
                                              std::string& whyNot) {
    const bool emulated = options.choice == BackendOptions::Choice::CudaEmulated;
    const CudaPluginLoad& plugin = emulated ? cudaEmulatedPlugin() : cudaPlugin();
    if (!plugin.api) {
        whyNot = plugin.whyNot;
        return nullptr;
    }
    whyNot.clear();
    std::unique_ptr<Backend> backend = plugin.api->createBackend(std::move(model), options, whyNot);
    if (!backend && whyNot.empty()) whyNot = "the CUDA backend could not start";
    return backend;
}

bool setCudaTrafficCounting(bool on) {
    const CudaPluginLoad& plugin = cudaEmulatedPlugin();
    if (!plugin.api || !plugin.api->setTrafficCounting) return false;
    plugin.api->setTrafficCounting(on);
    return true;
}

std::vector<CudaKernelTraffic> takeCudaTraffic() {
    const CudaPluginLoad& plugin = cudaEmulatedPlugin();
    if (!plugin.api || !plugin.api->takeTraffic) return {};
    return plugin.api->takeTraffic();
}

CudaDeviceCeilings measureCudaCeilings(int device) {
    const CudaPluginLoad& plugin = cudaPlugin();
    if (!plugin.api) throw BackendError("cannot measure the GPU: " + plugin.whyNot);
    return plugin.api->measureCeilings(device);
}

BackendSelection createBackend(std::shared_ptr<const Model> model, const BackendOptions& options) {
    BackendSelection selection;
    if (options.choice == BackendOptions::Choice::CudaEmulated) {
        std::string whyNot;
        selection.backend = tryCreateCudaBackend(model, options, whyNot);
        if (selection.backend) return selection;
        selection.fallbackReason = whyNot;
    } else if (options.choice != BackendOptions::Choice::Cpu) {
        if (cudaBackendCompiled()) {
            std::string whyNot;
            selection.backend = tryCreateCudaBackend(model, options, whyNot);
            if (selection.backend) return selection;
            selection.fallbackReason = whyNot;
        } else if (options.choice == BackendOptions::Choice::Cuda) {
            selection.fallbackReason = "this build of Prompt Studio has no CUDA backend";
        }
    }
    selection.backend = createCpuBackend(std::move(model), options);
    return selection;
}

}  // namespace ps
