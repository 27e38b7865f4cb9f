// The CPU backend against the shared reference outputs: the logits at the last
// prompt position for every model and both prompts, against float64 math on the
// dequantized weights ("exact") and against llama.cpp. Tolerances (relative L2)
// follow what our arithmetic does, per the README in models/:
//  - float32 on dequantized weights (the reference kernels for every type, and
//    the fast kernels for F32/F16/BF16 weights, whose activations stay float32):
//    measured <= 1e-6 against exact; we allow 1e-5.
//  - 8-bit quantized activations with integer dot products (the fast kernels for
//    Q8_0/Q4_0/Q4_K/Q6_K, as llama.cpp): measured 1.4e-2..1.6e-2; we allow 3e-2.
//  - against llama.cpp, whose own math differs from exact by 2e-4..6e-4 (F32,
//    F16), 5e-3 (BF16), 1.5e-2..2.2e-2 (quantized): we allow 1e-3, 1e-2, 4e-2.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/matmul_kernels.h"
#include "model/model.h"
#include "reference_outputs.h"
#include "support/shared_data.h"

namespace ps {
namespace {

using test::argmax;
using test::relativeL2;

enum class Weights { Float32, Float16, BFloat16, Quantized };

struct SharedModel {
    const char* name;
    Weights weights;
};

const SharedModel kModels[] = {
    {"stories260K", Weights::Float32},       {"llama-2-tiny-random", Weights::Float16},
    {"tiny-d256-F32", Weights::Float32},     {"tiny-d256-F16", Weights::Float16},
    {"tiny-d256-BF16", Weights::BFloat16},   {"tiny-d256-Q8_0", Weights::Quantized},
    {"tiny-d256-Q4_0", Weights::Quantized},  {"tiny-d256-Q4_K_M", Weights::Quantized},
    {"tiny-d256-Q6_K", Weights::Quantized},
};

double toleranceVsExact(Weights w, const MatmulKernelSet& kernels) {
    return w == Weights::Quantized && kernels.quantizesActivations ? 3e-2 : 1e-5;
}

double toleranceVsLlamaCpp(Weights w) {
    switch (w) {
        case Weights::Float32:
        case Weights::Float16: return 1e-3;
        case Weights::BFloat16: return 1e-2;
        case Weights::Quantized: return 4e-2;
    }
    return 0;
}

std::vector<float> lastLogits(Backend& backend, const std::vector<int32_t>& tokens) {
    std::vector<float> logits(static_cast<size_t>(backend.model().config().vocabSize));
    backend.forward(tokens, 0, logits);
    return logits;
}

std::unique_ptr<Backend> cpuBackend(std::shared_ptr<const Model> model, const MatmulKernelSet& kernels,
                                    int threads = 2, int context = 0) {
    BackendOptions options;
    options.threads = threads;
    options.contextLength = context;
    return createCpuBackend(std::move(model), options, &kernels);
}

void checkAgainstReferences(const MatmulKernelSet& kernels) {
    for (const SharedModel& m : kModels) {
        PS_REQUIRE_SHARED_FILE(path, std::string("models/") + m.name + ".gguf");
        const std::shared_ptr<const Model> model = Model::load(path);
        const std::unique_ptr<Backend> backend = cpuBackend(model, kernels);
        for (const char* prompt : {"p0", "p1"}) {
            const std::string base = std::string("models/reference/") + m.name + "." + prompt;
            PS_REQUIRE_SHARED_FILE(json, base + ".json");
            PS_REQUIRE_SHARED_FILE(exactPath, base + ".exact-logits.f32");
            PS_REQUIRE_SHARED_FILE(llamaCppPath, base + ".logits.f32");
            const std::vector<float> exact = test::readFloats(exactPath);
            const std::vector<float> llamaCpp = test::readFloats(llamaCppPath);
            const std::vector<float> logits =
                lastLogits(*backend, test::readJsonIntArray(json, "prompt_tokens"));
            ASSERT_EQ(logits.size(), exact.size()) << m.name;

            SCOPED_TRACE(std::string(m.name) + " " + prompt + " with " + kernels.name + " kernels");
            EXPECT_LT(relativeL2(logits, exact), toleranceVsExact(m.weights, kernels));
            EXPECT_LT(relativeL2(logits, llamaCpp), toleranceVsLlamaCpp(m.weights));
            // The top token must agree wherever the exact top two are well apart
            // compared with our error (a tenth of the logits' RMS).
            if (test::topTwoMargin(exact) > 0.1f * test::rms(exact)) {
                EXPECT_EQ(argmax(logits), argmax(exact));
            }
        }
    }
}

TEST(CpuBackend, ReferenceKernelsMatchTheReferenceLogits) { checkAgainstReferences(referenceKernels()); }

TEST(CpuBackend, FastKernelsMatchTheReferenceLogits) { checkAgainstReferences(bestKernels()); }

TEST(CpuBackend, ScalarKernelsMatchTheReferenceLogits) { checkAgainstReferences(scalarKernels()); }

// The AVX2 set is what a CPU without AVX-512 runs (no packed kernels, no attention
// kernel): the whole model on it, here too, where the best set is AVX-512.
TEST(CpuBackend, Avx2KernelsMatchTheReferenceLogits) {
    const MatmulKernelSet* avx2 = avx2Kernels();
    if (avx2 == nullptr) GTEST_SKIP() << "this CPU or build has no AVX2 kernels";
    checkAgainstReferences(*avx2);
}

// stories260K is a trained model: its greedy continuation must be the reference's, token for token.
TEST(CpuBackend, Stories260KGreedyContinuationIsExact) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(json, "models/stories260K.greedy-256.json");
    const std::vector<int32_t> prompt = test::readJsonIntArray(json, "prompt_tokens");
    const std::vector<int32_t> expected = test::readJsonIntArray(json, "greedy_tokens");
    ASSERT_FALSE(expected.empty());
    const std::unique_ptr<Backend> backend = cpuBackend(Model::load(path), bestKernels());
    std::vector<float> logits = lastLogits(*backend, prompt);
    std::vector<int32_t> generated;
    int position = static_cast<int>(prompt.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        int32_t token = argmax(logits);
        generated.push_back(token);
        backend->forward(std::span<const int32_t>(&token, 1), position++, logits);
    }
    EXPECT_EQ(generated, expected);
}

TEST(CpuBackend, BatchedPrefillEqualsTokenByToken) {
    for (const char* name : {"tiny-d256-Q4_K_M", "tiny-d256-F16"}) {
        PS_REQUIRE_SHARED_FILE(path, std::string("models/") + name + ".gguf");
        PS_REQUIRE_SHARED_FILE(json, std::string("models/reference/") + name + ".p1.json");
        const std::vector<int32_t> tokens = test::readJsonIntArray(json, "prompt_tokens");
        const std::unique_ptr<Backend> backend = cpuBackend(Model::load(path), bestKernels());
        const std::vector<float> batched = lastLogits(*backend, tokens);

        std::vector<float> stepwise(batched.size());
        for (size_t i = 0; i < tokens.size(); ++i) backend->forward({&tokens[i], 1}, static_cast<int>(i), stepwise);
        EXPECT_LT(relativeL2(stepwise, batched), 1e-5) << name;

        // A prefix kept in the cache and the rest run as a second batch.
        std::vector<float> split(batched.size());
        backend->forward(std::span(tokens).first(5), 0, split);
        backend->forward(std::span(tokens).subspan(5), 5, split);
        EXPECT_LT(relativeL2(split, batched), 1e-5) << name;
    }
}

TEST(CpuBackend, PromptsLongerThanOneBatchMatchTokenByToken) {
    for (const char* file : {"models/tiny-d256-Q8_0.gguf", "models/tiny-d256-Q4_0.gguf",
                             "models/tiny-d256-Q4_K_M.gguf"}) {
        PS_REQUIRE_SHARED_FILE(path, file);
        const std::shared_ptr<const Model> model = Model::load(path);
        std::vector<int32_t> tokens(150);
        for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>(3 + (i * 37) % 500);
        const std::unique_ptr<Backend> backend = cpuBackend(model, bestKernels());
        const std::vector<float> batched = lastLogits(*backend, tokens);
        std::vector<float> stepwise(batched.size());
        for (size_t i = 0; i < tokens.size(); ++i) backend->forward({&tokens[i], 1}, static_cast<int>(i), stepwise);
        EXPECT_LT(relativeL2(stepwise, batched), 1e-5) << file;
    }
}

// Work is split by rows and (token, head) pairs, each computed whole by one
// thread, so the thread count cannot change a single bit.
TEST(CpuBackend, ThreadCountDoesNotChangeTheLogits) {
    PS_REQUIRE_SHARED_FILE(path, "models/tiny-d256-Q4_0.gguf");
    PS_REQUIRE_SHARED_FILE(json, "models/reference/tiny-d256-Q4_0.p1.json");
    const std::shared_ptr<const Model> model = Model::load(path);
    const std::vector<int32_t> tokens = test::readJsonIntArray(json, "prompt_tokens");
    const std::vector<float> one = lastLogits(*cpuBackend(model, bestKernels(), 1), tokens);
    for (int threads : {2, 3, 5}) {
        EXPECT_EQ(lastLogits(*cpuBackend(model, bestKernels(), threads), tokens), one) << threads << " threads";
    }
}

TEST(CpuBackend, ForwardBeyondTheContextThrows) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const std::unique_ptr<Backend> backend = cpuBackend(Model::load(path), bestKernels(), 2, 16);
    EXPECT_EQ(backend->contextLength(), 16);
    std::vector<float> logits(static_cast<size_t>(backend->model().config().vocabSize));
    const std::vector<int32_t> tokens(17, 5);
    EXPECT_THROW(backend->forward(tokens, 0, logits), BackendError);
    EXPECT_THROW(backend->forward(std::span(tokens).first(2), 15, logits), BackendError);
    EXPECT_NO_THROW(backend->forward(std::span(tokens).first(1), 15, logits));
    const int32_t outside = 512;
    EXPECT_THROW(backend->forward({&outside, 1}, 0, logits), BackendError);
    std::vector<float> small(10);
    EXPECT_THROW(backend->forward(std::span(tokens).first(1), 0, small), BackendError);
}

TEST(CpuBackend, ContextDefaultsToTheModelsCappedAt4096) {
    PS_REQUIRE_SHARED_FILE(path, "models/llama-2-tiny-random.gguf");
    const std::shared_ptr<const Model> model = Model::load(path);
    const int expected = std::min(model->config().contextLength, 4096);
    EXPECT_EQ(cpuBackend(model, bestKernels())->contextLength(), expected);
}

TEST(CpuBackend, CreateBackendFallsBackToTheCpuWithAReason) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const std::shared_ptr<const Model> model = Model::load(path);
    BackendOptions cpu;
    cpu.choice = BackendOptions::Choice::Cpu;
    BackendSelection selected = createBackend(model, cpu);
    ASSERT_NE(selected.backend, nullptr);
    EXPECT_EQ(selected.backend->kind(), BackendKind::Cpu);
    EXPECT_TRUE(selected.fallbackReason.empty());
    EXPECT_NE(selected.backend->deviceName().find("CPU"), std::string::npos);
    if (!cudaBackendCompiled()) {
        BackendOptions cuda;
        cuda.choice = BackendOptions::Choice::Cuda;
        selected = createBackend(model, cuda);
        ASSERT_NE(selected.backend, nullptr);
        EXPECT_EQ(selected.backend->kind(), BackendKind::Cpu);
        EXPECT_FALSE(selected.fallbackReason.empty());
    }
}

}  // namespace
}  // namespace ps
