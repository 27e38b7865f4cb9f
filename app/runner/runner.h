#pragma once
// Runs a prompt app: checks the inputs against their types, renders the
// template, builds the conversation (the instructions as the system message,
// the rendered template as the user message; a chat app keeps its earlier
// turns, a completion app sends the rendered text as is) and generates on a
// GenerationService in a worker thread. The caller's thread never blocks;
// results come back as signals on it:
//
//   started -> tokenReceived* -> exactly one of finished / failed / cancelled
//
// (a run refused before it starts, e.g. a missing input, emits only failed).
//
// History: with setHistory(), a run is recorded as running when it starts and
// updated when it ends, always from the Runner's own thread (see run_history.h
// on threads).
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <atomic>
#include <memory>
#include <vector>

#include "document/prompt_app.h"
#include "history/run_record.h"
#include "runner/generation_service.h"
#include "runner/run_result.h"

class QThread;

namespace ps {

class RunHistory;
class RunWorker;

class Runner : public QObject {
    Q_OBJECT
public:
    explicit Runner(QObject* parent = nullptr);
    // Cancels a run in progress and waits for the worker to stop.
    ~Runner() override;

    void setService(std::shared_ptr<GenerationService> service);
    std::shared_ptr<GenerationService> service() const { return service_; }
    // Not owned; must be opened on this Runner's thread. nullptr = keep no history.
    void setHistory(RunHistory* history);
    // The app to run and its file (for the history); clears the conversation.
    void setApp(PromptApp app, QString path = {});
    const PromptApp& app() const { return app_; }

    // Starts a run with `inputs` (input name -> value; a file input's value is
    // the path of the file) and `overrides` of the app's parameters. Returns
    // false, after emitting failed, when the run cannot start (invalid inputs,
    // no service, a run already going).
    bool start(const QVariantMap& inputs, const QVariantMap& overrides = {});
    // Asks the run in progress to stop; `cancelled` follows.
    void cancel();
    bool isRunning() const { return running_; }

    // The earlier turns of a chat app (user and assistant messages, without the
    // instructions); always empty for form and completion apps.
    const std::vector<templating::ChatMessage>& conversation() const { return conversation_; }
    void clearConversation() { conversation_.clear(); }
    // Drops the last exchange of a chat (the model's reply and the message it
    // answered), so that the same message can be sent again for another reply.
    // False when there is no reply to take back.
    bool takeBackLastReply();

    // What start() would send for `inputs` (validated and rendered), without
    // running it; for "show prompt" and tests. Throws AppPromptError.
    GenerationInput prepareInput(const QVariantMap& inputs) const;

signals:
    void started(qint64 historyId);
    void tokenReceived(const QString& text);
    void finished(const ps::RunResult& result);
    void failed(const QString& message);
    void cancelled(const ps::RunResult& partial);

private:
    void onGenerated(const GenerationResult& result);
    void onFailed(const QString& message);
    // "The text is too long for this model: ..." in words a non-programmer follows.
    QString promptTooLongMessage(qint64 promptTokens, int contextTokens) const;
    void recordEnd(RunOutcome outcome, const RunResult& result, const QString& error);

    std::shared_ptr<GenerationService> service_;
    RunHistory* history_ = nullptr;
    PromptApp app_;
    QString appPath_;
    std::vector<templating::ChatMessage> conversation_;

    QThread* thread_ = nullptr;
    RunWorker* worker_ = nullptr;  // lives on thread_
    std::shared_ptr<std::atomic<bool>> cancel_;
    bool running_ = false;

    // The run in progress.
    qint64 historyId_ = 0;
    QString output_;
    std::vector<templating::ChatMessage> pendingTurn_;  // user message of a chat run
};

}  // namespace ps
