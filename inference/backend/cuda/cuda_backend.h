#pragma once
// The CUDA backend's entry point, called by createBackend() (backend_factory.cpp)
// only in builds with PROMPTSTUDIO_HAVE_CUDA.
#include <memory>
#include <string>

#include "backend/backend.h"

namespace ps {

// A CUDA backend for `model` on options.cudaDevice, or nullptr with `whyNot` set
// to a sentence for the user ("no NVIDIA GPU found: <driver message>", "the model
// needs 9.1 GiB of GPU memory (weights 6.7, KV cache 2.1, scratch 0.3), NVIDIA
// GeForce RTX 3060 has 5.8 GiB free"). Never throws for a missing or failing GPU.
std::unique_ptr<Backend> tryCreateCudaBackend(std::shared_ptr<const Model> model,
                                              const BackendOptions& options, std::string& whyNot);

}  // namespace ps
