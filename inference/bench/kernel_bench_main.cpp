// ps-kernel-bench: the CPU matrix kernels alone, timed in CPU time of the
// calling thread, so that kernel changes can be judged on a shared machine whose
// wall clock says more about the neighbours than about the code.
//
//   ps-kernel-bench [rows cols] [SET]   default: 2048 x 5632, the 1.1B TinyLlama FFN, every set
//
// For every kernel set this CPU runs and every weight type: one matrix times 1
// activation vector (decode) and times 4 (a prefill tile), best of 15 after a
// warm-up. The matrix is small enough to stay in the caches, so this measures
// the instructions, not the memory.
//
//   ps-kernel-bench --attention [POSITION]   default: 1024
//
// One decode token's attention (the best set's AttendKernel) on the 1.1B
// shape at POSITION, best of 10, CPU time of one thread.
//
//   ps-kernel-bench --stream [MIB] [THREADS] [COLS] [TYPE]   default: 512 MiB, 2 threads, 5632 columns, every type
//
// The packed kernels of the best set as decode runs them: one token against a
// matrix far larger than the caches, split over a pool of THREADS threads in
// 64-row items taken in contiguous shares (ThreadPool::runInShares, as the
// backend does), best of 5 passes; GB/s of weights read by the wall clock and
// by the slowest thread's CPU time (the latter less hurt by neighbours on a busy machine).
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/thread_pool.h"
#include "bench/random_weights.h"
#include "tensor/tensor_type.h"

namespace {

using namespace ps;

double threadSeconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Best CPU time of one call of `set`'s kernel for `type` over the whole matrix.
// With `packed`, the set's kernel on repacked weights (matmul_kernels.h, PackedKernel).
double timeKernel(const MatmulKernelSet& set, TensorType type, int64_t rows, int64_t cols, int tokens,
                  bool packed = false) {
    std::vector<uint8_t> weights(rowBytes(type, cols) * static_cast<size_t>(rows));
    fillRandomWeights(type, weights.data(), rows, cols, 0.5f, 7);
    const PackedKernel* packedKernel = packed ? set.packedForType(type) : nullptr;
    if (packedKernel != nullptr) {
        std::vector<uint8_t> original = weights;
        packedKernel->pack(original.data(), rows, cols, weights.data());
    }
    std::vector<float> x(static_cast<size_t>(tokens * cols));
    SplitMix64 rng(3);
    for (float& v : x) v = rng.nextSigned();

    ActivationBatch batch;
    batch.tokens = tokens;
    batch.cols = cols;
    std::vector<ActivationBlockQ8> quantized;
    if (usesQuantizedActivations(set, type)) {
        quantized.resize(static_cast<size_t>(tokens * cols / 32));
        for (int t = 0; t < tokens; ++t) set.quantize(x.data() + t * cols, cols, quantized.data() + t * cols / 32);
        batch.data = quantized.data();
        batch.tokenStride = cols / 32 * static_cast<int64_t>(sizeof(ActivationBlockQ8));
    }
    std::vector<int32_t> offsets(2 * quantized.size());
    q6_KOffsets(quantized.data(), static_cast<int64_t>(quantized.size()), offsets.data());
    batch.q6_KOffsets = offsets.data();
    if (!usesQuantizedActivations(set, type)) {
        batch.data = x.data();
        batch.tokenStride = cols * static_cast<int64_t>(sizeof(float));
    }
    const WeightRows w{weights.data(), static_cast<int64_t>(rowBytes(type, cols)), cols, type};
    std::vector<float> out(static_cast<size_t>(tokens * rows));
    double best = 1e30;
    for (int repetition = 0; repetition < 16; ++repetition) {  // the first warms the caches
        const double start = threadSeconds();
        if (packedKernel != nullptr) {
            packedKernel->matmul(w, 0, rows / kPackedRows * kPackedRows, batch, out.data(), rows);
        } else {
            set.forType(type)(w, 0, rows, batch, out.data(), rows);
        }
        if (repetition > 0) best = std::min(best, threadSeconds() - start);
    }
    return best;
}

// Decode's read of a matrix of about `mib` MiB by `threads` threads (see the top of this file).
void streamPackedKernel(const MatmulKernelSet& set, TensorType type, int64_t mib, int threads, int64_t cols) {
    const PackedKernel* packed = set.packedForType(type);
    if (packed == nullptr) return;
    const int64_t chunkRows = 1024;
    const size_t rowSize = rowBytes(type, cols);
    const int64_t rows = std::max<int64_t>(chunkRows, mib * 1024 * 1024 / static_cast<int64_t>(rowSize) / chunkRows * chunkRows);
    const size_t bytes = rowSize * static_cast<size_t>(rows);
    auto* memory = static_cast<uint8_t*>(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (memory == MAP_FAILED) return;
    madvise(memory, bytes, MADV_HUGEPAGE);
    {
        // One random chunk, packed, copied over the whole matrix (random bytes for 512 MiB take long).
        std::vector<uint8_t> chunk(rowSize * chunkRows);
        fillRandomWeights(type, chunk.data(), chunkRows, cols, 0.5f, 7);
        packed->pack(chunk.data(), chunkRows, cols, memory);
        for (int64_t r = chunkRows; r < rows; r += chunkRows) std::memcpy(memory + r * rowSize, memory, chunk.size());
    }
    std::vector<float> x(cols);
    SplitMix64 rng(3);
    for (float& v : x) v = rng.nextSigned();
    std::vector<ActivationBlockQ8> quantized(cols / 32);
    set.quantize(x.data(), cols, quantized.data());
    std::vector<int32_t> offsets(cols / 16);
    q6_KOffsets(quantized.data(), cols / 32, offsets.data());
    ActivationBatch batch;
    batch.tokens = 1;
    batch.cols = cols;
    batch.data = quantized.data();
    batch.tokenStride = cols / 32 * static_cast<int64_t>(sizeof(ActivationBlockQ8));
    batch.q6_KOffsets = offsets.data();
    const WeightRows w{memory, static_cast<int64_t>(rowSize), cols, type};
    std::vector<float> out(static_cast<size_t>(rows));
    constexpr int64_t kItemRows = 64;
    ThreadPool pool(threads);
    double bestWall = 1e30, bestCpu = 1e30;
    for (int pass = 0; pass < 6; ++pass) {  // the first faults the pages in
        // Each worker's CPU time since its first item of this pass.
        std::vector<double> cpuStart(static_cast<size_t>(threads), -1.0), cpuEnd(cpuStart.size());
        const auto start = std::chrono::steady_clock::now();
        pool.runInShares((rows + kItemRows - 1) / kItemRows, [&](int64_t item, int worker) {
            const auto t = static_cast<size_t>(worker);
            if (cpuStart[t] < 0) cpuStart[t] = threadSeconds();
            packed->matmul(w, item * kItemRows, std::min(rows, (item + 1) * kItemRows), batch, out.data(), rows);
            cpuEnd[t] = threadSeconds();
        });
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (pass > 0) {
            double slowest = 0.0;
            for (size_t t = 0; t < cpuStart.size(); ++t) {
                if (cpuStart[t] >= 0) slowest = std::max(slowest, cpuEnd[t] - cpuStart[t]);
            }
            bestWall = std::min(bestWall, wall);
            bestCpu = std::min(bestCpu, slowest);
        }
    }
    munmap(memory, bytes);
    std::printf("%-9s %-5s %6lld MiB %2d threads: %6.1f GB/s by wall clock, %6.1f GB/s by CPU time\n", set.name,
                tensorTypeInfo(type).name, static_cast<long long>(bytes >> 20), threads, bytes / bestWall * 1e-9,
                bytes / bestCpu * 1e-9);
}

// One decode token's attention on the 1.1B shape (22 layers, 4 KV heads of 8
// query heads, head size 64) at `position`: the best set's AttendKernel over
// every layer and KV head, the cache laid out as the CPU backend keeps it
// ([layer][KV head][position][head size], larger than the caches), one thread.
void timeAttention(const MatmulKernelSet& set, int position) {
    if (set.attend == nullptr) {
        std::printf("%s has no attention kernel\n", set.name);
        return;
    }
    constexpr int kLayers = 22, kKvHeads = 4, kHeads = 8, kHeadDim = 64;
    const size_t rows = static_cast<size_t>(kLayers) * kKvHeads * (position + 1);
    std::vector<float> keys(rows * kHeadDim), values(keys.size()), q(kHeads * kHeadDim), out(q.size());
    std::vector<float> scores(static_cast<size_t>(kHeads) * (position + 1));
    SplitMix64 rng(5);
    for (float& v : keys) v = rng.nextSigned();
    for (float& v : values) v = rng.nextSigned();
    for (float& v : q) v = rng.nextSigned();
    double best = 1e30;
    for (int repetition = 0; repetition < 11; ++repetition) {  // the first warms up
        const double start = threadSeconds();
        for (int group = 0; group < kLayers * kKvHeads; ++group) {
            AttentionRows a;
            a.q = q.data();
            a.keys = keys.data() + static_cast<size_t>(group) * (position + 1) * kHeadDim;
            a.values = values.data() + static_cast<size_t>(group) * (position + 1) * kHeadDim;
            a.rowStride = kHeadDim;
            a.heads = kHeads;
            a.headDim = kHeadDim;
            a.last = position;
            a.scale = 0.125f;
            a.scores = scores.data();
            a.scoreStride = static_cast<size_t>(position) + 1;
            a.out = out.data();
            set.attend(a);
        }
        if (repetition > 0) best = std::min(best, threadSeconds() - start);
    }
    std::printf("%s attention, 1.1B shape, one token at position %d, one thread: %.2f ms (KV %.1f MB)\n", set.name,
                position, best * 1e3, 2.0 * static_cast<double>(keys.size()) * sizeof(float) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "--attention") {
        const int position = argc >= 3 ? std::atoi(argv[2]) : 1024;
        if (position < 0 || position > 1 << 20) {
            std::fprintf(stderr, "usage: ps-kernel-bench --attention [POSITION]\n");
            return 2;
        }
        timeAttention(bestKernels(), position);
        return 0;
    }
    if (argc >= 2 && std::string(argv[1]) == "--stream") {
        const int64_t mib = argc >= 3 ? std::atoll(argv[2]) : 512;
        const int threads = argc >= 4 ? std::atoi(argv[3]) : 2;
        const int64_t cols = argc >= 5 ? std::atoll(argv[4]) : 5632;
        const std::string onlyType = argc >= 6 ? argv[5] : "";
        if (mib <= 0 || threads <= 0 || cols <= 0 || cols % 256 != 0) {
            std::fprintf(stderr, "usage: ps-kernel-bench --stream [MIB] [THREADS] [COLS] [TYPE]\n");
            return 2;
        }
        for (TensorType type : {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K}) {
            if (!onlyType.empty() && onlyType != tensorTypeInfo(type).name) continue;
            streamPackedKernel(bestKernels(), type, mib, threads, cols);
        }
        return 0;
    }
    int64_t rows = 2048, cols = 5632;
    if (argc >= 3) {
        rows = std::atoll(argv[1]);
        cols = std::atoll(argv[2]);
    }
    const char* only = argc >= 4 ? argv[3] : nullptr;  // one set by name, e.g. AVX-512
    if (rows <= 0 || cols <= 0 || cols % 256 != 0) {
        std::fprintf(stderr, "usage: ps-kernel-bench [rows cols]   (cols a multiple of 256)\n");
        return 2;
    }
    std::printf("%lld x %lld matrix, CPU time of one thread, best of 15\n", static_cast<long long>(rows),
                static_cast<long long>(cols));
    std::printf("%-9s %-5s %12s %12s %16s\n", "kernels", "type", "1 token ms", "4 tokens ms", "values/ns (1, 4)");
    std::vector<const MatmulKernelSet*> sets = {&scalarKernels()};
    for (const MatmulKernelSet* set : {avx2Kernels(), avxVnniKernels(), avx512Kernels()})
        if (set) sets.push_back(set);
    for (const MatmulKernelSet* set : sets) {
        if (only != nullptr && std::string(only) != set->name) continue;
        for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                                TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K}) {
            const double one = timeKernel(*set, type, rows, cols, 1);
            const double four = timeKernel(*set, type, rows, cols, 4);
            const double values = static_cast<double>(rows * cols);
            std::printf("%-9s %-5s %12.3f %12.3f %7.1f %7.1f\n", set->name, tensorTypeInfo(type).name, one * 1e3,
                        four * 1e3, values / one * 1e-9, 4 * values / four * 1e-9);
            if (set->packedForType(type) != nullptr) {
                const double packedOne = timeKernel(*set, type, rows, cols, 1, true);
                const double packedFour = timeKernel(*set, type, rows, cols, 4, true);
                std::printf("%-9s %-5s %12.3f %12.3f %7.1f %7.1f  (repacked)\n", set->name, tensorTypeInfo(type).name,
                            packedOne * 1e3, packedFour * 1e3, values / packedOne * 1e-9,
                            4 * values / packedFour * 1e-9);
            }
        }
    }
    return 0;
}
