#include "runner/runner.h"

#include <QJsonObject>
#include <QRandomGenerator>
#include <QThread>
#include <QtDebug>

#include "history/run_history.h"
#include "runner/app_prompt.h"
#include "runner/run_worker.h"

namespace ps {

Runner::Runner(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ps::RunResult>();
    qRegisterMetaType<ps::GenerationResult>();
    // One worker thread for the Runner's life: a backend's thread-local state
    // (and the KV cache the next run reuses) stays with the same thread.
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("ps-runner"));
    worker_ = new RunWorker;
    worker_->moveToThread(thread_);
    connect(worker_, &RunWorker::tokenReceived, this, [this](const QString& text) {
        output_ += text;
        emit tokenReceived(text);
    });
    connect(worker_, &RunWorker::generated, this, &Runner::onGenerated);
    connect(worker_, &RunWorker::failed, this, &Runner::onFailed);
    connect(worker_, &RunWorker::promptTooLong, this, [this](qint64 promptTokens, int contextTokens) {
        onFailed(promptTooLongMessage(promptTokens, contextTokens));
    });
    thread_->start();
}

Runner::~Runner() {
    if (cancel_) cancel_->store(true);
    thread_->quit();
    thread_->wait();
    delete worker_;  // its thread has stopped; nothing else can touch it
}

void Runner::setService(std::shared_ptr<GenerationService> service) { service_ = std::move(service); }

void Runner::setHistory(RunHistory* history) { history_ = history; }

void Runner::setApp(PromptApp app, QString path) {
    app_ = std::move(app);
    appPath_ = std::move(path);
    conversation_.clear();
}

GenerationInput Runner::prepareInput(const QVariantMap& inputs) const {
    return generationInputFor(buildAppPrompt(app_, inputs), conversation_);
}

bool Runner::start(const QVariantMap& inputs, const QVariantMap& overrides) {
    if (running_) {
        emit failed(tr("A run is already going; stop it first."));
        return false;
    }
    if (!service_) {
        emit failed(tr("No model is loaded."));
        return false;
    }
    GenerationInput input;
    try {
        input = prepareInput(inputs);
    } catch (const std::exception& error) {
        emit failed(QString::fromUtf8(error.what()));
        return false;
    }
    GenerationParameters parameters;
    QStringList errors;
    const QVariantMap appValues = appParameterValues(app_);
    parameters.apply(appValues, &errors);
    parameters.apply(overrides, &errors);
    // No seed asked for ("Same answer every time" off): a new one each run, so that
    // Regenerate gives another answer. The history records the one used.
    if (!appValues.contains(QStringLiteral("seed")) && !overrides.contains(QStringLiteral("seed")))
        parameters.sampling.seed = QRandomGenerator::global()->bounded(quint64(1) << 53);
    if (!errors.isEmpty()) {
        emit failed(tr("Invalid parameters: %1").arg(errors.join(QStringLiteral("; "))));
        return false;
    }

    historyId_ = 0;
    if (history_) {
        RunRecord record;
        record.appName = appDisplayName(app_, appPath_);
        record.appPath = appPath_;
        record.appVersion = appVersionLabel(app_);
        record.inputs = QJsonObject::fromVariantMap(inputs);
        record.model = service_->modelName();
        record.parameters = parameters.toJson();
        try {
            historyId_ = history_->startRun(record);
        } catch (const HistoryError& error) {
            // A history that cannot be written must not stop the run itself.
            qWarning("run history: %s", error.what());
        }
    }

    output_.clear();
    pendingTurn_.clear();
    // Only a chat app remembers its turns; a form app starts afresh each run.
    if (app_.kind == AppKind::Chat) pendingTurn_.push_back(input.messages.back());
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    running_ = true;
    emit started(historyId_);

    QMetaObject::invokeMethod(
        worker_,
        [worker = worker_, service = service_, input = std::move(input), parameters, cancel = cancel_] {
            worker->generate(service, input, parameters, cancel);
        },
        Qt::QueuedConnection);
    return true;
}

void Runner::cancel() {
    if (running_ && cancel_) cancel_->store(true);
}

void Runner::onGenerated(const GenerationResult& generation) {
    running_ = false;
    RunResult result;
    result.historyId = historyId_;
    result.output = QString::fromStdString(generation.text);
    result.stopReason = generation.stopReason;
    result.stats = generation.stats;
    result.model = service_ ? service_->modelName() : QString();
    result.service = service_ ? service_->describe() : QString();
    if (generation.stopReason == StopReason::Cancelled) {
        // A cancelled turn does not join the conversation.
        recordEnd(RunOutcome::Cancelled, result, {});
        emit cancelled(result);
        return;
    }
    if (!pendingTurn_.empty()) {
        conversation_.insert(conversation_.end(), pendingTurn_.begin(), pendingTurn_.end());
        conversation_.push_back({"assistant", generation.text});
    }
    recordEnd(RunOutcome::Finished, result, {});
    emit finished(result);
}

bool Runner::takeBackLastReply() {
    if (running_ || conversation_.empty() || conversation_.back().role != "assistant") return false;
    conversation_.pop_back();
    while (!conversation_.empty() && conversation_.back().role != "assistant") conversation_.pop_back();
    return true;
}

QString Runner::promptTooLongMessage(qint64 promptTokens, int contextTokens) const {
    // A token is about three quarters of an English word.
    const qint64 words = promptTokens * 3 / 4;
    if (app_.kind == AppKind::Chat && !conversation_.empty()) {
        return tr("This conversation has grown too long for the model's memory: it is now %1 tokens "
                  "(about %2 words), and the model holds %3. Start a new chat to go on.")
            .arg(promptTokens)
            .arg(words)
            .arg(contextTokens);
    }
    return tr("The text is too long for this model: with the app's instructions it comes to %1 tokens "
              "(about %2 words), and the model can read %3 at a time. Shorten the text, or choose a "
              "longer memory for the conversation (in Settings, or --context on the command line) "
              "if the model supports one.")
        .arg(promptTokens)
        .arg(words)
        .arg(contextTokens);
}

void Runner::onFailed(const QString& message) {
    running_ = false;
    RunResult partial;
    partial.output = output_;
    recordEnd(RunOutcome::Failed, partial, message);
    emit failed(message);
}

void Runner::recordEnd(RunOutcome outcome, const RunResult& result, const QString& error) {
    if (!history_ || historyId_ == 0) return;
    try {
        history_->finishRun(historyId_, outcome, result.output,
                            outcome == RunOutcome::Failed ? QJsonObject() : result.statisticsJson(), error);
    } catch (const HistoryError& historyError) {
        qWarning("run history: %s", historyError.what());
    }
}

}  // namespace ps
