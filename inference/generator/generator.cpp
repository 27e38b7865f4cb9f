// The generation loop: tokens -> prefill (reusing the cached prefix) -> sample,
// stream, forward, until a stop condition. cached_ always names exactly the
// tokens whose keys and values the backend holds at positions 0..size-1.
#include "generator/generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "backend/backend.h"
#include "generator/stop_sequence_filter.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace ps {

PromptTooLongError::PromptTooLongError(size_t promptTokens, int contextTokens)
    : GenerationError("the prompt is " + std::to_string(promptTokens) + " tokens; this model's context holds " +
                      std::to_string(contextTokens)),
      promptTokens_(promptTokens),
      contextTokens_(contextTokens) {}
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool cancelled(const std::atomic<bool>* cancel) {
    return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

// KeepEnd: keeps BOS (when first) and the last tokens, leaving room to generate
// up to maxTokens (at most a quarter of the context, at least one token).
std::vector<int32_t> keepEnd(const std::vector<int32_t>& tokens, int context, int maxTokens,
                             int32_t bos) {
    int room = context / 4;
    if (maxTokens > 0) room = std::min(room, maxTokens);
    room = std::max(room, 1);
    const size_t keep = static_cast<size_t>(std::max(context - room, 1));
    std::vector<int32_t> kept;
    kept.reserve(keep);
    const bool hasBos = !tokens.empty() && tokens.front() == bos && keep > 1;
    if (hasBos) kept.push_back(bos);
    kept.insert(kept.end(), tokens.end() - static_cast<std::ptrdiff_t>(keep - kept.size()),
                tokens.end());
    return kept;
}

}  // namespace

const char* stopReasonName(StopReason reason) {
    switch (reason) {
        case StopReason::EndOfGeneration: return "end-of-text";
        case StopReason::MaxTokens: return "max-tokens";
        case StopReason::StopSequence: return "stop-sequence";
        case StopReason::ContextFull: return "context-full";
        case StopReason::Cancelled: return "cancelled";
    }
    return "unknown";
}

double GenerationStats::prefillTokensPerSecond() const {
    const int computed = promptTokens - reusedPromptTokens;
    return prefillMs > 0 && computed > 0 ? computed * 1000.0 / prefillMs : 0.0;
}

double GenerationStats::decodeTokensPerSecond() const {
    return decodeMs > 0 && decodeSteps > 0 ? decodeSteps * 1000.0 / decodeMs : 0.0;
}

Generator::Generator(Backend& backend) : backend_(backend) {}

bool Generator::prefill(const std::vector<int32_t>& tokens, const std::atomic<bool>* cancel,
                        int& reused) {
    // The common prefix stays; the last token is always recomputed for its logits.
    size_t common = 0;
    while (common < cached_.size() && common < tokens.size() && cached_[common] == tokens[common]) {
        ++common;
    }
    if (common == tokens.size()) --common;
    cached_.resize(common);
    reused = static_cast<int>(common);

    logits_.resize(static_cast<size_t>(backend_.model().config().vocabSize));
    size_t position = common;
    const size_t perCall = static_cast<size_t>(std::max(kPrefillChunkTokens, backend_.prefillTokensPerCall()));
    while (position < tokens.size()) {
        if (cancelled(cancel)) return false;
        const size_t count = std::min(tokens.size() - position, perCall);
        const std::span<const int32_t> chunk(tokens.data() + position, count);
        // A failing forward may have written part of the chunk; cached_ claims none of it.
        backend_.forward(chunk, static_cast<int>(position), logits_);
        cached_.insert(cached_.end(), chunk.begin(), chunk.end());
        position += count;
    }
    return true;
}

std::vector<float> Generator::evaluate(const std::vector<int32_t>& tokens) {
    if (tokens.empty()) throw GenerationError("nothing to evaluate: no tokens");
    if (tokens.size() > static_cast<size_t>(backend_.contextLength())) {
        throw PromptTooLongError(tokens.size(), backend_.contextLength());
    }
    int reused = 0;
    prefill(tokens, nullptr, reused);
    return logits_;
}

GenerationResult Generator::generate(const GenerationRequest& request, const TextCallback& onText,
                                     const std::atomic<bool>* cancel) {
    const Clock::time_point start = Clock::now();
    const Tokenizer& tokenizer = backend_.model().tokenizer();
    const int context = backend_.contextLength();

    std::vector<int32_t> tokens = request.promptTokens.empty()
                                      ? tokenizer.encode(request.prompt, request.addBos, SpecialTokens::AsText)
                                      : request.promptTokens;
    if (tokens.empty()) throw GenerationError("the prompt is empty (no tokens and no BOS)");
    const int32_t vocab = backend_.model().config().vocabSize;
    for (const int32_t id : tokens) {
        if (id < 0 || id >= vocab) {
            throw GenerationError("the prompt holds token id " + std::to_string(id) +
                                  ", outside this model's vocabulary of " + std::to_string(vocab));
        }
    }
    if (tokens.size() + 1 > static_cast<size_t>(context)) {
        if (request.overflow == OverflowPolicy::Fail) {
            throw PromptTooLongError(tokens.size(), context);
        }
        tokens = keepEnd(tokens, context, request.maxTokens, tokenizer.bosId());
    }

    GenerationResult result;
    result.stats.promptTokens = static_cast<int>(tokens.size());

    const Clock::time_point prefillStart = Clock::now();
    // A BackendError propagates; cached_ is consistent with the KV cache either way.
    if (!prefill(tokens, cancel, result.stats.reusedPromptTokens)) {
        result.stopReason = StopReason::Cancelled;
        result.stats.prefillMs = millisecondsSince(prefillStart);
        return result;
    }
    result.stats.prefillMs = millisecondsSince(prefillStart);

    Sampler sampler(request.sampling);
    StopSequenceFilter stopFilter(request.stopSequences);
    TokenTextStream textStream(tokenizer, tokens.back());
    const std::vector<int32_t>& endIds = tokenizer.endOfGenerationIds();
    std::vector<int32_t> sequence = tokens;  // for the repetition penalty

    // Hands text out; false when the callback asks to stop.
    auto emit = [&](const std::string& text) {
        if (text.empty()) return true;
        result.text += text;
        return !onText || onText(text);
    };

    Clock::time_point decodeStart{};
    bool stoppedByCaller = false;
    while (true) {
        if (cancelled(cancel)) {
            result.stopReason = StopReason::Cancelled;
            stoppedByCaller = true;
            break;
        }
        // A NaN logit means the weights (or the backend) are broken: sampling would
        // print garbage ('⁇') and look like success.
        if (std::any_of(logits_.begin(), logits_.end(), [](float v) { return std::isnan(v); })) {
            throw GenerationError(
                "the model computed NaN logits (its weights are damaged or of an unsupported "
                "kind); no text was generated from them");
        }
        const int32_t id = sampler.sample(logits_, sequence);
        if (result.tokens.empty()) {
            result.stats.timeToFirstTokenMs = millisecondsSince(start);
            decodeStart = Clock::now();
        }
        if (request.stopAtEndOfGeneration &&
            std::find(endIds.begin(), endIds.end(), id) != endIds.end()) {
            result.stopReason = StopReason::EndOfGeneration;
            break;
        }
        result.tokens.push_back(id);
        sequence.push_back(id);

        if (!emit(stopFilter.push(textStream.push(id)))) {
            result.stopReason = StopReason::Cancelled;
            stoppedByCaller = true;
            break;
        }
        if (stopFilter.stopped()) {
            result.stopReason = StopReason::StopSequence;
            break;
        }
        if (request.maxTokens > 0 && static_cast<int>(result.tokens.size()) >= request.maxTokens) {
            result.stopReason = StopReason::MaxTokens;
            break;
        }
        if (cached_.size() >= static_cast<size_t>(context)) {
            result.stopReason = StopReason::ContextFull;
            break;
        }
        const int32_t step[1] = {id};
        backend_.forward(step, static_cast<int>(cached_.size()), logits_);
        cached_.push_back(id);
        ++result.stats.decodeSteps;
    }
    if (!result.tokens.empty()) result.stats.decodeMs = millisecondsSince(decodeStart);

    // The stream ended by itself: what was held back can no longer become a stop
    // sequence (or a longer UTF-8 character), so it goes out now.
    if (!stoppedByCaller && result.stopReason != StopReason::StopSequence) {
        const std::string tail = stopFilter.push(textStream.flush());
        if (!emit(tail + (stopFilter.stopped() ? std::string() : stopFilter.finish()))) {
            result.stopReason = StopReason::Cancelled;
        } else if (stopFilter.stopped()) {
            result.stopReason = StopReason::StopSequence;
        }
    }
    result.stats.generatedTokens = static_cast<int>(result.tokens.size());
    return result;
}

}  // namespace ps
