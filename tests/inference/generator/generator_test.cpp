// The generator on the CPU backend with real models: the stories260K greedy
// reference, stop conditions, cancellation, prefix reuse, overflow policies,
// and streaming that never breaks UTF-8.
#include "generator/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "bench/synthetic_model.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "inference/cpu/reference_outputs.h"
#include "model/model.h"
#include "support/shared_data.h"
#include "tokenizer/tokenizer.h"

namespace ps {
namespace {

std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::unique_ptr<Backend> cpuBackend(const std::shared_ptr<const Model>& model, int context = 0) {
    BackendOptions options;
    options.choice = BackendOptions::Choice::Cpu;
    options.threads = 2;
    options.contextLength = context;
    return createCpuBackend(model, options);
}

GenerationRequest greedy(const std::string& prompt, int maxTokens) {
    GenerationRequest request;
    request.prompt = prompt;
    request.sampling.temperature = 0;
    request.maxTokens = maxTokens;
    return request;
}

// Passes forward() through to another backend, records (startPos, tokens) of
// each call, and raises a cancel flag during the call number `cancelAfterCalls`.
class RecordingBackend : public Backend {
public:
    RecordingBackend(Backend& inner, std::atomic<bool>* cancel = nullptr, int cancelAfterCalls = -1)
        : Backend(std::shared_ptr<const Model>(std::shared_ptr<const Model>{}, &inner.model())),
          inner_(inner),
          cancel_(cancel),
          cancelAfterCalls(cancelAfterCalls) {}
    BackendKind kind() const override { return inner_.kind(); }
    std::string deviceName() const override { return inner_.deviceName(); }
    int contextLength() const override { return inner_.contextLength(); }
    int prefillTokensPerCall() const override { return tokensPerCall > 0 ? tokensPerCall : inner_.prefillTokensPerCall(); }
    void forward(std::span<const int32_t> tokens, int startPos, std::span<float> logits) override {
        calls.emplace_back(startPos, static_cast<int>(tokens.size()));
        if (cancel_ && static_cast<int>(calls.size()) == cancelAfterCalls) *cancel_ = true;
        inner_.forward(tokens, startPos, logits);
    }
    std::vector<std::pair<int, int>> calls;

private:
    Backend& inner_;
    std::atomic<bool>* cancel_;

public:
    int cancelAfterCalls;
    int tokensPerCall = 0;  // 0: the inner backend's
};

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates).
bool validUtf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t length = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            length = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + length > s.size()) return false;
        for (size_t k = 1; k < length; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        const uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < minimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

class StoriesGenerator : public ::testing::Test {
protected:
    void SetUp() override {
        PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
        model_ = Model::load(path);
        backend_ = cpuBackend(model_);
    }
    std::shared_ptr<const Model> model_;
    std::unique_ptr<Backend> backend_;
};

TEST_F(StoriesGenerator, Greedy256TokensMatchTheReferenceExactly) {
    PS_REQUIRE_SHARED_FILE(textPath, "models/stories260K.greedy-256.txt");
    PS_REQUIRE_SHARED_FILE(jsonPath, "models/stories260K.greedy-256.json");
    const std::string expectedText = readText(textPath);
    const std::vector<int32_t> expectedIds = test::readJsonIntArray(jsonPath, "greedy_tokens");
    const std::vector<int32_t> promptIds = test::readJsonIntArray(jsonPath, "prompt_tokens");
    ASSERT_EQ(expectedIds.size(), 256u);

    Generator generator(*backend_);
    std::string streamed;
    int chunks = 0;
    const GenerationResult result =
        generator.generate(greedy("Once upon a time", 256), [&](const std::string& text) {
            streamed += text;
            ++chunks;
            return true;
        });
    EXPECT_EQ(result.tokens, expectedIds);
    EXPECT_EQ(result.text, expectedText);
    EXPECT_EQ(streamed, result.text);
    EXPECT_GT(chunks, 100);  // streamed token by token, not at the end
    EXPECT_EQ(result.stopReason, StopReason::MaxTokens);
    EXPECT_EQ(result.stats.promptTokens, static_cast<int>(promptIds.size()));
    EXPECT_EQ(result.stats.reusedPromptTokens, 0);
    EXPECT_EQ(result.stats.generatedTokens, 256);
    EXPECT_EQ(result.stats.decodeSteps, 255);  // the last token is never forwarded
    EXPECT_GT(result.stats.timeToFirstTokenMs, 0);
    EXPECT_GT(result.stats.decodeTokensPerSecond(), 0);
    EXPECT_GT(result.stats.prefillTokensPerSecond(), 0);

    // The cache holds exactly what was forwarded: the prompt and 255 generated tokens.
    std::vector<int32_t> forwarded = promptIds;
    forwarded.insert(forwarded.end(), expectedIds.begin(), expectedIds.end() - 1);
    EXPECT_EQ(generator.cachedTokens(), forwarded);
}

TEST_F(StoriesGenerator, PromptTokensGivenDirectlyAreUsedAsIs) {
    PS_REQUIRE_SHARED_FILE(jsonPath, "models/stories260K.greedy-256.json");
    GenerationRequest request = greedy("ignored", 16);
    request.promptTokens = test::readJsonIntArray(jsonPath, "prompt_tokens");
    const std::vector<int32_t> expected = test::readJsonIntArray(jsonPath, "greedy_tokens");
    const GenerationResult result = Generator(*backend_).generate(request);
    EXPECT_EQ(result.tokens, std::vector<int32_t>(expected.begin(), expected.begin() + 16));
}

TEST_F(StoriesGenerator, MaxTokensStopsAtExactlyThatMany) {
    PS_REQUIRE_SHARED_FILE(textPath, "models/stories260K.greedy-256.txt");
    PS_REQUIRE_SHARED_FILE(jsonPath, "models/stories260K.greedy-256.json");
    const std::vector<int32_t> expectedIds = test::readJsonIntArray(jsonPath, "greedy_tokens");
    Generator generator(*backend_);
    const GenerationResult result = generator.generate(greedy("Once upon a time", 7));
    EXPECT_EQ(result.tokens, std::vector<int32_t>(expectedIds.begin(), expectedIds.begin() + 7));
    EXPECT_EQ(result.stopReason, StopReason::MaxTokens);
    EXPECT_EQ(result.stats.generatedTokens, 7);
    EXPECT_FALSE(result.text.empty());
    EXPECT_TRUE(readText(textPath).starts_with(result.text)) << result.text;
}

TEST_F(StoriesGenerator, StopSequenceEndsTheTextBeforeIt) {
    PS_REQUIRE_SHARED_FILE(textPath, "models/stories260K.greedy-256.txt");
    const std::string reference = readText(textPath);
    GenerationRequest request = greedy("Once upon a time", 256);
    request.stopSequences = {"big, red", "never appears"};
    std::string streamed;
    const GenerationResult result =
        Generator(*backend_).generate(request, [&](const std::string& text) {
            streamed += text;
            EXPECT_EQ(text.find("big, r"), std::string::npos);
            return true;
        });
    EXPECT_EQ(result.stopReason, StopReason::StopSequence);
    EXPECT_EQ(result.text, reference.substr(0, reference.find("big, red")));
    EXPECT_EQ(streamed, result.text);
    // A stop sequence split over several tokens: "Lily's mom" and a newline.
    request.stopSequences = {"\nLily's"};
    const GenerationResult split = Generator(*backend_).generate(request);
    EXPECT_EQ(split.text, reference.substr(0, reference.find("\nLily's")));
}

TEST_F(StoriesGenerator, CallbackReturningFalseCancels) {
    Generator generator(*backend_);
    int calls = 0;
    const GenerationResult result =
        generator.generate(greedy("Once upon a time", 100), [&](const std::string&) {
            return ++calls < 3;
        });
    EXPECT_EQ(result.stopReason, StopReason::Cancelled);
    EXPECT_EQ(calls, 3);
    EXPECT_LT(result.tokens.size(), 10u);
}

TEST_F(StoriesGenerator, CancelFlagStopsBeforePrefillAndDuringDecode) {
    Generator generator(*backend_);
    std::atomic<bool> cancel{true};
    const GenerationResult before = generator.generate(greedy("Once upon a time", 50), {}, &cancel);
    EXPECT_EQ(before.stopReason, StopReason::Cancelled);
    EXPECT_TRUE(before.tokens.empty());
    EXPECT_TRUE(generator.cachedTokens().empty());  // nothing was forwarded

    cancel = false;
    const GenerationResult during = generator.generate(
        greedy("Once upon a time", 50),
        [&](const std::string&) {
            cancel = true;  // as if another thread pressed stop
            return true;
        },
        &cancel);
    EXPECT_EQ(during.stopReason, StopReason::Cancelled);
    EXPECT_EQ(during.tokens.size(), 1u);

    // The cache holds the prompt and the one forwarded token; a new run on top
    // of it continues exactly like a fresh generator would.
    const GenerationResult resumed = generator.generate(greedy("Once upon a time", 20));
    EXPECT_GT(resumed.stats.reusedPromptTokens, 0);
    auto fresh = cpuBackend(model_);
    EXPECT_EQ(resumed.tokens, Generator(*fresh).generate(greedy("Once upon a time", 20)).tokens);
}

TEST_F(StoriesGenerator, CancelDuringALongPrefillStopsBetweenChunks) {
    std::vector<int32_t> longPrompt = {1};
    for (int i = 0; i < 3 * kPrefillChunkTokens; ++i) longPrompt.push_back(300 + i % 100);
    GenerationRequest request = greedy("", 5);
    request.promptTokens = longPrompt;

    // The flag goes up while the first chunk is being computed.
    std::atomic<bool> cancel{false};
    RecordingBackend recording(*backend_, &cancel, 1);
    Generator generator(recording);
    const GenerationResult result = generator.generate(request, {}, &cancel);
    EXPECT_EQ(result.stopReason, StopReason::Cancelled);
    EXPECT_TRUE(result.tokens.empty());
    ASSERT_EQ(recording.calls.size(), 1u);
    EXPECT_EQ(recording.calls[0], (std::pair<int, int>{0, kPrefillChunkTokens}));
    // Only what was forwarded counts as cached.
    EXPECT_EQ(generator.cachedTokens(),
              std::vector<int32_t>(longPrompt.begin(), longPrompt.begin() + kPrefillChunkTokens));

    // The next run picks up after the first chunk and matches a fresh run.
    cancel = false;
    recording.calls.clear();
    recording.cancelAfterCalls = -1;
    const GenerationResult resumed = generator.generate(request, {}, &cancel);
    EXPECT_EQ(resumed.stats.reusedPromptTokens, kPrefillChunkTokens);
    ASSERT_FALSE(recording.calls.empty());
    EXPECT_EQ(recording.calls[0].first, kPrefillChunkTokens);
    auto freshBackend = cpuBackend(model_);
    EXPECT_EQ(resumed.tokens, Generator(*freshBackend).generate(request).tokens);
}

// A backend that asks for more tokens per call (the CUDA backend: a segment)
// gets the prompt in fewer calls, never fewer than kPrefillChunkTokens per call.
TEST_F(StoriesGenerator, PrefillForwardsAsManyTokensPerCallAsTheBackendAsksFor) {
    std::vector<int32_t> longPrompt = {1};
    for (int i = 0; i < 2 * kPrefillChunkTokens; ++i) longPrompt.push_back(300 + i % 100);
    RecordingBackend recording(*backend_);
    recording.tokensPerCall = 400;
    Generator(recording).evaluate(longPrompt);
    ASSERT_EQ(recording.calls.size(), 2u);
    EXPECT_EQ(recording.calls[0], (std::pair<int, int>{0, 400}));
    EXPECT_EQ(recording.calls[1], (std::pair<int, int>{400, 2 * kPrefillChunkTokens + 1 - 400}));
    recording.calls.clear();
    recording.tokensPerCall = 10;  // below the generator's own chunk: the chunk
    Generator(recording).evaluate(longPrompt);
    EXPECT_EQ(recording.calls.size(), 3u);
}

TEST_F(StoriesGenerator, PrefixReuseComputesOnlyTheNewTokensAndGivesTheSameLogits) {
    Generator generator(*backend_);
    const Tokenizer& tokenizer = model_->tokenizer();
    const std::string first = "Once upon a time";
    const std::string longer = "Once upon a time, there was a little dog";
    generator.generate(greedy(first, 4));
    const std::vector<int32_t> longerIds = tokenizer.encode(longer, true, SpecialTokens::AsText);

    const GenerationResult second = generator.generate(greedy(longer, 4));
    const int firstPromptTokens = static_cast<int>(tokenizer.encode(first, true, SpecialTokens::AsText).size());
    EXPECT_GE(second.stats.reusedPromptTokens, firstPromptTokens);
    EXPECT_LT(second.stats.reusedPromptTokens, static_cast<int>(longerIds.size()));

    // The same prompt again reuses all but the last token, which alone is forwarded.
    RecordingBackend recording(*backend_);
    Generator recorded(recording);
    recorded.evaluate(longerIds);
    recording.calls.clear();
    const std::vector<float> reused = recorded.evaluate(longerIds);
    ASSERT_EQ(recording.calls.size(), 1u);
    EXPECT_EQ(recording.calls[0], (std::pair<int, int>{static_cast<int>(longerIds.size()) - 1, 1}));
    auto freshBackend = cpuBackend(model_);
    Generator fresh(*freshBackend);
    const std::vector<float> expected = fresh.evaluate(longerIds);
    ASSERT_EQ(reused.size(), expected.size());
    EXPECT_LT(test::relativeL2(reused, expected), 1e-5);
    EXPECT_EQ(test::argmax(reused), test::argmax(expected));

    const GenerationResult again = generator.generate(greedy(longer, 4));
    EXPECT_EQ(again.stats.reusedPromptTokens, static_cast<int>(longerIds.size()) - 1);
    EXPECT_EQ(again.tokens, fresh.generate(greedy(longer, 4)).tokens);

    generator.resetCache();
    EXPECT_EQ(generator.generate(greedy(longer, 1)).stats.reusedPromptTokens, 0);
}

TEST_F(StoriesGenerator, EvaluateMatchesTheReferenceLogits) {
    PS_REQUIRE_SHARED_FILE(jsonPath, "models/reference/stories260K.p0.json");
    PS_REQUIRE_SHARED_FILE(logitsPath, "models/reference/stories260K.p0.logits.f32");
    const std::vector<float> logits =
        Generator(*backend_).evaluate(test::readJsonIntArray(jsonPath, "prompt_tokens"));
    EXPECT_LT(test::relativeL2(logits, test::readFloats(logitsPath)), 2e-3);
    EXPECT_THROW(Generator(*backend_).evaluate({}), GenerationError);
}

TEST(GeneratorOverflow, FailNamesBothSizesAndKeepEndKeepsBosAndTheEnd) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const auto model = Model::load(path);
    auto backend = cpuBackend(model, 32);
    ASSERT_EQ(backend->contextLength(), 32);
    Generator generator(*backend);

    std::vector<int32_t> prompt = {1};
    for (int i = 0; i < 40; ++i) prompt.push_back(300 + i);
    GenerationRequest request = greedy("", 4);
    request.promptTokens = prompt;
    try {
        generator.generate(request);
        FAIL() << "an overflowing prompt was accepted";
    } catch (const PromptTooLongError& error) {
        EXPECT_STREQ(error.what(), "the prompt is 41 tokens; this model's context holds 32");
        EXPECT_EQ(error.promptTokens(), 41u);
        EXPECT_EQ(error.contextTokens(), 32);
    }
    // Exactly full (no room for one generated token) fails too.
    request.promptTokens.assign(prompt.begin(), prompt.begin() + 32);
    EXPECT_THROW(generator.generate(request), GenerationError);
    request.promptTokens.assign(prompt.begin(), prompt.begin() + 31);
    EXPECT_NO_THROW(generator.generate(request));

    request.promptTokens = prompt;
    request.overflow = OverflowPolicy::KeepEnd;
    const GenerationResult kept = generator.generate(request);
    EXPECT_EQ(kept.tokens.size(), 4u);
    EXPECT_EQ(kept.stats.promptTokens, 28);  // room left for the 4 tokens asked for
    const auto& cached = generator.cachedTokens();
    ASSERT_GE(cached.size(), 28u);
    EXPECT_EQ(cached.front(), 1);  // BOS kept
    EXPECT_TRUE(std::equal(prompt.end() - 27, prompt.end(), cached.begin() + 1));
}

TEST(GeneratorContext, StopsWhenTheContextIsFull) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const auto model = Model::load(path);
    auto backend = cpuBackend(model, 24);
    Generator generator(*backend);
    GenerationRequest request = greedy("Once upon a time", 0);
    request.stopAtEndOfGeneration = false;
    const GenerationResult result = generator.generate(request);
    EXPECT_EQ(result.stopReason, StopReason::ContextFull);
    EXPECT_EQ(generator.cachedTokens().size(), 24u);
    EXPECT_EQ(result.stats.promptTokens + result.stats.generatedTokens, 25);
}

TEST(GeneratorStreaming, ChunksAreValidUtf8AndAddUpToTheText) {
    // A random-weight model with the full Llama 2 vocabulary: sampled at a high
    // temperature it produces byte-fallback pieces and multibyte characters.
    PS_REQUIRE_SHARED_FILE(path, "models/llama-2-tiny-random.gguf");
    const auto model = Model::load(path);
    auto backend = cpuBackend(model, 512);
    Generator generator(*backend);
    GenerationRequest request;
    request.prompt = "Grüße aus Köln 東京";
    request.maxTokens = 300;
    request.sampling.temperature = 3.0f;
    request.sampling.topK = 0;
    request.sampling.topP = 1.0f;
    request.sampling.minP = 0.0f;
    request.sampling.seed = 42;
    std::string streamed;
    int badChunks = 0;
    const GenerationResult result = generator.generate(request, [&](const std::string& text) {
        if (!validUtf8(text)) ++badChunks;
        streamed += text;
        return true;
    });
    EXPECT_EQ(badChunks, 0);
    EXPECT_EQ(streamed, result.text);
    EXPECT_TRUE(validUtf8(result.text));
    int byteTokens = 0;
    for (int32_t id : result.tokens) byteTokens += model->tokenizer().kind(id) == TokenKind::Byte;
    EXPECT_GT(byteTokens, 0) << "the test needs byte pieces to mean anything";

    // Same seed, same text.
    Generator again(*backend);
    EXPECT_EQ(again.generate(request).text, result.text);
}

}  // namespace
}  // namespace ps

namespace ps {
namespace {

// Logits that make greedy sampling pick the next id of a script, whatever the input.
class ScriptedBackend final : public Backend {
public:
    ScriptedBackend(std::shared_ptr<const Model> model, std::vector<int32_t> script)
        : Backend(std::move(model)), script_(std::move(script)) {}
    BackendKind kind() const override { return BackendKind::Cpu; }
    std::string deviceName() const override { return "script"; }
    int contextLength() const override { return 256; }
    void forward(std::span<const int32_t>, int, std::span<float> logits) override {
        std::fill(logits.begin(), logits.end(), 0.0f);
        logits[static_cast<size_t>(script_[std::min(next_++, script_.size() - 1)])] = 10.0f;
    }

private:
    std::vector<int32_t> script_;
    size_t next_ = 0;
};

// A synthetic vocabulary with chat end-of-turn markers as control tokens.
std::shared_ptr<const Model> modelWithEndOfTurnMarkers() {
    GgufWriter writer = makeSyntheticGguf(*syntheticModelShape("tiny"), TensorType::Q8_0);
    const auto plain = GgufFile::fromBytes(writer.toBytes(), "plain.gguf");
    std::vector<std::string> pieces = *plain->getStringArray("tokenizer.ggml.tokens");
    std::vector<int64_t> kinds64 = *plain->getIntegerArray("tokenizer.ggml.token_type");
    std::vector<int32_t> kinds(kinds64.begin(), kinds64.end());
    const char* markers[] = {"<|eot_id|>", "<|im_end|>", "<|end|>"};
    for (int i = 0; i < 3; ++i) {
        pieces[static_cast<size_t>(400 + i)] = markers[i];
        kinds[static_cast<size_t>(400 + i)] = static_cast<int32_t>(TokenKind::Control);
    }
    writer.setStringArray("tokenizer.ggml.tokens", pieces);
    writer.setI32Array("tokenizer.ggml.token_type", kinds);
    return Model::fromGguf(GgufFile::fromBytes(writer.toBytes(), "markers.gguf"));
}

// Llama 3 Instruct ends a turn with <|eot_id|> while its EOS is another id:
// generation must stop on every id of the tokenizer's end-of-generation set.
TEST(GeneratorEndOfGeneration, StopsOnEveryEndOfGenerationId) {
    const auto model = modelWithEndOfTurnMarkers();
    const std::vector<int32_t>& endIds = model->tokenizer().endOfGenerationIds();
    ASSERT_GE(endIds.size(), 4u) << "EOS and the three markers";
    for (const int32_t end : endIds) {
        ScriptedBackend backend(model, {300, 301, end, 302});
        Generator generator(backend);
        GenerationRequest request;
        request.promptTokens = {1, 5, 6};
        request.sampling.temperature = 0;
        request.maxTokens = 10;
        const GenerationResult result = generator.generate(request);
        EXPECT_EQ(result.stopReason, StopReason::EndOfGeneration) << "end id " << end;
        EXPECT_EQ(result.tokens, (std::vector<int32_t>{300, 301})) << "end id " << end;
        EXPECT_EQ(result.text.find("<|"), std::string::npos) << result.text;
    }
    // With stopping turned off the same ids are just tokens.
    ScriptedBackend backend(model, {300, endIds.back(), 301});
    Generator generator(backend);
    GenerationRequest request;
    request.promptTokens = {1, 5};
    request.sampling.temperature = 0;
    request.maxTokens = 3;
    request.stopAtEndOfGeneration = false;
    EXPECT_EQ(generator.generate(request).tokens, (std::vector<int32_t>{300, endIds.back(), 301}));
}

}  // namespace
}  // namespace ps
