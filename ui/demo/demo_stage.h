#pragma once
// Demo mode's stage: one full-screen, dark window showing a deck's slides one at a
// time: the app's name and inputs above, its answer arriving in large type, the live
// metrics strip below; a race slide shows two engines side by side. Driven from the
// keyboard or a presentation clicker (which sends the same keys):
//
//   → Space Page Down   next slide          ← Page Up   previous slide
//   Enter               run                 Esc         stop
//   R                   run again           B .         blank the stage (again: back)
//   N                   the presenter's note (a small line under the answer; again: hidden)
//   F11 Ctrl+Q          leave demo mode
//
// A hint with these keys fades out after a few seconds. Left alone for the deck's
// attract_after seconds, the deck plays itself (run, pause, next) until a key is
// pressed. Nothing on the stage is a dialog: a problem is one calm line under the
// title. Before the session, everything the deck needs is loaded in the background
// (the apps, the window's model, each race's two engines), with a percentage on
// the stage; the stage answers its keys all the while.
#include <QVariantMap>
#include <QWidget>

#include <memory>

#include "deck/deck.h"
#include "runner/race_engines.h"

class QLabel;
class QScreen;
class QStackedWidget;

namespace ps {
class GenerationService;
class Runner;
struct MachineSample;
struct RunResult;
}  // namespace ps

namespace ps::ui {

class MetricsStrip;
class OutputPane;
class RaceView;

class DemoStage : public QWidget {
    Q_OBJECT
public:
    explicit DemoStage(QWidget* parent = nullptr);
    // Stops the runs and waits for a race load still going.
    ~DemoStage() override;

    void setDeck(const Deck& deck);
    const Deck& deck() const;
    // What single slides run on (the window's model); null = none loaded yet.
    void setService(std::shared_ptr<GenerationService> service);
    // Parameters for apps that do not set them (the user's defaults).
    void setDefaultParameters(const QVariantMap& parameters);
    // How the race engines are chosen (tests: no GPU, a small context).
    void setRaceOptions(const RaceOptions& options);
    // Tests hand in the engines instead of loading them.
    void setRaceEngines(const RaceEngines& engines);
    // The NVML library the metrics strip reads (tests: a fake); before present().
    void setNvmlLibraryPath(const QString& path);
    // Overrides the deck's attract_after (`idleMs`; 0 = never) and the pause after each
    // answer in the attract loop (tests make both short).
    void setAttractTimes(int idleMs, int pauseMs);

    // Loads what the deck needs, shows the stage full screen on `screen` (null = the
    // primary one) and its first slide. A valid `windowed` geometry shows it as a
    // window of that size instead (the screenshot tour).
    void present(QScreen* screen = nullptr, const QRect& windowed = {});
    // True once everything the deck needs has loaded (or failed calmly).
    bool isReady() const;
    // How much of what the deck needs has loaded, 0-100 (100 once ready).
    int loadPercent() const;

    int currentIndex() const;
    int slideCount() const;
    void showSlide(int index);
    void next();
    void previous();
    void run();
    void stop();
    void toggleBlank();
    // N: the presenter's note of the slide, on or off (for the whole session).
    void toggleNote();
    bool isNoteShown() const;
    // The note line on the stage, or empty when it is not shown.
    QString noteText() const;
    void leave();
    // Puts one calm line on the stage (a deck that could not be read).
    void showProblem(const QString& text);

    bool isRunning() const;
    bool isBlank() const;
    bool inAttractLoop() const;
    bool isRaceShown() const;

    // What is on the stage, for tests and the screenshot tour.
    QString titleText() const;
    QString inputsText() const;
    QString statusText() const;  // the calm line (a problem, the race's result), or empty
    QString answerText() const;
    double hintOpacity() const;
    double answerPointSize() const;
    OutputPane* answer() const;
    RaceView* race() const;
    MetricsStrip* metrics() const;

signals:
    void slideChanged(int index);
    void runStarted();
    void runEnded();
    void ready();
    void loadProgress(int percent);
    void left();

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Private;
    std::unique_ptr<Private> d;

    void buildUi();
    void prepare();
    void showHint();
    void setStatus(const QString& text, bool problem);
    // The calm line for the slide shown: its problem, the deck's loading, its race's.
    void updateStatus();
    QString raceProblem() const;
    void showRaceEngines();
    void restartIdleTimer();
    void attractStep();
    void onToken(const QString& text);
    void onFinished(const RunResult& result);
    void onFailed(const QString& message);
    void onRunEnded();
    void sampleLiveSpeed();
    void applySizes();
    void updateModelLabel();
};

}  // namespace ps::ui
