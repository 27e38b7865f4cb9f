#include "run/run_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "library/app_library_model.h"
#include "run/duration_text.h"
#include "run/input_form.h"
#include "run/output_pane.h"
#include "runner/generation_service.h"
#include "runner/run_result.h"
#include "runner/runner.h"
#include "settings/theme.h"

namespace ps::ui {

namespace {
// Small models answer within milliseconds; "0.00 s" would read as "nothing happened".
QString firstWordsText(double milliseconds) {
    return RunView::tr("First words after %1").arg(durationText(milliseconds));
}
}  // namespace

struct RunView::Private {
    PromptApp app;
    QString path;
    std::shared_ptr<GenerationService> service;
    QString modelStatus;
    Runner* runner = nullptr;

    QLabel* title = nullptr;
    QLabel* description = nullptr;
    QWidget* notice = nullptr;
    QLabel* baseWarning = nullptr;
    bool baseModel = false;
    bool compact = false;
    bool formFitPending = false;  // the form's height waits for the view's real size
    bool hasRun = false;  // a run of this app (or this conversation) ended: Regenerate can repeat it
    QLabel* noticeText = nullptr;
    QPushButton* noticeButton = nullptr;
    InputForm* form = nullptr;
    QScrollArea* formArea = nullptr;
    QSplitter* splitter = nullptr;
    QWidget* formSide = nullptr;    // the form, the buttons and errors
    QWidget* outputSide = nullptr;  // the answer and its statistics
    OutputPane* output = nullptr;
    QLabel* statistics = nullptr;
    QLabel* error = nullptr;
    QPushButton* runButton = nullptr;
    QPushButton* stopButton = nullptr;
    QToolButton* newChatButton = nullptr;
    QList<QToolButton*> answerButtons;  // Regenerate, Copy, Save

    QAction* run = nullptr;
    QAction* stop = nullptr;
    QAction* regenerate = nullptr;
    QAction* copy = nullptr;
    QAction* save = nullptr;

    // The run in progress, for the live statistics.
    QElapsedTimer clock;
    qint64 firstTokenMs = -1;
    int pieces = 0;
    QVariantMap lastInputs;
    QVariantMap defaultParameters;
    QString pendingUserMessage;  // chat: what was just sent
};

RunView::RunView(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>()) {
    d->runner = new Runner(this);
    buildUi();
    connect(d->runner, &Runner::started, this, &RunView::onStarted);
    connect(d->runner, &Runner::tokenReceived, this, &RunView::onToken);
    connect(d->runner, &Runner::finished, this, &RunView::onFinished);
    connect(d->runner, &Runner::failed, this, &RunView::onFailed);
    connect(d->runner, &Runner::cancelled, this, &RunView::onCancelled);
    connect(d->output, &OutputPane::flushed, this, &RunView::updateLiveStatistics);
    updateState();
}

RunView::~RunView() = default;

void RunView::buildUi() {
    d->title = new QLabel(this);
    QFont titleFont = d->title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    d->title->setFont(titleFont);
    d->title->setTextFormat(Qt::PlainText);
    d->description = new QLabel(this);
    d->description->setWordWrap(true);
    d->description->setTextFormat(Qt::PlainText);

    // What to do when there is no model: plain words and one button.
    d->notice = new QFrame(this);
    static_cast<QFrame*>(d->notice)->setFrameShape(QFrame::StyledPanel);
    d->notice->setObjectName(QStringLiteral("runNotice"));
    d->noticeText = new QLabel(d->notice);
    d->noticeText->setWordWrap(true);
    d->noticeButton = new QPushButton(tr("Go to &Models"), d->notice);
    auto* noticeLayout = new QHBoxLayout(d->notice);
    noticeLayout->addWidget(d->noticeText, 1);
    noticeLayout->addWidget(d->noticeButton);
    connect(d->noticeButton, &QPushButton::clicked, this, &RunView::modelsPageRequested);

    d->baseWarning = new QLabel(baseWarningText(), this);
    d->baseWarning->setObjectName(QStringLiteral("baseModelWarning"));
    d->baseWarning->setWordWrap(true);
    d->baseWarning->setMargin(fontMetrics().height() / 3);
    d->baseWarning->hide();

    d->form = new InputForm(this);
    d->formArea = new QScrollArea(this);
    d->formArea->setWidgetResizable(true);
    d->formArea->setFrameShape(QFrame::NoFrame);
    d->formArea->setWidget(d->form);

    d->run = new QAction(tr("&Run"), this);
    d->run->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    d->run->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    d->run->setToolTip(tr("Run the app with these inputs (Ctrl+Enter)"));
    d->stop = new QAction(tr("&Stop"), this);
    d->stop->setShortcut(QKeySequence(Qt::Key_Escape));
    d->stop->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    d->stop->setToolTip(tr("Stop the answer here (Esc)"));
    d->regenerate = new QAction(tr("Re&generate"), this);
    d->regenerate->setToolTip(tr("Run again with the same inputs for a different answer"));
    d->copy = new QAction(tr("&Copy answer"), this);
    d->copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    d->copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    d->save = new QAction(tr("Save answer &as…"), this);
    addActions({d->run, d->stop, d->copy});
    connect(d->run, &QAction::triggered, this, &RunView::runNow);
    connect(d->stop, &QAction::triggered, this, &RunView::stop);
    connect(d->regenerate, &QAction::triggered, this, &RunView::regenerate);
    connect(d->copy, &QAction::triggered, this, &RunView::copyAnswer);
    connect(d->save, &QAction::triggered, this, &RunView::saveAnswer);
    connect(d->form, &InputForm::submitted, this, &RunView::runNow);

    d->runButton = new QPushButton(this);
    d->runButton->setDefault(true);
    connect(d->runButton, &QPushButton::clicked, d->run, &QAction::trigger);
    d->stopButton = new QPushButton(tr("Stop"), this);
    d->stopButton->setToolTip(d->stop->toolTip());
    connect(d->stopButton, &QPushButton::clicked, d->stop, &QAction::trigger);
    const auto toolButton = [this](QAction* action) {
        auto* button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setFocusPolicy(Qt::TabFocus);
        d->answerButtons << button;
        return button;
    };
    d->newChatButton = new QToolButton(this);
    d->newChatButton->setText(tr("New conversation"));
    connect(d->newChatButton, &QToolButton::clicked, this, [this] {
        stop();
        d->runner->clearConversation();
        d->output->setConversation({});
        d->output->clear();
        d->hasRun = false;
        updateState();
    });

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(d->runButton);
    buttons->addWidget(d->stopButton);
    buttons->addStretch(1);
    buttons->addWidget(d->newChatButton);
    buttons->addWidget(toolButton(d->regenerate));
    buttons->addWidget(toolButton(d->copy));
    buttons->addWidget(toolButton(d->save));

    d->output = new OutputPane(this);
    d->statistics = new QLabel(this);
    d->statistics->setTextFormat(Qt::PlainText);
    d->statistics->setWordWrap(true);
    d->statistics->setAccessibleName(tr("Statistics"));
    d->statistics->setToolTip(tr("A token is a word or a piece of a word: the model writes one at a time. "
                                 "Tokens/s is how fast it writes."));
    d->error = new QLabel(this);
    d->error->setWordWrap(true);
    d->error->setTextFormat(Qt::PlainText);
    d->error->setStyleSheet(QStringLiteral("color: %1;").arg(errorColor().name()));
    d->error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    d->error->hide();

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(d->formArea, 1);
    topLayout->addLayout(buttons);
    topLayout->addWidget(d->error);

    auto* bottom = new QWidget(this);
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(d->output, 1);
    bottomLayout->addWidget(d->statistics);

    d->splitter = new QSplitter(Qt::Vertical, this);
    d->splitter->setObjectName(QStringLiteral("runSplitter"));
    d->splitter->setChildrenCollapsible(false);
    d->splitter->addWidget(top);
    d->splitter->addWidget(bottom);
    d->formSide = top;
    d->outputSide = bottom;

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(d->title);
    layout->addWidget(d->description);
    layout->addWidget(d->notice);
    layout->addWidget(d->baseWarning);
    layout->addWidget(d->splitter, 1);
    d->output->setFocusPolicy(Qt::StrongFocus);  // Tab reaches the answer, to select and read it
    updateIcons();
    updateTabOrder();
}

void RunView::updateTabOrder() {
    // Fields first, then Run, Stop, the answer's buttons and the answer itself.
    QWidget* previous = d->form->lastFieldWidget();
    QList<QWidget*> chain = {d->runButton, d->stopButton, d->newChatButton};
    for (QToolButton* button : d->answerButtons) chain << button;
    chain << d->output;
    for (QWidget* next : chain) {
        if (previous) setTabOrder(previous, next);
        previous = next;
    }
}

void RunView::updateIcons() {
    d->run->setIcon(themedIcon(QStringLiteral("run")));
    d->stop->setIcon(themedIcon(QStringLiteral("stop")));
    d->regenerate->setIcon(themedIcon(QStringLiteral("regenerate")));
    d->copy->setIcon(themedIcon(QStringLiteral("copy")));
    d->save->setIcon(themedIcon(QStringLiteral("save")));
}

void RunView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (d->formFitPending) fitFormHeight();  // first shown since setApp: now the sizes are real
}

void RunView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) updateIcons();  // the theme changed
}

QString RunView::baseWarningText() {
    return tr("<b>This model only continues text.</b> It has no chat format (a base model), so it does "
              "not follow instructions: this app's answers may miss the point. Choose a chat model on "
              "the Models page.");
}

void RunView::setCompact(bool compact) {
    d->compact = compact;
    // A narrow panel (Try it) says the warning in one line; the whole of it on hover.
    d->baseWarning->setText(compact ? tr("<b>This model only continues text:</b> answers may miss the point.")
                                    : baseWarningText());
    d->baseWarning->setToolTip(compact ? baseWarningText() : QString());
    for (QToolButton* button : d->answerButtons)
        button->setToolButtonStyle(compact ? Qt::ToolButtonIconOnly : Qt::ToolButtonTextBesideIcon);
}

void RunView::setBaseModel(bool base) {
    d->baseModel = base;
    updateState();
}

bool RunView::baseModelWarningShown() const { return d->baseWarning->isVisibleTo(this); }

void RunView::fitFormHeight() {
    // The whole form when it fits in two thirds of the view (an answer not yet
    // written needs little room), else two thirds (it scrolls); never so little
    // that no field shows. Error lines under the fields count too.
    const int line = fontMetrics().lineSpacing();
    const int formHeight = !d->form->isHidden() ? d->form->sizeHint().height() : 0;
    d->formArea->setMinimumHeight(std::min(formHeight, line * 6));
    const bool laidOut = d->splitter->height() > line * 10;
    d->formFitPending = !laidOut;
    const int total = laidOut ? d->splitter->height() : line * 30;
    const int controls = d->runButton->sizeHint().height() + line +
                         (d->error->isHidden() ? 0 : d->error->sizeHint().height());
    const int top = std::min(formHeight + controls, total * 2 / 3);
    const bool chat = d->app.kind == AppKind::Chat;
    d->splitter->setSizes(chat ? QList<int>{total - top, top} : QList<int>{top, total - top});
}

void RunView::setApp(const PromptApp& app, const QString& path) {
    if (d->runner->isRunning()) d->runner->cancel();
    d->app = app;
    d->path = path;
    d->runner->setApp(app, path);
    const QString icon = app.icon.isEmpty() ? AppLibraryModel::defaultIcon() : app.icon;
    d->title->setText(icon + QLatin1Char(' ') + (app.name.isEmpty() ? tr("Untitled app") : app.name));
    d->description->setText(app.description);
    d->description->setVisible(!app.description.isEmpty());
    d->form->setApp(app);
    d->form->setVisible(!app.inputs.isEmpty());
    const bool chat = app.kind == AppKind::Chat;
    d->output->setFormat(app.output);
    d->output->setChat(chat);
    d->output->setConversation({});
    d->output->setPlaceholder(chat ? tr("Your conversation appears here. Type a message and press Send.")
                                   : tr("The answer appears here. Fill in the form and press Run."));
    d->output->clear();
    d->runButton->setText(chat ? tr("Send") : tr("Run"));
    d->run->setText(chat ? tr("&Send") : tr("&Run"));
    // A chat reads best with the conversation on top and the message box below.
    d->splitter->insertWidget(0, chat ? d->outputSide : d->formSide);
    d->splitter->setStretchFactor(0, chat ? 3 : 1);
    d->splitter->setStretchFactor(1, chat ? 1 : 3);
    fitFormHeight();
    QTimer::singleShot(0, this, &RunView::fitFormHeight);  // again once laid out
    d->statistics->clear();
    d->error->hide();
    d->pendingUserMessage.clear();
    d->hasRun = false;
    d->lastInputs.clear();
    updateTabOrder();
    updateState();
}

const PromptApp& RunView::app() const { return d->app; }
QString RunView::appPath() const { return d->path; }

void RunView::setService(std::shared_ptr<GenerationService> service) {
    d->service = service;
    if (!d->runner->isRunning()) d->runner->setService(std::move(service));
    updateState();
}

void RunView::setModelStatus(const QString& status) {
    d->modelStatus = status;
    updateState();
}

void RunView::setDefaultParameters(const QVariantMap& parameters) { d->defaultParameters = parameters; }

void RunView::setHistory(RunHistory* history) { d->runner->setHistory(history); }

void RunView::setInputs(const QVariantMap& inputs) { d->form->setValues(inputs); }

QVariantMap RunView::inputs() const { return d->form->values(); }

void RunView::runNow() {
    if (d->runner->isRunning()) return;
    d->error->hide();
    if (!d->service) {
        updateState();
        d->notice->setFocus();
        return;
    }
    if (!d->form->validate()) {
        fitFormHeight();  // the messages under the fields must not push the last one out of sight
        return;
    }
    if (d->runner->service() != d->service) d->runner->setService(d->service);
    const QVariantMap inputs = d->form->values();
    d->lastInputs = inputs;
    if (d->app.kind == AppKind::Chat) {
        try {
            const GenerationInput prepared = d->runner->prepareInput(inputs);
            d->pendingUserMessage = prepared.messages.empty()
                                        ? QString()
                                        : QString::fromStdString(prepared.messages.back().content);
        } catch (const std::exception&) {
            d->pendingUserMessage.clear();  // start() reports the problem
        }
    }
    d->clock.start();
    d->firstTokenMs = -1;
    d->pieces = 0;
    d->statistics->setText(tr("Starting…"));
    d->output->clear();
    showConversation();
    // The user's defaults fill in what the app leaves open; the app's own settings win.
    QVariantMap overrides = d->defaultParameters;
    const QVariantMap own = d->app.parameters.toVariantMap();
    for (auto it = own.constBegin(); it != own.constEnd(); ++it) overrides.remove(it.key());
    d->runner->start(inputs, overrides);
    updateState();
}

void RunView::regenerate() {
    if (d->runner->isRunning() || !d->hasRun) return;
    // The same inputs as the last run; a chat takes back its last reply and sends
    // the same message again.
    if (d->app.kind == AppKind::Chat) {
        if (!d->runner->takeBackLastReply()) return;
        showConversation();
    }
    d->form->setValues(d->lastInputs);
    runNow();
}

void RunView::stop() {
    if (d->runner->isRunning()) d->runner->cancel();
}

bool RunView::isRunning() const { return d->runner->isRunning(); }

QAction* RunView::runAction() const { return d->run; }
QAction* RunView::stopAction() const { return d->stop; }
QAction* RunView::regenerateAction() const { return d->regenerate; }
QAction* RunView::copyAction() const { return d->copy; }
QAction* RunView::saveAnswerAction() const { return d->save; }
InputForm* RunView::form() const { return d->form; }
OutputPane* RunView::output() const { return d->output; }
Runner* RunView::runner() const { return d->runner; }
QString RunView::statisticsText() const { return d->statistics->text(); }
QString RunView::errorText() const { return d->error->isVisibleTo(this) ? d->error->text() : QString(); }

void RunView::showConversation() {
    if (d->app.kind != AppKind::Chat) return;
    QList<ChatTurn> turns;
    for (const auto& message : d->runner->conversation())
        turns.append({message.role == "user", QString::fromStdString(message.content)});
    if (!d->pendingUserMessage.isEmpty()) turns.append({true, d->pendingUserMessage});
    d->output->setConversation(turns);
}

void RunView::updateState() {
    const bool running = d->runner->isRunning();
    const bool hasModel = d->service != nullptr;
    if (!hasModel) {
        d->noticeText->setText(d->modelStatus.isEmpty()
                                   ? tr("<b>No language model is loaded yet.</b> Apps need one to write their "
                                        "answers. Open the Models page and choose a model file (.gguf).")
                                   : d->modelStatus.toHtmlEscaped());
        d->noticeButton->setVisible(d->modelStatus.isEmpty());
    }
    d->notice->setVisible(!hasModel);
    const bool hasAnswer = !answerText().isEmpty();
    d->baseWarning->setVisible(hasModel && d->baseModel && d->app.kind != AppKind::Completion);
    // Disabling the focused field would send the keyboard focus along Qt's focus
    // chain, often out of this view, where Esc no longer stops the run. So the
    // focus moves to Stop while a run goes, and back to the form when it ends.
    QWidget* focused = QApplication::focusWidget();
    const bool focusInForm = focused && (d->form->isAncestorOf(focused) || focused == d->runButton);
    const bool focusOnStop = focused == d->stopButton;
    d->stop->setEnabled(running);
    d->stopButton->setEnabled(running);
    if (running && focusInForm) d->stopButton->setFocus(Qt::OtherFocusReason);
    d->form->setEnabled(!running);
    if (!running && focusOnStop) d->form->setFocus(Qt::OtherFocusReason);
    d->run->setEnabled(!running && hasModel);
    d->runButton->setEnabled(!running && hasModel);
    // Regenerate repeats the last run, so there must have been one (a chat's last
    // reply is taken back and asked for again).
    d->regenerate->setEnabled(!running && hasModel && d->hasRun &&
                              (d->app.kind != AppKind::Chat || !d->runner->conversation().empty()));
    d->copy->setEnabled(hasAnswer);
    d->save->setEnabled(hasAnswer && !running);
    d->newChatButton->setVisible(d->app.kind == AppKind::Chat);
    d->newChatButton->setEnabled(!d->runner->conversation().empty() && !running);
}

void RunView::updateLiveStatistics() {
    if (!d->runner->isRunning()) return;
    QStringList parts;
    if (d->firstTokenMs >= 0) {
        parts << firstWordsText(double(d->firstTokenMs));
        parts << tr("%n token(s)", nullptr, d->pieces);
        // Pieces of text are tokens, give or take the few a stop sequence holds back.
        const double seconds = double(d->clock.nsecsElapsed() / 1000000 - d->firstTokenMs) / 1000.0;
        if (seconds > 0.005 && d->pieces > 1)
            parts << tr("%1 tokens/s").arg(double(d->pieces - 1) / seconds, 0, 'f', 1);
    }
    if (d->service) parts << d->service->describe();
    d->statistics->setText(parts.join(QStringLiteral("  ·  ")));
}

void RunView::onStarted() {
    emit runStarted();
    updateLiveStatistics();
    updateState();
}

void RunView::onToken(const QString& text) {
    if (d->firstTokenMs < 0) d->firstTokenMs = d->clock.elapsed();
    ++d->pieces;
    d->output->append(text);
}

void RunView::onFinished(const RunResult& result) {
    d->output->finish();
    d->hasRun = true;
    d->pendingUserMessage.clear();
    if (d->app.kind == AppKind::Chat) {
        showConversation();
        d->output->setText(QString());  // the reply is part of the conversation now
        d->form->clearTextFields();
    }
    const GenerationStats& stats = result.stats;
    QStringList parts;
    parts << firstWordsText(stats.timeToFirstTokenMs);
    parts << tr("%n token(s)", nullptr, stats.generatedTokens);
    if (stats.decodeTokensPerSecond() > 0)
        parts << tr("%1 tokens/s").arg(stats.decodeTokensPerSecond(), 0, 'f', 1);
    parts << result.service;
    if (result.stopReason == StopReason::MaxTokens)
        parts << tr("stopped at the longest answer allowed");
    else if (result.stopReason == StopReason::ContextFull)
        parts << tr("stopped: the model's memory is full");
    d->statistics->setText(parts.join(QStringLiteral("  ·  ")));
    updateState();
    emit runEnded();
}

void RunView::onFailed(const QString& message) {
    d->output->finish();
    d->pendingUserMessage.clear();
    showConversation();
    d->error->setText(tr("The app could not run: %1").arg(message));
    d->error->show();
    fitFormHeight();
    d->statistics->clear();
    updateState();
    emit runEnded();
}

void RunView::onCancelled(const RunResult& partial) {
    d->output->finish();
    d->hasRun = d->app.kind != AppKind::Chat || !d->runner->conversation().empty();
    d->pendingUserMessage.clear();
    showConversation();
    d->statistics->setText(tr("Stopped after %n token(s).", nullptr, partial.stats.generatedTokens));
    updateState();
    emit runEnded();
}

QString RunView::answerText() const {
    // A chat's replies join the conversation: its last reply is the answer.
    QString text = d->output->text();
    if (text.isEmpty() && !d->runner->conversation().empty())
        text = QString::fromStdString(d->runner->conversation().back().content);
    return text;
}

void RunView::copyAnswer() { QApplication::clipboard()->setText(answerText()); }

void RunView::saveAnswer() {
    const QString suffix = d->app.output == OutputFormat::Json ? QStringLiteral("json")
                           : d->app.output == OutputFormat::Text ? QStringLiteral("txt")
                                                                 : QStringLiteral("md");
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save the answer"), QDir(folder).filePath((d->app.name.isEmpty() ? tr("Answer") : d->app.name) + QLatin1Char('.') + suffix),
        tr("Markdown (*.md);;Text (*.txt);;JSON (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    QFile file(path);
    // A chat saves the whole conversation, each turn under who said it.
    QString text = answerText();
    if (d->app.kind == AppKind::Chat && !d->runner->conversation().empty()) {
        QStringList turns;
        for (const auto& message : d->runner->conversation())
            turns << QStringLiteral("**%1:** %2")
                         .arg(message.role == "user" ? tr("You") : tr("Model"), QString::fromStdString(message.content));
        text = turns.join(QStringLiteral("\n\n")) + QLatin1Char('\n');
    }
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text.toUtf8()) < 0) {
        QMessageBox::warning(this, tr("Save the answer"),
                             tr("Cannot save %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    }
}

}  // namespace ps::ui
