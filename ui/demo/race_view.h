#pragma once
// The race: the same app with the same inputs on two engines at once, side by
// side, each answer streaming at its own pace. When both are done each lane shows
// its finish time and the faster one "N× faster". Each lane has its own Runner (its
// own worker thread), so neither waits for the other; tokens reach the lanes
// through OutputPane's buffer, flushed at display rate, as on the Run page.
#include <QElapsedTimer>
#include <QVariantMap>
#include <QWidget>

#include "document/prompt_app.h"
#include "runner/race_engines.h"

class QLabel;

namespace ps {
class Runner;
struct RunResult;
}  // namespace ps

namespace ps::ui {

class OutputPane;

class RaceView : public QWidget {
    Q_OBJECT
public:
    explicit RaceView(QWidget* parent = nullptr);
    ~RaceView() override;

    void setEngines(const RaceEngines& engines);
    bool hasEngines() const;
    // Type sizes for the stage's screen.
    void setAnswerPointSize(double points);

    // Starts both lanes; false (after `failed`) when a lane cannot start.
    bool start(const PromptApp& app, const QString& appPath, const QVariantMap& inputs,
               const QVariantMap& overrides);
    void stop();
    bool isRunning() const;
    void clear();

    OutputPane* lane(int index) const;
    QString laneLabel(int index) const;
    QString resultText(int index) const;  // "Finished in 1.20 s · 120.5 tokens/s", "3.4× faster"
    // The finish time of each lane in ms (-1 while it runs).
    double finishMs(int index) const;
    // The statistics of a lane's last finished run.
    const GenerationStats& stats(int index) const;

signals:
    // Both lanes are done; `summary` says who won by how much.
    void finished(const QString& summary);
    void failed(const QString& message);
    // Both lanes have stopped, however (after finished, failed, or a stop).
    void ended();

private:
    struct Lane;
    void laneEnded(int index);
    void announce();

    std::unique_ptr<Lane> lanes_[2];
    QElapsedTimer clock_;
    bool running_ = false;
    bool failed_ = false;
    bool cancelled_ = false;
};

}  // namespace ps::ui
