#include "demo/deck_page.h"

#include <QComboBox>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QTimer>
#include <QVBoxLayout>

#include "deck/deck_file.h"
#include "demo/demo_screen.h"
#include "demo/race_setup_dialog.h"
#include "document/promptapp_reader.h"
#include "settings/theme.h"

namespace ps::ui {

namespace {
constexpr int kNoteSaveDelayMs = 600;  // a note is saved when the typing pauses this long

// "GPU", "CPU, 1 thread", "tiny-Q8_0, GPU if any, every core" for the list.
QString sideSummary(const DeckRaceEngine& side) {
    QStringList parts;
    if (!side.model.isEmpty()) parts << QFileInfo(side.model).completeBaseName();
    if (side.device == RaceDevice::Gpu) parts << QObject::tr("GPU");
    else if (side.device == RaceDevice::Cpu) parts << QObject::tr("CPU");
    else parts << QObject::tr("GPU if any");
    if (side.device != RaceDevice::Gpu) {
        if (side.threads == 0) parts << QObject::tr("every core");
        else if (side.threads == 1) parts << QObject::tr("1 thread");
        else parts << QObject::tr("%1 threads").arg(side.threads);
    }
    return parts.join(QStringLiteral(", "));
}
}  // namespace

DeckPage::DeckPage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("deckPage"));
    title_ = new QLabel(this);
    QFont titleFont = title_->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    title_->setFont(titleFont);
    title_->setTextFormat(Qt::PlainText);
    auto* help = new QLabel(tr("A deck is what you show in demo mode, one app after another, full screen. "
                               "Add slides from an app's Run page with Run → Add This Run to a Deck; present "
                               "with F11. On stage: → next, ← back, Enter run, Esc stop, B blank, N note, F11 leave."),
                            this);
    help->setWordWrap(true);
    problem_ = new QLabel(this);
    problem_->setWordWrap(true);
    problem_->setTextFormat(Qt::PlainText);
    problem_->setStyleSheet(QStringLiteral("color: %1;").arg(errorColor().name()));
    problem_->hide();
    list_ = new QListWidget(this);
    list_->setAccessibleName(tr("Slides"));
    list_->setWordWrap(true);
    up_ = new QPushButton(tr("Move &Up"), this);
    down_ = new QPushButton(tr("Move &Down"), this);
    remove_ = new QPushButton(tr("&Remove"), this);
    race_ = new QPushButton(tr("Run as a R&ace"), this);
    race_->setCheckable(true);
    race_->setToolTip(tr("Run this slide on two engines side by side: the GPU and the CPU, or all cores and one"));
    raceSetup_ = new QPushButton(tr("Race &Engines…"), this);
    raceSetup_->setToolTip(tr("Choose what this slide races: two models, two quantizations, two thread counts, "
                              "or the GPU against the CPU"));
    present_ = new QPushButton(tr("&Present (F11)"), this);
    present_->setDefault(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(up_);
    buttons->addWidget(down_);
    buttons->addWidget(remove_);
    buttons->addWidget(race_);
    buttons->addWidget(raceSetup_);
    buttons->addStretch(1);
    buttons->addWidget(present_);

    noteLabel_ = new QLabel(tr("Presenter &note for this slide (on stage, N shows it under the answer):"), this);
    note_ = new QPlainTextEdit(this);
    note_->setAccessibleName(tr("Presenter note"));
    note_->setPlaceholderText(tr("What to say or point at while this slide runs"));
    note_->setTabChangesFocus(true);
    note_->setMaximumHeight(note_->fontMetrics().lineSpacing() * 4 + 12);
    noteLabel_->setBuddy(note_);
    noteTimer_ = new QTimer(this);
    noteTimer_->setSingleShot(true);
    noteTimer_->setInterval(kNoteSaveDelayMs);
    connect(noteTimer_, &QTimer::timeout, this, [this] { setNote(noteRow_, note_->toPlainText()); });
    connect(note_, &QPlainTextEdit::textChanged, noteTimer_, qOverload<>(&QTimer::start));

    screen_ = new QComboBox(this);
    screen_->setAccessibleName(tr("Display for demo mode"));
    auto* screenLabel = new QLabel(tr("Present &on:"), this);
    screenLabel->setBuddy(screen_);
    auto* screenRow = new QHBoxLayout;
    screenRow->addWidget(screenLabel);
    screenRow->addWidget(screen_, 1);
    connect(screen_, &QComboBox::activated, this, [this](int index) {
        setChosenDemoScreen(screen_->itemData(index).toString());
    });
    connect(qGuiApp, &QGuiApplication::screenAdded, this, &DeckPage::refreshScreens);
    connect(qGuiApp, &QGuiApplication::screenRemoved, this, &DeckPage::refreshScreens);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addWidget(help);
    layout->addWidget(problem_);
    layout->addWidget(list_, 1);
    layout->addLayout(buttons);
    layout->addWidget(noteLabel_);
    layout->addWidget(note_);
    layout->addLayout(screenRow);

    connect(up_, &QPushButton::clicked, this, [this] { moveSlide(list_->currentRow(), list_->currentRow() - 1); });
    connect(down_, &QPushButton::clicked, this, [this] { moveSlide(list_->currentRow(), list_->currentRow() + 1); });
    connect(remove_, &QPushButton::clicked, this, [this] { removeSlide(list_->currentRow()); });
    connect(race_, &QPushButton::clicked, this, [this](bool race) { setRace(list_->currentRow(), race); });
    connect(raceSetup_, &QPushButton::clicked, this, &DeckPage::editRace);
    connect(present_, &QPushButton::clicked, this, [this] { emit presentRequested(path_); });
    connect(list_, &QListWidget::currentRowChanged, this, &DeckPage::updateButtons);
    updateButtons();
    refreshScreens();
}

void DeckPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    refreshScreens();
}

void DeckPage::hideEvent(QHideEvent* event) {
    saveTypedNote();  // another page is chosen: the note typed last is kept
    QWidget::hideEvent(event);
}

void DeckPage::refreshScreens() {
    const QString chosen = chosenDemoScreen();
    screen_->clear();
    screen_->addItem(tr("The display this window is on"), QString());
    const QList<QScreen*> screens = QGuiApplication::screens();
    for (int i = 0; i < screens.size(); ++i) screen_->addItem(describeScreen(screens.at(i), i + 1), screens.at(i)->name());
    int index = screen_->findData(chosen);
    if (index < 0) {
        // Remembered, but unplugged now: kept in the list so that the choice shows.
        screen_->addItem(tr("%1 (not connected: the main display is used)").arg(chosen), chosen);
        index = screen_->count() - 1;
    }
    screen_->setCurrentIndex(index);
}

bool DeckPage::setDeckFile(const QString& path) {
    saveTypedNote();
    path_ = path;
    const DeckLoadResult result = loadDeck(path);
    deck_ = result.deck;
    problem_->setText(result.ok() ? QString()
                                  : tr("This deck cannot be read:\n%1").arg(result.errorText()));
    problem_->setVisible(!result.ok());
    fill(0);
    return result.ok();
}

QString DeckPage::problemText() const { return problem_->isVisibleTo(this) ? problem_->text() : QString(); }

void DeckPage::fill(int selectRow) {
    title_->setText(QStringLiteral("\U0001F3AC ") + (deck_.name.isEmpty() ? QFileInfo(path_).completeBaseName() : deck_.name));
    noteRow_ = -1;
    list_->clear();
    for (int row = 0; row < deck_.slides.size(); ++row) list_->addItem(slideText(row));
    if (!deck_.slides.isEmpty()) list_->setCurrentRow(std::clamp(selectRow, 0, int(deck_.slides.size()) - 1));
    updateButtons();
}

QString DeckPage::slideText(int row) const {
    const DeckSlide& slide = deck_.slides.at(row);
    const PromptAppLoadResult app = loadPromptApp(deck_.appPathOf(slide));
    QString name = app.loaded && !app.app.name.isEmpty() ? app.app.name : QFileInfo(slide.app).completeBaseName();
    QStringList inputs;
    for (const QString& key : slide.inputOrder.isEmpty() ? slide.inputs.keys() : slide.inputOrder)
        inputs << QStringLiteral("%1: %2").arg(key, slide.inputs.value(key).toString().simplified().left(60));
    QString text = QStringLiteral("%1. %2").arg(row + 1).arg(name);
    if (slide.race && slide.raceSetup)
        text += QStringLiteral("  ") + tr("(race: %1 against %2)").arg(sideSummary(slide.raceSetup->left),
                                                                       sideSummary(slide.raceSetup->right));
    else if (slide.race)
        text += QStringLiteral("  ") + tr("(race)");
    if (!inputs.isEmpty()) text += QLatin1Char('\n') + inputs.join(QStringLiteral(" · "));
    if (!slide.note.isEmpty()) text += QLatin1Char('\n') + tr("Note: %1").arg(slide.note.simplified());
    if (!app.ok()) text += QLatin1Char('\n') + tr("Cannot run: the app file has problems or is missing");
    return text;
}

bool DeckPage::save() {
    QString error;
    if (!saveDeck(deck_, path_, &error)) {
        problem_->setText(tr("The deck was not saved: %1").arg(error));
        problem_->show();
        return false;
    }
    problem_->hide();
    return true;
}

bool DeckPage::moveSlide(int from, int to) {
    saveTypedNote();
    if (from < 0 || to < 0 || from >= deck_.slides.size() || to >= deck_.slides.size() || from == to) return false;
    deck_.slides.move(from, to);
    const bool saved = save();
    fill(to);
    return saved;
}

bool DeckPage::removeSlide(int row) {
    saveTypedNote();
    if (row < 0 || row >= deck_.slides.size()) return false;
    deck_.slides.removeAt(row);
    const bool saved = save();
    fill(row);
    return saved;
}

bool DeckPage::setRace(int row, bool race) {
    saveTypedNote();
    if (row < 0 || row >= deck_.slides.size()) return false;
    deck_.slides[row].race = race;
    const bool saved = save();
    fill(row);
    return saved;
}

bool DeckPage::setRaceSetup(int row, const std::optional<DeckRace>& setup) {
    saveTypedNote();
    if (row < 0 || row >= deck_.slides.size()) return false;
    deck_.slides[row].race = true;
    deck_.slides[row].raceSetup = setup;
    const bool saved = save();
    fill(row);
    return saved;
}

bool DeckPage::setNote(int row, const QString& note) {
    if (row < 0 || row >= deck_.slides.size()) return false;
    if (deck_.slides.at(row).note == note) return true;
    deck_.slides[row].note = note;
    const bool saved = save();
    // The item alone: a refill would move the list under the presenter's typing.
    list_->item(row)->setText(slideText(row));
    return saved;
}

void DeckPage::saveTypedNote() {
    if (!noteTimer_->isActive()) return;
    noteTimer_->stop();
    setNote(noteRow_, note_->toPlainText());
}

void DeckPage::editRace() {
    const int row = list_->currentRow();
    if (row < 0 || row >= deck_.slides.size()) return;
    RaceSetupDialog dialog(QFileInfo(path_).absolutePath(), this);
    dialog.setRace(deck_.slides.at(row).raceSetup);
    if (dialog.exec() != QDialog::Accepted) return;
    setRaceSetup(row, dialog.race());
}

void DeckPage::updateButtons() {
    const int row = list_->currentRow();
    const int count = int(deck_.slides.size());
    if (row != noteRow_) {
        // The note typed for the slide before goes into the deck first.
        if (noteTimer_->isActive() && noteRow_ >= 0) {
            noteTimer_->stop();
            setNote(noteRow_, note_->toPlainText());
        }
        noteRow_ = row;
        const QSignalBlocker quiet(note_);
        note_->setPlainText(row >= 0 && row < count ? deck_.slides.at(row).note : QString());
    }
    note_->setEnabled(row >= 0);
    noteLabel_->setEnabled(row >= 0);
    raceSetup_->setEnabled(row >= 0);
    up_->setEnabled(row > 0);
    down_->setEnabled(row >= 0 && row + 1 < count);
    remove_->setEnabled(row >= 0);
    race_->setEnabled(row >= 0);
    race_->setChecked(row >= 0 && row < count && deck_.slides.at(row).race);
    present_->setEnabled(!path_.isEmpty());
}

}  // namespace ps::ui
