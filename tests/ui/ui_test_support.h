#pragma once
// Helpers of the widget tests: waiting on the event loop, the sample apps, the
// stories260K model as a service, and a clean apps folder per test.
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "backend/backend.h"
#include "runner/generation_service.h"
#include "runner/local_generation_service.h"
#include "shell/main_window.h"

namespace ps::test {

// Processes events until `done` or `timeoutMs`; returns done().
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs = 10000) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    return true;
}

inline void processEventsFor(int ms) {
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

// The sample gallery of the source tree.
inline QString samplesDir() { return QStringLiteral(PS_TEST_SAMPLES_DIR); }
inline QString samplePath(const QString& file) { return QDir(samplesDir()).filePath(file); }
inline QString testDataPath(const QString& file) {
    return QDir(QStringLiteral(PS_TEST_DATA_DIR)).filePath(file);
}

// stories260K on the CPU.
inline std::shared_ptr<LocalGenerationService> loadStories(const std::filesystem::path& path, int threads = 2) {
    BackendOptions options;
    options.choice = BackendOptions::Choice::Cpu;
    options.threads = threads;
    options.contextLength = 512;
    return LocalGenerationService::load(path, options);
}

// The real service with a pause after each piece of text, so a test can stop a
// run half-way however fast the model is.
class SlowedService : public GenerationService {
public:
    SlowedService(std::shared_ptr<GenerationService> inner, int pauseMs)
        : inner_(std::move(inner)), pauseMs_(pauseMs) {}
    QString name() const override { return inner_->name(); }
    QString describe() const override { return inner_->describe(); }
    QString modelName() const override { return inner_->modelName(); }
    GenerationResult generate(const GenerationInput& input, const GenerationParameters& parameters,
                              const TextCallback& onText, const std::atomic<bool>* cancel) override {
        return inner_->generate(input, parameters, [&](const std::string& text) {
            std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs_));
            return onText(text);
        }, cancel);
    }
    std::string renderPrompt(const GenerationInput& input) const override { return inner_->renderPrompt(input); }

private:
    std::shared_ptr<GenerationService> inner_;
    int pauseMs_;
};

// A fresh apps folder and clean settings for one test.
class CleanSettings {
public:
    CleanSettings() {
        QSettings().clear();
        QSettings().setValue(QStringLiteral("folders/apps"), dir_.filePath(QStringLiteral("apps")));
        QDir().mkpath(dir_.filePath(QStringLiteral("apps")));
        // As on a real desktop, where the trash lives.
        QDir().mkpath(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation));
    }
    ~CleanSettings() { QSettings().clear(); }
    QString appsFolder() const { return dir_.filePath(QStringLiteral("apps")); }
    QString path(const QString& name) const { return dir_.filePath(name); }

private:
    QTemporaryDir dir_;
};

// A main window's options for a test: the source tree's samples, a history in
// the test's own folder, and the default layout (nothing restored).
inline ui::MainWindowOptions windowOptions(const CleanSettings& settings) {
    ui::MainWindowOptions options;
    options.samplesFolder = samplesDir();
    options.historyPath = settings.path(QStringLiteral("history.sqlite"));
    options.restoreState = false;
    return options;
}

}  // namespace ps::test
