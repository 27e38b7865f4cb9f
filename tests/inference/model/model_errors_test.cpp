// Models rebuilt from stories260K with one thing changed (a tensor removed,
// reshaped, a hyperparameter broken): each loads as expected or gives a
// ModelError that names the tensor or key.
#include <gtest/gtest.h>

#include <functional>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "support/shared_data.h"

namespace ps {
namespace {

constexpr const char* kName = "rebuilt.gguf";

// stories260K with `edit` applied to a writer holding all its metadata, and all
// tensors except those `keep` rejects.
std::shared_ptr<GgufFile> rebuild(const GgufFile& original,
                                  const std::function<void(GgufWriter&)>& edit,
                                  const std::function<bool(const std::string&)>& keep = {}) {
    GgufWriter w;
    w.copyMetadata(original);
    for (const GgufTensorInfo& t : original.tensors()) {
        if (keep && !keep(t.name)) continue;
        w.addTensor(t.name, t.type, t.dims, std::vector<uint8_t>(t.data, t.data + t.bytes));
    }
    edit(w);
    return GgufFile::fromBytes(w.toBytes(), kName);
}

void expectModelError(const std::shared_ptr<GgufFile>& file, const std::string& phrase) {
    try {
        Model::fromGguf(file);
        ADD_FAILURE() << "loaded; expected an error containing: " << phrase;
    } catch (const ModelError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(kName), std::string::npos) << message;
        EXPECT_NE(message.find(phrase), std::string::npos) << "expected '" << phrase << "' in: " << message;
    }
}

class RebuiltStories : public ::testing::Test {
protected:
    void SetUp() override {
        PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
        original_ = GgufFile::open(path);
    }
    std::shared_ptr<GgufFile> original_;
};

TEST_F(RebuiltStories, UnchangedCopyLoadsLikeTheOriginal) {
    const auto model = Model::fromGguf(rebuild(*original_, [](GgufWriter&) {}));
    EXPECT_EQ(model->config().dim, 64);
    EXPECT_FALSE(model->weights().outputTied);
    EXPECT_EQ(model->card().path, kName);
}

TEST_F(RebuiltStories, WithoutOutputWeightTheEmbeddingIsTied) {
    const auto file = rebuild(*original_, [](GgufWriter&) {},
                              [](const std::string& name) { return name != "output.weight"; });
    const auto model = Model::fromGguf(file);
    const ModelWeights& w = model->weights();
    EXPECT_TRUE(w.outputTied);
    EXPECT_EQ(w.output.data, w.tokenEmbedding.data);
    EXPECT_EQ(w.output.rows, 512);
    EXPECT_EQ(w.output.cols, 64);
    EXPECT_EQ(w.output.bytes, w.tokenEmbedding.bytes);
    // The tied matrix still has to be read for every token.
    EXPECT_GT(model->bytesReadPerToken(), w.tokenEmbedding.bytes);
}

TEST_F(RebuiltStories, MissingTensorIsNamed) {
    for (const std::string missing :
         {"blk.2.ffn_up.weight", "token_embd.weight", "output_norm.weight", "blk.4.attn_norm.weight"}) {
        expectModelError(rebuild(*original_, [](GgufWriter&) {},
                                 [&](const std::string& name) { return name != missing; }),
                         "tensor '" + missing + "' is missing");
    }
}

TEST_F(RebuiltStories, WrongShapeNamesTheTensorAndBothShapes) {
    const auto file = rebuild(
        *original_,
        [](GgufWriter& w) {
            w.addTensor("blk.3.attn_k.weight", TensorType::F32, {64, 16},
                        std::vector<uint8_t>(64 * 16 * 4));
        },
        [](const std::string& name) { return name != "blk.3.attn_k.weight"; });
    expectModelError(file,
                     "tensor 'blk.3.attn_k.weight' has shape [64, 16]; a model with these "
                     "hyperparameters needs [64, 32]");

    const auto flat = rebuild(
        *original_,
        [](GgufWriter& w) { w.addTensor("output_norm.weight", TensorType::F32, {64, 1}, std::vector<uint8_t>(256)); },
        [](const std::string& name) { return name != "output_norm.weight"; });
    expectModelError(flat, "tensor 'output_norm.weight' has shape [64, 1]; a model with these "
                           "hyperparameters needs [64]");
}

TEST_F(RebuiltStories, OtherArchitecturesAreNamed) {
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setString("general.architecture", "gemma2"); }),
                     "Gemma 2 models are not supported yet");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setString("general.architecture", "xyz"); }),
                     "the architecture 'xyz' is not supported");
    // A supported architecture reads its own prefix: stories260K's keys are llama.*.
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setString("general.architecture", "qwen2"); }),
                     "'qwen2.context_length' is missing");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.remove("general.architecture"); }),
                     "'general.architecture' is missing");
}

TEST_F(RebuiltStories, BrokenHyperparametersNameTheKey) {
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.remove("llama.block_count"); }),
                     "'llama.block_count' is missing");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setI32("llama.embedding_length", -64); }),
                     "'llama.embedding_length' is -64");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setString("llama.context_length", "2048"); }),
                     "'llama.context_length' is string, expected an integer");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setI32Array("llama.feed_forward_length", {172, 172}); }),
                     "holds one value per layer");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setU32("llama.attention.head_count", 7); }),
                     "embedding_length 64 is not divisible by head_count 7");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setU32("llama.attention.head_count_kv", 3); }),
                     "head_count 8 is not divisible by head_count_kv 3");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setU32("llama.rope.dimension_count", 7); }),
                     "rope.dimension_count is 7");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setU32("llama.rope.dimension_count", 16); }),
                     "at most the head size 8");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setF32("llama.attention.layer_norm_rms_epsilon", 0.0f); }),
                     "it must be a positive number");
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.setString("llama.rope.scaling.type", "longrope"); }),
                     "'llama.rope.scaling.type' is 'longrope'");
}

TEST_F(RebuiltStories, RopeScalingAndDefaultsAreRead) {
    const auto scaled = Model::fromGguf(rebuild(*original_, [](GgufWriter& w) {
        w.setString("llama.rope.scaling.type", "linear");
        w.setF32("llama.rope.scaling.factor", 4.0f);
        w.setU32("llama.rope.scaling.original_context_length", 512);
        w.setF32("llama.rope.freq_base", 500000.0f);
        w.setString("tokenizer.chat_template", "{{ messages }}");
    }));
    const ModelConfig& c = scaled->config();
    EXPECT_EQ(c.ropeScaling.type, RopeScalingType::Linear);
    EXPECT_EQ(c.ropeScaling.factor, 4.0f);
    EXPECT_EQ(c.ropeScaling.originalContextLength, 512);
    EXPECT_EQ(c.ropeBase, 500000.0f);
    EXPECT_EQ(scaled->chatTemplate(), "{{ messages }}");
    EXPECT_EQ(c.kvHeadCount, 4);

    // head_count_kv absent means one KV head per query head, so stories260K's
    // grouped K and V projections are then too small.
    expectModelError(rebuild(*original_, [](GgufWriter& w) { w.remove("llama.attention.head_count_kv"); }),
                     "tensor 'blk.0.attn_k.weight' has shape [64, 32]; a model with these "
                     "hyperparameters needs [64, 64]");
}

TEST_F(RebuiltStories, RopeFrequencyFactorsAreFoundAndChecked) {
    const auto withFactors = Model::fromGguf(rebuild(*original_, [](GgufWriter& w) {
        w.addTensor("rope_freqs.weight", TensorType::F32, {4}, std::vector<uint8_t>(16));
    }));
    ASSERT_TRUE(withFactors->weights().ropeFrequencyFactors.has_value());
    EXPECT_EQ(withFactors->weights().ropeFrequencyFactors->cols, 4);

    expectModelError(rebuild(*original_, [](GgufWriter& w) {
                         w.addTensor("rope_freqs.weight", TensorType::F32, {8}, std::vector<uint8_t>(32));
                     }),
                     "tensor 'rope_freqs.weight' has shape [8]; a model with these hyperparameters needs [4]");
}

TEST_F(RebuiltStories, TokenizerAndEmbeddingMustAgreeOnTheVocabulary) {
    // 513 rows of embedding and output for a 512-token vocabulary.
    const auto file = rebuild(
        *original_,
        [](GgufWriter& w) {
            w.addTensor("token_embd.weight", TensorType::F32, {64, 513}, std::vector<uint8_t>(64 * 513 * 4));
            w.addTensor("output.weight", TensorType::F32, {64, 513}, std::vector<uint8_t>(64 * 513 * 4));
        },
        [](const std::string& name) { return name != "token_embd.weight" && name != "output.weight"; });
    expectModelError(file, "the tokenizer has 512 tokens but token_embd.weight has 513 rows");
}

}  // namespace
}  // namespace ps
