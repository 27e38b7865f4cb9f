#include "demo/race_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "demo/stage_look.h"
#include "run/duration_text.h"
#include "run/output_pane.h"
#include "runner/run_result.h"
#include "runner/runner.h"

namespace ps::ui {

namespace {
// Closer than this is no win worth announcing (timing noise on a busy machine).
constexpr double kSameSpeedRatio = 1.1;
}  // namespace

struct RaceView::Lane {
    RaceEngine engine;
    Runner* runner = nullptr;
    QLabel* label = nullptr;
    OutputPane* output = nullptr;
    QLabel* result = nullptr;
    double finishMs = -1;
    GenerationStats stats;
    double tokensPerSecond = 0;
    int tokens = 0;
    bool done = false;
};

RaceView::RaceView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("raceView"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < 2; ++i) {
        lanes_[i] = std::make_unique<Lane>();
        Lane& lane = *lanes_[i];
        lane.runner = new Runner(this);
        lane.label = new QLabel(this);
        lane.label->setTextFormat(Qt::PlainText);
        lane.output = new OutputPane(this);
        lane.output->setFormat(OutputFormat::Text);
        lane.output->browser()->setFrameShape(QFrame::NoFrame);
        lane.result = new QLabel(this);
        lane.result->setTextFormat(Qt::PlainText);
        auto* column = new QVBoxLayout;
        column->addWidget(lane.label);
        column->addWidget(lane.output, 1);
        column->addWidget(lane.result);
        layout->addLayout(column, 1);
        if (i == 0) {
            auto* divider = new QFrame(this);
            divider->setFrameShape(QFrame::VLine);
            divider->setStyleSheet(QStringLiteral("color: %1;").arg(stage::surface().lighter(160).name()));
            layout->addWidget(divider);
        }
        connect(lane.runner, &Runner::tokenReceived, lane.output, &OutputPane::append);
        connect(lane.runner, &Runner::finished, this, [this, i](const RunResult& result) {
            Lane& lane = *lanes_[i];
            lane.stats = result.stats;
            lane.tokens = result.stats.generatedTokens;
            lane.tokensPerSecond = result.stats.decodeTokensPerSecond();
            laneEnded(i);
        });
        connect(lane.runner, &Runner::cancelled, this, [this, i](const RunResult&) {
            cancelled_ = true;
            laneEnded(i);
        });
        connect(lane.runner, &Runner::failed, this, [this, i](const QString& message) {
            if (!failed_) emit failed(tr("%1: %2").arg(lanes_[i]->engine.label, message));
            failed_ = true;
            laneEnded(i);
        });
    }
    stage::applyStagePalette(this);
}

RaceView::~RaceView() = default;

void RaceView::setEngines(const RaceEngines& engines) {
    stop();
    lanes_[0]->engine = engines.first;
    lanes_[1]->engine = engines.second;
    for (auto& lane : lanes_) {
        lane->label->setText(lane->engine.label);
        lane->runner->setService(lane->engine.service);
    }
}

bool RaceView::hasEngines() const { return lanes_[0]->engine.service && lanes_[1]->engine.service; }

void RaceView::setAnswerPointSize(double points) {
    for (auto& lane : lanes_) {
        lane->label->setFont(stage::scaled(font(), points * 0.9, true));
        lane->output->setFont(stage::scaled(font(), points * 0.8));
        lane->result->setFont(stage::scaled(font(), points * 0.8, true));
    }
}

bool RaceView::start(const PromptApp& app, const QString& appPath, const QVariantMap& inputs,
                     const QVariantMap& overrides) {
    if (running_ || !hasEngines()) return false;
    clear();
    running_ = true;
    failed_ = false;
    cancelled_ = false;
    // The same seed on both sides: the same answer, so only the speed differs.
    QVariantMap same = overrides;
    if (!app.parameters.seed && !same.contains(QStringLiteral("seed"))) same.insert(QStringLiteral("seed"), 42);
    clock_.start();
    for (auto& lane : lanes_) {
        lane->runner->setApp(app, appPath);
        if (!lane->runner->start(inputs, same)) {  // `failed` has said why
            stop();
            running_ = false;
            return false;
        }
    }
    return true;
}

void RaceView::stop() {
    for (auto& lane : lanes_)
        if (lane->runner->isRunning()) lane->runner->cancel();
}

bool RaceView::isRunning() const { return running_; }

void RaceView::clear() {
    for (auto& lane : lanes_) {
        lane->output->clear();
        lane->result->clear();
        lane->result->setPalette(palette());
        lane->finishMs = -1;
        lane->done = false;
        lane->tokens = 0;
        lane->tokensPerSecond = 0;
        lane->stats = {};
    }
}

OutputPane* RaceView::lane(int index) const { return lanes_[index]->output; }
QString RaceView::laneLabel(int index) const { return lanes_[index]->label->text(); }
QString RaceView::resultText(int index) const { return lanes_[index]->result->text(); }
double RaceView::finishMs(int index) const { return lanes_[index]->finishMs; }
const GenerationStats& RaceView::stats(int index) const { return lanes_[index]->stats; }

void RaceView::laneEnded(int index) {
    Lane& lane = *lanes_[index];
    lane.done = true;
    // The engine's own time (from the call to the last token, measured on its worker
    // thread) where it has one: when the window is busy both results can arrive in
    // the same pass of the event loop, and the clock here would call it a draw.
    const double engineMs = lane.stats.timeToFirstTokenMs + lane.stats.decodeMs;
    lane.finishMs = engineMs > 0 ? engineMs : double(clock_.nsecsElapsed()) / 1e6;
    lane.output->finish();
    if (!failed_ && !cancelled_) {
        lane.result->setText(tr("Finished in %1  ·  %2 tokens/s")
                                 .arg(durationText(lane.finishMs))
                                 .arg(lane.tokensPerSecond, 0, 'f', 1));
    }
    // The other lane goes on alone: the race is over only when both are.
    if (!lanes_[0]->done || !lanes_[1]->done) {
        if (failed_ || cancelled_) stop();
        return;
    }
    running_ = false;
    if (!failed_ && !cancelled_) announce();
    emit ended();
}

void RaceView::announce() {
    // Time is the fair measure when both wrote the same tokens (the same seed and
    // model); otherwise the writing speed is.
    Lane& a = *lanes_[0];
    Lane& b = *lanes_[1];
    const bool sameLength = a.tokens == b.tokens;
    const double aScore = sameLength ? 1.0 / std::max(a.finishMs, 0.001) : a.tokensPerSecond;
    const double bScore = sameLength ? 1.0 / std::max(b.finishMs, 0.001) : b.tokensPerSecond;
    Lane& fast = aScore >= bScore ? a : b;
    Lane& slow = aScore >= bScore ? b : a;
    const double ratio = std::max(aScore, bScore) / std::max(std::min(aScore, bScore), 1e-9);
    const QString times = tr("%1×").arg(ratio, 0, 'f', ratio < 10 ? 1 : 0);
    if (ratio >= kSameSpeedRatio)
        fast.result->setText(fast.result->text() + QStringLiteral("  ·  ") + tr("%1 faster").arg(times));
    if (ratio < kSameSpeedRatio) {
        emit finished(tr("%1 and %2 finished together: the same speed on this machine")
                          .arg(a.engine.label, b.engine.label));
        return;
    }
    // A palette, not a style sheet: a style sheet would also reset the stage's font size.
    QPalette palette = fast.result->palette();
    palette.setColor(QPalette::WindowText, stage::winner());
    fast.result->setPalette(palette);
    emit finished(tr("%1 was %2 faster than %3").arg(fast.engine.label, times, slow.engine.label));
}

}  // namespace ps::ui
