// The main window's side of demo mode: View > Demo (F11), Run > Add This Run to a
// Deck, the deck page shown for a deck chosen in the Library, and the stage's life.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "deck/deck_file.h"
#include "demo/deck_page.h"
#include "demo/demo_screen.h"
#include "demo/demo_stage.h"
#include "library/app_files.h"
#include "library/app_library_model.h"
#include "library/library_panel.h"
#include "run/run_view.h"
#include "settings/preferences.h"
#include "shell/main_window.h"

namespace ps::ui {

DemoStage* MainWindow::stage() const { return stage_; }

void MainWindow::createDeckPage(QVBoxLayout* appLayout) {
    deckPage_ = new DeckPage(this);
    deckPage_->hide();
    appLayout->addWidget(deckPage_, 1);
    connect(deckPage_, &DeckPage::presentRequested, this, [this](const QString& path) { presentDeck(path); });
}

void MainWindow::createDemoActions() {
    demo_ = new QAction(tr("&Demo"), this);
    demo_->setShortcut(QKeySequence(Qt::Key_F11));
    demo_->setStatusTip(tr("Present the deck (or this app) full screen, with live metrics"));
    demo_->setToolTip(demo_->statusTip());
    connect(demo_, &QAction::triggered, this, [this] { presentCurrent(); });
    addToDeck_ = new QAction(tr("Add This Run to a &Deck…"), this);
    addToDeck_->setStatusTip(tr("Put this app, with the inputs filled in, on a slide of a demo deck"));
    addToDeck_->setToolTip(addToDeck_->statusTip());
    connect(addToDeck_, &QAction::triggered, this, &MainWindow::addToDeckAsked);
}

void MainWindow::showDeck(const QString& path) {
    currentPath_ = path;
    currentIsSample_ = false;
    tabs_->hide();
    emptyPage_->hide();
    appProblem_->hide();
    deckPage_->setDeckFile(path);
    deckPage_->show();
    updateActions();
    setWindowTitle(QFileInfo(path).completeBaseName() + QStringLiteral(" — ") + QApplication::applicationDisplayName());
}

DemoStage* MainWindow::openStage(const Deck& deck, const QString& problem) {
    delete stage_;
    stage_ = new DemoStage;  // a window of its own, full screen
    stage_->setAttribute(Qt::WA_DeleteOnClose);
    stage_->setDeck(deck);
    stage_->setService(localService_ ? localService_ : service_);
    stage_->setDefaultParameters({{QStringLiteral("temperature"), preferences_.defaultTemperature()},
                                  {QStringLiteral("max_tokens"), preferences_.defaultMaxTokens()}});
    connect(this, &MainWindow::modelLoaded, stage_, [this] {
        if (stage_) stage_->setService(localService_ ? localService_ : service_);
    });
    connect(stage_, &DemoStage::left, this, [this] {
        if (stage_) stage_->deleteLater();
        raise();
        activateWindow();
    });
    // The display the presenter chose (the deck page, --screen), else the screen
    // the window is on; a chosen display that is gone: the main one, said calmly.
    QString notice;
    stage_->present(resolveDemoScreen(demoScreenChoice(), screen(), &notice));
    if (!problem.isEmpty()) stage_->showProblem(problem);
    else if (!notice.isEmpty()) stage_->showProblem(notice);
    return stage_;
}

DemoStage* MainWindow::presentDeck(const QString& path) {
    const DeckLoadResult result = loadDeck(path);
    Deck deck = result.deck;
    if (deck.name.isEmpty()) deck.name = QFileInfo(path).completeBaseName();
    const QString problem =
        result.ok() ? QString()
                    : tr("%1 cannot be read: %2")
                          .arg(QFileInfo(path).fileName(), result.errors.isEmpty() ? QString() : result.errors.first().toString());
    if (!result.ok()) deck.slides.clear();
    return openStage(deck, problem);
}

DemoStage* MainWindow::presentCurrent() {
    if (!currentPath_.isEmpty() && currentPath_.endsWith(QLatin1String(kDeckSuffix))) return presentDeck(currentPath_);
    Deck deck;
    if (!currentPath_.isEmpty()) {
        DeckSlide slide;
        slide.app = QFileInfo(currentPath_).absoluteFilePath();
        slide.inputs = runView_->inputs();
        deck.name = runView_->app().name;
        deck.slides.append(slide);
    }
    return openStage(deck, QString());
}

bool MainWindow::addCurrentRunToDeck(const QString& deckPath) {
    if (currentPath_.isEmpty() || currentPath_.endsWith(QLatin1String(kDeckSuffix))) return false;
    Deck deck;
    if (QFileInfo::exists(deckPath)) {
        const DeckLoadResult result = loadDeck(deckPath);
        if (!result.ok()) {
            reportError(tr("Cannot add to the deck"), result.errorText(QDir::toNativeSeparators(deckPath)));
            return false;
        }
        deck = result.deck;
    } else {
        deck.name = QFileInfo(deckPath).completeBaseName();
    }
    deck.filePath = deckPath;
    DeckSlide slide;
    // An app beside the deck is named by its file alone, so the folder can move.
    const QFileInfo app(currentPath_);
    slide.app = app.absolutePath() == QFileInfo(deckPath).absolutePath() ? app.fileName() : app.absoluteFilePath();
    slide.inputs = runView_->inputs();
    for (const PromptInput& input : runView_->app().inputs)
        if (slide.inputs.contains(input.name)) slide.inputOrder << input.name;
    deck.slides.append(slide);
    QString error;
    if (!saveDeck(deck, deckPath, &error)) {
        reportError(tr("Cannot add to the deck"), error);
        return false;
    }
    library_->model()->reload();
    statusBar()->showMessage(tr("Added to the deck %1 (slide %2). Choose it in the Library to reorder or present it.")
                                 .arg(deck.name)
                                 .arg(deck.slides.size()),
                             10000);
    return true;
}

void MainWindow::addToDeckAsked() {
    // The decks in the apps folder, and a new one.
    const QDir folder(preferences_.appsFolder());
    const QStringList files = folder.entryList({QStringLiteral("*") + kDeckSuffix}, QDir::Files, QDir::Name);
    QStringList choices;
    for (const QString& file : files) choices << QFileInfo(file).completeBaseName();
    const QString newDeck = tr("A new deck…");
    choices << newDeck;
    bool ok = false;
    const QString chosen = QInputDialog::getItem(this, tr("Add This Run to a Deck"),
                                                 tr("The deck to add this app and its inputs to:"), choices, 0,
                                                 false, &ok);
    if (!ok) return;
    QString name = chosen;
    if (chosen == newDeck) {
        name = QInputDialog::getText(this, tr("A New Deck"), tr("Name of the deck:"), QLineEdit::Normal,
                                     tr("My demo"), &ok)
                   .trimmed();
        if (!ok || name.isEmpty()) return;
        name = QFileInfo(uniqueAppPath(folder.path(), name)).completeBaseName();  // a safe file name
    }
    addCurrentRunToDeck(folder.filePath(name + QLatin1String(kDeckSuffix)));
}

}  // namespace ps::ui
