// Every vocabulary against llama.cpp's ids: the shipped test vectors of the
// Llama 3.1 (byte-level BPE), Qwen 2.5 (byte-level BPE) and Phi-3
// (SentencePiece) vocabularies, and this project's own cases (cases/extra.inp:
// code, CJK, Arabic, emoji sequences with ZWJ and flags, digits, whitespace
// runs, mixed scripts, special-token look-alikes) whose expected ids were
// written by llama.cpp's llama-tokenize (scripts/tokenizer-cases.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "gguf/gguf_file.h"
#include "reference_outputs.h"
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "vocab_test_cases.h"

namespace ps {
namespace {

const std::filesystem::path kCasesDir = PS_TOKENIZER_CASES_DIR;

void expectCasesMatch(const Tokenizer& tokenizer, const std::vector<std::string>& cases,
                      const std::vector<std::vector<int32_t>>& expected) {
    ASSERT_EQ(expected.size(), cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE("case " + std::to_string(i) + ": \"" + cases[i] + "\"");
        const std::vector<int32_t> ids = tokenizer.encode(cases[i], false, SpecialTokens::AsText);
        EXPECT_EQ(ids, expected[i]);
        // Decoding gives the text back. Not exactly for SentencePiece after a
        // user-defined token (Phi-3's "</s>"): the text after it got a space prefix.
        const bool afterUserDefined = std::any_of(ids.begin(), ids.end(), [&](int32_t id) {
            return tokenizer.kind(id) == TokenKind::UserDefined;
        });
        if (tokenizer.vocabularyType() == "gpt2" || !afterUserDefined) {
            EXPECT_EQ(tokenizer.decode(ids), cases[i]);
        }
    }
}

class VocabVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(VocabVectors, ShippedCasesMatchLlamaCpp) {
    const std::string name = GetParam();
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-" + name + ".gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    const auto cases = test::splitVocabTestCases(test::readWholeFile(vocabPath.string() + ".inp"));
    ASSERT_EQ(cases.size(), 46u);
    expectCasesMatch(*tokenizer, cases,
                     test::readExpectedIds(test::readWholeFile(vocabPath.string() + ".out")));
}

TEST_P(VocabVectors, ExtraCasesMatchLlamaCpp) {
    const std::string name = GetParam();
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-" + name + ".gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    const auto cases = test::splitVocabTestCases(test::readWholeFile(kCasesDir / "extra.inp"));
    ASSERT_GE(cases.size(), 80u);
    expectCasesMatch(
        *tokenizer, cases,
        test::readExpectedIds(test::readWholeFile(kCasesDir / ("extra." + name + ".out"))));
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, VocabVectors,
                         ::testing::Values("llama-bpe", "qwen2", "phi-3", "llama-spm"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (char& c : name)
                                 if (c == '-') c = '_';
                             return name;
                         });

TEST(BytePairVocabulary, Llama3Metadata) {
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-llama-bpe.gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    EXPECT_EQ(tokenizer->vocabularyType(), "gpt2");
    EXPECT_EQ(tokenizer->preTokenizerName(), "llama-bpe");
    EXPECT_EQ(tokenizer->preTokenizerExpression(), "llama3");
    EXPECT_FALSE(tokenizer->preTokenizerIsFallback());
    EXPECT_EQ(tokenizer->vocabSize(), 128256);
    EXPECT_EQ(tokenizer->bosId(), 128000);
    EXPECT_TRUE(tokenizer->addBosByDefault());
    EXPECT_EQ(tokenizer->encode("Hello", true, SpecialTokens::AsText),
              (std::vector<int32_t>{128000, 9906}));
    // <|eot_id|> (128009) is the EOS of this file; it has no <|eom_id|>.
    EXPECT_EQ(tokenizer->endOfGenerationIds(), std::vector<int32_t>{128009});
    EXPECT_FALSE(tokenizer->isEndOfGeneration(9906));
    EXPECT_EQ(tokenizer->piece(128009), "<|eot_id|>");
    EXPECT_EQ(tokenizer->tokenBytes(128009, -1), "");       // control tokens show nothing
    EXPECT_EQ(tokenizer->tokenBytes(22691, -1), " Hello");  // "ĠHello": bytes, not the alphabet
}

TEST(BytePairVocabulary, QwenMetadata) {
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-qwen2.gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    EXPECT_EQ(tokenizer->preTokenizerExpression(), "qwen2");
    EXPECT_EQ(tokenizer->bosId(), -1);
    EXPECT_FALSE(tokenizer->addBosByDefault());
    EXPECT_EQ(tokenizer->encode("Hi", true, SpecialTokens::AsText),
              tokenizer->encode("Hi", false, SpecialTokens::AsText));
    // <|im_end|> is the EOS; <|endoftext|> also ends generation.
    const auto& end = tokenizer->endOfGenerationIds();
    EXPECT_NE(std::find(end.begin(), end.end(), 151645), end.end());
    EXPECT_NE(std::find(end.begin(), end.end(), 151643), end.end());
    // User-defined tokens are pieces of text: matched and shown either way.
    EXPECT_EQ(tokenizer->encode("<think>", false, SpecialTokens::AsText),
              std::vector<int32_t>{151667});
    EXPECT_EQ(tokenizer->decode({151667}), "<think>");
}

TEST(BytePairVocabulary, ControlTokensOnlyWhenAsked) {
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-qwen2.gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    const std::string text = "<|im_start|>user\nhi<|im_end|>";
    const std::vector<int32_t> parsed = tokenizer->encode(text, false, SpecialTokens::Parse);
    ASSERT_GE(parsed.size(), 3u);
    EXPECT_EQ(parsed.front(), 151644);
    EXPECT_EQ(parsed.back(), 151645);
    const std::vector<int32_t> asText = tokenizer->encode(text, false, SpecialTokens::AsText);
    for (const int32_t id : asText) EXPECT_NE(tokenizer->kind(id), TokenKind::Control) << id;
    EXPECT_EQ(tokenizer->decode(asText), text);
}

TEST(PhiVocabulary, LoadsDespiteRepeatedUnknownTypesAndNeverMatchesControlText) {
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-phi-3.gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    EXPECT_EQ(tokenizer->vocabSize(), 32064);
    EXPECT_EQ(tokenizer->unknownId(), 0);
    EXPECT_EQ(tokenizer->vocabularyType(), "llama");
    EXPECT_EQ(tokenizer->preTokenizerExpression(), "");
    // <|end|> (32007) ends a turn; <|endoftext|> (32000) is the EOS.
    EXPECT_TRUE(tokenizer->isEndOfGeneration(32007));
    EXPECT_TRUE(tokenizer->isEndOfGeneration(32000));
    // SentencePiece itself never produces a control piece from text.
    for (const char* control : {"<|user|>", "<|end|>", "<|assistant|>", "<|endoftext|>", "<s>"}) {
        SCOPED_TRACE(control);
        const std::string text = std::string("a ") + control + " b";
        for (const int32_t id : tokenizer->encode(text, false, SpecialTokens::AsText)) {
            EXPECT_NE(tokenizer->kind(id), TokenKind::Control) << id;
            EXPECT_LT(id, 32000);
        }
    }
    // Parsed, the markup becomes single ids; whitespace after <|user|> and
    // <|end|> is dropped (their rstrip in Phi-3's tokenizer.json).
    const std::vector<int32_t> ids =
        tokenizer->encode("<|user|>\nHi<|end|>\n<|assistant|>\n", false, SpecialTokens::Parse);
    EXPECT_EQ(ids,
              (std::vector<int32_t>{32010, tokenizer->encode("Hi", false, SpecialTokens::AsText)[0],
                                    32007, 32001}));
}

// Byte-level BPE is lossless for any bytes, valid UTF-8 or not: the bytes of
// the ids are the input. Pathological texts (one huge word, a long whitespace
// run, invalid UTF-8) stay fast.
TEST(BytePairVocabulary, AnyBytesRoundTripAndLongWordsStayFast) {
    PS_REQUIRE_SHARED_FILE(vocabPath, "models/tokenizer-vectors/ggml-vocab-llama-bpe.gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(vocabPath));
    uint32_t state = 12345;
    const auto next = [&] { return state = state * 1664525u + 1013904223u; };
    const auto bytesOf = [&](const std::vector<int32_t>& ids) {
        std::string bytes;
        for (const int32_t id : ids) bytes += tokenizer->tokenBytes(id, -1);
        return bytes;
    };
    for (int round = 0; round < 200; ++round) {
        std::string text(next() % 64, '\0');
        for (char& c : text) c = static_cast<char>(next() >> 24);
        EXPECT_EQ(bytesOf(tokenizer->encode(text, false, SpecialTokens::AsText)), text)
            << "round " << round;
    }
    const std::vector<std::string> hard = {std::string(1 << 18, 'a'), std::string(1 << 18, ' '),
                                           std::string(1 << 16, '\xF0'),
                                           "x" + std::string(1 << 17, '9')};
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& text : hard) {
        EXPECT_EQ(bytesOf(tokenizer->encode(text, false, SpecialTokens::AsText)), text);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 20.0);  // a fraction of a second on an idle machine
}

// The vocabularies inside the test models give llama.cpp's prompt ids for the
// reference prompts (BOS where the vocabulary adds one: Llama 3, Phi-3; not Qwen).
TEST(ModelVocabularies, ReferencePromptIds) {
    const std::vector<std::string> prompts = {
        "Once upon a time", "The little dog ran to the park and",
        "Dear team: the 3 new features (search, export & undo) ship on 2025-06-01. Questions? Ask "
        "Zo\xC3\xAB in #general \xE2\x80\x94 thanks! \xF0\x9F\x98\x80"};
    for (const char* model : {"l3-d128-Q8_0", "q2-d128-Q8_0", "phi3-d128-Q8_0"}) {
        SCOPED_TRACE(model);
        PS_REQUIRE_SHARED_FILE(modelPath, std::string("models/") + model + ".gguf");
        const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(modelPath));
        for (size_t p = 0; p < prompts.size(); ++p) {
            PS_REQUIRE_SHARED_FILE(json, std::string("models/reference/") + model + ".p" +
                                             std::to_string(p) + ".json");
            EXPECT_EQ(
                tokenizer->encode(prompts[p], tokenizer->addBosByDefault(), SpecialTokens::AsText),
                test::readJsonIntArray(json, "prompt_tokens"))
                << prompts[p];
        }
    }
}

}  // namespace
}  // namespace ps
