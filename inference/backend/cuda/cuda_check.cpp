#include "backend/cuda/cuda_check.h"

#include <filesystem>

namespace ps {

namespace {
std::string where(const char* file, int line) {
    return std::filesystem::path(file).filename().string() + ":" + std::to_string(line);
}
}  // namespace

void throwCudaError(cudaError_t status, const char* call, const char* file, int line) {
    // Clear a sticky launch error so that later calls report their own status.
    (void)cudaGetLastError();
    throw CudaError(std::string(call) + " failed at " + where(file, line) + ": " + cudaGetErrorName(status) +
                        " (" + cudaGetErrorString(status) + ")",
                    status);
}

void throwCublasError(cublasStatus_t status, const char* call, const char* file, int line) {
    throw CudaError(std::string(call) + " failed at " + where(file, line) + ": " + cublasGetStatusName(status) +
                        " (" + cublasGetStatusString(status) + ")",
                    cudaErrorUnknown);
}

}  // namespace ps
