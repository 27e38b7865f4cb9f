#pragma once
// A GenerationService on a remote OpenAI-compatible server (vLLM, TensorRT-LLM/NIM,
// Ollama, llama.cpp's server, OpenAI, or another Prompt Studio): a chat app's
// messages go to {base}/chat/completions as they are (the server applies its
// model's chat template), a completion app's text to {base}/completions, both
// streamed with server-sent events. Time to first token and tokens/s are
// measured here, on the client, as the user sees them. Cancelling closes the
// connection at once, even while the server is still thinking.
#include <memory>
#include <mutex>

#include "remote/remote_endpoint.h"
#include "runner/generation_service.h"

namespace ps {

class RemoteGenerationService : public GenerationService {
public:
    // Contacts nobody yet: an empty endpoint.model is resolved (the first model
    // the server lists) by the first generation, on its worker thread.
    explicit RemoteGenerationService(RemoteEndpoint endpoint);

    // Asks the server for its models and picks endpoint.model (or the first one
    // when none is named). Throws GenerationServiceError with a sentence: the
    // server cannot be reached, refuses the key, or has no such model.
    static std::shared_ptr<RemoteGenerationService> connect(RemoteEndpoint endpoint);

    QString name() const override { return QStringLiteral("remote"); }
    QString describe() const override;
    QString modelName() const override;
    GenerationResult generate(const GenerationInput& input, const GenerationParameters& parameters,
                              const TextCallback& onText, const std::atomic<bool>* cancel) override;
    // The server applies the chat template: only a completion's text is known here.
    std::string renderPrompt(const GenerationInput& input) const override;

    RemoteEndpoint endpoint() const;

private:
    mutable std::mutex mutex_;  // endpoint_.model is filled in by the first generation
    RemoteEndpoint endpoint_;
};

}  // namespace ps
