// llama.cpp's tokenizer test vectors for the Llama 2 SentencePiece vocabulary
// (tests/test-tokenizer-0 there): every case of the .inp file must give the
// ids of the matching .out line, without BOS.
#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "vocab_test_cases.h"

namespace ps {
namespace {

using test::readExpectedIds;
using test::readWholeFile;

TEST(LlamaSpmVectors, AllCasesMatchLlamaCpp) {
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    const auto file = GgufFile::open(vocabPath);
    const auto tokenizer = Tokenizer::fromGguf(*file);

    const std::vector<std::string> cases = test::splitVocabTestCases(readWholeFile(vocabPath.string() + ".inp"));
    const auto expected = readExpectedIds(readWholeFile(vocabPath.string() + ".out"));
    ASSERT_EQ(cases.size(), 46u);  // the shipped .inp holds 46 cases
    ASSERT_EQ(expected.size(), cases.size());

    for (size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE("case " + std::to_string(i) + ": \"" + cases[i] + "\"");
        const std::vector<int32_t> ids = tokenizer->encode(cases[i], false, SpecialTokens::AsText);
        EXPECT_EQ(ids, expected[i]);
        // Decoding gives the text back (the dummy-prefix space is dropped).
        EXPECT_EQ(tokenizer->decode(ids), cases[i]);
    }
}

TEST(LlamaSpmVectors, VocabularyMetadata) {
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    EXPECT_EQ(tokenizer->vocabSize(), 32000);
    EXPECT_EQ(tokenizer->bosId(), 1);
    EXPECT_EQ(tokenizer->eosId(), 2);
    EXPECT_EQ(tokenizer->unknownId(), 0);
    EXPECT_TRUE(tokenizer->addBosByDefault());
    EXPECT_EQ(tokenizer->endOfGenerationIds(), std::vector<int32_t>{2});
    EXPECT_EQ(tokenizer->piece(13), "<0x0A>");
    EXPECT_EQ(tokenizer->kind(13), TokenKind::Byte);
    EXPECT_EQ(tokenizer->kind(1), TokenKind::Control);
    EXPECT_EQ(tokenizer->kind(0), TokenKind::Unknown);
    EXPECT_EQ(tokenizer->findPiece("\xE2\x96\x81Hello"), 15043);
    EXPECT_EQ(tokenizer->findPiece("no such piece"), -1);
}

}  // namespace
}  // namespace ps
