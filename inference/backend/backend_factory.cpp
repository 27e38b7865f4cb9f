// Picks the backend: CUDA where it was asked for (or left to us) and works,
// otherwise the CPU, with the reason the GPU was not used.
#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"

#if defined(PROMPTSTUDIO_HAVE_CUDA)
#include "backend/cuda/cuda_backend.h"
#endif

namespace ps {

bool cudaBackendCompiled() {
#if defined(PROMPTSTUDIO_HAVE_CUDA)
    return true;
#else
    return false;
#endif
}

BackendSelection createBackend(std::shared_ptr<const Model> model, const BackendOptions& options) {
    BackendSelection selection;
    if (options.choice != BackendOptions::Choice::Cpu) {
#if defined(PROMPTSTUDIO_HAVE_CUDA)
        std::string whyNot;
        selection.backend = tryCreateCudaBackend(model, options, whyNot);
        if (selection.backend) return selection;
        selection.fallbackReason = whyNot.empty() ? "the CUDA backend could not start" : whyNot;
#else
        if (options.choice == BackendOptions::Choice::Cuda) {
            selection.fallbackReason = "this build of Prompt Studio has no CUDA backend";
        }
#endif
    }
    selection.backend = createCpuBackend(std::move(model), options);
    return selection;
}

}  // namespace ps
