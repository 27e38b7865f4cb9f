#pragma once
// Every CUDA runtime and cuBLAS call goes through CUDA_CHECK / CUBLAS_CHECK: a
// failure throws CudaError naming the call, file:line and the library's own
// words. createCudaBackendOnGpu turns it into a sentence for the user; forward()
// lets it through as the BackendError it is.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "backend/backend.h"

namespace ps {

class CudaError : public BackendError {
public:
    CudaError(const std::string& what, cudaError_t code) : BackendError(what), code_(code) {}
    cudaError_t code() const { return code_; }
    bool isOutOfMemory() const { return code_ == cudaErrorMemoryAllocation; }

private:
    cudaError_t code_;
};

[[noreturn]] void throwCudaError(cudaError_t status, const char* call, const char* file, int line);
[[noreturn]] void throwCublasError(cublasStatus_t status, const char* call, const char* file, int line);

}  // namespace ps

#define CUDA_CHECK(call)                                                               \
    do {                                                                               \
        const cudaError_t ps_cuda_status_ = (call);                                    \
        if (ps_cuda_status_ != cudaSuccess)                                            \
            ::ps::throwCudaError(ps_cuda_status_, #call, __FILE__, __LINE__);          \
    } while (0)

#define CUBLAS_CHECK(call)                                                             \
    do {                                                                               \
        const cublasStatus_t ps_cublas_status_ = (call);                               \
        if (ps_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                \
            ::ps::throwCublasError(ps_cublas_status_, #call, __FILE__, __LINE__);      \
    } while (0)

// After a kernel launch: launch-configuration errors show up here.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())
