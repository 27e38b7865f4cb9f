#include "backend/cuda/cuda_device_benchmark.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <vector>

#include "backend/cuda/cuda_buffers.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernel_launch.h"

namespace ps {

namespace {

// Fills with values in [-1, 1) from a hash of the index: never zeros, which
// would flatter the GEMM (METHOD.md).
__global__ void fillRandomHalf(__half* out, size_t count, unsigned seed) {
    for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < count;
         i += static_cast<size_t>(gridDim.x) * blockDim.x) {
        unsigned h = static_cast<unsigned>(i) * 2654435761u ^ seed;
        h ^= h >> 15;
        h *= 2246822519u;
        h ^= h >> 13;
        out[i] = __float2half(static_cast<float>(h & 0xffff) / 32768.0f - 1.0f);
    }
}

// Milliseconds of each of `repeats` runs of `work`, timed with events.
template <typename F>
double medianMilliseconds(cudaStream_t stream, int repeats, F&& work) {
    CudaEvent start(cudaEventDefault), stop(cudaEventDefault);
    work();  // warm-up: module load, cuBLAS heuristics
    CUDA_CHECK(cudaStreamSynchronize(stream));
    std::vector<float> times;
    for (int r = 0; r < repeats; ++r) {
        CUDA_CHECK(cudaEventRecord(start.get(), stream));
        work();
        CUDA_CHECK(cudaEventRecord(stop.get(), stream));
        CUDA_CHECK(cudaEventSynchronize(stop.get()));
        float ms = 0;
        CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
        times.push_back(ms);
    }
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
}

}  // namespace

double measureDeviceCopyGBps(int device, size_t bytes, int repeats) {
    CUDA_CHECK(cudaSetDevice(device));
    CudaStream stream;
    DeviceBuffer<uint8_t> from(bytes), to(bytes);
    CUDA_CHECK(cudaMemsetAsync(from.get(), 0x5a, bytes, stream.get()));
    const double ms = medianMilliseconds(stream.get(), repeats, [&] {
        CUDA_CHECK(cudaMemcpyAsync(to.get(), from.get(), bytes, cudaMemcpyDeviceToDevice, stream.get()));
    });
    return 2.0 * static_cast<double>(bytes) / (ms * 1e-3) / 1e9;
}

double measureFp16GemmTflops(int device, int size, int repeats) {
    CUDA_CHECK(cudaSetDevice(device));
    CudaStream stream;
    CublasHandle cublas;
    CUBLAS_CHECK(cublasSetStream(cublas.get(), stream.get()));
    const size_t count = static_cast<size_t>(size) * static_cast<size_t>(size);
    DeviceBuffer<__half> a(count), b(count);
    DeviceBuffer<float> c(count);
    launchKernel<fillRandomHalf>(dim3(1024), dim3(256), 0, stream.get(), a.get(), count, 1u);
    CUDA_CHECK_LAUNCH();
    launchKernel<fillRandomHalf>(dim3(1024), dim3(256), 0, stream.get(), b.get(), count, 2u);
    CUDA_CHECK_LAUNCH();
    const float alpha = 1.0f, beta = 0.0f;
    const double ms = medianMilliseconds(stream.get(), repeats, [&] {
        CUBLAS_CHECK(cublasGemmEx(cublas.get(), CUBLAS_OP_T, CUBLAS_OP_N, size, size, size, &alpha, a.get(),
                                  CUDA_R_16F, size, b.get(), CUDA_R_16F, size, &beta, c.get(), CUDA_R_32F, size,
                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    });
    return 2.0 * static_cast<double>(size) * size * size / (ms * 1e-3) / 1e12;
}

CudaDeviceCeilings measureCudaDeviceCeilings(int device) {
    CudaDeviceCeilings result;
    cudaDeviceProp properties{};
    CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
    result.deviceName = properties.name;
    result.copyGBps = measureDeviceCopyGBps(device);
    result.fp16GemmTflops = measureFp16GemmTflops(device);
    return result;
}

}  // namespace ps
