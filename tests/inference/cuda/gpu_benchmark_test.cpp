// The GPU benchmark's arithmetic (bytes per decode step, prefill flops, the
// fractions of the measured ceilings) and its cached-prefix timing, which runs
// on any backend. Runs with or without a GPU.
#include <gtest/gtest.h>

#include <string>

#include "backend/backend.h"
#include "backend/backend_factory.h"
#include "bench/gpu_benchmark.h"
#include "model/model.h"
#include "model/model_config.h"
#include "support/shared_data.h"

namespace ps {
namespace {

ModelConfig tinyConfig() {
    ModelConfig c;
    c.dim = 4;
    c.layerCount = 1;
    c.ffnDim = 6;
    c.headCount = 2;
    c.kvHeadCount = 1;
    c.headDim = 2;
    c.ropeDim = 2;
    c.vocabSize = 10;
    return c;
}

TEST(GpuBenchmark, DecodeBytesAddTheKeysAndValuesOfEarlierPositions) {
    ModelConfig c = tinyConfig();
    c.layerCount = 2;
    c.kvHeadCount = 2;
    c.headDim = 4;  // kvDim 8
    EXPECT_EQ(decodeBytesAtPosition(c, 1000, 0), 1000u);
    // 10 positions x 2 layers x (K + V) x 8 values x 2 bytes
    EXPECT_EQ(decodeBytesAtPosition(c, 1000, 10), 1000u + 10 * 2 * 2 * 8 * 2);
}

TEST(GpuBenchmark, PrefillFlopsCountMatricesAttentionAndTheLastOutputRow) {
    // Layer matrices: q 4x4, k 4x2, v 4x2, o 4x4, gate/up/down 4x6 each = 120 weights,
    // 2 flops each per token: 720 for 3 tokens. Attention: 1 + 2 + 3 = 6 query-key pairs,
    // 4 flops per pair and query dimension (4): 96. Output row of the last token: 2 x 4 x 10.
    EXPECT_DOUBLE_EQ(prefillFlops(tinyConfig(), 3), 720 + 96 + 80);
}

TEST(GpuBenchmark, CeilingsTurnIntoFractionsAndTflops) {
    const ModelConfig c = tinyConfig();
    BenchmarkResult result;
    result.bytesPerToken = 1'000'000'000;
    result.decodeContext = 0;
    result.decodeTokensPerSecond = 100;  // 100 GB/s of weights
    result.longContext = 4096;
    result.longContextDecodeTokensPerSecond = 50;
    result.prefill.push_back({512, 1000.0, 512.0});
    CudaDeviceCeilings ceilings;
    ceilings.copyGBps = 200;
    ceilings.fp16GemmTflops = 700;
    addDeviceCeilings(c, ceilings, result);
    EXPECT_DOUBLE_EQ(result.deviceCopyGbPerSecond.value_or(0), 200);
    EXPECT_DOUBLE_EQ(result.gemmTflops.value_or(0), 700);
    EXPECT_DOUBLE_EQ(result.bandwidthFraction.value_or(0), 0.5);
    const double longBytes = static_cast<double>(decodeBytesAtPosition(c, result.bytesPerToken, 4096));
    EXPECT_DOUBLE_EQ(result.longContextBandwidthFraction.value_or(0), longBytes * 50 / 1e9 / 200);
    EXPECT_DOUBLE_EQ(result.prefillTflops.value_or(0), prefillFlops(c, 512) / 1.0 / 1e12);
}

TEST(GpuBenchmark, CachedPrefixTimingFitsThePrefixIntoTheContext) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    BackendOptions options;
    options.choice = BackendOptions::Choice::Cpu;
    options.contextLength = 64;
    const BackendSelection selection = createBackend(Model::load(path), options);
    ASSERT_TRUE(selection.backend);
    BenchmarkResult result;
    GpuBenchmarkOptions bench;  // 1000 cached + 50 new: more than the 64 positions
    measureCachedPrefixTtft(*selection.backend, bench, result);
    EXPECT_EQ(result.cachedPrefixNewTokens.value_or(0), 50);
    EXPECT_EQ(result.cachedPrefixTokens.value_or(0), 14);
    EXPECT_GT(result.cachedPrefixTtftMilliseconds.value_or(0), 0);
    const std::string json = toJson(result);
    EXPECT_NE(json.find("\"cached_prefix_tokens\": 14"), std::string::npos) << json;
    EXPECT_NE(json.find("\"cached_prefix_ttft_ms\": "), std::string::npos) << json;
}

TEST(GpuBenchmark, WithoutAGpuTheMeasurementsSayWhy) {
    const GpuListing gpus = listCudaGpus();
    if (!gpus.gpus.empty()) GTEST_SKIP() << "a GPU is present: " << gpus.gpus.front().name;
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    BackendOptions options;
    options.choice = BackendOptions::Choice::Cpu;
    options.contextLength = 64;
    const BackendSelection selection = createBackend(Model::load(path), options);
    ASSERT_TRUE(selection.backend);
    BenchmarkResult result;
    try {
        addGpuMeasurements(*selection.backend, 0, GpuBenchmarkOptions{}, result);
        ADD_FAILURE() << "measured a GPU that is not there";
    } catch (const BackendError& e) {
        EXPECT_NE(std::string(e.what()).find(gpus.whyNone), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ps
