#include "demo/demo_stage.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGraphicsOpacityEffect>
#include <QHash>
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
    // Getting the deck ready (prepare): the window's model, then each race's engines.
    bool waitingForModel = false;
    bool loading = false;
    bool preparePending = false;  // the deck changed while it loaded: once more after
    int loadSteps = 0;
    int loadDone = 0;
    QString loadingWhat;
    QStringList raceKeys;                  // per slide: its race (empty for a single run)
    QHash<QString, RaceEngines> races;     // loaded, by key (slides with the same race share it)
    QHash<QString, QString> raceErrors;    // why a race cannot run, by key
    bool noteShown = false;
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
    QLabel* note = nullptr;
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
    d->note = new QLabel(this);
    d->note->setObjectName(QStringLiteral("presenterNote"));
    d->note->setTextFormat(Qt::PlainText);
    d->note->setWordWrap(true);
    d->note->hide();

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

    // The presenter's note (N), small, under the answer: the presenter reads it
    // on the stage itself (one screen, often mirrored); B hides it with the rest.
    layout->addWidget(d->note);
    // The keys, in a row of their own under the answer (never over it), fading out.
    d->hint = new QLabel(tr("→ next   ← back   Enter run   Esc stop   R again   B blank   N note   F11 leave"), this);
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
    if (d->presented && d->waitingForModel) prepare();  // the deck was waiting for the model
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
    // The window belongs to that screen before it is shown: full screen happens there.
    if (screen) setScreen(screen);
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
    if (d->loading) {
        d->preparePending = true;  // after the load in progress
        return;
    }
    d->apps.clear();
    d->problems.clear();
    d->raceKeys.clear();
    d->waitingForModel = false;
    const QString windowModel = d->service ? d->service->modelName() : QString();
    const bool localModel = d->service && d->service->name() == QLatin1String("local");
    bool needsWindowModel = false;
    QList<RaceRequest> requests;
    QStringList requested;
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
        if (!result.ok() || !slide.race || d->raceEnginesGiven) {
            needsWindowModel = needsWindowModel || (result.ok() && !slide.race);
            d->raceKeys.append(slide.race && result.ok() ? QStringLiteral("given") : QString());
            continue;
        }
        // The race's two sides: the deck's models, else the window's.
        RaceRequest request;
        request.setup = slide.raceSetup;
        request.leftModel = slide.raceSetup ? d->deck.modelPathOf(slide.raceSetup->left) : QString();
        request.rightModel = slide.raceSetup ? d->deck.modelPathOf(slide.raceSetup->right) : QString();
        const bool onWindowModel = request.leftModel.isEmpty() || request.rightModel.isEmpty();
        needsWindowModel = needsWindowModel || onWindowModel;
        if (request.leftModel.isEmpty()) request.leftModel = windowModel;
        if (request.rightModel.isEmpty()) request.rightModel = windowModel;
        QStringList key{request.leftModel, request.rightModel};
        if (slide.raceSetup) {
            for (const DeckRaceEngine& side : {slide.raceSetup->left, slide.raceSetup->right})
                key << QString::number(int(side.device)) << QString::number(side.threads);
        }
        request.key = key.join(QLatin1Char('|'));
        d->raceKeys.append(request.key);
        if (onWindowModel && d->service && !localModel) {
            d->raceErrors.insert(request.key, tr("the race needs a model on this computer; this deck runs on a "
                                                 "remote server."));
            continue;
        }
        if (onWindowModel && !d->service) continue;  // asked for again once the model is there
        if (d->races.contains(request.key) || requested.contains(request.key)) continue;
        d->raceErrors.remove(request.key);
        requested << request.key;
        requests.append(request);
    }
    // The steps shown as a percentage: the window's model (when a slide needs it),
    // then each engine of each race.
    d->loadSteps = (needsWindowModel ? 1 : 0) + 2 * int(requests.size());
    d->loadDone = needsWindowModel && d->service ? 1 : 0;
    d->loadingWhat.clear();
    if (needsWindowModel && !d->service) {
        d->waitingForModel = true;
        d->ready = false;
    } else if (!requests.isEmpty()) {
        d->ready = false;
        d->loading = true;
        const int base = d->loadDone;
        loadRacesInBackground(
            this, requests, d->raceOptions,
            [this, base](int loaded, const QString& next) {
                d->loadDone = base + loaded;
                d->loadingWhat = next;
                updateStatus();
                emit loadProgress(loadPercent());
            },
            [this](const QList<RaceOutcome>& outcomes) {
                for (const RaceOutcome& outcome : outcomes) {
                    if (outcome.error.isEmpty()) d->races.insert(outcome.key, outcome.engines);
                    else d->raceErrors.insert(outcome.key, outcome.error.section(QLatin1Char('\n'), 0, 0));
                }
                d->loading = false;
                d->ready = true;
                d->loadDone = d->loadSteps;
                if (d->preparePending) {
                    d->preparePending = false;
                    prepare();
                    return;
                }
                showRaceEngines();
                updateStatus();
                emit loadProgress(100);
                emit ready();
            });
    } else {
        d->ready = true;
    }
    showSlide(std::clamp(d->index, 0, std::max(0, slideCount() - 1)));
    emit loadProgress(loadPercent());
    if (d->ready) emit ready();
}

int DemoStage::loadPercent() const {
    if (d->ready || d->loadSteps == 0) return d->ready ? 100 : 0;
    return std::clamp(100 * d->loadDone / d->loadSteps, 0, 99);
}

void DemoStage::showRaceEngines() {
    if (d->raceEnginesGiven || slideCount() == 0) return;
    const QString key = d->raceKeys.value(d->index);
    if (key.isEmpty() || !d->races.contains(key)) return;
    if (d->race->isRunning()) {
        // The race of the slide before is still stopping: its engines go once it has.
        connect(d->race, &RaceView::ended, this, &DemoStage::showRaceEngines, Qt::SingleShotConnection);
        return;
    }
    d->race->setEngines(d->races.value(key));
}

QString DemoStage::raceProblem() const {
    const QString key = d->raceKeys.value(d->index);
    if (key.isEmpty() || d->raceEnginesGiven || d->races.contains(key)) return QString();
    if (d->raceErrors.contains(key)) return tr("The race cannot run: %1").arg(d->raceErrors.value(key));
    return tr("The race is not ready yet.");
}

void DemoStage::updateStatus() {
    if (slideCount() == 0) return;
    const QString appProblem = d->problems.value(d->index);
    if (!appProblem.isEmpty()) {
        setStatus(appProblem, true);
    } else if (d->waitingForModel) {
        setStatus(tr("Getting the deck ready: %1%  ·  waiting for the model the window is loading").arg(loadPercent()),
                  false);
    } else if (d->loading) {
        setStatus(d->loadingWhat.isEmpty()
                      ? tr("Getting the deck ready: %1%").arg(loadPercent())
                      : tr("Getting the deck ready: %1%  ·  loading %2").arg(loadPercent()).arg(d->loadingWhat),
                  false);
    } else if (!raceProblem().isEmpty()) {
        setStatus(raceProblem(), true);
    } else if (!isRunning()) {
        setStatus(QString(), false);
    }
    if (d->loading || d->waitingForModel) {
        // Progress is news, not a win: the stage's plain text colour.
        QPalette palette = d->status->palette();
        palette.setColor(QPalette::WindowText, stage::dimText());
        d->status->setPalette(palette);
    }
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
    showRaceEngines();
    d->race->clear();
    d->metrics->startRun();
    d->note->setText(tr("Note: %1").arg(slide.note.simplified()));
    d->note->setVisible(d->noteShown && !slide.note.trimmed().isEmpty());
    setStatus(QString(), false);
    updateStatus();
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
        if (!raceProblem().isEmpty() || !d->race->hasEngines()) {
            setStatus(raceProblem().isEmpty() ? tr("The race is not ready yet.") : raceProblem(), true);
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

void DemoStage::toggleNote() {
    d->noteShown = !d->noteShown;
    const QString note = slideCount() > 0 ? d->deck.slides.at(d->index).note.trimmed() : QString();
    d->note->setVisible(d->noteShown && !note.isEmpty());
}

bool DemoStage::isNoteShown() const { return d->noteShown; }
QString DemoStage::noteText() const { return d->note->isVisibleTo(this) ? d->note->text() : QString(); }

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
    case Qt::Key_N:
        toggleNote();
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
    d->note->setFont(stage::scaled(base, pt * 0.6));
    d->note->setPalette(dim);
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
