#pragma once
// y = W x for a batch of tokens, spread over the thread pool by chunks of rows:
// quantizes the activations once (for quantized weights), then every worker
// runs the kernel on the rows it takes.
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

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

    // Repacks w for this kernel set's packed kernel of its type, if it has one:
    // later run()s of w read the packed copy (held here; w's own data is not touched).
    void pack(const WeightTensor& w);

    const MatmulKernelSet& kernels() const { return kernels_; }

private:
    // Packed weights live in their own mapping, on huge pages where the system
    // gives them: decode streams every byte once per token, and 4 KiB pages cost
    // a TLB miss every 4 KiB of it.
    struct PackedMemory {
        size_t bytes;  // as allocated (no initializer: it would make the enclosing struct incomplete)
        void operator()(uint8_t* p) const;
    };
    struct PackedWeights {
        std::unique_ptr<uint8_t[], PackedMemory> data;
        const PackedKernel* kernel = nullptr;
        int64_t packedRows = 0;  // rows in full groups; the rest keep the plain layout
    };

    ThreadPool& pool_;
    const MatmulKernelSet& kernels_;
    int maxTokens_;
    int64_t maxCols_;
    std::unique_ptr<ActivationBlockQ8[]> quantized_;  // maxTokens * maxCols / 32 blocks
    std::unique_ptr<int32_t[]> q6_KOffsets_;          // maxTokens * maxCols / 16 (packed Q6_K)
    // Packed copies by (data, rows) of the tensor they replace (row views share data).
    std::map<std::pair<const uint8_t*, int64_t>, PackedWeights> packed_;
};

}  // namespace ps
