#pragma once
// The local runtime as a GenerationService: a loaded Model, the inference Backend
// chosen for it (CUDA or CPU) and one Generator. Keeping the same Generator for
// the life of the service is what makes prefix reuse work: its KV cache still
// holds the previous prompt, so a run that starts with the same tokens (the
// app's instructions and the chat template's preamble) only computes the rest.
#include <QString>

#include <filesystem>
#include <memory>

#include "backend/backend.h"
#include "runner/generation_service.h"
#include "runner/prompt_tokens.h"

namespace ps {

class Model;

class LocalGenerationService : public GenerationService {
public:
    // Loads the model and creates its backend; blocks (ModelSession does it on a
    // background thread). Throws GenerationServiceError with the file and reason.
    static std::shared_ptr<LocalGenerationService> load(const std::filesystem::path& modelPath,
                                                        const BackendOptions& options);
    LocalGenerationService(std::shared_ptr<const Model> model, BackendSelection selection,
                           QString modelPath);
    ~LocalGenerationService() override;

    QString name() const override { return QStringLiteral("local"); }
    QString describe() const override;
    QString modelName() const override { return modelPath_; }
    GenerationResult generate(const GenerationInput& input, const GenerationParameters& parameters,
                              const TextCallback& onText, const std::atomic<bool>* cancel) override;
    std::string renderPrompt(const GenerationInput& input) const override;

    // The token ids `input` becomes (what generate() feeds the Generator).
    std::vector<int32_t> promptTokens(const GenerationInput& input) const;

    const Model& model() const { return *model_; }
    Backend& backend() { return *backend_; }
    // Why a CUDA request ended on the CPU, or empty.
    const std::string& fallbackReason() const { return fallbackReason_; }
    // The chat template the model brings, or empty (then the Llama 2 fallback applies).
    const std::string& chatTemplate() const;

private:
    templating::ChatTemplateOptions chatOptions() const;
    GenerationServiceError templateFailed(const std::exception& error) const;

    std::shared_ptr<const Model> model_;
    std::unique_ptr<Backend> backend_;
    std::string fallbackReason_;
    QString modelPath_;
    Generator generator_;
    PromptTokenizer promptTokenizer_;
};

}  // namespace ps
