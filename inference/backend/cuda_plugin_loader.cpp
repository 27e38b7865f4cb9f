// Loads libpromptstudio-cuda.so with dlopen and checks that it belongs to this
// build. Every failure becomes a sentence that says what is missing.
#include "backend/cuda_plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <system_error>

#include "backend/cuda/cuda_plugin_api.h"

namespace ps {

namespace {

namespace fs = std::filesystem;

// The folder holding the code of this function: libpromptstudio-inference.so's.
fs::path folderOfThisLibrary() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&folderOfThisLibrary), &info) == 0 || !info.dli_fname) return {};
    std::error_code error;
    const fs::path file = fs::weakly_canonical(fs::path(info.dli_fname), error);
    return error ? fs::path{} : file.parent_path();
}

fs::path folderOfProgram() {
    std::error_code error;
    const fs::path program = fs::read_symlink("/proc/self/exe", error);
    return error ? fs::path{} : program.parent_path();
}

std::string joinFolders(const std::vector<fs::path>& candidates) {
    std::string folders;
    for (const fs::path& candidate : candidates) {
        if (!folders.empty()) folders += ", ";
        folders += candidate.parent_path().string();
    }
    return folders;
}

// dlopen's message, turned into what the user has to install.
std::string explainLoadFailure(const fs::path& path, const std::string& dlerrorText) {
    if (dlerrorText.find("libcublas") != std::string::npos) {
        return "the CUDA backend needs NVIDIA's cuBLAS library from the CUDA toolkit, which is not installed (" +
               dlerrorText + ")";
    }
    return "the CUDA backend (" + path.string() + ") could not be loaded: " + dlerrorText;
}

}  // namespace

std::vector<fs::path> cudaPluginCandidates() {
    if (const char* chosen = std::getenv("PROMPTSTUDIO_CUDA_PLUGIN"); chosen && *chosen) return {fs::path(chosen)};
    std::vector<fs::path> candidates;
    auto add = [&](const fs::path& folder) {
        if (folder.empty()) return;
        const fs::path file = (folder / kCudaPluginFileName).lexically_normal();
        if (std::find(candidates.begin(), candidates.end(), file) == candidates.end()) candidates.push_back(file);
    };
    add(folderOfThisLibrary());
    if (const fs::path program = folderOfProgram(); !program.empty()) add(program / ".." / "lib" / "promptstudio");
    return candidates;
}

CudaPluginLoad loadCudaPlugin(const std::vector<fs::path>& candidates) {
    CudaPluginLoad load;
    const auto found = std::find_if(candidates.begin(), candidates.end(), [](const fs::path& candidate) {
        std::error_code error;
        return fs::is_regular_file(candidate, error);
    });
    if (found == candidates.end()) {
        load.whyNot = "the CUDA backend is not installed (no " + std::string(kCudaPluginFileName) + " in " +
                      (candidates.empty() ? std::string("any folder") : joinFolders(candidates)) +
                      "; install the promptstudio-cuda package)";
        return load;
    }
    load.path = *found;
    dlerror();  // clear an earlier message
    void* handle = dlopen(load.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* message = dlerror();
        load.whyNot = explainLoadFailure(load.path, message ? message : "unknown error");
        return load;
    }
    // From here on the handle stays open: dlclose could unmap code that a
    // half-initialized CUDA runtime still points at.
    const auto entry = reinterpret_cast<CudaPluginEntryPoint>(dlsym(handle, kCudaPluginEntryPoint));
    if (!entry) {
        load.whyNot = load.path.string() + " is not a Prompt Studio CUDA backend (it has no " +
                      kCudaPluginEntryPoint + ")";
        return load;
    }
    const CudaPluginApi* api = entry();
    if (!api || api->abiVersion != kCudaPluginAbiVersion || !api->buildId ||
        std::string(api->buildId) != PROMPTSTUDIO_BUILD_ID) {
        load.whyNot = "the CUDA backend (" + load.path.string() + ") belongs to another build of Prompt Studio (" +
                      (api && api->buildId ? api->buildId : "unknown") + ", this is " + PROMPTSTUDIO_BUILD_ID +
                      "); install the promptstudio-cuda package of the same version";
        return load;
    }
    load.api = api;
    return load;
}

// The NVIDIA driver's user-space library, which the CUDA runtime inside the
// plugin would load. Kept open when present (the runtime loads it anyway).
bool nvidiaDriverLibraryPresent() { return dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL) != nullptr; }

const CudaPluginLoad& cudaPlugin() {
    static const CudaPluginLoad load = [] {
        const std::vector<fs::path> candidates = cudaPluginCandidates();
        const bool installed = std::any_of(candidates.begin(), candidates.end(), [](const fs::path& candidate) {
            std::error_code error;
            return fs::is_regular_file(candidate, error);
        });
        // Without a driver the plugin has nothing to do, and loading it (cuBLAS
        // alone is ~600 MB) would cost every CPU-only start about a second.
        if (installed && !nvidiaDriverLibraryPresent()) {
            CudaPluginLoad none;
            none.whyNot = "no NVIDIA GPU found (no NVIDIA driver is installed: libcuda.so.1 cannot be loaded)";
            return none;
        }
        return loadCudaPlugin(candidates);
    }();
    return load;
}

const CudaPluginLoad& cudaEmulatedPlugin() {
    static const CudaPluginLoad load = [] {
        std::vector<fs::path> candidates;
        if (const fs::path library = folderOfThisLibrary(); !library.empty())
            candidates.push_back(library / kCudaEmulatedPluginFileName);
        if (const fs::path program = folderOfProgram(); !program.empty())
            candidates.push_back((program / ".." / "lib" / "promptstudio" / kCudaEmulatedPluginFileName).lexically_normal());
        CudaPluginLoad result = loadCudaPlugin(candidates);
        if (!result.api && result.whyNot.find("is not installed") != std::string::npos) {
            result.whyNot = "the emulated CUDA device is not built (no " + std::string(kCudaEmulatedPluginFileName) +
                            " in " + joinFolders(candidates) + "; it exists in build trees only)";
        }
        return result;
    }();
    return load;
}

}  // namespace ps
