#include "shell/screenshot_tour.h"

#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QFileInfo>
#include <QPixmap>
#include <QTabWidget>
#include <QTextStream>
#include <QTimer>

#ifdef PS_UI_HAS_HISTORY
#include "history/history_view.h"
#endif
#include "deck/deck.h"
#include "deck/deck_file.h"
#include "demo/deck_page.h"
#include "demo/demo_stage.h"
#include "editor/app_editor.h"
#include "library/app_library_model.h"
#include "models/get_model_dialog.h"
#include "library/library_panel.h"
#include "run/input_form.h"
#include "run/output_pane.h"
#include "run/run_view.h"
#include "runner/runner.h"
#include "settings/preferences.h"
#include "shell/main_window.h"

namespace ps::ui {
namespace {

constexpr int kSettleMs = 400;           // layouts and first paints
constexpr int kModelWaitMs = 60'000;     // the model's load, at most
constexpr int kAnswerChars = 160;        // a sentence or two, while the model still writes

}  // namespace

ScreenshotTour::ScreenshotTour(MainWindow& window, QString folder, QString appPath, QSize size, bool demo)
    : QObject(&window),
      window_(window),
      folder_(std::move(folder)),
      appPath_(std::move(appPath)),
      size_(size),
      demo_(demo) {}

void ScreenshotTour::start() {
    QDir().mkpath(folder_);
    window_.resize(size_);
    window_.move(0, 0);
    if (!appPath_.isEmpty()) {
        window_.openFile(QFileInfo(appPath_).absoluteFilePath());
    } else {
        const AppLibraryModel* model = window_.library()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->entryAt(row)->sample) {
                window_.library()->selectPath(model->entryAt(row)->path);
                break;
            }
        }
    }
    QTimer::singleShot(kSettleMs, this, &ScreenshotTour::showLibrary);
}

bool ScreenshotTour::save(const QString& name) {
    const QString path = QDir(folder_).filePath(name);
    const bool ok = window_.grab().save(path, "PNG");
    QTextStream(stderr) << (ok ? "saved " : "FAILED to save ") << path << '\n';
    if (!ok) ++failures_;
    return ok;
}

void ScreenshotTour::showLibrary() {
    // The first picture shows the window as it is once the model is ready (the
    // demo model's banner included), so wait for the model, but never forever.
    if (!window_.service() && !waitedForModel_) {
        waitedForModel_ = true;
        connect(&window_, &MainWindow::modelLoaded, this,
                [this] { QTimer::singleShot(kSettleMs, this, &ScreenshotTour::showLibrary); },
                Qt::SingleShotConnection);
        QTimer::singleShot(kModelWaitMs, this, [this] {
            if (!ranOnce_ && !window_.service()) {
                QTextStream(stderr) << "no model loaded: the run screenshot shows the notice\n";
                showLibrary();
            }
        });
        return;
    }
    if (savedLibrary_) return;
    savedLibrary_ = true;
    window_.showPage(MainWindow::Page::Run);
    save(QStringLiteral("library.png"));
    QTimer::singleShot(kSettleMs, this, &ScreenshotTour::runApp);
}

void ScreenshotTour::fillForm() {
    RunView* run = window_.runView();
    const PromptApp& app = run->app();
    if (!app.examples.isEmpty()) {
        run->setInputs(app.examples.first().inputs);
        return;
    }
    QVariantMap values;
    for (const PromptInput& input : app.inputs)
        if (input.required && (input.type == InputType::Text || input.type == InputType::Paragraph))
            values.insert(input.name, QStringLiteral("a little fox who is afraid of the dark"));
    run->setInputs(values);
}

void ScreenshotTour::runApp() {
    if (ranOnce_) return;
    ranOnce_ = true;
    RunView* run = window_.runView();
    window_.showPage(MainWindow::Page::Run);
    fillForm();
    const auto grabRun = [this] {
        if (grabbedRun_) return;
        grabbedRun_ = true;
        save(QStringLiteral("run.png"));
        window_.runView()->stop();
        QTimer::singleShot(kSettleMs, this, &ScreenshotTour::showEditor);
    };
    // Tiny models write faster than the display refreshes: take the picture after a
    // few dozen tokens, as the window shows them at that moment (still running).
    connect(run->runner(), &Runner::tokenReceived, this, [this, run, grabRun] {
        if (grabbedRun_ || run->output()->text().size() < kAnswerChars) return;
        run->output()->flush();
        grabRun();
    });
    connect(run, &RunView::runEnded, this, [grabRun] { grabRun(); });
    if (!window_.service()) {
        QTimer::singleShot(kSettleMs, this, grabRun);
        return;
    }
    run->runNow();
    if (!run->isRunning()) QTimer::singleShot(kSettleMs, this, grabRun);
}

void ScreenshotTour::showEditor() {
    window_.showPage(MainWindow::Page::Edit);
    QTimer::singleShot(kSettleMs, this, [this] {
        save(QStringLiteral("editor.png"));
        showEditorTab(1);
    });
}

void ScreenshotTour::showEditorTab(int index) {
    // Every tab of the editor after About: editor-form.png, editor-prompt.png, ...
    auto* tabs = window_.editor()->findChild<QTabWidget*>();
    if (!tabs || index >= tabs->count()) {
        if (tabs) tabs->setCurrentIndex(0);
        showHistory();
        return;
    }
    tabs->setCurrentIndex(index);
    QTimer::singleShot(kSettleMs, this, [this, tabs, index] {
        save(QStringLiteral("editor-%1.png").arg(tabs->tabText(index).remove(QLatin1Char('&')).toLower()));
        showEditorTab(index + 1);
    });
}

void ScreenshotTour::showHistory() {
#ifdef PS_UI_HAS_HISTORY
    window_.showPage(MainWindow::Page::History);
    if (HistoryView* history = window_.historyView()) {
        history->refresh();
        history->selectRun(0);  // the run just made (stopped half-way)
    }
    QTimer::singleShot(kSettleMs, this, [this] {
        save(QStringLiteral("history.png"));
        showModels();
    });
#else
    showModels();
#endif
}

void ScreenshotTour::showModels() {
    window_.showPage(MainWindow::Page::Models);
    // The model scan runs in the background; give it a moment.
    QTimer::singleShot(2000, this, [this] {
        save(QStringLiteral("models.png"));
        showGetModel();
    });
}

void ScreenshotTour::showGetModel() {
    GetModelDialog* dialog = window_.getModelDialog();
    window_.getModelAction()->trigger();
    QTimer::singleShot(kSettleMs, this, [this, dialog] {
        const QString path = QDir(folder_).filePath(QStringLiteral("get-model.png"));
        const bool ok = dialog->grab().save(path, "PNG");
        QTextStream(stderr) << (ok ? "saved " : "FAILED to save ") << path << '\n';
        if (!ok) ++failures_;
        dialog->close();
        window_.showPage(MainWindow::Page::Run);
        showDeckPage();
    });
}

void ScreenshotTour::showDeckPage() {
    // A deck of the app shown, made as a presenter would: two runs added, a note on
    // the first, the second racing every core against one thread.
    const QString path = QDir(Preferences().appsFolder()).filePath(QStringLiteral("Workstation demo.promptdeck"));
    QFile::remove(path);
    window_.addCurrentRunToDeck(path);
    window_.addCurrentRunToDeck(path);
    DeckLoadResult made = loadDeck(path);
    if (made.ok() && made.deck.slides.size() == 2) {
        made.deck.slides[0].note = QStringLiteral("Point at the tokens/s, then press R to run it again.");
        made.deck.slides[1].race = true;
        made.deck.slides[1].raceSetup = DeckRace{{QString(), RaceDevice::Automatic, 0}, {QString(), RaceDevice::Cpu, 1}};
        QString error;
        saveDeck(made.deck, path, &error);
    }
    window_.library()->model()->reload();
    window_.library()->selectPath(path);
    if (DeckPage* page = window_.deckPage()) page->slideList()->setCurrentRow(0);
    QTimer::singleShot(kSettleMs, this, [this] {
        save(QStringLiteral("deck.png"));
        if (demo_) showStage();
        else finish();
    });
}

void ScreenshotTour::finish() { emit done(failures_ == 0 ? 0 : 1); }

void ScreenshotTour::showStage() {
    // A deck of two slides: the app with its first example's inputs, then the same as a race.
    const QString path = window_.runView()->appPath();
    const PromptApp& app = window_.runView()->app();
    DeckSlide slide;
    slide.app = path;
    slide.inputs = app.examples.isEmpty() ? app.defaultInputValues() : app.examples.first().inputs;
    for (const PromptInput& input : app.inputs)
        if (slide.inputs.contains(input.name)) slide.inputOrder << input.name;
    Deck deck;
    deck.name = QStringLiteral("Workstation demo");
    deck.slides = {slide, slide};
    deck.slides[0].note = QStringLiteral("Point at the tokens/s, then press R to run it again.");
    deck.slides[1].race = true;
    stage_ = new DemoStage;
    stage_->setAttribute(Qt::WA_DeleteOnClose);
    stage_->setDeck(deck);
    stage_->setService(window_.service());
    stage_->present(nullptr, QRect(QPoint(0, 0), size_));
    stage_->toggleNote();  // the presenter's note line, as N shows it
    const auto grabStage = [this] {
        if (grabbedStage_ || !stage_) return;
        grabbedStage_ = true;
        stage_->answer()->flush();
        const bool ok = stage_->grab().save(QDir(folder_).filePath(QStringLiteral("stage.png")), "PNG");
        QTextStream(stderr) << (ok ? "saved " : "FAILED to save ") << "stage.png\n";
        if (!ok) ++failures_;
        stage_->stop();
        QTimer::singleShot(kSettleMs, this, &ScreenshotTour::showRace);
    };
    // Mid-answer: a few lines written, the model still going.
    connect(stage_->answer(), &OutputPane::flushed, this, [this, grabStage] {
        if (stage_ && stage_->answerText().size() >= kAnswerChars) grabStage();
    });
    connect(stage_, &DemoStage::runEnded, this, grabStage);
    QTimer::singleShot(kSettleMs, this, [this, grabStage] {
        if (!stage_) return;
        stage_->run();
        if (!stage_->isRunning()) QTimer::singleShot(kSettleMs, this, grabStage);
    });
}

void ScreenshotTour::showRace() {
    if (!stage_) return finish();
    stage_->next();
    const auto grabRace = [this] {
        if (grabbedRace_ || !stage_) return;
        grabbedRace_ = true;
        const bool ok = stage_->grab().save(QDir(folder_).filePath(QStringLiteral("race.png")), "PNG");
        QTextStream(stderr) << (ok ? "saved " : "FAILED to save ") << "race.png\n";
        if (!ok) ++failures_;
        stage_->leave();
        stage_->close();
        finish();
    };
    const auto race = [this, grabRace] {
        // The end of the race: both answers, their finish times and who won by how much.
        connect(stage_, &DemoStage::runEnded, this, [this, grabRace] { QTimer::singleShot(kSettleMs, this, grabRace); });
        stage_->run();
        if (!stage_->isRunning()) QTimer::singleShot(kSettleMs, this, grabRace);
    };
    if (stage_->isReady()) QTimer::singleShot(kSettleMs, this, race);
    else connect(stage_, &DemoStage::ready, this, [this, race] { QTimer::singleShot(kSettleMs, this, race); },
                 Qt::SingleShotConnection);
    QTimer::singleShot(kModelWaitMs, this, grabRace);  // never forever
}

}  // namespace ps::ui
