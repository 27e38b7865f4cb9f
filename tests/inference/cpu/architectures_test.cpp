// The architectures beside Llama on the CPU backend: synthetic qwen2 (Q/K/V
// biases, NEOX RoPE, tied output) and phi3 (fused QKV and gate|up, NEOX RoPE,
// sliding window) models in several tensor types, against the float64
// reference of reference_forward.h, which finds, splits and applies everything
// on its own. Tolerances as in cpu_backend_test.cpp: float32 arithmetic on
// dequantized weights 1e-5; 8-bit quantized activations (fast kernels on
// quantized weights) 3e-2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/matmul_kernels.h"
#include "bench/synthetic_model.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "reference_forward.h"
#include "reference_outputs.h"

namespace ps {
namespace {

using test::relativeL2;

std::shared_ptr<const Model> synthetic(const std::string& shapeName, TensorType type, int slidingWindow = -1) {
    SyntheticModelShape shape = *syntheticModelShape(shapeName);
    if (slidingWindow >= 0) shape.slidingWindow = slidingWindow;
    const GgufWriter writer = makeSyntheticGguf(shape, type, 7);
    return Model::fromGguf(GgufFile::fromBytes(writer.toBytes(), shapeName + ".gguf"));
}

std::vector<int32_t> promptOf(int length) {
    std::vector<int32_t> tokens;
    for (int i = 0; i < length; ++i) tokens.push_back(static_cast<int32_t>(1 + (i * 97 + 13) % 511));
    return tokens;
}

std::vector<float> cpuLogits(const std::shared_ptr<const Model>& model, const std::vector<int32_t>& tokens,
                             const MatmulKernelSet& kernels, int context = 0) {
    BackendOptions options;
    options.threads = 2;
    options.contextLength = context;
    const std::unique_ptr<Backend> backend = createCpuBackend(model, options, &kernels);
    std::vector<float> logits(static_cast<size_t>(model->config().vocabSize));
    backend->forward(tokens, 0, logits);
    return logits;
}

struct Case {
    const char* shape;
    TensorType type;
};

class SyntheticArchitecture : public ::testing::TestWithParam<Case> {};

TEST_P(SyntheticArchitecture, MatchesTheFloat64Reference) {
    const Case c = GetParam();
    const std::shared_ptr<const Model> model = synthetic(c.shape, c.type);
    const std::vector<int32_t> tokens = promptOf(12);
    const std::vector<float> exact = test::referenceLogits(model->file(), tokens);
    EXPECT_LT(relativeL2(cpuLogits(model, tokens, referenceKernels()), exact), 1e-5);
    const MatmulKernelSet& fast = bestKernels();
    const bool quantized = c.type != TensorType::F32 && c.type != TensorType::F16 && c.type != TensorType::BF16;
    EXPECT_LT(relativeL2(cpuLogits(model, tokens, fast), exact),
              quantized && fast.quantizesActivations ? 3e-2 : 1e-5);
}

INSTANTIATE_TEST_SUITE_P(
    Models, SyntheticArchitecture,
    ::testing::Values(Case{"tiny-qwen2", TensorType::F16}, Case{"tiny-qwen2", TensorType::Q4_K},
                      Case{"tiny-qwen2", TensorType::Q8_0}, Case{"tiny-phi3", TensorType::F16},
                      Case{"tiny-phi3", TensorType::Q4_K}, Case{"tiny-phi3", TensorType::Q6_K},
                      Case{"tiny-phi3", TensorType::Q4_0}, Case{"tiny", TensorType::BF16}),
    [](const ::testing::TestParamInfo<Case>& info) {
        std::string name = std::string(info.param.shape) + "_" + tensorTypeInfo(info.param.type).name;
        for (char& ch : name) {
            if (ch == '-') ch = '_';
        }
        return name;
    });

TEST(Architectures, ConfigSaysWhatDiffers) {
    const auto qwen = synthetic("tiny-qwen2", TensorType::F16);
    EXPECT_EQ(qwen->config().architecture, "qwen2");
    EXPECT_EQ(qwen->config().ropeStyle, RopeStyle::Halves);
    EXPECT_EQ(qwen->config().ropeBase, 1e6f);
    EXPECT_EQ(qwen->config().slidingWindow, 0);
    EXPECT_TRUE(qwen->weights().outputTied);
    EXPECT_TRUE(qwen->weights().layers[0].qBias && qwen->weights().layers[0].kBias && qwen->weights().layers[0].vBias);
    EXPECT_EQ(qwen->card().family, "Qwen 2");

    const auto phi = synthetic("tiny-phi3", TensorType::Q8_0);
    EXPECT_EQ(phi->config().ropeStyle, RopeStyle::Halves);
    EXPECT_EQ(phi->config().slidingWindow, 32);
    EXPECT_FALSE(phi->weights().layers[0].qBias);
    EXPECT_EQ(phi->config().firstVisibleKey(31), 0);
    EXPECT_EQ(phi->config().firstVisibleKey(32), 1);  // distance 32 >= window: masked

    const auto llama = synthetic("tiny", TensorType::Q8_0);
    EXPECT_EQ(llama->config().ropeStyle, RopeStyle::AdjacentPairs);
    EXPECT_EQ(llama->config().firstVisibleKey(1000), 0);
}

// phi3's fused matrices become views of the file's rows: no copies.
TEST(Architectures, FusedMatricesAreRowViews) {
    const auto phi = synthetic("tiny-phi3", TensorType::Q8_0);
    const ModelConfig& c = phi->config();
    const LayerWeights& layer = phi->weights().layers[1];
    const GgufTensorInfo* qkv = phi->file().findTensor("blk.1.attn_qkv.weight");
    const GgufTensorInfo* gateUp = phi->file().findTensor("blk.1.ffn_up.weight");
    ASSERT_TRUE(qkv && gateUp);
    const size_t row = rowBytes(TensorType::Q8_0, c.dim);
    EXPECT_EQ(layer.wq.data, qkv->data);
    EXPECT_EQ(layer.wk.data, qkv->data + row * c.qDim());
    EXPECT_EQ(layer.wv.data, qkv->data + row * (c.qDim() + c.kvDim()));
    EXPECT_EQ(layer.wq.rows, c.qDim());
    EXPECT_EQ(layer.wv.rows, c.kvDim());
    EXPECT_EQ(layer.wq.bytes + layer.wk.bytes + layer.wv.bytes, qkv->bytes);
    EXPECT_EQ(layer.wGate.data, gateUp->data);
    EXPECT_EQ(layer.wUp.data, gateUp->data + row * c.ffnDim);
    EXPECT_EQ(layer.wUp.rows, c.ffnDim);
    // Bytes per token count the fused matrices once.
    const auto llamaShaped = synthetic("tiny", TensorType::Q8_0);
    EXPECT_EQ(phi->bytesReadPerToken(), llamaShaped->bytesReadPerToken());
}

// Past the window, keys drop out of attention; the reference masks them by its
// own rule and the CPU must agree, in a batch and token by token. Without the
// window the logits are clearly different, so this test can fail.
TEST(Architectures, SlidingWindowMasksDistantKeys) {
    const auto phi = synthetic("tiny-phi3", TensorType::F16, 16);
    ASSERT_EQ(phi->config().slidingWindow, 16);
    const std::vector<int32_t> tokens = promptOf(41);
    const std::vector<float> exact = test::referenceLogits(phi->file(), tokens);
    const std::vector<float> unwindowed = test::referenceLogits(phi->file(), tokens, {.slidingWindow = 0});
    ASSERT_GT(relativeL2(unwindowed, exact), 1e-2) << "the window should matter for this prompt";

    BackendOptions options;
    options.threads = 2;
    options.contextLength = 64;
    const std::unique_ptr<Backend> backend = createCpuBackend(phi, options, &referenceKernels());
    std::vector<float> batched(512), stepwise(512);
    backend->forward(tokens, 0, batched);
    EXPECT_LT(relativeL2(batched, exact), 1e-5);
    for (size_t i = 0; i < tokens.size(); ++i) backend->forward({&tokens[i], 1}, static_cast<int>(i), stepwise);
    EXPECT_LT(relativeL2(stepwise, exact), 1e-5);
}

TEST(Architectures, BatchEqualsTokenByToken) {
    for (const char* shape : {"tiny-qwen2", "tiny-phi3"}) {
        const auto model = synthetic(shape, TensorType::Q4_K);
        const std::vector<int32_t> tokens = promptOf(80);  // longer than one CPU batch (64)
        BackendOptions options;
        options.threads = 2;
        const std::unique_ptr<Backend> backend = createCpuBackend(model, options, &bestKernels());
        std::vector<float> batched(512), stepwise(512);
        backend->forward(tokens, 0, batched);
        for (size_t i = 0; i < tokens.size(); ++i) backend->forward({&tokens[i], 1}, static_cast<int>(i), stepwise);
        EXPECT_LT(relativeL2(stepwise, batched), 1e-5) << shape;
    }
}

}  // namespace
}  // namespace ps
