#include "runner/run_worker.h"

#include "generator/generator.h"

namespace ps {

void RunWorker::generate(std::shared_ptr<GenerationService> service, GenerationInput input,
                         GenerationParameters parameters, std::shared_ptr<std::atomic<bool>> cancel) {
    try {
        const GenerationResult result = service->generate(
            input, parameters,
            [this](const std::string& text) {
                emit tokenReceived(QString::fromStdString(text));
                return true;
            },
            cancel.get());
        emit generated(result);
    } catch (const PromptTooLongError& error) {
        emit promptTooLong(static_cast<qint64>(error.promptTokens()), error.contextTokens(),
                           QString::fromUtf8(error.what()));
    } catch (const std::exception& error) {
        emit failed(QString::fromUtf8(error.what()));
    }
}

}  // namespace ps
