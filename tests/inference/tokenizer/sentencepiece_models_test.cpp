// A vocabulary read from GGUF metadata and the SentencePiece `.model` it came
// from must tokenize alike, and the stories260K prompts must give the ids
// llama.cpp gave (reference/*.json).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "gguf/gguf_file.h"
#include "support/shared_data.h"
#include "test_corpus.h"
#include "tokenizer/tokenizer.h"

namespace ps {
namespace {

struct ReferencePrompt {
    std::string prompt;
    std::vector<int32_t> ids;
};

// The "prompt" and "prompt_tokens" of a reference JSON (flat, written by our
// reference script: no escapes in these prompts).
ReferencePrompt readReferencePrompt(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string json = text.str();
    ReferencePrompt ref;
    std::smatch match;
    if (std::regex_search(json, match, std::regex("\"prompt\"\\s*:\\s*\"([^\"]*)\""))) {
        ref.prompt = match[1];
    }
    if (std::regex_search(json, match, std::regex("\"prompt_tokens\"\\s*:\\s*\\[([^\\]]*)\\]"))) {
        std::string list = match[1];
        for (char& c : list) c = c == ',' ? ' ' : c;
        std::istringstream numbers(list);
        int32_t id = 0;
        while (numbers >> id) ref.ids.push_back(id);
    }
    return ref;
}

TEST(SentencePieceModels, StoriesGgufMatchesTok512Model) {
    PS_REQUIRE_SHARED_FILE(ggufPath, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(modelPath, "models/tok512.model");
    const auto fromGguf = Tokenizer::fromGguf(*GgufFile::open(ggufPath));
    const auto fromModel = Tokenizer::fromModelFile(modelPath);
    ASSERT_EQ(fromGguf->vocabSize(), 512);
    ASSERT_EQ(fromModel->vocabSize(), 512);
    for (int32_t id = 0; id < 512; ++id) {
        ASSERT_EQ(fromGguf->piece(id), fromModel->piece(id)) << "id " << id;
        ASSERT_EQ(fromGguf->kind(id), fromModel->kind(id)) << "id " << id;
    }
    for (const std::string& text : test::variedCorpus()) {
        SCOPED_TRACE(text);
        const std::vector<int32_t> ids = fromGguf->encode(text, true, SpecialTokens::AsText);
        EXPECT_EQ(ids, fromModel->encode(text, true, SpecialTokens::AsText));
        EXPECT_EQ(fromGguf->decode(ids), text);
        EXPECT_EQ(fromModel->decode(ids), text);
    }
}

// tok512.model was trained with SentencePiece's default remove_extra_whitespaces
// (on); llama.cpp's tokenizer, which produced the GGUF's reference ids, never
// removes whitespace, and neither does a GGUF vocabulary here.
TEST(SentencePieceModels, OnlyTok512ModelCollapsesExtraWhitespace) {
    PS_REQUIRE_SHARED_FILE(ggufPath, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(modelPath, "models/tok512.model");
    const auto fromGguf = Tokenizer::fromGguf(*GgufFile::open(ggufPath));
    const auto fromModel = Tokenizer::fromModelFile(modelPath);
    const std::string text = "two  spaces";
    EXPECT_EQ(fromModel->decode(fromModel->encode(text, false, SpecialTokens::AsText)), "two spaces");
    EXPECT_EQ(fromGguf->decode(fromGguf->encode(text, false, SpecialTokens::AsText)), text);
    EXPECT_NE(fromGguf->encode(text, false, SpecialTokens::AsText), fromModel->encode(text, false, SpecialTokens::AsText));
}

TEST(SentencePieceModels, StoriesPromptsGiveReferenceIds) {
    PS_REQUIRE_SHARED_FILE(ggufPath, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(p0Path, "models/reference/stories260K.p0.json");
    PS_REQUIRE_SHARED_FILE(p1Path, "models/reference/stories260K.p1.json");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(ggufPath));
    for (const auto& path : {p0Path, p1Path}) {
        const ReferencePrompt ref = readReferencePrompt(path);
        SCOPED_TRACE(path.string());
        ASSERT_FALSE(ref.prompt.empty());
        ASSERT_FALSE(ref.ids.empty());
        EXPECT_EQ(tokenizer->encode(ref.prompt, true, SpecialTokens::AsText), ref.ids);
        EXPECT_EQ(tokenizer->decode(ref.ids), ref.prompt);
    }
    EXPECT_EQ(readReferencePrompt(p0Path).prompt, "Once upon a time");
}

TEST(SentencePieceModels, Llama2GgufMatchesLlama2Model) {
    PS_REQUIRE_SHARED_FILE(ggufPath, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    PS_REQUIRE_SHARED_FILE(modelPath, "models/llama2-tokenizer.model");
    const auto fromGguf = Tokenizer::fromGguf(*GgufFile::open(ggufPath));
    const auto fromModel = Tokenizer::fromModelFile(modelPath);
    ASSERT_EQ(fromGguf->vocabSize(), fromModel->vocabSize());
    std::vector<std::string> texts = test::variedCorpus();
    // The Llama 2 model keeps extra whitespace, as llama.cpp does.
    for (const std::string& text : test::whitespaceCorpus()) texts.push_back(text);
    for (const std::string& text : texts) {
        SCOPED_TRACE(text);
        const std::vector<int32_t> ids = fromGguf->encode(text, true, SpecialTokens::AsText);
        EXPECT_EQ(ids, fromModel->encode(text, true, SpecialTokens::AsText));
        EXPECT_EQ(fromGguf->decode(ids), text);
    }
}

TEST(SentencePieceModels, ModelFileSpecialIds) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/llama2-tokenizer.model");
    const auto tokenizer = Tokenizer::fromModelFile(modelPath);
    EXPECT_EQ(tokenizer->vocabSize(), 32000);
    EXPECT_EQ(tokenizer->unknownId(), 0);
    EXPECT_EQ(tokenizer->bosId(), 1);
    EXPECT_EQ(tokenizer->eosId(), 2);
    EXPECT_EQ(tokenizer->endOfGenerationIds(), std::vector<int32_t>{2});
    EXPECT_EQ(tokenizer->encode("", true, SpecialTokens::AsText), std::vector<int32_t>{1});
    EXPECT_EQ(tokenizer->encode("", false, SpecialTokens::AsText), std::vector<int32_t>{});
}

// A SentencePiece ModelProto by hand: `pieces` field 1 of {piece 1, score 2, type 3}.
std::string modelProtoWith(const std::vector<std::pair<std::string, int>>& pieces) {
    std::string proto;
    for (const auto& [text, type] : pieces) {
        std::string piece;
        piece += '\x0a';
        piece += static_cast<char>(text.size());
        piece += text;
        piece += std::string("\x15\x00\x00\x00\x00", 5);  // score 0.0f
        piece += '\x18';
        piece += static_cast<char>(type);
        proto += '\x0a';
        proto += static_cast<char>(piece.size());
        proto += piece;
    }
    return proto;
}

// libsentencepiece throws (rather than failing with a status) on a piece its trie
// cannot hold; found by fuzz_sentencepiece. Such a file is refused, never fatal.
TEST(SentencePieceModels, AnEmptyOrNulPieceIsRefusedNotFatal) {
    for (const std::string bad : {std::string(), std::string("\0\0\0-", 4)}) {
        const std::string proto = modelProtoWith({{"<unk>", 2}, {"<s>", 3}, {"</s>", 3}, {"a", 1}, {bad, 1}});
        const std::filesystem::path path =
            std::filesystem::temp_directory_path() / ("ps-bad-piece-" + std::to_string(bad.size()) + ".model");
        std::ofstream(path, std::ios::binary) << proto;
        try {
            (void)Tokenizer::fromModelFile(path);
            ADD_FAILURE() << "a model with a bad piece loaded";
        } catch (const TokenizerError& e) {
            EXPECT_NE(std::string(e.what()).find("piece 4"), std::string::npos) << e.what();
        }
        std::filesystem::remove(path);
    }
    // The same file with a good fifth piece loads: the check is not what refuses it.
    const std::filesystem::path good = std::filesystem::temp_directory_path() / "ps-good-piece.model";
    std::ofstream(good, std::ios::binary) << modelProtoWith({{"<unk>", 2}, {"<s>", 3}, {"</s>", 3}, {"a", 1}, {"b", 1}});
    EXPECT_EQ(Tokenizer::fromModelFile(good)->vocabSize(), 5);
    std::filesystem::remove(good);
}

}  // namespace
}  // namespace ps
