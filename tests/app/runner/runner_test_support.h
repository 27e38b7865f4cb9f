#pragma once
// Test helpers for the Runner: a GenerationService that plays back a script
// (so the threading, signal order and cancel paths are tested without a
// model), and a recorder that logs every Runner signal in order and waits for
// the end of a run with a timeout.
#include <QEventLoop>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "runner/generation_service.h"
#include "runner/runner.h"

namespace ps::test {

class ScriptedService : public GenerationService {
public:
    explicit ScriptedService(std::vector<std::string> pieces, std::chrono::milliseconds delay = {})
        : pieces_(std::move(pieces)), delay_(delay) {}

    QString name() const override { return "scripted"; }
    QString describe() const override { return "scripted service"; }
    QString modelName() const override { return "scripted-model"; }
    std::string renderPrompt(const GenerationInput& input) const override { return input.prompt; }

    GenerationResult generate(const GenerationInput& input, const GenerationParameters& parameters,
                              const TextCallback& onText, const std::atomic<bool>* cancel) override {
        {
            std::lock_guard lock(mutex_);
            inputs_.push_back(input);
            parameters_.push_back(parameters);
        }
        if (!failure_.empty()) throw GenerationServiceError(failure_);
        GenerationResult result;
        result.stopReason = StopReason::EndOfGeneration;
        for (const auto& piece : pieces_) {
            if (cancel && cancel->load()) {
                result.stopReason = StopReason::Cancelled;
                break;
            }
            std::this_thread::sleep_for(delay_);
            result.text += piece;
            ++result.stats.generatedTokens;
            if (onText) onText(piece);
        }
        return result;
    }

    void failWith(std::string message) { failure_ = std::move(message); }
    std::vector<GenerationInput> inputs() const {
        std::lock_guard lock(mutex_);
        return inputs_;
    }
    std::vector<GenerationParameters> parameters() const {
        std::lock_guard lock(mutex_);
        return parameters_;
    }

private:
    std::vector<std::string> pieces_;
    std::chrono::milliseconds delay_;
    std::string failure_;
    mutable std::mutex mutex_;
    std::vector<GenerationInput> inputs_;
    std::vector<GenerationParameters> parameters_;
};

// Every signal of a Runner as "started", "token:<text>", "finished", "failed:<msg>",
// "cancelled", in arrival order.
class RunRecorder : public QObject {
public:
    explicit RunRecorder(Runner& runner) {
        connect(&runner, &Runner::started, this, [this](qint64) { events << "started"; });
        connect(&runner, &Runner::tokenReceived, this, [this](const QString& text) {
            events << "token:" + text;
            tokens += text;
        });
        connect(&runner, &Runner::finished, this, [this](const RunResult& r) {
            events << "finished";
            result = r;
            emitEnd();
        });
        connect(&runner, &Runner::failed, this, [this](const QString& message) {
            events << "failed:" + message;
            emitEnd();
        });
        connect(&runner, &Runner::cancelled, this, [this](const RunResult& r) {
            events << "cancelled";
            result = r;
            emitEnd();
        });
    }

    // Runs the event loop until the run ends; false on timeout.
    bool waitForEnd(int timeoutMs = 60000) {
        if (ended_) return true;
        QEventLoop loop;
        loop_ = &loop;
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
        loop_ = nullptr;
        return ended_;
    }
    // Lets queued signals that might (wrongly) follow the end arrive.
    static void drainEvents(int ms = 50) {
        QEventLoop loop;
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        loop.exec();
    }
    void reset() {
        events.clear();
        tokens.clear();
        result = {};
        ended_ = false;
    }
    int count(const QString& prefix) const {
        int n = 0;
        for (const auto& event : events) n += event.startsWith(prefix) ? 1 : 0;
        return n;
    }

    QStringList events;
    QString tokens;
    RunResult result;

private:
    void emitEnd() {
        ended_ = true;
        if (loop_) loop_->quit();
    }
    bool ended_ = false;
    QEventLoop* loop_ = nullptr;
};

}  // namespace ps::test
