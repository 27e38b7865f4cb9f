#include "backend/cpu/matmul.h"

#include <algorithm>
#include <string>

#include "backend/backend.h"
#include "backend/cpu/thread_pool.h"
#include "model/model.h"

namespace ps {

namespace {
// Rows per work item: enough to amortize handing out an item, small enough that
// two threads stay balanced on the smallest matrices.
constexpr int64_t kRowsPerItem = 16;
}  // namespace

MatmulRunner::MatmulRunner(ThreadPool& pool, const MatmulKernelSet& kernels, int maxTokens,
                           int64_t maxCols)
    : pool_(pool),
      kernels_(kernels),
      maxTokens_(maxTokens),
      maxCols_(maxCols),
      quantized_(new ActivationBlockQ8[static_cast<size_t>(maxTokens) *
                                       static_cast<size_t>((maxCols + 31) / 32)]) {}

void MatmulRunner::run(const WeightTensor& w, const float* x, int64_t xStride, int tokens,
                       float* out) {
    if (tokens > maxTokens_ || w.cols > maxCols_) {
        throw BackendError("matmul of " + w.name + " exceeds the scratch it was sized for");
    }
    const MatmulKernel kernel = kernels_.forType(w.type);
    const WeightRows rows{w.data, static_cast<int64_t>(rowBytes(w.type, w.cols)), w.cols, w.type};

    ActivationBatch batch;
    batch.tokens = tokens;
    batch.cols = w.cols;
    if (usesQuantizedActivations(kernels_, w.type)) {
        const int64_t blocksPerToken = w.cols / 32;
        ActivationBlockQ8* q = quantized_.get();
        const auto quantizeToken = [&](int64_t t, int) {
            kernels_.quantize(x + t * xStride, w.cols, q + t * blocksPerToken);
        };
        if (tokens >= 4) {
            pool_.run(tokens, quantizeToken);
        } else {
            for (int t = 0; t < tokens; ++t) quantizeToken(t, 0);
        }
        batch.data = q;
        batch.tokenStride = blocksPerToken * static_cast<int64_t>(sizeof(ActivationBlockQ8));
    } else {
        batch.data = x;
        batch.tokenStride = xStride * static_cast<int64_t>(sizeof(float));
    }

    const int64_t items = (w.rows + kRowsPerItem - 1) / kRowsPerItem;
    pool_.run(items, [&](int64_t item, int) {
        const int64_t r0 = item * kRowsPerItem;
        kernel(rows, r0, std::min(r0 + kRowsPerItem, w.rows), batch, out, w.rows);
    });
}

}  // namespace ps
