// cublasGemmEx on the emulated device: C = alpha op(A) op(B) + beta C in
// cuBLAS's column-major convention, inputs of any of FP32/FP16/BF16, products
// accumulated in FP32 (as CUBLAS_COMPUTE_32F and the tensor cores do: FP16 x
// FP16 products are exact in FP32). Queued on the handle's stream with the
// kernels, so a graph or a later kernel sees it in order. beta = 0 does not
// read C (cuBLAS's rule: C may hold NaN then).
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backend/cuda/emulator/cublas_api.h"
#include "backend/cuda/emulator/emulator.h"
#include "backend/cuda/emulator/half_types.h"

struct cublasContext {
    cudaStream_t stream = nullptr;
    void* workspace = nullptr;
    size_t workspaceBytes = 0;
};

namespace {

float readElement(const void* base, cudaDataType_t type, int64_t index) {
    switch (type) {
        case CUDA_R_32F: return static_cast<const float*>(base)[index];
        case CUDA_R_16F: return ps::halfToFloat(static_cast<const uint16_t*>(base)[index]);
        case CUDA_R_16BF: return ps::bf16ToFloat(static_cast<const uint16_t*>(base)[index]);
    }
    return 0.0f;
}

bool knownType(cudaDataType_t type) { return type == CUDA_R_32F || type == CUDA_R_16F || type == CUDA_R_16BF; }

size_t elementBytes(cudaDataType_t type) { return type == CUDA_R_32F ? 4 : 2; }

// Bytes a column-major rows x cols matrix with leading dimension ld spans.
size_t spanBytes(int rows, int cols, int ld, cudaDataType_t type) {
    if (rows == 0 || cols == 0) return 0;
    return (static_cast<size_t>(cols - 1) * static_cast<size_t>(ld) + static_cast<size_t>(rows)) * elementBytes(type);
}

struct Gemm {
    cublasOperation_t transa, transb;
    int m, n, k;
    float alpha, beta;
    const void* a;
    cudaDataType_t aType;
    int lda;
    const void* b;
    cudaDataType_t bType;
    int ldb;
    void* c;
    cudaDataType_t cType;
    int ldc;

    void run() const {
        // op(A) row i and op(B) column j as contiguous float vectors along k.
        std::vector<float> rowsOfA(static_cast<size_t>(m) * static_cast<size_t>(k));
        for (int i = 0; i < m; ++i)
            for (int p = 0; p < k; ++p)
                rowsOfA[static_cast<size_t>(i) * k + p] =
                    readElement(a, aType, transa == CUBLAS_OP_N ? i + static_cast<int64_t>(p) * lda
                                                                : p + static_cast<int64_t>(i) * lda);
        std::vector<float> column(static_cast<size_t>(k));
        for (int j = 0; j < n; ++j) {
            for (int p = 0; p < k; ++p)
                column[static_cast<size_t>(p)] =
                    readElement(b, bType, transb == CUBLAS_OP_N ? p + static_cast<int64_t>(j) * ldb
                                                                : j + static_cast<int64_t>(p) * ldb);
            for (int i = 0; i < m; ++i) {
                const float* x = &rowsOfA[static_cast<size_t>(i) * k];
                float partial[8] = {};
                int p = 0;
                for (; p + 8 <= k; p += 8)
                    for (int l = 0; l < 8; ++l) partial[l] += x[p + l] * column[static_cast<size_t>(p + l)];
                float sum = 0.0f;
                for (; p < k; ++p) sum += x[p] * column[static_cast<size_t>(p)];
                for (float v : partial) sum += v;
                const int64_t at = i + static_cast<int64_t>(j) * ldc;
                float value = alpha * sum;
                if (beta != 0.0f) value += beta * readElement(c, cType, at);
                if (cType == CUDA_R_32F) {
                    static_cast<float*>(c)[at] = value;
                } else if (cType == CUDA_R_16F) {
                    static_cast<uint16_t*>(c)[at] = ps::floatToHalf(value);
                } else {
                    static_cast<uint16_t*>(c)[at] = ps::floatToBf16(value);
                }
            }
        }
    }
};

}  // namespace

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
    *handle = new cublasContext();
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t stream) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    handle->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetWorkspace(cublasHandle_t handle, void* workspace, size_t bytes) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    handle->workspace = workspace;
    handle->workspaceBytes = bytes;
    return CUBLAS_STATUS_SUCCESS;
}

const char* cublasGetStatusName(cublasStatus_t status) {
    switch (status) {
        case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
        case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
        case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
        case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
        case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
        case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
        case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
        case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    }
    return "CUBLAS_STATUS_UNKNOWN";
}

const char* cublasGetStatusString(cublasStatus_t status) {
    switch (status) {
        case CUBLAS_STATUS_SUCCESS: return "success";
        case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
        case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
        case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
        case CUBLAS_STATUS_ARCH_MISMATCH: return "an absent device architectural feature is required";
        case CUBLAS_STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
        case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
        case CUBLAS_STATUS_INTERNAL_ERROR: return "an internal operation failed";
        case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
    }
    return "unknown status";
}

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                            int k, const void* alpha, const void* a, cudaDataType_t aType, int lda, const void* b,
                            cudaDataType_t bType, int ldb, const void* beta, void* c, cudaDataType_t cType, int ldc,
                            cublasComputeType_t computeType, cublasGemmAlgo_t) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (m < 0 || n < 0 || k < 0 || transa == CUBLAS_OP_C || transb == CUBLAS_OP_C) return CUBLAS_STATUS_INVALID_VALUE;
    // The leading dimensions must cover the stored rows (cuBLAS's checks).
    const int aRows = transa == CUBLAS_OP_N ? m : k, aCols = transa == CUBLAS_OP_N ? k : m;
    const int bRows = transb == CUBLAS_OP_N ? k : n, bCols = transb == CUBLAS_OP_N ? n : k;
    if (lda < (aRows > 1 ? aRows : 1) || ldb < (bRows > 1 ? bRows : 1) || ldc < (m > 1 ? m : 1))
        return CUBLAS_STATUS_INVALID_VALUE;
    if (!knownType(aType) || !knownType(bType) || !knownType(cType) || computeType == CUBLAS_COMPUTE_16F)
        return CUBLAS_STATUS_NOT_SUPPORTED;  // the backend asks for FP32 accumulation only
    Gemm gemm{transa, transb, m, n, k, *static_cast<const float*>(alpha), *static_cast<const float*>(beta),
              a, aType, lda, b, bType, ldb, c, cType, ldc};
    // Every matrix must lie in device memory: a GPU would fault on the read.
    const size_t aBytes = spanBytes(aRows, aCols, lda, aType), bBytes = spanBytes(bRows, bCols, ldb, bType),
                 cBytes = spanBytes(m, n, ldc, cType);
    if (!ps::emu::deviceMemoryHolds(a, aBytes) || !ps::emu::deviceMemoryHolds(b, bBytes) ||
        !ps::emu::deviceMemoryHolds(c, cBytes)) {
        ps::emu::reportKernelError(cudaErrorIllegalAddress,
                                   "cublasGemmEx: a matrix (m " + std::to_string(m) + ", n " + std::to_string(n) +
                                       ", k " + std::to_string(k) + ") reaches outside its device allocation");
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    ps::emu::enqueueWork(handle->stream, [gemm] { gemm.run(); });
    return CUBLAS_STATUS_SUCCESS;
}
