#pragma once
// The CPU backend: the reference the GPU is checked against and the fallback
// where there is no GPU. FP32 activations and KV cache; weights are read in
// their stored type.
#include <memory>

#include "backend/backend.h"

namespace ps {

struct MatmulKernelSet;

// A CPU backend with options.threads workers (0 = one per hardware thread) and
// a KV cache of options.contextLength positions (0 = the model's, capped at
// 4096). `kernels` picks the matrix kernels (nullptr = the fastest this CPU
// runs; tests pass referenceKernels() or scalarKernels() from matmul_kernels.h).
// Throws BackendError for a model it cannot run, OutOfMemoryError when the KV
// cache and scratch cannot be allocated.
std::unique_ptr<Backend> createCpuBackend(std::shared_ptr<const Model> model,
                                          const BackendOptions& options,
                                          const MatmulKernelSet* kernels = nullptr);

}  // namespace ps
