// Finding and loading the CUDA backend plugin (libpromptstudio-cuda.so): what
// happens when it is missing, broken or foreign, and that the built one loads
// and reports the GPUs (or why there are none). Runs with or without a GPU.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "backend/backend_factory.h"
#include "backend/cuda/cuda_plugin_api.h"
#include "backend/cuda_plugin_loader.h"

namespace ps {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the system's temporary folder, removed afterwards.
class TemporaryFolder {
public:
    TemporaryFolder() {
        path_ = fs::temp_directory_path() /
                ("ps-plugin-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
        fs::create_directories(path_);
    }
    ~TemporaryFolder() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

TEST(CudaPluginLoader, NoPluginFileMeansNotInstalledAndSaysWhereItLooked) {
    TemporaryFolder a, b;
    const CudaPluginLoad load = loadCudaPlugin({a.path() / kCudaPluginFileName, b.path() / kCudaPluginFileName});
    EXPECT_EQ(load.api, nullptr);
    EXPECT_TRUE(startsWith(load.whyNot, "the CUDA backend is not installed")) << load.whyNot;
    EXPECT_NE(load.whyNot.find(a.path().string()), std::string::npos) << load.whyNot;
    EXPECT_NE(load.whyNot.find(b.path().string()), std::string::npos) << load.whyNot;
    EXPECT_NE(load.whyNot.find("promptstudio-cuda package"), std::string::npos) << load.whyNot;
}

TEST(CudaPluginLoader, AFileThatIsNotALibraryIsRefusedWithTheLoadersWords) {
    TemporaryFolder folder;
    const fs::path fake = folder.path() / kCudaPluginFileName;
    std::ofstream(fake) << "this is not an ELF file\n";
    const CudaPluginLoad load = loadCudaPlugin({fake});
    EXPECT_EQ(load.api, nullptr);
    EXPECT_EQ(load.path, fake);
    EXPECT_TRUE(startsWith(load.whyNot, "the CUDA backend (" + fake.string() + ") could not be loaded: "))
        << load.whyNot;
}

TEST(CudaPluginLoader, TheFirstExistingCandidateIsTheOneTried) {
    TemporaryFolder empty;
    const CudaPluginLoad load = loadCudaPlugin({empty.path() / kCudaPluginFileName, PS_BUILT_CUDA_PLUGIN});
    EXPECT_NE(load.api, nullptr) << load.whyNot;
    EXPECT_EQ(load.path, fs::path(PS_BUILT_CUDA_PLUGIN));
}

TEST(CudaPluginLoader, ALibraryWithoutTheEntryPointIsNotAPlugin) {
    const CudaPluginLoad load = loadCudaPlugin({PS_INFERENCE_LIBRARY});
    EXPECT_EQ(load.api, nullptr);
    EXPECT_NE(load.whyNot.find("is not a Prompt Studio CUDA backend"), std::string::npos) << load.whyNot;
}

TEST(CudaPluginLoader, TheBuiltPluginBelongsToThisBuild) {
    const CudaPluginLoad load = loadCudaPlugin({PS_BUILT_CUDA_PLUGIN});
    ASSERT_NE(load.api, nullptr) << load.whyNot;
    EXPECT_TRUE(load.whyNot.empty()) << load.whyNot;
    EXPECT_EQ(load.api->abiVersion, kCudaPluginAbiVersion);
    ASSERT_NE(load.api->createBackend, nullptr);
    ASSERT_NE(load.api->listGpus, nullptr);
    ASSERT_NE(load.api->measureCeilings, nullptr);
}

TEST(CudaPluginLoader, TheDefaultSearchFindsThePluginNextToTheRuntimeLibrary) {
    if (const char* chosen = std::getenv("PROMPTSTUDIO_CUDA_PLUGIN"); chosen && *chosen) {
        GTEST_SKIP() << "PROMPTSTUDIO_CUDA_PLUGIN is set: the search is not used";
    }
    const auto candidates = cudaPluginCandidates();
    ASSERT_FALSE(candidates.empty());
    EXPECT_EQ(fs::weakly_canonical(candidates.front()), fs::weakly_canonical(PS_BUILT_CUDA_PLUGIN));
    // Found, so either loaded or, without a driver, skipped with that reason.
    if (!cudaPlugin().api) {
        EXPECT_TRUE(startsWith(cudaPlugin().whyNot, "no NVIDIA GPU found (no NVIDIA driver is installed"))
            << cudaPlugin().whyNot;
    }
}

TEST(CudaPluginLoader, TheEnvironmentVariableNamesTheOnlyCandidate) {
    const char* before = std::getenv("PROMPTSTUDIO_CUDA_PLUGIN");
    const std::string saved = before ? before : "";
    ::setenv("PROMPTSTUDIO_CUDA_PLUGIN", "/nowhere/libpromptstudio-cuda.so", 1);
    const auto candidates = cudaPluginCandidates();
    if (before) {
        ::setenv("PROMPTSTUDIO_CUDA_PLUGIN", saved.c_str(), 1);
    } else {
        ::unsetenv("PROMPTSTUDIO_CUDA_PLUGIN");
    }
    ASSERT_EQ(candidates.size(), 1u);
    EXPECT_EQ(candidates.front(), fs::path("/nowhere/libpromptstudio-cuda.so"));
}

// On a machine without a GPU or driver the listing is empty and says why, and
// measuring the GPU throws that reason; with a GPU both describe it.
TEST(CudaPluginLoader, GpuListingAndCeilingsSayWhyThereIsNoGpu) {
    const GpuListing listing = listCudaGpus();
    if (listing.gpus.empty()) {
        EXPECT_TRUE(startsWith(listing.whyNone, "no NVIDIA GPU found (")) << listing.whyNone;
        try {
            measureCudaCeilings(0);
            ADD_FAILURE() << "measureCudaCeilings did not throw without a GPU";
        } catch (const BackendError& e) {
            EXPECT_NE(std::string(e.what()).find(listing.whyNone), std::string::npos) << e.what();
        }
        return;
    }
    EXPECT_TRUE(listing.whyNone.empty()) << listing.whyNone;
    for (size_t i = 0; i < listing.gpus.size(); ++i) {
        const GpuInfo& gpu = listing.gpus[i];
        EXPECT_EQ(gpu.index, static_cast<int>(i));
        EXPECT_FALSE(gpu.name.empty());
        EXPECT_GE(gpu.computeCapability, 75) << gpu.name;
        EXPECT_GT(gpu.totalBytes, 0u);
        EXPECT_LE(gpu.freeBytes, gpu.totalBytes);
    }
    try {
        measureCudaCeilings(static_cast<int>(listing.gpus.size()));
        ADD_FAILURE() << "a device index past the last GPU was accepted";
    } catch (const BackendError& e) {
        EXPECT_NE(std::string(e.what()).find("there is no CUDA device"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ps
