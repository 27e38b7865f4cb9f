#pragma once
// One loaded model shared by several users: the window's run views (the Run page
// and the editor's "Try it" panel) and the HTTP server. A GenerationService runs
// one generation at a time, but its users do not know about each other: this
// wrapper makes a second generation wait on its own thread until the first one
// ends, so the model's KV cache is never used by two threads at once.
#include <memory>
#include <mutex>

#include "runner/generation_service.h"

namespace ps {

class SerializedService : public GenerationService {
public:
    explicit SerializedService(std::shared_ptr<GenerationService> inner) : inner_(std::move(inner)) {}

    QString name() const override { return inner_->name(); }
    QString describe() const override { return inner_->describe(); }
    QString modelName() const override { return inner_->modelName(); }
    GenerationResult generate(const GenerationInput& input, const GenerationParameters& parameters,
                              const TextCallback& onText, const std::atomic<bool>* cancel) override {
        std::lock_guard lock(mutex_);
        return inner_->generate(input, parameters, onText, cancel);
    }
    std::string renderPrompt(const GenerationInput& input) const override {
        std::lock_guard lock(mutex_);
        return inner_->renderPrompt(input);
    }
    const std::shared_ptr<GenerationService>& inner() const { return inner_; }

private:
    std::shared_ptr<GenerationService> inner_;
    mutable std::mutex mutex_;
};

}  // namespace ps
