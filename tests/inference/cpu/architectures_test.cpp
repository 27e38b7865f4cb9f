// The architectures beside Llama on the CPU backend: synthetic qwen2 (Q/K/V
// biases, NEOX RoPE, tied output) and phi3 (fused QKV and gate|up, NEOX RoPE,
// sliding window) models in several tensor types, against the float64
// reference of reference_forward.h, which finds, splits and applies everything
// on its own. Tolerances as in cpu_backend_test.cpp: float32 arithmetic on
// dequantized weights 1e-5; 8-bit quantized activations (fast kernels on
// quantized weights) 3e-2.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
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
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"

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

    // As in llama.cpp, only phi3 reads attention.sliding_window.
    EXPECT_EQ(synthetic("tiny-qwen2", TensorType::F16, 16)->config().slidingWindow, 0);

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

// --- the shared models of these shapes, against llama.cpp and float64 ---------

namespace ps {
namespace {

std::string readJsonString(const std::filesystem::path& json, const std::string& key) {
    std::ifstream in(json);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The prompts are plain JSON strings; decode the escapes they use (\" \\ \n \uXXXX).
    const size_t at = text.find("\"" + key + "\"");
    size_t i = text.find('"', text.find(':', at)) + 1;
    std::string out;
    for (; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        const char e = text[++i];
        if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == 'u') {
            uint32_t cp = std::stoul(text.substr(i + 1, 4), nullptr, 16);
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {  // surrogate pair
                cp = 0x10000 + ((cp - 0xD800) << 10) + (std::stoul(text.substr(i + 3, 4), nullptr, 16) - 0xDC00);
                i += 6;
            }
            if (cp < 0x80) out += static_cast<char>(cp);
            else if (cp < 0x800) out += {static_cast<char>(0xC0 | cp >> 6), static_cast<char>(0x80 | (cp & 63))};
            else if (cp < 0x10000)
                out += {static_cast<char>(0xE0 | cp >> 12), static_cast<char>(0x80 | (cp >> 6 & 63)),
                        static_cast<char>(0x80 | (cp & 63))};
            else
                out += {static_cast<char>(0xF0 | cp >> 18), static_cast<char>(0x80 | (cp >> 12 & 63)),
                        static_cast<char>(0x80 | (cp >> 6 & 63)), static_cast<char>(0x80 | (cp & 63))};
        } else {
            out += e;
        }
    }
    return out;
}

class SharedArchitectureModel : public ::testing::TestWithParam<const char*> {};

// Prompt ids equal llama.cpp's; logits within 3e-2 (relative L2) of both
// llama.cpp's and the float64 ones with the fast kernels, 1e-5 of float64 with
// the reference kernels; the top token equal where the exact top two are
// clearly apart; llama.cpp's 16 greedy tokens, fed back one by one, are our
// top tokens wherever our (near-exact) top two are clearly apart.
TEST_P(SharedArchitectureModel, MatchesLlamaCppAndTheExactLogits) {
    const std::string name = GetParam();
    PS_REQUIRE_SHARED_FILE(path, "models/" + name + ".gguf");
    const std::shared_ptr<const Model> model = Model::load(path);
    BackendOptions options;
    options.threads = 2;
    const std::unique_ptr<Backend> fast = createCpuBackend(model, options, &bestKernels());
    const std::unique_ptr<Backend> exactish = createCpuBackend(model, options, &referenceKernels());
    for (const char* prompt : {"p0", "p1", "p2"}) {
        const std::string base = "models/reference/" + name + "." + prompt;
        PS_REQUIRE_SHARED_FILE(json, base + ".json");
        PS_REQUIRE_SHARED_FILE(exactPath, base + ".exact-logits.f32");
        PS_REQUIRE_SHARED_FILE(llamaCppPath, base + ".logits.f32");
        SCOPED_TRACE(name + " " + prompt);
        const std::vector<int32_t> tokens = test::readJsonIntArray(json, "prompt_tokens");
        const Tokenizer& tokenizer = model->tokenizer();
        EXPECT_EQ(tokenizer.encode(readJsonString(json, "prompt"), tokenizer.addBosByDefault(), SpecialTokens::AsText),
                  tokens);

        const std::vector<float> exact = test::readFloats(exactPath);
        const std::vector<float> llamaCpp = test::readFloats(llamaCppPath);
        std::vector<float> logits(exact.size()), reference(exact.size());
        ASSERT_EQ(exact.size(), static_cast<size_t>(model->config().vocabSize));
        fast->forward(tokens, 0, logits);
        exactish->forward(tokens, 0, reference);
        EXPECT_LT(relativeL2(logits, exact), 3e-2);
        EXPECT_LT(relativeL2(logits, llamaCpp), 3e-2);
        EXPECT_LT(relativeL2(reference, exact), 1e-5);
        if (test::topTwoMargin(exact) > 0.1f * test::rms(exact)) {
            EXPECT_EQ(test::argmax(logits), test::argmax(exact));
        }

        const std::vector<int32_t> greedy = test::readJsonIntArray(json, "greedy_16");
        int position = static_cast<int>(tokens.size()), compared = 0;
        for (const int32_t expected : greedy) {
            if (test::topTwoMargin(reference) > 0.1f * test::rms(reference)) {
                EXPECT_EQ(test::argmax(reference), expected) << "greedy token at position " << position;
                ++compared;
            }
            exactish->forward({&expected, 1}, position++, reference);
        }
        RecordProperty(name + "." + prompt + ".greedy_compared", compared);
        EXPECT_GE(compared, 4) << "too few clear steps to say anything";
    }
}

INSTANTIATE_TEST_SUITE_P(Shared, SharedArchitectureModel,
                         ::testing::Values("l3-d128-Q8_0", "q2-d128-Q8_0", "phi3-d128-Q8_0"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n) {
                                 if (c == '-') c = '_';
                             }
                             return n;
                         });

// A long prompt (300 tokens: far past l3's original context of 64, where its
// rope_freqs factors matter most) against the float64 reference.
TEST(SharedArchitectureModels, LongPromptMatchesTheFloat64Reference) {
    for (const char* name : {"l3-d128-Q8_0", "q2-d128-Q8_0", "phi3-d128-Q8_0"}) {
        PS_REQUIRE_SHARED_FILE(path, std::string("models/") + name + ".gguf");
        const std::shared_ptr<const Model> model = Model::load(path);
        const Tokenizer& tokenizer = model->tokenizer();
        std::string text;
        for (int i = 0; text.size() < 1500; ++i) text += "Line " + std::to_string(i * 37 % 101) + ": the quick brown fox. ";
        std::vector<int32_t> tokens = tokenizer.encode(text, tokenizer.addBosByDefault(), SpecialTokens::AsText);
        ASSERT_GE(tokens.size(), 300u) << name;
        tokens.resize(300);
        BackendOptions options;
        options.threads = 2;
        const std::unique_ptr<Backend> backend = createCpuBackend(model, options, &referenceKernels());
        std::vector<float> logits(static_cast<size_t>(model->config().vocabSize));
        backend->forward(tokens, 0, logits);
        EXPECT_LT(relativeL2(logits, test::referenceLogits(model->file(), tokens)), 1e-5) << name;
    }
}

TEST(SharedArchitectureModels, BatchEqualsTokenByToken) {
    for (const char* name : {"l3-d128-Q8_0", "q2-d128-Q8_0", "phi3-d128-Q8_0"}) {
        PS_REQUIRE_SHARED_FILE(path, std::string("models/") + name + ".gguf");
        PS_REQUIRE_SHARED_FILE(json, std::string("models/reference/") + name + ".p2.json");
        const std::vector<int32_t> tokens = test::readJsonIntArray(json, "prompt_tokens");
        const std::shared_ptr<const Model> model = Model::load(path);
        BackendOptions options;
        options.threads = 2;
        const std::unique_ptr<Backend> backend = createCpuBackend(model, options, &bestKernels());
        std::vector<float> batched(static_cast<size_t>(model->config().vocabSize)), stepwise(batched.size());
        backend->forward(tokens, 0, batched);
        for (size_t i = 0; i < tokens.size(); ++i) backend->forward({&tokens[i], 1}, static_cast<int>(i), stepwise);
        EXPECT_LT(relativeL2(stepwise, batched), 1e-5) << name;
    }
}

}  // namespace
}  // namespace ps
