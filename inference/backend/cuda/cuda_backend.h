#pragma once
// The CUDA backend's constructor function, inside the plugin. The programs reach
// it through tryCreateCudaBackend() (backend_factory.h), which loads the plugin
// and calls this through CudaPluginApi (cuda_plugin_entry.cpp).
#include <memory>
#include <string>

#include "backend/backend.h"

namespace ps {

// A CUDA backend for `model` on options.cudaDevice, or nullptr with `whyNot` set
// to a sentence for the user ("no NVIDIA GPU found: <driver message>", "the model
// needs 9.1 GiB of GPU memory (weights 6.7, KV cache 2.1, scratch 0.3), NVIDIA
// GeForce RTX 3060 has 5.8 GiB free"). Never throws for a missing or failing GPU.
std::unique_ptr<Backend> createCudaBackendOnGpu(std::shared_ptr<const Model> model, const BackendOptions& options,
                                                std::string& whyNot);

// "no NVIDIA GPU found (...)" when the runtime cannot see a device (no driver,
// none present), or empty with `count` set.
std::string findCudaDevices(int& count);

}  // namespace ps
