#include "backend/cpu/matmul.h"

#include <algorithm>
#include <new>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "backend/backend.h"
#include "backend/cpu/thread_pool.h"
#include "model/model.h"

namespace ps {

namespace {
// Rows per work item: enough to amortize handing out an item, small enough that
// two threads stay balanced on the smallest matrices.
constexpr int64_t kRowsPerItem = 16;
// Packed weights: four groups, 64 rows in a row of memory. Decode streams each
// item from memory, and longer runs keep the prefetchers going: on the 1.1B Q4_0
// shape, 2 threads (a loaded machine, interleaved runs, huge pages), 16 rows per
// item gave 20-23 decode tokens/s, 64 rows 28-32, 128 rows 31-38.
constexpr int64_t kPackedRowsPerItem = 4 * kPackedRows;
}  // namespace

MatmulRunner::MatmulRunner(ThreadPool& pool, const MatmulKernelSet& kernels, int maxTokens,
                           int64_t maxCols)
    : pool_(pool),
      kernels_(kernels),
      maxTokens_(maxTokens),
      maxCols_(maxCols),
      quantized_(new ActivationBlockQ8[static_cast<size_t>(maxTokens) *
                                       static_cast<size_t>((maxCols + 31) / 32)]),
      q6_KOffsets_(new int32_t[static_cast<size_t>(maxTokens) * static_cast<size_t>((maxCols + 15) / 16)]) {}

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
size_t mappedBytes(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
}  // namespace

void MatmulRunner::PackedMemory::operator()(uint8_t* p) const {
#if defined(__linux__)
    munmap(p, mappedBytes(bytes));
#else
    ::operator delete[](p, std::align_val_t{64});
#endif
}

void MatmulRunner::pack(const WeightTensor& w) {
    const PackedKernel* kernel = kernels_.packedForType(w.type);
    if (kernel == nullptr || w.rows < kPackedRows) return;
    const auto key = std::make_pair(w.data, w.rows);
    if (packed_.count(key) != 0) return;
    const size_t bytes = rowBytes(w.type, w.cols) * static_cast<size_t>(w.rows);
    PackedWeights p;
    uint8_t* memory = nullptr;
#if defined(__linux__)
    void* mapped = mmap(nullptr, mappedBytes(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped != MAP_FAILED) {
        madvise(mapped, mappedBytes(bytes), MADV_HUGEPAGE);  // a hint: fine if refused
        memory = static_cast<uint8_t*>(mapped);
    }
#else
    try {
        memory = static_cast<uint8_t*>(::operator new[](bytes, std::align_val_t{64}));
    } catch (const std::bad_alloc&) {
    }
#endif
    if (memory == nullptr) {
        throw OutOfMemoryError("the CPU backend could not allocate " + std::to_string(bytes / (1024 * 1024)) +
                               " MiB to repack " + w.name);
    }
    p.data = std::unique_ptr<uint8_t[], PackedMemory>(memory, PackedMemory{bytes});
    // Packing is a pass of byte shuffling over every weight (seconds for a 1B
    // model on one core), so the threads share it, by whole groups of rows; the
    // last piece also copies the rows after the last full group.
    const size_t bytesPerRow = rowBytes(w.type, w.cols);
    const int64_t pieceRows = 16 * kPackedRows;
    const int64_t pieces = std::max<int64_t>(1, w.rows / pieceRows);
    pool_.run(pieces, [&](int64_t piece, int) {
        const int64_t r0 = piece * pieceRows;
        const int64_t r1 = piece + 1 == pieces ? w.rows : r0 + pieceRows;
        const size_t offset = static_cast<size_t>(r0) * bytesPerRow;
        kernel->pack(w.data + offset, r1 - r0, w.cols, p.data.get() + offset);
    });
    p.kernel = kernel;
    p.packedRows = w.rows / kPackedRows * kPackedRows;
    packed_.emplace(key, std::move(p));
}

void MatmulRunner::run(const WeightTensor& w, const float* x, int64_t xStride, int tokens,
                       float* out) {
    if (tokens > maxTokens_ || w.cols > maxCols_) {
        throw BackendError("matmul of " + w.name + " exceeds the scratch it was sized for");
    }
    const MatmulKernel kernel = kernels_.forType(w.type);
    WeightRows rows{w.data, static_cast<int64_t>(rowBytes(w.type, w.cols)), w.cols, w.type};
    const PackedWeights* packed = nullptr;
    if (!packed_.empty()) {
        const auto found = packed_.find(std::make_pair(w.data, w.rows));
        if (found != packed_.end()) {
            packed = &found->second;
            rows.data = packed->data.get();
        }
    }

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
        if (packed != nullptr && w.type == TensorType::Q6_K) {
            q6_KOffsets(q, tokens * blocksPerToken, q6_KOffsets_.get());
            batch.q6_KOffsets = q6_KOffsets_.get();
        }
    } else {
        batch.data = x;
        batch.tokenStride = xStride * static_cast<int64_t>(sizeof(float));
    }

    const int64_t rowsPerItem = packed != nullptr ? kPackedRowsPerItem : kRowsPerItem;
    const int64_t items = (w.rows + rowsPerItem - 1) / rowsPerItem;
    // Contiguous shares: each thread streams its rows in one run (see runInShares).
    pool_.runInShares(items, [&](int64_t item, int) {
        const int64_t r0 = item * rowsPerItem;
        const int64_t r1 = std::min(r0 + rowsPerItem, w.rows);
        // Items start on a group; rows past the last group are in the plain layout.
        const int64_t groupEnd = packed != nullptr ? std::min(r1, packed->packedRows) : r0;
        if (groupEnd > r0) packed->kernel->matmul(rows, r0, groupEnd, batch, out, w.rows);
        if (r1 > std::max(r0, groupEnd)) kernel(rows, std::max(r0, groupEnd), r1, batch, out, w.rows);
    });
}

}  // namespace ps
