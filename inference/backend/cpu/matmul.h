#pragma once
// y = W x for a batch of tokens, spread over the thread pool by chunks of rows:
// quantizes the activations once (for quantized weights), then every worker
// runs the kernel on the rows it takes.
#include <cstdint>
#include <memory>

#include "backend/cpu/matmul_kernels.h"

namespace ps {

class ThreadPool;
struct WeightTensor;

class MatmulRunner {
public:
    // Scratch for up to maxTokens activations of up to maxCols values is allocated here, once.
    MatmulRunner(ThreadPool& pool, const MatmulKernelSet& kernels, int maxTokens, int64_t maxCols);

    // out[t * w.rows + r] = sum_c W[r][c] * x[t * xStride + c] for t < tokens.
    void run(const WeightTensor& w, const float* x, int64_t xStride, int tokens, float* out);

    const MatmulKernelSet& kernels() const { return kernels_; }

private:
    ThreadPool& pool_;
    const MatmulKernelSet& kernels_;
    int maxTokens_;
    int64_t maxCols_;
    std::unique_ptr<ActivationBlockQ8[]> quantized_;  // maxTokens * maxCols / 32 blocks
};

}  // namespace ps
