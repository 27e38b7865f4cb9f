// The support check: one sentence before loading, from metadata and the tensor
// table, agreeing with what loading does.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "bench/synthetic_model.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "model/model_support.h"
#include "support/shared_data.h"

namespace ps {
namespace {

// A tiny synthetic model of `shape`, with `edit` applied before it is written.
std::shared_ptr<GgufFile> tinyModel(const std::string& shape, const std::function<void(GgufWriter&)>& edit = {}) {
    GgufWriter writer = makeSyntheticGguf(*syntheticModelShape(shape), TensorType::Q8_0);
    if (edit) edit(writer);
    return GgufFile::fromBytes(writer.toBytes(), "support.gguf");
}

void expectRefused(const std::shared_ptr<GgufFile>& file, const std::string& phrase) {
    const ModelSupport support = checkModelSupport(*file);
    EXPECT_FALSE(support.runs);
    EXPECT_NE(support.reason.find(phrase), std::string::npos) << "expected '" << phrase << "' in: " << support.reason;
    EXPECT_EQ(support.reason.find("support.gguf"), std::string::npos) << "no file name in: " << support.reason;
    // Loading refuses with the same words.
    try {
        Model::fromGguf(file);
        ADD_FAILURE() << "loaded although the check says: " << support.reason;
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find(support.reason), std::string::npos) << e.what();
    }
}

TEST(ModelSupport, EverySupportedArchitectureRuns) {
    for (const auto& [shape, family] : {std::pair{"tiny", "Llama"}, {"tiny-qwen2", "Qwen 2"}, {"tiny-phi3", "Phi-3"}}) {
        const ModelSupport support = checkModelSupport(*tinyModel(shape));
        EXPECT_TRUE(support.runs) << shape << ": " << support.reason;
        EXPECT_EQ(support.family, family);
        EXPECT_TRUE(support.reason.empty());
    }
}

TEST(ModelSupport, OtherArchitecturesAreNamedForPeople) {
    expectRefused(tinyModel("tiny", [](GgufWriter& w) { w.setString("general.architecture", "gemma2"); }),
                  "Gemma 2 models are not supported yet");
    expectRefused(tinyModel("tiny", [](GgufWriter& w) { w.setString("general.architecture", "qwen3"); }),
                  "Qwen 3 models are not supported yet");
    expectRefused(tinyModel("tiny", [](GgufWriter& w) { w.setString("general.architecture", "frobnicator"); }),
                  "the architecture 'frobnicator' is not supported");
    EXPECT_EQ(checkModelSupport(*tinyModel("tiny", [](GgufWriter& w) {
                  w.setString("general.architecture", "gemma2");
              })).family,
              "Gemma 2");
}

TEST(ModelSupport, VariantsTheRuntimeDoesNotImplementAreNamed) {
    expectRefused(tinyModel("tiny", [](GgufWriter& w) { w.setU32("llama.expert_count", 8); }),
                  "mixture-of-experts models (such as Mixtral) are not supported yet");
    expectRefused(tinyModel("tiny-qwen2",
                            [](GgufWriter& w) {
                                w.setString("qwen2.rope.scaling.type", "yarn");
                                w.setF32("qwen2.rope.scaling.factor", 4.0f);
                            }),
                  "YaRN RoPE scaling");
    expectRefused(tinyModel("tiny-phi3",
                            [](GgufWriter& w) {
                                w.addTensor("rope_factors_long.weight", TensorType::F32, {8},
                                            std::vector<uint8_t>(32));
                            }),
                  "Phi-3 long-context variants");
}

TEST(ModelSupport, TensorsOutsideTheLayoutAreRefused) {
    expectRefused(tinyModel("tiny",
                            [](GgufWriter& w) {
                                w.addTensor("blk.0.attn_output.bias", TensorType::F32, {256},
                                            std::vector<uint8_t>(256 * 4));
                            }),
                  "tensor 'blk.0.attn_output.bias' has no place in a Llama model");
    // A fused QKV of the wrong height names the tensor and both shapes.
    expectRefused(tinyModel("tiny-phi3",
                            [](GgufWriter& w) {
                                w.setU32("phi3.attention.head_count_kv", 8);
                            }),
                  "tensor 'blk.0.attn_qkv.weight' has shape [256, 512]; a model with these hyperparameters "
                  "needs [256, 768]");
}

TEST(ModelSupport, RopeFrequencyFactorsMustHaveOnePerPair) {
    expectRefused(tinyModel("tiny",
                            [](GgufWriter& w) {
                                w.addTensor("rope_freqs.weight", TensorType::F32, {8}, std::vector<uint8_t>(32));
                            }),
                  "tensor 'rope_freqs.weight' has shape [8]; a model with these hyperparameters needs [16]");
}

TEST(ModelSupport, VocabularyOnlyFileSaysSo) {
    PS_REQUIRE_SHARED_FILE(path, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    const ModelSupport support = checkModelSupport(path);
    EXPECT_FALSE(support.runs);
    EXPECT_EQ(support.reason, "this file is only a vocabulary, it has no weights");
}

TEST(ModelSupport, FilesThatAreNotGgufSayWhy) {
    const std::filesystem::path path = std::filesystem::temp_directory_path() / "ps-model-support-test.gguf";
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fputs("not a model", f);
        std::fclose(f);
    }
    const ModelSupport support = checkModelSupport(path);
    std::filesystem::remove(path);
    EXPECT_FALSE(support.runs);
    EXPECT_EQ(support.reason.rfind("the file cannot be read: ", 0), 0u) << support.reason;
}

TEST(ModelSupport, SharedModelsRun) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const ModelSupport support = checkModelSupport(path);
    EXPECT_TRUE(support.runs) << support.reason;
    EXPECT_EQ(support.family, "Llama");
}

}  // namespace
}  // namespace ps
