#pragma once
// What runs a generation for the Runner: the local runtime (LocalGenerationService:
// Model + inference Backend + Generator) today, a remote OpenAI-compatible server
// (HTTP + SSE) later. The Runner hands over either a conversation (chat apps) or
// a finished prompt text (completion apps); a local service applies the model's
// chat template itself, a remote one would send the messages as they are.
//
// generate() blocks and runs on the Runner's worker thread; a service runs one
// generation at a time (the Runner never overlaps them). Everything else may be
// called from any thread once the service is constructed.
#include <QJsonObject>
#include <QString>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "generator/generator.h"
#include "runner/generation_parameters.h"
#include "templating/chat_template.h"

namespace ps {

struct GenerationInput {
    enum class Kind { Chat, Completion };
    Kind kind = Kind::Chat;
    std::vector<templating::ChatMessage> messages;  // Chat
    std::string prompt;                             // Completion: sent as is
};

// A generation that could not run (bad template, prompt too long, backend error).
// Cancellation is not an error: it ends with StopReason::Cancelled.
class GenerationServiceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class GenerationService {
public:
    virtual ~GenerationService() = default;

    // Short kind name: "local", later "remote".
    virtual QString name() const = 0;
    // For people and the history: the model and where it runs
    // ("stories260K.gguf on CPU (2 threads)").
    virtual QString describe() const = 0;
    // The model as the history records it (a path, or a server's model id).
    virtual QString modelName() const = 0;

    // Runs one generation. `onText` receives the text as it streams (whole UTF-8
    // pieces) and may return false to stop; `cancel` is polled every token.
    // Throws PromptTooLongError (generator.h) when the prompt does not fit the
    // context, GenerationServiceError for anything else.
    virtual GenerationResult generate(const GenerationInput& input,
                                      const GenerationParameters& parameters,
                                      const TextCallback& onText,
                                      const std::atomic<bool>* cancel) = 0;

    // The exact prompt text `input` becomes on this service (the chat template
    // applied), for "show prompt" views and tests; empty where the server renders it.
    virtual std::string renderPrompt(const GenerationInput& input) const = 0;
};

// GenerationStats and stop reason as JSON (history rows, --json output).
QJsonObject statisticsToJson(const GenerationResult& result);

}  // namespace ps
