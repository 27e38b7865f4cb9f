// Loading the shared models: hyperparameters, weight views, card and bytes per
// token, checked against the values the models' README gives and against sums
// computed here from the hyperparameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "gguf/gguf_file.h"
#include "model/model.h"
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"

namespace ps {
namespace {

struct Expected {
    const char* file;
    int dim, layers, heads, kvHeads, vocab;
    int ffn;      // 0: not stated by the README
    int context;  // 0: not stated
    bool separateOutput;
    std::set<std::string> types;  // tensor types in the file
    const char* mainType;         // by bytes; nullptr: either of `types`
};

const std::vector<Expected>& sharedModels() {
    static const std::vector<Expected> models = {
        {"stories260K.gguf", 64, 5, 8, 4, 512, 0, 0, true, {"F32"}, "F32"},
        {"llama-2-tiny-random.gguf", 8, 1, 0, 0, 32000, 0, 0, true, {"F16", "F32"}, nullptr},
        {"tiny-d256-F32.gguf", 256, 4, 8, 4, 512, 768, 1024, true, {"F32"}, "F32"},
        {"tiny-d256-F16.gguf", 256, 4, 8, 4, 512, 768, 1024, true, {"F16", "F32"}, "F16"},
        {"tiny-d256-BF16.gguf", 256, 4, 8, 4, 512, 768, 1024, true, {"BF16", "F32"}, "BF16"},
        {"tiny-d256-Q8_0.gguf", 256, 4, 8, 4, 512, 768, 1024, true, {}, "Q8_0"},
        {"tiny-d256-Q4_0.gguf", 256, 4, 8, 4, 512, 768, 1024, true, {}, "Q4_0"},
        {"tiny-d256-Q4_K_M.gguf", 256, 4, 8, 4, 512, 768, 1024, true, {}, nullptr},
        {"tiny-d256-Q6_K.gguf", 256, 4, 8, 4, 512, 768, 1024, true, {}, "Q6_K"},
    };
    return models;
}

class SharedModel : public ::testing::TestWithParam<Expected> {};

TEST_P(SharedModel, LoadsWithTheRightConfigWeightsAndCard) {
    const Expected& e = GetParam();
    PS_REQUIRE_SHARED_FILE(path, std::string("models/") + e.file);
    const std::shared_ptr<const Model> model = Model::load(path);
    const ModelConfig& c = model->config();

    EXPECT_EQ(c.architecture, "llama");
    EXPECT_EQ(c.dim, e.dim);
    EXPECT_EQ(c.layerCount, e.layers);
    if (e.heads) {
        EXPECT_EQ(c.headCount, e.heads);
    }
    if (e.kvHeads) {
        EXPECT_EQ(c.kvHeadCount, e.kvHeads);
    }
    if (e.ffn) {
        EXPECT_EQ(c.ffnDim, e.ffn);
    }
    if (e.context) {
        EXPECT_EQ(c.contextLength, e.context);
    }
    EXPECT_EQ(c.vocabSize, e.vocab);
    EXPECT_EQ(c.headDim * c.headCount, c.dim);
    EXPECT_EQ(c.kvDim(), c.kvHeadCount * c.headDim);
    EXPECT_GT(c.rmsEpsilon, 0.0f);
    EXPECT_EQ(c.ropeDim % 2, 0);
    EXPECT_EQ(model->tokenizer().vocabSize(), e.vocab);

    const ModelWeights& w = model->weights();
    EXPECT_EQ(w.outputTied, !e.separateOutput);
    ASSERT_EQ(w.layers.size(), static_cast<size_t>(e.layers));
    EXPECT_EQ(w.tokenEmbedding.cols, c.dim);
    EXPECT_EQ(w.tokenEmbedding.rows, c.vocabSize);
    EXPECT_EQ(w.output.cols, c.dim);
    EXPECT_EQ(w.output.rows, c.vocabSize);
    EXPECT_EQ(w.outputNorm.cols, c.dim);
    for (const LayerWeights& l : w.layers) {
        EXPECT_EQ(l.wq.rows, c.dim);
        EXPECT_EQ(l.wk.rows, c.kvDim());
        EXPECT_EQ(l.wv.rows, c.kvDim());
        EXPECT_EQ(l.wo.cols, c.dim);
        EXPECT_EQ(l.wGate.rows, c.ffnDim);
        EXPECT_EQ(l.wDown.cols, c.ffnDim);
        EXPECT_EQ(l.wDown.rows, c.dim);
        // A view: rows of whole blocks, all inside the data.
        EXPECT_EQ(l.wDown.rowBytes() * static_cast<size_t>(l.wDown.rows), l.wDown.bytes);
        EXPECT_EQ(l.wq.row(l.wq.rows - 1) + l.wq.rowBytes(), l.wq.data + l.wq.bytes);
    }

    // Parameters from the hyperparameters, independently of the tensor table.
    const uint64_t d = static_cast<uint64_t>(c.dim), kv = static_cast<uint64_t>(c.kvDim()),
                   f = static_cast<uint64_t>(c.ffnDim), v = static_cast<uint64_t>(c.vocabSize);
    const uint64_t perLayer = 2 * d + d * d + 2 * d * kv + d * d + 3 * d * f;
    uint64_t parameters = v * d + static_cast<uint64_t>(c.layerCount) * perLayer + d;
    if (!w.outputTied) parameters += v * d;
    if (w.ropeFrequencyFactors) parameters += static_cast<uint64_t>(c.ropeDim / 2);

    const ModelCard card = model->card();
    EXPECT_EQ(card.parameterCount, parameters);
    EXPECT_EQ(card.architecture, "llama");
    EXPECT_EQ(card.path, path.string());
    EXPECT_EQ(card.fileBytes, std::filesystem::file_size(path));
    EXPECT_LT(card.weightBytes, card.fileBytes);
    EXPECT_GT(card.weightBytes, card.fileBytes / 2);  // these files are mostly weights
    EXPECT_EQ(card.vocabSize, e.vocab);
    EXPECT_EQ(card.contextLength, c.contextLength);
    const uint64_t kvBytes = 2ull * c.layerCount * c.contextLength * kv;
    EXPECT_EQ(card.kvCacheBytesFp32, kvBytes * 4);
    EXPECT_EQ(card.kvCacheBytesFp16, kvBytes * 2);
    if (e.context == 1024) {
        EXPECT_EQ(card.kvCacheBytesFp16, 2u << 20);  // 2*4*1024*128*2
    }

    std::set<std::string> types;
    int tensors = 0;
    for (const auto& [type, count] : card.tensorTypeCounts) {
        types.insert(type);
        tensors += count;
        EXPECT_GT(count, 0);
    }
    EXPECT_EQ(static_cast<size_t>(tensors), model->file().tensors().size());
    if (!e.types.empty()) {
        EXPECT_EQ(types, e.types);
    }
    if (e.mainType) {
        EXPECT_EQ(card.mainTensorType, e.mainType);
    }
    EXPECT_TRUE(types.count(card.mainTensorType)) << card.mainTensorType;

    // Every matrix and norm once, plus one embedding row (the embedding itself
    // is read once more only when it doubles as the output).
    uint64_t expectedBytes = card.weightBytes - w.tokenEmbedding.bytes + w.tokenEmbedding.rowBytes();
    if (w.outputTied) expectedBytes += w.tokenEmbedding.bytes;
    if (w.ropeFrequencyFactors) expectedBytes -= w.ropeFrequencyFactors->bytes;
    EXPECT_EQ(model->bytesReadPerToken(), expectedBytes);
}

INSTANTIATE_TEST_SUITE_P(Models, SharedModel, ::testing::ValuesIn(sharedModels()),
                         [](const ::testing::TestParamInfo<Expected>& info) {
                             std::string name = info.param.file;
                             name = name.substr(0, name.find(".gguf"));
                             std::replace_if(name.begin(), name.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
                             return name;
                         });

TEST(ModelLoad, Q4_K_MMixesQ4_KAndQ6_K) {
    PS_REQUIRE_SHARED_FILE(path, "models/tiny-d256-Q4_K_M.gguf");
    const ModelCard card = Model::load(path)->card();
    std::set<std::string> types;
    for (const auto& [type, count] : card.tensorTypeCounts) types.insert(type);
    EXPECT_TRUE(types.count("Q4_K"));
    EXPECT_TRUE(types.count("Q6_K"));
}

TEST(ModelLoad, Stories260KHasNoChatTemplateAndKnownRopeSettings) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const auto model = Model::load(path);
    EXPECT_TRUE(model->chatTemplate().empty());
    EXPECT_EQ(model->config().headDim, 8);
    EXPECT_EQ(model->config().ropeDim, 8);
    EXPECT_EQ(model->config().ropeScaling.type, RopeScalingType::None);
    EXPECT_FALSE(model->weights().ropeFrequencyFactors.has_value());
}

TEST(ModelLoad, VocabularyOnlyFileIsNotAModel) {
    PS_REQUIRE_SHARED_FILE(path, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    try {
        Model::load(path);
        FAIL() << "a vocabulary-only file loaded as a model";
    } catch (const ModelError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find("only a vocabulary, it has no weights"), std::string::npos) << message;
    }
}

TEST(ModelLoad, MissingFileIsAGgufError) {
    EXPECT_THROW(Model::load("/nonexistent/model.gguf"), GgufError);
}

}  // namespace
}  // namespace ps
