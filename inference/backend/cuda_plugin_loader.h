#pragma once
// Finds and loads the CUDA backend plugin (libpromptstudio-cuda.so) once per
// process, and says in words why not when it cannot. Where it looks, in order:
//   1. $PROMPTSTUDIO_CUDA_PLUGIN, when set (a file; nothing else is tried);
//   2. the folder of libpromptstudio-inference.so itself: lib/promptstudio when
//      installed, build/lib/promptstudio in the build tree;
//   3. <folder of the program>/../lib/promptstudio.
// The plugin is never unloaded: backends it made may live until exit.
#include <filesystem>
#include <string>
#include <vector>

namespace ps {

struct CudaPluginApi;

struct CudaPluginLoad {
    const CudaPluginApi* api = nullptr;  // null when not loaded
    std::filesystem::path path;          // the file loaded (or the one that failed)
    std::string whyNot;                  // a sentence for the user when api is null
};

// The places looked at, in order (see above).
std::vector<std::filesystem::path> cudaPluginCandidates();

// Tries `candidates` in order: the first that exists is loaded (or fails with
// its reason); none existing means "not installed". Not cached: for tests.
CudaPluginLoad loadCudaPlugin(const std::vector<std::filesystem::path>& candidates);

// loadCudaPlugin(cudaPluginCandidates()), done once per process; except that
// where the plugin is installed but the NVIDIA driver's libcuda.so.1 is not, it
// is not loaded at all and whyNot reads "no NVIDIA GPU found (no NVIDIA driver
// is installed: ...)".
const CudaPluginLoad& cudaPlugin();

// The CUDA backend on the emulated device (libpromptstudio-cuda-emulated.so,
// beside libpromptstudio-inference.so in a build tree), loaded once per
// process; it needs no driver. For tests and `--backend cuda-emulated`.
const CudaPluginLoad& cudaEmulatedPlugin();

}  // namespace ps
