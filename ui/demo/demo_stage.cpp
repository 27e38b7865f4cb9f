#include "demo/demo_stage.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGraphicsOpacityEffect>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPropertyAnimation>
#include <QScreen>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include "demo/metrics_strip.h"
#include "demo/race_view.h"
#include "demo/stage_look.h"
#include "document/promptapp_reader.h"
#include "library/app_library_model.h"
#include "machine/machine_monitor.h"
#include "models/model_summary.h"
#include "run/output_pane.h"
#include "runner/generation_service.h"
#include "runner/run_result.h"
#include "runner/runner.h"

namespace ps::ui {

namespace {
constexpr int kHintVisibleMs = 4000;    // then it fades
constexpr int kHintFadeMs = 1500;
constexpr int kAttractPauseMs = 4000;   // an answer stays this long before the next slide
constexpr int kSpeedTickMs = 250;       // the sparkline's readings when no text arrives
constexpr double kMinSpeedWindowMs = 60;
constexpr int kMaxInputChars = 80;      // of each input shown under the title
}  // namespace

struct DemoStage::Private {
    Deck deck;
    QList<PromptApp> apps;
    QStringList problems;  // per slide: why it cannot run, or empty
    std::shared_ptr<GenerationService> service;
    QVariantMap defaultParameters;
    RaceOptions raceOptions;
    bool raceEnginesGiven = false;
    bool raceLoading = false;
    QString raceProblem;
    QString nvmlPath = QString::fromLatin1(NvmlLibrary::kDefaultPath);
    int attractMs = -1;  // -1 = the deck's
    bool presented = false;
    bool ready = false;
    int index = 0;
    bool attract = false;

    Runner* runner = nullptr;
    MachineMonitor* monitor = nullptr;
    QLabel* title = nullptr;
    QLabel* counter = nullptr;
    QLabel* inputs = nullptr;
    QLabel* status = nullptr;
    QStackedWidget* stack = nullptr;
    OutputPane* answer = nullptr;
    RaceView* race = nullptr;
    MetricsStrip* metrics = nullptr;
    QLabel* hint = nullptr;
    QGraphicsOpacityEffect* hintOpacity = nullptr;
    QPropertyAnimation* hintFade = nullptr;
    QTimer* hintTimer = nullptr;
    QWidget* blank = nullptr;
    QTimer* idle = nullptr;
    QTimer* attractPause = nullptr;
    QTimer* speedTick = nullptr;

    // The run in progress, for the live figures.
    QElapsedTimer clock;
    double firstTokenMs = -1;
    int pieces = 0;
    int piecesAtTick = 0;
    qint64 tickNs = 0;
    double pointSize = 28;
};

DemoStage::DemoStage(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>()) {
    setWindowTitle(tr("Prompt Studio – Demo"));
    setObjectName(QStringLiteral("demoStage"));
    setFocusPolicy(Qt::StrongFocus);
    d->runner = new Runner(this);
    connect(d->runner, &Runner::tokenReceived, this, &DemoStage::onToken);
    connect(d->runner, &Runner::finished, this, &DemoStage::onFinished);
    connect(d->runner, &Runner::failed, this, &DemoStage::onFailed);
    connect(d->runner, &Runner::cancelled, this, [this](const RunResult&) {
        d->answer->finish();
        onRunEnded();
    });
    buildUi();
}

DemoStage::~DemoStage() {
    d->idle->stop();
    d->attractPause->stop();
    if (d->runner->isRunning()) d->runner->cancel();
    d->race->stop();
    // A race load still going reports to this object: wait for it (seconds at most).
    for (QThread* thread : findChildren<QThread*>(QString(), Qt::FindDirectChildrenOnly)) thread->wait();
}

void DemoStage::buildUi() {
    stage::applyStagePalette(this);
    d->title = new QLabel(this);
    d->title->setTextFormat(Qt::PlainText);
    d->counter = new QLabel(this);
    d->counter->setTextFormat(Qt::PlainText);
    d->inputs = new QLabel(this);
    d->inputs->setTextFormat(Qt::PlainText);
    d->inputs->setWordWrap(true);
    d->status = new QLabel(this);
    d->status->setTextFormat(Qt::PlainText);
    d->status->setWordWrap(true);
    d->status->hide();

    d->answer = new OutputPane(this);
    d->answer->browser()->setFrameShape(QFrame::NoFrame);
    d->answer->browser()->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    d->race = new RaceView(this);
    d->stack = new QStackedWidget(this);
    d->stack->addWidget(d->answer);
    d->stack->addWidget(d->race);
    connect(d->race, &RaceView::finished, this, [this](const QString& summary) {
        setStatus(summary, false);
        // The strip shows the first engine's run (the one expected to win).
        const GenerationStats& stats = d->race->stats(0);
        d->metrics->setFinal(stats.timeToFirstTokenMs, stats.generatedTokens, stats.decodeTokensPerSecond(),
                             stats.reusedPromptTokens, stats.promptTokens);
    });
    connect(d->race, &RaceView::failed, this, [this](const QString& message) {
        setStatus(tr("The race stopped: %1").arg(message.section(QLatin1Char('\n'), 0, 0)), true);
    });
    connect(d->race, &RaceView::ended, this, &DemoStage::onRunEnded);

    d->metrics = new MetricsStrip(this);

    auto* heading = new QHBoxLayout;
    heading->addWidget(d->title, 1);
    heading->addWidget(d->counter, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(heading);
    layout->addWidget(d->inputs);
    layout->addWidget(d->status);
    layout->addWidget(d->stack, 1);

    // The keys, in a row of their own under the answer (never over it), fading out.
    d->hint = new QLabel(tr("→ next   ← back   Enter run   Esc stop   R again   B blank   F11 leave"), this);
    layout->addWidget(d->hint, 0, Qt::AlignRight);
    layout->addWidget(d->metrics);

    d->hint->setObjectName(QStringLiteral("stageHint"));
    d->hint->setTextFormat(Qt::PlainText);
    d->hint->setAutoFillBackground(true);
    QPalette hintPalette = d->hint->palette();
    hintPalette.setColor(QPalette::Window, stage::surface());
    hintPalette.setColor(QPalette::WindowText, stage::dimText());
    d->hint->setPalette(hintPalette);
    d->hintOpacity = new QGraphicsOpacityEffect(d->hint);
    d->hint->setGraphicsEffect(d->hintOpacity);
    d->hintFade = new QPropertyAnimation(d->hintOpacity, "opacity", this);
    d->hintFade->setDuration(kHintFadeMs);
    d->hintFade->setEndValue(0.0);
    d->hintTimer = new QTimer(this);
    d->hintTimer->setSingleShot(true);
    d->hintTimer->setInterval(kHintVisibleMs);
    connect(d->hintTimer, &QTimer::timeout, d->hintFade, [this] { d->hintFade->start(); });

    d->blank = new QWidget(this);
    d->blank->setObjectName(QStringLiteral("stageBlank"));
    QPalette black = d->blank->palette();
    black.setColor(QPalette::Window, Qt::black);
    d->blank->setPalette(black);
    d->blank->setAutoFillBackground(true);
    d->blank->hide();

    d->idle = new QTimer(this);
    d->idle->setSingleShot(true);
    connect(d->idle, &QTimer::timeout, this, [this] {
        d->attract = true;
        attractStep();
    });
    d->attractPause = new QTimer(this);
    d->attractPause->setSingleShot(true);
    d->attractPause->setInterval(kAttractPauseMs);
    connect(d->attractPause, &QTimer::timeout, this, [this] {
        if (!d->attract) return;
        showSlide(d->index + 1 < slideCount() ? d->index + 1 : 0);
        attractStep();
    });
    d->speedTick = new QTimer(this);
    d->speedTick->setInterval(kSpeedTickMs);
    connect(d->speedTick, &QTimer::timeout, this, &DemoStage::sampleLiveSpeed);
    // The figures move with the text: once per flush of the answer, not per token.
    connect(d->answer, &OutputPane::flushed, this, &DemoStage::sampleLiveSpeed);

    // The stage takes every key itself: no child may hold the focus (a text
    // browser would eat the arrows to scroll).
    for (QWidget* child : findChildren<QWidget*>()) {
        child->setFocusPolicy(Qt::NoFocus);
        child->installEventFilter(this);
    }
    applySizes();
}

void DemoStage::setDeck(const Deck& deck) {
    d->deck = deck;
    d->index = 0;
    if (d->presented) prepare();
}

const Deck& DemoStage::deck() const { return d->deck; }

void DemoStage::setService(std::shared_ptr<GenerationService> service) {
    d->service = std::move(service);
    if (!d->runner->isRunning()) d->runner->setService(d->service);
    updateModelLabel();
    if (d->presented && !d->ready && !d->raceLoading) prepare();  // the race was waiting for the model
}

void DemoStage::setDefaultParameters(const QVariantMap& parameters) { d->defaultParameters = parameters; }
void DemoStage::setRaceOptions(const RaceOptions& options) { d->raceOptions = options; }

void DemoStage::setRaceEngines(const RaceEngines& engines) {
    d->raceEnginesGiven = true;
    d->race->setEngines(engines);
}

void DemoStage::setNvmlLibraryPath(const QString& path) { d->nvmlPath = path; }
void DemoStage::setAttractTimes(int idleMs, int pauseMs) {
    d->attractMs = idleMs;
    d->attractPause->setInterval(pauseMs);
}

void DemoStage::present(QScreen* screen, const QRect& windowed) {
    if (!screen) screen = QGuiApplication::primaryScreen();
    if (windowed.isValid()) setGeometry(windowed);
    else if (screen) setGeometry(screen->geometry());
    d->presented = true;
    if (!d->monitor) {
        d->monitor = new MachineMonitor(d->nvmlPath, this);
        connect(d->monitor, &MachineMonitor::sampled, d->metrics, &MetricsStrip::setMachine);
        d->monitor->start();
    }
    prepare();
    if (windowed.isValid()) show();
    else showFullScreen();
    raise();
    activateWindow();
    setFocus(Qt::OtherFocusReason);
    showHint();
    restartIdleTimer();
}

void DemoStage::prepare() {
    d->apps.clear();
    d->problems.clear();
    bool needsRace = false;
    for (const DeckSlide& slide : d->deck.slides) {
        const QString path = d->deck.appPathOf(slide);
        const PromptAppLoadResult result = loadPromptApp(path);
        d->apps.append(result.app);
        QString problem;
        if (!result.ok()) {
            const QString first = result.errors.isEmpty() ? tr("it cannot be read") : result.errors.first().toString();
            problem = tr("%1 cannot run: %2").arg(QFileInfo(path).fileName(), first);
        }
        d->problems.append(problem);
        needsRace = needsRace || (slide.race && result.ok());
    }
    d->ready = true;
    d->raceProblem.clear();
    if (needsRace && !d->raceEnginesGiven && !d->race->hasEngines()) {
        if (!d->service) {
            d->ready = false;  // waits for the window's model (setService)
            d->raceProblem = tr("Waiting for the model to load…");
        } else if (d->service->name() != QLatin1String("local")) {
            d->raceProblem = tr("The race needs a model on this computer; this deck runs on a remote server.");
        } else {
            d->ready = false;
            d->raceLoading = true;
            const QString model = d->service->modelName();
            d->raceProblem = tr("Getting the race ready: loading %1 on two engines…").arg(QFileInfo(model).fileName());
            loadRaceEnginesInBackground(this, model, d->raceOptions, [this](RaceEngines engines, QString error) {
                d->raceLoading = false;
                d->ready = true;
                if (error.isEmpty()) {
                    d->race->setEngines(engines);
                    d->raceProblem.clear();
                } else {
                    d->raceProblem = tr("The race cannot run: %1").arg(error.section(QLatin1Char('\n'), 0, 0));
                }
                showSlide(d->index);
                emit ready();
            });
        }
    }
    showSlide(std::clamp(d->index, 0, std::max(0, slideCount() - 1)));
    if (d->ready) emit ready();
}

bool DemoStage::isReady() const { return d->ready; }
int DemoStage::currentIndex() const { return d->index; }
int DemoStage::slideCount() const { return int(d->deck.slides.size()); }

void DemoStage::showSlide(int index) {
    if (d->runner->isRunning()) d->runner->cancel();
    d->race->stop();
    d->attractPause->stop();
    if (slideCount() == 0) {
        d->title->setText(d->deck.name.isEmpty() ? tr("An empty deck") : d->deck.name);
        d->counter->clear();
        d->inputs->clear();
        setStatus(tr("This deck has no slides yet: add runs to it with Run → Add This Run to a Deck."), true);
        return;
    }
    const bool changed = index != d->index;
    d->index = std::clamp(index, 0, slideCount() - 1);
    const DeckSlide& slide = d->deck.slides.at(d->index);
    const PromptApp& app = d->apps.value(d->index);
    const QString icon = app.icon.isEmpty() ? AppLibraryModel::defaultIcon() : app.icon;
    d->title->setText(icon + QLatin1Char(' ') +
                      (app.name.isEmpty() ? QFileInfo(slide.app).completeBaseName() : app.name));
    d->counter->setText(QStringLiteral("%1 / %2").arg(d->index + 1).arg(slideCount()));
    QStringList shown;
    const QStringList order = slide.inputOrder.isEmpty() ? slide.inputs.keys() : slide.inputOrder;
    for (const QString& name : order) {
        const PromptInput* input = app.findInput(name);
        const QString label = input && !input->label.isEmpty() ? input->label : name;
        QString value = slide.inputs.value(name).toString().simplified();
        if (value.size() > kMaxInputChars) value = value.left(kMaxInputChars - 1) + QChar(0x2026);
        // "Who is the story about? a little fox", "Hero: a little fox"
        const bool punctuated = label.endsWith(QLatin1Char('?')) || label.endsWith(QLatin1Char(':'));
        shown << (punctuated ? QStringLiteral("%1 %2") : QStringLiteral("%1: %2")).arg(label, value);
    }
    d->inputs->setText(shown.join(QStringLiteral("   ·   ")));
    d->inputs->setVisible(!shown.isEmpty());
    d->stack->setCurrentWidget(slide.race ? static_cast<QWidget*>(d->race) : d->answer);
    d->answer->setFormat(app.output);
    d->answer->setPlaceholder(tr("Press Enter to run."));
    d->answer->clear();
    d->race->clear();
    d->metrics->startRun();
    if (!d->problems.value(d->index).isEmpty())
        setStatus(d->problems.at(d->index), true);
    else if (slide.race && !d->raceProblem.isEmpty())
        setStatus(d->raceProblem, !d->raceLoading && d->ready);
    else
        setStatus(QString(), false);
    if (changed) emit slideChanged(d->index);
}

void DemoStage::next() {
    if (d->index + 1 < slideCount()) showSlide(d->index + 1);
}

void DemoStage::previous() {
    if (d->index > 0) showSlide(d->index - 1);
}

void DemoStage::run() {
    if (isRunning() || slideCount() == 0) return;
    const DeckSlide& slide = d->deck.slides.at(d->index);
    const PromptApp& app = d->apps.at(d->index);
    if (!d->problems.at(d->index).isEmpty()) {
        setStatus(d->problems.at(d->index), true);
        return;
    }
    // The user's defaults fill in what the app leaves open; the app's own settings win.
    QVariantMap overrides = d->defaultParameters;
    const QVariantMap own = app.parameters.toVariantMap();
    for (auto it = own.constBegin(); it != own.constEnd(); ++it) overrides.remove(it.key());
    const QString path = d->deck.appPathOf(slide);
    if (slide.race) {
        if (!d->race->hasEngines()) {
            setStatus(d->raceProblem.isEmpty() ? tr("The race is not ready.") : d->raceProblem, true);
            return;
        }
        setStatus(QString(), false);
        if (d->race->start(app, path, slide.inputs, overrides)) emit runStarted();
        return;
    }
    if (!d->service) {
        setStatus(tr("No model is loaded yet: choose one on the Models page, then come back."), true);
        return;
    }
    setStatus(QString(), false);
    d->runner->setService(d->service);
    d->runner->setApp(app, path);
    d->answer->clear();
    d->metrics->startRun();
    d->clock.start();
    d->firstTokenMs = -1;
    d->pieces = 0;
    d->piecesAtTick = 0;
    d->tickNs = 0;
    if (!d->runner->start(slide.inputs, overrides)) return;  // `failed` put the reason on the stage
    d->speedTick->start();
    emit runStarted();
}

void DemoStage::stop() {
    if (d->runner->isRunning()) d->runner->cancel();
    d->race->stop();
}

void DemoStage::toggleBlank() {
    const bool blank = !d->blank->isVisible();
    d->blank->setGeometry(rect());
    d->blank->setVisible(blank);
    if (blank) d->blank->raise();
}

void DemoStage::leave() {
    d->attract = false;
    d->idle->stop();
    d->attractPause->stop();
    stop();
    if (d->monitor) d->monitor->stop();
    hide();
    emit left();
}

bool DemoStage::isRunning() const { return d->runner->isRunning() || d->race->isRunning(); }
bool DemoStage::isBlank() const { return d->blank->isVisible(); }
bool DemoStage::inAttractLoop() const { return d->attract; }
bool DemoStage::isRaceShown() const { return d->stack->currentWidget() == d->race; }
QString DemoStage::titleText() const { return d->title->text(); }
QString DemoStage::inputsText() const { return d->inputs->isVisibleTo(this) ? d->inputs->text() : QString(); }
QString DemoStage::statusText() const { return d->status->isVisibleTo(this) ? d->status->text() : QString(); }
QString DemoStage::answerText() const { return d->answer->text(); }
double DemoStage::hintOpacity() const { return d->hintOpacity->opacity(); }
double DemoStage::answerPointSize() const { return d->pointSize; }
OutputPane* DemoStage::answer() const { return d->answer; }
RaceView* DemoStage::race() const { return d->race; }
MetricsStrip* DemoStage::metrics() const { return d->metrics; }

void DemoStage::showProblem(const QString& text) { setStatus(text, true); }

void DemoStage::setStatus(const QString& text, bool problem) {
    // One calm line: the first line of whatever went wrong, never a dialog.
    d->status->setText(text.section(QLatin1Char('\n'), 0, 0));
    d->status->setVisible(!text.isEmpty());
    QPalette palette = d->status->palette();
    palette.setColor(QPalette::WindowText, problem ? stage::calmWarning() : stage::winner());
    d->status->setPalette(palette);
}

void DemoStage::showHint() {
    d->hintFade->stop();
    d->hintOpacity->setOpacity(1.0);
    d->hintTimer->start();
}

void DemoStage::restartIdleTimer() {
    const int ms = d->attractMs >= 0 ? d->attractMs : d->deck.attractAfterSeconds * 1000;
    if (ms > 0 && isVisible() && !d->attract) d->idle->start(ms);
    else d->idle->stop();
}

void DemoStage::attractStep() {
    if (!d->attract || slideCount() == 0) return;
    run();
    // A slide that cannot run stays up for the pause, then the loop goes on.
    if (!isRunning()) d->attractPause->start();
}

void DemoStage::keyPressEvent(QKeyEvent* event) {
    const int key = event->key();
    const bool control = event->modifiers() & Qt::ControlModifier;
    if (d->attract) {
        // Any key ends the loop and is spent doing so: the presenter's first press
        // must not also jump a slide.
        d->attract = false;
        d->attractPause->stop();
        restartIdleTimer();
        return;
    }
    restartIdleTimer();
    if (key == Qt::Key_F11 || (control && key == Qt::Key_Q)) {
        leave();
        return;
    }
    if (key == Qt::Key_B || key == Qt::Key_Period) {
        toggleBlank();
        return;
    }
    if (isBlank()) {
        toggleBlank();  // any other key brings the stage back first
        return;
    }
    switch (key) {
    case Qt::Key_Right:
    case Qt::Key_Space:
    case Qt::Key_PageDown:
    case Qt::Key_Down:
        next();
        break;
    case Qt::Key_Left:
    case Qt::Key_PageUp:
    case Qt::Key_Up:
        previous();
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        run();
        break;
    case Qt::Key_R:
        stop();
        if (d->runner->isRunning() || d->race->isRunning()) {
            // Run again once the stop has gone through.
            connect(this, &DemoStage::runEnded, this, &DemoStage::run, Qt::SingleShotConnection);
        } else {
            run();
        }
        break;
    case Qt::Key_Escape:
        stop();
        break;
    case Qt::Key_H:
    case Qt::Key_F1:
        showHint();
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
}

bool DemoStage::eventFilter(QObject* watched, QEvent* event) {
    // Keys that reach a child (a click gave it the focus after all) are the stage's.
    if (event->type() == QEvent::KeyPress && watched != this) {
        keyPressEvent(static_cast<QKeyEvent*>(event));
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void DemoStage::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    applySizes();
}

void DemoStage::applySizes() {
    d->pointSize = stage::answerPointSize(height());
    const double pt = d->pointSize;
    const QFont base = QApplication::font();
    d->title->setFont(stage::scaled(base, pt * 1.4, true));
    d->counter->setFont(stage::scaled(base, pt * 0.7));
    QPalette dim = d->counter->palette();
    dim.setColor(QPalette::WindowText, stage::dimText());
    d->counter->setPalette(dim);
    d->inputs->setFont(stage::scaled(base, pt * 0.75));
    d->inputs->setPalette(dim);
    d->status->setFont(stage::scaled(base, pt * 0.75));
    d->answer->setFont(stage::scaled(base, pt));
    d->race->setAnswerPointSize(pt);
    d->metrics->setValuePointSize(pt * 0.7);
    d->hint->setFont(stage::scaled(base, pt * 0.55));
    const int margin = int(pt * 1.2);
    layout()->setContentsMargins(margin * 2, margin, margin * 2, margin / 2);
    layout()->setSpacing(margin / 2);
    d->hint->setMargin(int(pt * 0.25));
    d->blank->setGeometry(rect());
}

void DemoStage::updateModelLabel() {
    if (!d->service) {
        d->metrics->setModel(QString());
        return;
    }
    const QString model = d->service->modelName();
    if (d->service->name() != QLatin1String("local")) {
        d->metrics->setModel(model);
        return;
    }
    const std::optional<ModelSummary> summary = readModelSummary(model);
    // The file's name (what the presenter chose), and its quantization.
    const QString name = QFileInfo(model).completeBaseName();
    d->metrics->setModel(summary && !summary->mainTensorType.isEmpty()
                             ? QStringLiteral("%1 · %2").arg(name, summary->mainTensorType)
                             : name);
}

void DemoStage::onToken(const QString& text) {
    if (d->firstTokenMs < 0) d->firstTokenMs = double(d->clock.nsecsElapsed()) / 1e6;
    ++d->pieces;
    d->answer->append(text);
}

void DemoStage::sampleLiveSpeed() {
    if (!d->runner->isRunning() || d->firstTokenMs < 0) return;
    // Tokens since the last reading over the time since: the speed right now, read
    // over at least kMinSpeedWindowMs so that one flush's burst does not count alone.
    const qint64 now = d->clock.nsecsElapsed();
    if (d->tickNs == 0) d->tickNs = qint64(d->firstTokenMs * 1e6);
    const double windowMs = double(now - d->tickNs) / 1e6;
    if (windowMs < kMinSpeedWindowMs) {
        // Too soon for a reading; but a first figure at once (small models are done
        // before the first window closes): the average since the first token.
        const double sinceFirstMs = double(now) / 1e6 - d->firstTokenMs;
        if (d->piecesAtTick == 0 && d->pieces > 1 && sinceFirstMs > 1.0)
            d->metrics->setLive(d->firstTokenMs, d->pieces, (d->pieces - 1) / (sinceFirstMs / 1000.0));
        else
            d->metrics->setCounts(d->firstTokenMs, d->pieces);
        return;
    }
    const double rate = double(d->pieces - d->piecesAtTick) / (windowMs / 1000.0);
    d->tickNs = now;
    d->piecesAtTick = d->pieces;
    d->metrics->setLive(d->firstTokenMs, d->pieces, rate);
}

void DemoStage::onFinished(const RunResult& result) {
    d->answer->finish();
    const GenerationStats& stats = result.stats;
    d->metrics->setFinal(stats.timeToFirstTokenMs, stats.generatedTokens, stats.decodeTokensPerSecond(),
                         stats.reusedPromptTokens, stats.promptTokens);
    onRunEnded();
}

void DemoStage::onFailed(const QString& message) {
    d->answer->finish();
    setStatus(tr("This slide could not run: %1").arg(message), true);
    onRunEnded();
}

void DemoStage::onRunEnded() {
    d->speedTick->stop();
    emit runEnded();
    if (d->attract) d->attractPause->start();
    else restartIdleTimer();
}

}  // namespace ps::ui
