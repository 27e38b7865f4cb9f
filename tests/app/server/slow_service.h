#pragma once
// A GenerationService that writes "tok" pieces at a steady pace and records how
// each run ended: for cancel, queue and slow-reader tests that need a generation
// that lasts, without a model.
#include <atomic>
#include <chrono>
#include <thread>

#include "runner/generation_service.h"

namespace ps::test {

class SlowService : public GenerationService {
public:
    SlowService(std::chrono::milliseconds perPiece, std::string piece = "tok")
        : perPiece_(perPiece), piece_(std::move(piece)) {}

    QString name() const override { return "slow"; }
    QString describe() const override { return "slow test service"; }
    QString modelName() const override { return "slow-model"; }
    std::string renderPrompt(const GenerationInput& input) const override { return input.prompt; }

    GenerationResult generate(const GenerationInput&, const GenerationParameters& parameters,
                              const TextCallback& onText, const std::atomic<bool>* cancel) override {
        ++started;
        GenerationResult result;
        result.stopReason = StopReason::MaxTokens;
        int pieces = 0;
        for (; pieces < parameters.maxTokens; ++pieces) {
            if (cancel && cancel->load()) {
                result.stopReason = StopReason::Cancelled;
                break;
            }
            std::this_thread::sleep_for(perPiece_);
            result.text += piece_;
            if (onText && !onText(piece_)) {
                ++pieces;
                result.stopReason = StopReason::Cancelled;
                break;
            }
        }
        result.stats.generatedTokens = pieces;
        lastRunPieces = pieces;
        lastRunCancelled = result.stopReason == StopReason::Cancelled;
        ++finished;
        return result;
    }

    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    std::atomic<int> lastRunPieces{0};
    std::atomic<bool> lastRunCancelled{false};

private:
    std::chrono::milliseconds perPiece_;
    std::string piece_;
};

// Waits up to `timeout` for `condition`.
template <typename Condition>
bool waitFor(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace ps::test
