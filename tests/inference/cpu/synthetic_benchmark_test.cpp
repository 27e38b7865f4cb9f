// Synthetic models load and run like real ones, and the benchmark reports
// every figure the CLI prints.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "bench/benchmark.h"
#include "bench/synthetic_model.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace ps {
namespace {

TEST(SyntheticModel, TinyShapeLoadsInEveryTypeAndRuns) {
    for (const char* type : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"}) {
        const std::shared_ptr<const Model> model = buildSyntheticModel("tiny", type);
        const ModelConfig& c = model->config();
        EXPECT_EQ(c.dim, 256);
        EXPECT_EQ(c.kvHeadCount, 4);
        EXPECT_EQ(c.vocabSize, 512);
        EXPECT_EQ(model->card().mainTensorType, type);

        BackendOptions options;
        options.threads = 2;
        const std::unique_ptr<Backend> backend = createCpuBackend(model, options);
        std::vector<float> logits(512);
        const std::vector<int32_t> tokens = {1, 100, 200, 300};
        backend->forward(tokens, 0, logits);
        for (float v : logits) ASSERT_TRUE(std::isfinite(v)) << type;
    }
}

TEST(SyntheticModel, VocabularyTokenizesText) {
    const std::shared_ptr<const Model> model = buildSyntheticModel("tiny", "Q8_0");
    EXPECT_FALSE(model->tokenizer().encode("hello", false, SpecialTokens::AsText).empty());
}

TEST(SyntheticModel, UnknownShapeOrTypeNamesTheChoices) {
    try {
        buildSyntheticModel("gpt-5", "Q8_0");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("tinyllama-1.1b"), std::string::npos);
    }
    EXPECT_THROW(buildSyntheticModel("tiny", "Q5_K"), std::invalid_argument);
    ASSERT_TRUE(syntheticModelShape("llama3-8b"));
    EXPECT_EQ(syntheticModelShape("llama3-8b")->vocabSize, 128256);
}

TEST(Benchmark, ReportsEveryFigure) {
    const std::shared_ptr<const Model> model = buildSyntheticModel("tiny", "Q4_0");
    BackendOptions backendOptions;
    backendOptions.threads = 2;
    const std::unique_ptr<Backend> backend = createCpuBackend(model, backendOptions);
    BenchmarkOptions options;
    options.prefillLengths = {8, 32};
    options.decodeTokens = 8;
    options.longContext = 100;
    options.repetitions = 1;
    options.measureHostBandwidth = false;
    const BenchmarkResult r = runBenchmark(*backend, options);
    EXPECT_EQ(r.backend, "cpu");
    ASSERT_EQ(r.prefill.size(), 2u);
    EXPECT_EQ(r.prefill[1].tokens, 32);
    EXPECT_GT(r.prefillTokensPerSecond, 0);
    EXPECT_GT(r.ttftMilliseconds, 0);
    EXPECT_GT(r.decodeTokensPerSecond, 0);
    EXPECT_EQ(r.bytesPerToken, model->bytesReadPerToken());
    EXPECT_NEAR(r.decodeGbPerSecond, r.bytesPerToken * r.decodeTokensPerSecond / 1e9, 1e-9);
    ASSERT_TRUE(r.longContext);
    EXPECT_EQ(*r.longContext, 100);

    const std::string json = toJson(r);
    for (const char* key : {"\"prefill_tokens_per_s\"", "\"decode_tokens_per_s\"", "\"ttft_ms\"",
                            "\"bytes_per_token\"", "\"decode_gb_per_s\"", "\"backend\": \"cpu\""}) {
        EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
    }
    EXPECT_EQ(json.find("memory_read_gb_per_s"), std::string::npos);  // not measured
    EXPECT_NE(toText(r).find("decode"), std::string::npos);
}

}  // namespace
}  // namespace ps
