#include "demo/deck_page.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "deck/deck_file.h"
#include "document/promptapp_reader.h"
#include "settings/theme.h"

namespace ps::ui {

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
                               "with F11. On stage: → next, ← back, Enter run, Esc stop, B blank, F11 leave."),
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
    present_ = new QPushButton(tr("&Present (F11)"), this);
    present_->setDefault(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(up_);
    buttons->addWidget(down_);
    buttons->addWidget(remove_);
    buttons->addWidget(race_);
    buttons->addStretch(1);
    buttons->addWidget(present_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addWidget(help);
    layout->addWidget(problem_);
    layout->addWidget(list_, 1);
    layout->addLayout(buttons);

    connect(up_, &QPushButton::clicked, this, [this] { moveSlide(list_->currentRow(), list_->currentRow() - 1); });
    connect(down_, &QPushButton::clicked, this, [this] { moveSlide(list_->currentRow(), list_->currentRow() + 1); });
    connect(remove_, &QPushButton::clicked, this, [this] { removeSlide(list_->currentRow()); });
    connect(race_, &QPushButton::clicked, this, [this](bool race) { setRace(list_->currentRow(), race); });
    connect(present_, &QPushButton::clicked, this, [this] { emit presentRequested(path_); });
    connect(list_, &QListWidget::currentRowChanged, this, &DeckPage::updateButtons);
    updateButtons();
}

bool DeckPage::setDeckFile(const QString& path) {
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
    list_->clear();
    for (int row = 0; row < deck_.slides.size(); ++row) {
        const DeckSlide& slide = deck_.slides.at(row);
        const PromptAppLoadResult app = loadPromptApp(deck_.appPathOf(slide));
        QString name = app.loaded && !app.app.name.isEmpty() ? app.app.name : QFileInfo(slide.app).completeBaseName();
        QStringList inputs;
        for (const QString& key : slide.inputOrder.isEmpty() ? slide.inputs.keys() : slide.inputOrder)
            inputs << QStringLiteral("%1: %2").arg(key, slide.inputs.value(key).toString().simplified().left(60));
        QString text = QStringLiteral("%1. %2").arg(row + 1).arg(name);
        if (slide.race) text += QStringLiteral("  ") + tr("(race)");
        if (!inputs.isEmpty()) text += QLatin1Char('\n') + inputs.join(QStringLiteral(" · "));
        if (!slide.note.isEmpty()) text += QLatin1Char('\n') + tr("Note: %1").arg(slide.note.simplified());
        if (!app.ok()) text += QLatin1Char('\n') + tr("Cannot run: the app file has problems or is missing");
        list_->addItem(text);
    }
    if (!deck_.slides.isEmpty()) list_->setCurrentRow(std::clamp(selectRow, 0, int(deck_.slides.size()) - 1));
    updateButtons();
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
    if (from < 0 || to < 0 || from >= deck_.slides.size() || to >= deck_.slides.size() || from == to) return false;
    deck_.slides.move(from, to);
    const bool saved = save();
    fill(to);
    return saved;
}

bool DeckPage::removeSlide(int row) {
    if (row < 0 || row >= deck_.slides.size()) return false;
    deck_.slides.removeAt(row);
    const bool saved = save();
    fill(row);
    return saved;
}

bool DeckPage::setRace(int row, bool race) {
    if (row < 0 || row >= deck_.slides.size()) return false;
    deck_.slides[row].race = race;
    const bool saved = save();
    fill(row);
    return saved;
}

void DeckPage::updateButtons() {
    const int row = list_->currentRow();
    const int count = int(deck_.slides.size());
    up_->setEnabled(row > 0);
    down_->setEnabled(row >= 0 && row + 1 < count);
    remove_->setEnabled(row >= 0);
    race_->setEnabled(row >= 0);
    race_->setChecked(row >= 0 && row < count && deck_.slides.at(row).race);
    present_->setEnabled(!path_.isEmpty());
}

}  // namespace ps::ui
