#pragma once
// The two ceilings of a GPU, measured on it (not read from a datasheet), for
// `promptstudio-cli bench` to report achieved decode bandwidth against: a large
// device-to-device copy (GB/s, bytes read + written) and a large FP16 matrix
// product through cuBLAS with FP32 accumulation (TFLOP/s). Inside the plugin;
// the programs reach them through measureCudaCeilings() (backend_factory.h).
// Both throw BackendError (CudaError) when the GPU fails.
#include <cstddef>
#include <string>

#include "backend/backend_factory.h"  // CudaDeviceCeilings

namespace ps {

// Median over `repeats` timed copies of `bytes` bytes after a warm-up (CUDA events).
double measureDeviceCopyGBps(int device, size_t bytes = size_t{1} << 30, int repeats = 20);

// Median over `repeats` timed cublasGemmEx calls of m = n = k = `size`, random FP16 inputs.
double measureFp16GemmTflops(int device, int size = 8192, int repeats = 20);

// Both, plus the device name.
CudaDeviceCeilings measureCudaDeviceCeilings(int device);

}  // namespace ps
