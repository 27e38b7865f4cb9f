// Byte fallback and streaming decode: emoji and CJK are not in the 512-piece
// stories260K vocabulary, so they encode as byte pieces (<0xF0> ...), and a
// stream that decodes token by token must hand out only whole UTF-8 characters.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace ps {
namespace {

// The text of `ids` streamed one token at a time; every chunk is checked.
std::string streamed(const Tokenizer& tokenizer, const std::vector<int32_t>& ids,
                     std::vector<std::string>* chunks) {
    TokenTextStream stream(tokenizer);
    std::string text;
    for (int32_t id : ids) {
        const std::string chunk = stream.push(id);
        EXPECT_TRUE(utf8::isValid(chunk)) << "token " << id << " gave a broken chunk";
        if (!chunk.empty()) chunks->push_back(chunk);
        text += chunk;
    }
    const std::string rest = stream.flush();
    EXPECT_TRUE(utf8::isValid(rest));
    return text + rest;
}

class TokenTextStreamTest : public ::testing::Test {
protected:
    void SetUp() override {
        PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
        tokenizer_ = Tokenizer::fromGguf(*GgufFile::open(path));
    }
    std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(TokenTextStreamTest, EmojiFallsBackToFourBytePiecesAndStreamsWhole) {
    const std::string dog = "\xF0\x9F\x90\xB6";  // U+1F436
    const std::string text = "A " + dog + " ran";
    const std::vector<int32_t> ids = tokenizer_->encode(text, true, SpecialTokens::AsText);
    // The dog is four byte pieces, in order.
    std::vector<std::string> bytePieces;
    for (int32_t id : ids) {
        if (tokenizer_->kind(id) == TokenKind::Byte) bytePieces.push_back(tokenizer_->piece(id));
    }
    EXPECT_EQ(bytePieces, (std::vector<std::string>{"<0xF0>", "<0x9F>", "<0x90>", "<0xB6>"}));

    std::vector<std::string> chunks;
    EXPECT_EQ(streamed(*tokenizer_, ids, &chunks), text);
    // The emoji arrives in one chunk of its own (the three leading bytes are held).
    int whole = 0;
    for (const std::string& chunk : chunks) whole += chunk.find(dog) != std::string::npos;
    EXPECT_EQ(whole, 1);
    for (const std::string& chunk : chunks) {
        EXPECT_TRUE(chunk == dog || chunk.find('\xF0') == std::string::npos) << chunk;
    }
}

TEST_F(TokenTextStreamTest, CjkAndAccentsRoundTripThroughTheStream) {
    const std::string text =
        "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C "  // 你好，世界
        "caf\xC3\xA9 \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF";  // café
                                                                                     // こんにちは
    const std::vector<int32_t> ids = tokenizer_->encode(text, false, SpecialTokens::AsText);
    int bytes = 0;
    for (int32_t id : ids) bytes += tokenizer_->kind(id) == TokenKind::Byte;
    EXPECT_GE(bytes, 3 * 9 + 2);  // nine CJK/kana characters and é, all as bytes
    std::vector<std::string> chunks;
    EXPECT_EQ(streamed(*tokenizer_, ids, &chunks), text);
    EXPECT_EQ(tokenizer_->decode(ids), text);
}

TEST_F(TokenTextStreamTest, AByteThatCanNeverCompleteBecomesOneReplacementCharacter) {
    const int32_t lead = tokenizer_->findPiece("<0xE4>");
    const int32_t letter = tokenizer_->findPiece("<0x41>");  // 'A'
    ASSERT_GE(lead, 0);
    ASSERT_GE(letter, 0);
    TokenTextStream stream(*tokenizer_);
    EXPECT_EQ(stream.push(lead), "");  // held: it may still complete
    EXPECT_EQ(stream.push(letter),
              "\xEF\xBF\xBD"
              "A");
    EXPECT_EQ(stream.flush(), "");
    // A lead byte left at the end of the stream is flushed as U+FFFD too.
    TokenTextStream cut(*tokenizer_);
    EXPECT_EQ(cut.push(lead), "");
    EXPECT_EQ(cut.flush(), "\xEF\xBF\xBD");
}


// Byte-level BPE: pieces are bytes, so an emoji or a CJK character often takes
// several tokens that are not whole characters on their own. The stream holds
// them back until the character is complete.
class ByteLevelStreamTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ByteLevelStreamTest, MultiByteCharactersSplitAcrossTokensComeOutWhole) {
    PS_REQUIRE_SHARED_FILE(path, std::string("models/tokenizer-vectors/ggml-vocab-") + GetParam() + ".gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(path));
    const std::string text =
        "Family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 flags "
        "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5 CJK \xE9\xBE\x98\xE7\xA5\x9E "
        "\xF0\xA0\x80\x80 Arabic \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xF0\x9F\xA6\x99";
    const std::vector<int32_t> ids = tokenizer->encode(text, false, SpecialTokens::AsText);
    // Some token of the text is not a whole character by itself.
    bool someTokenIsPartial = false;
    for (const int32_t id : ids) someTokenIsPartial |= !utf8::isValid(tokenizer->tokenBytes(id, -1));
    EXPECT_TRUE(someTokenIsPartial);

    std::vector<std::string> chunks;
    EXPECT_EQ(streamed(*tokenizer, ids, &chunks), text);
    EXPECT_EQ(tokenizer->decode(ids), text);
    EXPECT_LT(chunks.size(), ids.size());  // held-back bytes came out with a later token
}

TEST_P(ByteLevelStreamTest, ACutOffCharacterEndsAsOneReplacementPerByte) {
    PS_REQUIRE_SHARED_FILE(path, std::string("models/tokenizer-vectors/ggml-vocab-") + GetParam() + ".gguf");
    const auto tokenizer = Tokenizer::fromGguf(*GgufFile::open(path));
    // The ids of a 4-byte emoji whose last token is dropped, as when generation stops mid-character.
    std::vector<int32_t> ids = tokenizer->encode("a \xF0\xA0\x80\x80", false, SpecialTokens::AsText);
    ASSERT_GE(ids.size(), 3u);
    ids.pop_back();
    std::vector<std::string> chunks;
    const std::string text = streamed(*tokenizer, ids, &chunks);
    EXPECT_EQ(text.substr(0, 1), "a");
    EXPECT_TRUE(utf8::isValid(text));
    EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos) << text;
    EXPECT_EQ(tokenizer->decode(ids), text);
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, ByteLevelStreamTest, ::testing::Values("llama-bpe", "qwen2"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (char& c : name) if (c == '-') c = '_';
                             return name;
                         });

}  // namespace
}  // namespace ps
