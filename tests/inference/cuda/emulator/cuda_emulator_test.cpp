// The emulated CUDA device: each check fires on a kernel broken on purpose
// (shared-memory race, barrier divergence, an exited lane in a shuffle, a
// global-memory overrun), stays quiet on the correct version, and the traffic
// counts, cuBLAS and stream semantics match what a GPU does.
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "backend/cuda/attention_math.h"
#include "backend/cuda/emulator/emulator_control.h"
#include "backend/cuda/kernel_launch.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/memory_plan.h"
#include "backend/cuda/wide_access.h"

namespace ps {
namespace {

// --- kernels -------------------------------------------------------------------

// Correct: a block sums its values through shared memory and shuffles.
__global__ void blockSum(const float* in, float* out) {
    __shared__ float partial[4];
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = in[i];
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = v;
    __syncthreads();
    if (threadIdx.x == 0) out[blockIdx.x] = partial[0] + partial[1] + partial[2] + partial[3];
}

// Broken: thread 0 reads what the other warps' lane 0 wrote, without a barrier.
__global__ void blockSumWithoutBarrier(const float* in, float* out) {
    __shared__ float partial[4];
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = in[i];
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = v;
    if (threadIdx.x == 96) out[blockIdx.x] = partial[0] + partial[1] + partial[2] + partial[3];
}

// Correct within a warp: lane 0 reads what lane 5 wrote, after __syncwarp.
__global__ void warpExchange(float* out, bool withSyncwarp) {
    __shared__ float slot[32];
    slot[threadIdx.x] = static_cast<float>(threadIdx.x);
    if (withSyncwarp) __syncwarp();
    if (threadIdx.x == 0) out[0] = slot[5];
}

// Broken: half the block leaves before a __syncthreads the other half waits at.
__global__ void earlyExitBeforeBarrier(float* out) {
    __shared__ float value;
    if (threadIdx.x >= 64) return;
    if (threadIdx.x == 0) value = 1.0f;
    __syncthreads();
    out[threadIdx.x] = value;
}

// Broken: odd and even warps wait at different __syncthreads.
__global__ void barriersInBothBranches(float* out) {
    if ((threadIdx.x / 32) % 2 == 0) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = 1.0f;
}

// Broken: lane 31 leaves, the rest shuffle with a full mask.
__global__ void shuffleAfterLaneExit(float* out) {
    if (threadIdx.x == 31) return;
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1.0f, 1);
}

// Broken: one float past the end of the array (the last block reads it).
__global__ void readOnePastTheEnd(const float* in, float* out, int count) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= count) out[0] = in[i];  // `<=`: the bug
}

// Traffic: consecutive lanes read consecutive floats (coalesced), or floats 8 apart.
__global__ void readFloats(const float* in, float* out, int stride) {
    const int i = threadIdx.x * stride;
    out[threadIdx.x] = in[i] * 2.0f;
}

// Bank conflicts: lanes read shared floats `stride` apart.
__global__ void sharedStride(float* out, int stride) {
    __shared__ float tile[32 * 33];
    for (int i = threadIdx.x; i < 32 * 33; i += 32) tile[i] = static_cast<float>(i);
    __syncwarp();
    out[threadIdx.x] = tile[threadIdx.x * stride];
}

__global__ void addOne(float* data) { data[threadIdx.x] += 1.0f; }

// --- helpers ---------------------------------------------------------------------

template <typename T>
T* deviceArray(size_t count) {
    void* p = nullptr;
    EXPECT_EQ(cudaMalloc(&p, count * sizeof(T)), cudaSuccess);
    return static_cast<T*>(p);
}

bool anyDiagnosticContains(const std::vector<std::string>& messages, const std::string& text) {
    for (const std::string& m : messages)
        if (m.find(text) != std::string::npos) return true;
    return false;
}

class Emulator : public ::testing::Test {
protected:
    void SetUp() override {
        emu::clearDeviceError();
        emu::takeDiagnostics();
    }
    void TearDown() override { emu::clearDeviceError(); }

    // Runs what is queued; returns the diagnostics of the checks that fired.
    std::vector<std::string> finish(cudaError_t expected) {
        EXPECT_EQ(cudaDeviceSynchronize(), expected);
        return emu::takeDiagnostics();
    }
};

// --- the checks ------------------------------------------------------------------

TEST_F(Emulator, ACorrectKernelComputesAndNoCheckFires) {
    std::vector<float> host(256);
    for (int i = 0; i < 256; ++i) host[static_cast<size_t>(i)] = static_cast<float>(i);
    float* in = deviceArray<float>(256);
    float* out = deviceArray<float>(2);
    ASSERT_EQ(cudaMemcpy(in, host.data(), 256 * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
    launchKernel<blockSum>(dim3(2), dim3(128), 0, nullptr, in, out);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    EXPECT_TRUE(finish(cudaSuccess).empty());
    float sums[2];
    ASSERT_EQ(cudaMemcpy(sums, out, sizeof sums, cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_EQ(sums[0], 127.0f * 128.0f / 2.0f);
    EXPECT_EQ(sums[1], (128.0f + 255.0f) * 128.0f / 2.0f);
    cudaFree(in);
    cudaFree(out);
}

TEST_F(Emulator, ASharedMemoryRaceIsReported) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the access tracker (and its race check) is off under AddressSanitizer";
#endif
    float* in = deviceArray<float>(128);
    float* out = deviceArray<float>(1);
    ASSERT_EQ(cudaMemset(in, 0, 128 * sizeof(float)), cudaSuccess);
    launchKernel<blockSumWithoutBarrier>(dim3(1), dim3(128), 0, nullptr, in, out);
    const auto messages = finish(cudaErrorLaunchFailure);
    EXPECT_TRUE(anyDiagnosticContains(messages, "shared-memory race")) << (messages.empty() ? "" : messages[0]);
    EXPECT_TRUE(anyDiagnosticContains(messages, "blockSumWithoutBarrier"));
    emu::clearDeviceError();
    cudaFree(in);
    cudaFree(out);
}

TEST_F(Emulator, SyncwarpOrdersSharedMemoryWithinAWarp) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the access tracker (and its race check) is off under AddressSanitizer";
#endif
    float* out = deviceArray<float>(1);
    launchKernel<warpExchange>(dim3(1), dim3(32), 0, nullptr, out, true);
    EXPECT_TRUE(finish(cudaSuccess).empty());
    float value = 0;
    ASSERT_EQ(cudaMemcpy(&value, out, sizeof value, cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_EQ(value, 5.0f);
    launchKernel<warpExchange>(dim3(1), dim3(32), 0, nullptr, out, false);
    EXPECT_TRUE(anyDiagnosticContains(finish(cudaErrorLaunchFailure), "shared-memory race"));
    emu::clearDeviceError();
    cudaFree(out);
}

TEST_F(Emulator, ThreadsThatExitBeforeABarrierAreBarrierDivergence) {
    float* out = deviceArray<float>(128);
    launchKernel<earlyExitBeforeBarrier>(dim3(1), dim3(128), 0, nullptr, out);
    const auto messages = finish(cudaErrorLaunchFailure);
    EXPECT_TRUE(anyDiagnosticContains(messages, "barrier divergence: 64 threads wait at __syncthreads"))
        << (messages.empty() ? "" : messages[0]);
    emu::clearDeviceError();
    cudaFree(out);
}

TEST_F(Emulator, DifferentBarriersAreBarrierDivergence) {
    float* out = deviceArray<float>(128);
    launchKernel<barriersInBothBranches>(dim3(1), dim3(128), 0, nullptr, out);
    const auto messages = finish(cudaErrorLaunchFailure);
    EXPECT_TRUE(anyDiagnosticContains(messages, "wait at different __syncthreads"))
        << (messages.empty() ? "" : messages[0]);
    emu::clearDeviceError();
    cudaFree(out);
}

TEST_F(Emulator, AShuffleWaitingForAnExitedLaneIsReported) {
    float* out = deviceArray<float>(32);
    launchKernel<shuffleAfterLaneExit>(dim3(1), dim3(32), 0, nullptr, out);
    const auto messages = finish(cudaErrorLaunchFailure);
    EXPECT_TRUE(anyDiagnosticContains(messages, "lane 31 of warp 0 has exited"))
        << (messages.empty() ? "" : messages[0]);
    emu::clearDeviceError();
    cudaFree(out);
}

// A global-memory overrun: under AddressSanitizer (the emulated tests' ASan
// build) a heap-buffer-overflow with the kernel in the stack; otherwise the
// guard page after each allocation faults when the overrun crosses into it.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kOverrunFloats = 64;  // one float past 256 bytes: inside ASan's redzone
constexpr const char* kOverrunReport = "heap-buffer-overflow";
#else
constexpr int kOverrunFloats = 1024;  // exactly one page: the next float is the guard page
constexpr const char* kOverrunReport = "";
#endif
TEST_F(Emulator, AGlobalMemoryOverrunIsCaught) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            float* in = deviceArray<float>(kOverrunFloats);
            float* out = deviceArray<float>(1);
            launchKernel<readOnePastTheEnd>(dim3(kOverrunFloats / 32 + 1), dim3(32), 0, nullptr, in, out,
                                            kOverrunFloats);
            cudaDeviceSynchronize();
        },
        kOverrunReport);
}

// --- traffic ---------------------------------------------------------------------

TEST_F(Emulator, CoalescedLoadsUseEverySectorByte) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the access tracker is off under AddressSanitizer";
#endif
    float* in = deviceArray<float>(32 * 8);
    float* out = deviceArray<float>(32);
    ASSERT_EQ(cudaMemset(in, 0, 32 * 8 * sizeof(float)), cudaSuccess);
    emu::labelMemory(in, 32 * 8 * sizeof(float), emu::MemoryRole::Activations);
    emu::setTrafficCounting(true);
    launchKernel<readFloats>(dim3(1), dim3(32), 0, nullptr, in, out, 1);
    launchKernel<readFloats>(dim3(1), dim3(32), 0, nullptr, in, out, 8);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    emu::setTrafficCounting(false);
    const std::vector<emu::KernelTraffic> traffic = emu::takeTraffic();
    ASSERT_EQ(traffic.size(), 1u);  // one kernel, two launches
    const emu::KernelTraffic& k = traffic[0];
    EXPECT_EQ(k.launches, 2);
    EXPECT_EQ(k.bytesLoaded, 2u * 32 * 4);
    EXPECT_EQ(k.warpLoads, 2u);
    // Coalesced: 128 bytes in 4 sectors; strided by 32 bytes: 32 sectors for 128 bytes.
    EXPECT_EQ(k.sectorsTouched, 4u + 32u);
    EXPECT_EQ(k.sectorBytesUsed, 2u * 128);
    EXPECT_NEAR(k.sectorEfficiency(), 256.0 / (36.0 * 32.0), 1e-9);
    EXPECT_EQ(k.bytesStored, 2u * 32 * 4);
    // Each launch's loads, in launch order (what the report's per-layer figure adds up).
    ASSERT_EQ(k.launchLoads.size(), 2u);
    for (int64_t i = 0; i < 2; ++i) {
        EXPECT_EQ(k.launchLoads[static_cast<size_t>(i)].order, i);
        EXPECT_EQ(k.launchLoads[static_cast<size_t>(i)].activationBytes, 32u * 4);
        EXPECT_EQ(k.launchLoads[static_cast<size_t>(i)].weightBytes, 0u);
    }
    cudaFree(in);
    cudaFree(out);
}

TEST_F(Emulator, BankConflictsAreCountedPerWarpAccess) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the access tracker is off under AddressSanitizer";
#endif
    float* out = deviceArray<float>(32);
    for (const auto& [stride, ways] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{32, 32}, std::pair{33, 1}}) {
        emu::setTrafficCounting(true);
        launchKernel<sharedStride>(dim3(1), dim3(32), 0, nullptr, out, stride);
        ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
        emu::setTrafficCounting(false);
        const auto traffic = emu::takeTraffic();
        ASSERT_EQ(traffic.size(), 1u);
        EXPECT_EQ(traffic[0].worstBankConflictWays, ways) << "stride " << stride;
    }
    cudaFree(out);
}

// --- streams, graphs, memory ---------------------------------------------------------

TEST_F(Emulator, QueuedWorkRunsWhenTheHostWaitsAndGraphsReplayIt) {
    float* data = deviceArray<float>(32);
    float* pinned = nullptr;
    ASSERT_EQ(cudaMallocHost(reinterpret_cast<void**>(&pinned), 32 * sizeof(float)), cudaSuccess);
    ASSERT_EQ(cudaMemset(data, 0, 32 * sizeof(float)), cudaSuccess);
    cudaStream_t stream = nullptr;
    ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
    ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
    launchKernel<addOne>(dim3(1), dim3(32), 0, stream, data);
    ASSERT_EQ(cudaMemcpyAsync(pinned, data, 32 * sizeof(float), cudaMemcpyDeviceToHost, stream), cudaSuccess);
    cudaGraph_t graph = nullptr;
    ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
    cudaGraphExec_t exec = nullptr;
    ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
    pinned[0] = -1.0f;
    ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
    ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
    EXPECT_EQ(pinned[0], -1.0f);  // not waited for: the copy has not happened
    ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    EXPECT_EQ(pinned[0], 2.0f);  // both replays, in order
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    cudaStreamDestroy(stream);
    cudaFreeHost(pinned);
    cudaFree(data);
}

TEST_F(Emulator, AllocationsBeyondTheDeviceFailAndFreeMemoryIsReported) {
    setenv("PROMPTSTUDIO_CUDA_EMULATOR_MEMORY", "64M", 1);
    size_t freeBefore = 0, total = 0;
    ASSERT_EQ(cudaMemGetInfo(&freeBefore, &total), cudaSuccess);
    EXPECT_EQ(total, size_t{64} << 20);
    void* big = nullptr;
    EXPECT_EQ(cudaMalloc(&big, size_t{65} << 20), cudaErrorMemoryAllocation);
    EXPECT_EQ(cudaGetLastError(), cudaErrorMemoryAllocation);
    EXPECT_EQ(cudaGetLastError(), cudaSuccess);
    void* small = nullptr;
    ASSERT_EQ(cudaMalloc(&small, size_t{16} << 20), cudaSuccess);
    size_t freeAfter = 0;
    ASSERT_EQ(cudaMemGetInfo(&freeAfter, &total), cudaSuccess);
    EXPECT_EQ(freeBefore - freeAfter, size_t{16} << 20);
    cudaFree(small);
    unsetenv("PROMPTSTUDIO_CUDA_EMULATOR_MEMORY");
}

TEST_F(Emulator, LaunchConfigurationErrorsAreLastErrors) {
    float* out = deviceArray<float>(32);
    launchKernel<addOne>(dim3(1), dim3(2048), 0, nullptr, out);
    EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
    EXPECT_EQ(cudaGetLastError(), cudaSuccess);
    cudaFree(out);
}

// --- cuBLAS ----------------------------------------------------------------------------

// C (m x n) = alpha op(A) op(B) + beta C, column-major, FP16 inputs, FP32 out,
// against the textbook loops, for every transposition and padded leading dimensions.
TEST_F(Emulator, GemmExFollowsCublasConventions) {
    const int m = 5, n = 3, k = 7;
    cublasHandle_t handle = nullptr;
    ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
    for (cublasOperation_t ta : {CUBLAS_OP_N, CUBLAS_OP_T}) {
        for (cublasOperation_t tb : {CUBLAS_OP_N, CUBLAS_OP_T}) {
            const int aRows = ta == CUBLAS_OP_N ? m : k, aCols = ta == CUBLAS_OP_N ? k : m;
            const int bRows = tb == CUBLAS_OP_N ? k : n, bCols = tb == CUBLAS_OP_N ? n : k;
            const int lda = aRows + 2, ldb = bRows + 1, ldc = m + 3;
            std::vector<__half> a(static_cast<size_t>(lda * aCols)), b(static_cast<size_t>(ldb * bCols));
            std::vector<float> c(static_cast<size_t>(ldc * n), 0.5f);
            for (size_t i = 0; i < a.size(); ++i) a[i] = __float2half_rn(static_cast<float>(i % 11) * 0.25f - 1.0f);
            for (size_t i = 0; i < b.size(); ++i) b[i] = __float2half_rn(static_cast<float>(i % 7) * 0.5f - 1.5f);
            auto* da = deviceArray<__half>(a.size());
            auto* db = deviceArray<__half>(b.size());
            auto* dc = deviceArray<float>(c.size());
            cudaMemcpy(da, a.data(), a.size() * 2, cudaMemcpyHostToDevice);
            cudaMemcpy(db, b.data(), b.size() * 2, cudaMemcpyHostToDevice);
            cudaMemcpy(dc, c.data(), c.size() * 4, cudaMemcpyHostToDevice);
            const float alpha = 2.0f, beta = 1.0f;
            ASSERT_EQ(cublasGemmEx(handle, ta, tb, m, n, k, &alpha, da, CUDA_R_16F, lda, db, CUDA_R_16F, ldb, &beta, dc,
                                   CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                      CUBLAS_STATUS_SUCCESS);
            std::vector<float> result(c.size());
            cudaMemcpy(result.data(), dc, c.size() * 4, cudaMemcpyDeviceToHost);
            for (int i = 0; i < m; ++i) {
                for (int j = 0; j < n; ++j) {
                    double sum = 0;
                    for (int p = 0; p < k; ++p) {
                        const float av = __half2float(ta == CUBLAS_OP_N ? a[static_cast<size_t>(i + p * lda)]
                                                                        : a[static_cast<size_t>(p + i * lda)]);
                        const float bv = __half2float(tb == CUBLAS_OP_N ? b[static_cast<size_t>(p + j * ldb)]
                                                                        : b[static_cast<size_t>(j + p * ldb)]);
                        sum += static_cast<double>(av) * bv;
                    }
                    EXPECT_NEAR(result[static_cast<size_t>(i + j * ldc)], 2.0 * sum + 0.5, 1e-4)
                        << "op " << ta << tb << " at " << i << "," << j;
                }
                // Rows past m in the padded leading dimension are untouched.
                EXPECT_EQ(result[static_cast<size_t>(m + 1)], 0.5f);
            }
            cudaFree(da);
            cudaFree(db);
            cudaFree(dc);
        }
    }
    // A leading dimension shorter than the matrix is refused, as by cuBLAS.
    const float one = 1.0f;
    EXPECT_EQ(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, nullptr, CUDA_R_16F, m - 1, nullptr,
                           CUDA_R_16F, k, &one, nullptr, CUDA_R_32F, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
              CUBLAS_STATUS_INVALID_VALUE);
    cublasDestroy(handle);
}

TEST_F(Emulator, HalfConversionsRoundToNearestEvenLikeTheDevice) {
    EXPECT_EQ(__half_as_ushort(__float2half_rn(1.0f)), 0x3c00);
    EXPECT_EQ(__half_as_ushort(__float2half_rn(65520.0f)), 0x7c00);  // rounds up to infinity
    EXPECT_EQ(__half_as_ushort(__float2half_rn(1.0f + 1.0f / 2048.0f)), 0x3c00);  // a tie: to even
    EXPECT_EQ(__half_as_ushort(__float2half_rn(1.0f + 3.0f / 2048.0f)), 0x3c02);
    EXPECT_EQ(__half2float(__ushort_as_half(0x0001)), 5.9604644775390625e-8f);
    // The paired conversion the matvec kernel decodes F16 weights with: low half first.
    const float2 pair = __half22float2(__halves2half2(__ushort_as_half(0xc000), __ushort_as_half(0x7bff)));
    EXPECT_EQ(pair.x, -2.0f);
    EXPECT_EQ(pair.y, 65504.0f);
}

// wideLoad/wideStore are one access of the whole vector: 16-byte accesses of
// consecutive lanes go in quarter-warp phases without a conflict, where the
// four 4-byte accesses a host compiler splits a struct copy into would conflict.
__global__ void wideSharedCopyKernel(float* out) {
    __shared__ float4 values[32 * 2];
    const int lane = static_cast<int>(threadIdx.x);
    wideStore(values + lane, make_float4(1.0f * lane, 2.0f, 3.0f, 4.0f));
    __syncwarp();
    const float4 v = wideLoad(values + lane);
    out[lane] = v.x + v.w;
}

TEST_F(Emulator, WideSharedAccessesAreOneAccessEach) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the access tracker is off under AddressSanitizer";
#endif
    float* out = deviceArray<float>(32);
    emu::setTrafficCounting(true);
    launchKernel<wideSharedCopyKernel>(dim3(1), dim3(32), 0, nullptr, out);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    emu::setTrafficCounting(false);
    const auto traffic = emu::takeTraffic();
    ASSERT_EQ(traffic.size(), 1u);
    EXPECT_EQ(traffic[0].worstBankConflictWays, 1);
    float host[32];
    ASSERT_EQ(cudaMemcpy(host, out, sizeof host, cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_EQ(host[5], 9.0f);
}

// --- the backend's prefill attention (attention_kernels.cu, built into this test) ---

struct AttentionCase {
    int heads, kvHeads, headDim, startPos, queries, window, context;
};

// Queries at positions [startPos, startPos + queries) over an FP16 cache of
// `context` positions (random keys and values), through the backend's kernels.
class PrefillAttention {
public:
    explicit PrefillAttention(const AttentionCase& c) : c_(c) {
        const int64_t kvDim = static_cast<int64_t>(c.kvHeads) * c.headDim, qDim = int64_t{c.heads} * c.headDim;
        uint32_t seed = 12345;
        auto next = [&seed] {
            seed = seed * 1664525u + 1013904223u;
            return static_cast<float>(seed >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
        };
        keys_.resize(static_cast<size_t>(c.context * kvDim));
        values_.resize(keys_.size());
        for (size_t i = 0; i < keys_.size(); ++i) {
            keys_[i] = __float2half_rn(next());
            values_[i] = __float2half_rn(next());
        }
        q_.resize(static_cast<size_t>(c.queries * qDim));
        for (float& v : q_) v = 2.0f * next();
        kCache_ = deviceArray<__half>(keys_.size());
        vCache_ = deviceArray<__half>(keys_.size());
        emu::labelMemory(kCache_, keys_.size() * sizeof(__half), emu::MemoryRole::KvCache);
        emu::labelMemory(vCache_, keys_.size() * sizeof(__half), emu::MemoryRole::KvCache);
        qDevice_ = deviceArray<float>(q_.size());
        start_ = deviceArray<int>(1);
        p_.splitLength = attentionSplitLength(c.context, kPrefillMaxSplits);
        p_.splits = attentionSplitCount(c.context, p_.splitLength);
        partials_ = deviceArray<float>(static_cast<size_t>(int64_t{c.queries} * c.heads * p_.splits *
                                                           attentionPartialStride(c.headDim)));
        out_ = deviceArray<float>(q_.size());
        EXPECT_EQ(cudaMemcpy(kCache_, keys_.data(), keys_.size() * 2, cudaMemcpyHostToDevice), cudaSuccess);
        EXPECT_EQ(cudaMemcpy(vCache_, values_.data(), values_.size() * 2, cudaMemcpyHostToDevice), cudaSuccess);
        EXPECT_EQ(cudaMemcpy(qDevice_, q_.data(), q_.size() * 4, cudaMemcpyHostToDevice), cudaSuccess);
        EXPECT_EQ(cudaMemcpy(start_, &c.startPos, sizeof(int), cudaMemcpyHostToDevice), cudaSuccess);
        p_.q = qDevice_;
        p_.queries = c.queries;
        p_.startPos = start_;
        p_.kCacheLayer = kCache_;
        p_.vCacheLayer = vCache_;
        p_.heads = c.heads;
        p_.kvHeads = c.kvHeads;
        p_.headDim = c.headDim;
        p_.slidingWindow = c.window;
        p_.scale = 1.0f / std::sqrt(static_cast<float>(c.headDim));
        p_.partials = partials_;
        p_.out = out_;
    }
    ~PrefillAttention() {
        for (void* p : {static_cast<void*>(kCache_), static_cast<void*>(vCache_), static_cast<void*>(qDevice_),
                        static_cast<void*>(start_), static_cast<void*>(partials_), static_cast<void*>(out_)})
            cudaFree(p);
    }

    // The output of the query-tiled kernel (or of the one-query-per-block kernel decode uses).
    std::vector<float> run(bool tiled) {
        EXPECT_EQ(cudaMemset(out_, 0, q_.size() * 4), cudaSuccess);
        if (tiled) {
            launchPrefillAttention(p_, nullptr);
        } else {
            launchAttention(p_, nullptr);
        }
        std::vector<float> out(q_.size());
        EXPECT_EQ(cudaMemcpy(out.data(), out_, out.size() * 4, cudaMemcpyDeviceToHost), cudaSuccess);
        return out;
    }

    // Softmax attention in float64 over the visible keys (causal, sliding window, GQA).
    std::vector<float> reference() const {
        const int64_t kvDim = static_cast<int64_t>(c_.kvHeads) * c_.headDim, qDim = int64_t{c_.heads} * c_.headDim;
        std::vector<float> out(q_.size());
        for (int t = 0; t < c_.queries; ++t) {
            const int position = c_.startPos + t, first = firstVisibleKey(position, c_.window);
            for (int h = 0; h < c_.heads; ++h) {
                const int kvHead = kvHeadOfQueryHead(h, c_.heads, c_.kvHeads);
                std::vector<double> scores;
                double best = -INFINITY;
                for (int j = first; j <= position; ++j) {
                    double dot = 0;
                    for (int d = 0; d < c_.headDim; ++d)
                        dot += double(q_[t * qDim + h * c_.headDim + d]) *
                               double(__half2float(keys_[j * kvDim + kvHead * c_.headDim + d]));
                    scores.push_back(dot / std::sqrt(double(c_.headDim)));
                    best = std::max(best, scores.back());
                }
                double total = 0;
                for (double& s : scores) total += (s = std::exp(s - best));
                for (int d = 0; d < c_.headDim; ++d) {
                    double sum = 0;
                    for (int j = first; j <= position; ++j)
                        sum += scores[static_cast<size_t>(j - first)] *
                               double(__half2float(values_[j * kvDim + kvHead * c_.headDim + d]));
                    out[static_cast<size_t>(t * qDim + h * c_.headDim + d)] = static_cast<float>(sum / total);
                }
            }
        }
        return out;
    }

    // The KV bytes the tiled kernel must load: each key and value a query tile
    // sees, once per tile, KV head and split (all of a KV head's query heads share them).
    uint64_t tiledKvBytes() const {
        const PrefillAttentionTile tile = choosePrefillAttentionTile(c_.heads, c_.kvHeads, c_.headDim, c_.queries);
        uint64_t bytes = 0;
        for (int q0 = 0; q0 < c_.queries; q0 += tile.queries) {
            const int last = c_.startPos + std::min(q0 + tile.queries, c_.queries) - 1;
            for (int split = 0; split < p_.splits; ++split) {
                int first = 0, end = 0;
                attentionSplitRange(split, p_.splitLength, firstVisibleKey(c_.startPos + q0, c_.window), last + 1,
                                    first, end);
                if (end > first) bytes += uint64_t(end - first) * c_.headDim * 2 * 2 * (c_.heads / tile.group);
            }
        }
        return bytes;
    }

private:
    AttentionCase c_;
    AttentionParams p_{};
    std::vector<__half> keys_, values_;
    std::vector<float> q_;
    __half *kCache_ = nullptr, *vCache_ = nullptr;
    float *qDevice_ = nullptr, *partials_ = nullptr, *out_ = nullptr;
    int* start_ = nullptr;
};

double largestDifference(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
    return worst;
}

// GQA (2 query heads per KV head, two query tiles), a sliding window, plain
// multi-head attention with a head size past one pair per lane, cached keys
// before the queries and across attention splits; FP16 q, keys and partials
// keep the outputs (each a weighted mean of values in [-1, 1]) within 4e-3.
TEST_F(Emulator, PrefillAttentionTilesMatchFloat64Softmax) {
#if defined(__SANITIZE_ADDRESS__)
    // Open (2026-12-02): under ASan the attention merge kernel makes a 4-byte
    // load that ASan flags in its own fiber's stack frame and then fails to
    // describe (CHECK failed in GetStackFrameAccessByAddr); not yet explained.
    // The plain build checks these results against float64.
    GTEST_SKIP() << "the attention merge kernel's ASan report on fiber stacks is not yet explained";
#endif
    for (const AttentionCase& c : {AttentionCase{4, 2, 16, 50, 40, 0, 128}, AttentionCase{4, 2, 16, 50, 40, 20, 128},
                                   AttentionCase{2, 2, 96, 0, 70, 0, 128}, AttentionCase{6, 2, 32, 3, 9, 5, 64}}) {
        SCOPED_TRACE(testing::Message() << c.heads << "/" << c.kvHeads << " heads of " << c.headDim << ", queries "
                                        << c.startPos << "+" << c.queries << ", window " << c.window);
        PrefillAttention attention(c);
        const std::vector<float> expected = attention.reference();
        const std::vector<float> tiled = attention.run(true);
        EXPECT_TRUE(finish(cudaSuccess).empty());
        EXPECT_LT(largestDifference(tiled, expected), 4e-3);
        EXPECT_LT(largestDifference(attention.run(false), expected), 4e-3);  // what decode runs, for comparison
        EXPECT_TRUE(finish(cudaSuccess).empty());
    }
}

// Counted: the tiled kernel loads each key and value a query tile sees once per
// tile and KV head (the one-query-per-block kernel once per query), in whole
// sectors, with no shared-memory bank conflict above 2-way.
TEST_F(Emulator, PrefillAttentionLoadsEachKvHeadOncePerQueryTile) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the access tracker is off under AddressSanitizer";
#endif
    const AttentionCase c{8, 2, 64, 16, 48, 0, 128};  // 4 query heads per KV head: 16 queries a tile
    PrefillAttention attention(c);
    emu::setTrafficCounting(true);
    attention.run(true);
    attention.run(false);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    emu::setTrafficCounting(false);
    const int kv = static_cast<int>(emu::MemoryRole::KvCache);
    uint64_t tiledKv = 0, perQueryKv = 0;
    for (const emu::KernelTraffic& k : emu::takeTraffic()) {
        if (k.name.find("prefillAttentionKernel") != std::string::npos) {
            tiledKv = k.loadedByRole[kv];
            EXPECT_LE(k.worstBankConflictWays, 2);
            EXPECT_GE(k.sectorEfficiency(emu::MemoryRole::KvCache), 0.99);
        } else if (k.name.find("attentionSplitKernel") != std::string::npos) {
            perQueryKv = k.loadedByRole[kv];
        }
    }
    EXPECT_EQ(tiledKv, attention.tiledKvBytes());
    // Each query's own keys once per KV head, for the one-query-per-block kernel:
    // positions 16..63 see 17..64 keys of 64 dimensions, K and V, 2 KV heads.
    uint64_t perQuery = 0;
    for (int position = c.startPos; position < c.startPos + c.queries; ++position)
        perQuery += uint64_t(position + 1) * c.headDim * 2 * 2 * c.kvHeads;
    EXPECT_EQ(perQueryKv, perQuery);
    EXPECT_LT(3 * tiledKv, perQueryKv);
    std::printf("prefill attention KV bytes loaded, %d queries at %d.., %d/%d heads of %d: "
                "query-tiled %llu, one block per query %llu\n",
                c.queries, c.startPos, c.heads, c.kvHeads, c.headDim, static_cast<unsigned long long>(tiledKv),
                static_cast<unsigned long long>(perQueryKv));
}

}  // namespace
}  // namespace ps
