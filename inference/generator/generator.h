#pragma once
// prompt -> tokens -> prefill -> decode loop on a backend, with a callback per
// token, cancellation checked every step, statistics, and prefix reuse: a run
// whose tokens start with what the KV cache already holds computes only the rest.
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sampler/sampler.h"

namespace ps {

class Backend;

class GenerationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The prompt does not fit the context (with room for one generated token). It
// carries the numbers, so the app layer can say it in plain words.
class PromptTooLongError : public GenerationError {
public:
    PromptTooLongError(size_t promptTokens, int contextTokens);
    size_t promptTokens() const { return promptTokens_; }
    int contextTokens() const { return contextTokens_; }

private:
    size_t promptTokens_;
    int contextTokens_;
};

// What to do with a prompt that does not fit the context.
enum class OverflowPolicy {
    Fail,           // GenerationError saying how many tokens and how many fit
    KeepEnd,        // drop tokens from the start (after BOS) so the end fits
};

struct GenerationRequest {
    std::string prompt;               // used when promptTokens is empty; all of it is text
    std::vector<int32_t> promptTokens;
    bool addBos = true;               // for `prompt`: put BOS first
    SamplingParams sampling;
    int maxTokens = 256;              // 0 = until end-of-text or the context is full
    std::vector<std::string> stopSequences;  // not included in the output
    bool stopAtEndOfGeneration = true;
    OverflowPolicy overflow = OverflowPolicy::Fail;
};

// Prompt tokens forwarded per backend call, or more where the backend asks for
// more (Backend::prefillTokensPerCall): small enough that a cancel during a
// long prefill is seen within one chunk, large enough to keep batching efficient.
inline constexpr int kPrefillChunkTokens = 256;

enum class StopReason { EndOfGeneration, MaxTokens, StopSequence, ContextFull, Cancelled };
const char* stopReasonName(StopReason reason);

struct GenerationStats {
    int promptTokens = 0;
    int reusedPromptTokens = 0;  // prefix found in the KV cache, not recomputed
    int generatedTokens = 0;
    double timeToFirstTokenMs = 0;  // from the call until the first token is sampled
    double prefillMs = 0;           // forwarding the prompt tokens not reused
    double decodeMs = 0;            // forwarding the generated tokens (after the first)
    int decodeSteps = 0;            // generated tokens forwarded (usually generatedTokens - 1)
    // Prompt tokens computed (not reused) per second of prefill; 0 when none.
    double prefillTokensPerSecond() const;
    // Decode steps per second of decode; 0 when none.
    double decodeTokensPerSecond() const;
};

struct GenerationResult {
    std::string text;                 // everything handed to the callback
    std::vector<int32_t> tokens;      // generated ids
    StopReason stopReason = StopReason::MaxTokens;
    GenerationStats stats;
};

// Receives each piece of text as soon as it is whole UTF-8 and cannot be part of
// a stop sequence. Return false to stop (same as cancelling).
using TextCallback = std::function<bool(const std::string& text)>;

class Generator {
public:
    explicit Generator(Backend& backend);

    GenerationResult generate(const GenerationRequest& request, const TextCallback& onText = {},
                              const std::atomic<bool>* cancel = nullptr);

    // Tokens whose keys and values the backend's KV cache holds now.
    const std::vector<int32_t>& cachedTokens() const { return cached_; }
    // Forget the cache (the next run recomputes everything).
    void resetCache() { cached_.clear(); }

    // Logits after running `tokens` (with prefix reuse), for `eval` and the tests.
    // Throws GenerationError when `tokens` is empty or longer than the context.
    std::vector<float> evaluate(const std::vector<int32_t>& tokens);

    Backend& backend() const { return backend_; }

private:
    // Brings the KV cache to hold `tokens` (reusing the common prefix, always
    // recomputing the last token) and leaves its logits in logits_. Returns false
    // when `cancel` was set between chunks; cached_ then holds what was forwarded.
    bool prefill(const std::vector<int32_t>& tokens, const std::atomic<bool>* cancel,
                 int& reused);

    Backend& backend_;
    std::vector<int32_t> cached_;
    std::vector<float> logits_;
};

}  // namespace ps
