#include "runner/local_generation_service.h"

#include <QFileInfo>

#include "model/model.h"
#include "runner/chat_prompt.h"
#include "tokenizer/tokenizer.h"

namespace ps {

std::shared_ptr<LocalGenerationService> LocalGenerationService::load(
    const std::filesystem::path& modelPath, const BackendOptions& options) {
    const QString path = QString::fromStdString(modelPath.string());
    std::shared_ptr<const Model> model;
    try {
        model = Model::load(modelPath);
    } catch (const std::exception& error) {
        // GgufError / ModelError / TokenizerError messages already name the file;
        // say it for the ones that do not.
        const QString message = QString::fromUtf8(error.what());
        throw GenerationServiceError(
            (message.contains(QFileInfo(path).fileName()) ? message
                                                          : QStringLiteral("%1: %2").arg(path, message))
                .toStdString());
    }
    BackendSelection selection;
    try {
        selection = createBackend(model, options);
    } catch (const std::exception& error) {
        throw GenerationServiceError(QStringLiteral("%1: cannot start a backend: %2")
                                         .arg(path, QString::fromUtf8(error.what()))
                                         .toStdString());
    }
    return std::make_shared<LocalGenerationService>(std::move(model), std::move(selection), path);
}

LocalGenerationService::LocalGenerationService(std::shared_ptr<const Model> model,
                                               BackendSelection selection, QString modelPath)
    : model_(std::move(model)),
      backend_(std::move(selection.backend)),
      fallbackReason_(std::move(selection.fallbackReason)),
      modelPath_(std::move(modelPath)),
      generator_(*backend_),
      promptTokenizer_(model_->tokenizer()) {}

LocalGenerationService::~LocalGenerationService() = default;

QString LocalGenerationService::describe() const {
    return QStringLiteral("%1 on %2")
        .arg(QFileInfo(modelPath_).fileName(), QString::fromStdString(backend_->deviceName()));
}

const std::string& LocalGenerationService::chatTemplate() const { return model_->chatTemplate(); }

templating::ChatTemplateOptions LocalGenerationService::chatOptions() const {
    const Tokenizer& tokenizer = model_->tokenizer();
    templating::ChatTemplateOptions options;
    options.bosToken = tokenizer.piece(tokenizer.bosId());
    options.eosToken = tokenizer.piece(tokenizer.eosId());
    options.addGenerationPrompt = true;
    return options;
}

GenerationServiceError LocalGenerationService::templateFailed(const std::exception& error) const {
    return GenerationServiceError(QStringLiteral("%1: the model's chat template failed: %2")
                                      .arg(QFileInfo(modelPath_).fileName(), QString::fromUtf8(error.what()))
                                      .toStdString());
}

std::string LocalGenerationService::renderPrompt(const GenerationInput& input) const {
    if (input.kind == GenerationInput::Kind::Completion) return input.prompt;
    try {
        return templating::renderChatTemplateMergingSystem(model_->chatTemplate(), input.messages, chatOptions());
    } catch (const templating::TemplateError& error) {
        throw templateFailed(error);
    }
}

std::vector<int32_t> LocalGenerationService::promptTokens(const GenerationInput& input) const {
    const bool addBos = model_->tokenizer().addBosByDefault();
    if (input.kind == GenerationInput::Kind::Completion) {
        // Sent as is: the text is the user's, special-token look-alikes stay text.
        return model_->tokenizer().encode(input.prompt, addBos, SpecialTokens::AsText);
    }
    // The template's markup becomes control tokens; the messages stay text.
    try {
        return promptTokenizer_.encodeChat(renderChatPrompt(model_->chatTemplate(), input.messages, chatOptions()),
                                           addBos);
    } catch (const templating::TemplateError& error) {
        throw templateFailed(error);
    }
}

GenerationResult LocalGenerationService::generate(const GenerationInput& input,
                                                  const GenerationParameters& parameters,
                                                  const TextCallback& onText,
                                                  const std::atomic<bool>* cancel) {
    GenerationRequest request;
    request.promptTokens = promptTokens(input);
    request.sampling = parameters.sampling;
    request.maxTokens = parameters.maxTokens;
    request.stopSequences = parameters.stop;
    try {
        return generator_.generate(request, onText, cancel);
    } catch (const PromptTooLongError&) {
        throw;  // nothing was computed; the runner words it for people
    } catch (const std::exception& error) {
        // The KV cache may hold a half-written step; start clean next time.
        generator_.resetCache();
        throw GenerationServiceError(QString::fromUtf8(error.what()).toStdString());
    }
}

}  // namespace ps
