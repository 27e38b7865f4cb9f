#include "shell/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

#include "backend/backend.h"
#include "document/promptapp_reader.h"
#include "document/prompty.h"
#include "demo/deck_page.h"
#include "demo/demo_stage.h"
#include "editor/app_editor.h"
#include "history/run_history.h"
#include "library/app_files.h"
#include "library/app_library_filter.h"
#include "library/app_library_model.h"
#include "library/library_panel.h"
#include "models/demo_model.h"
#include "models/get_model_dialog.h"
#include "models/models_page.h"
#include "run/input_form.h"
#include "run/run_view.h"
#include "runner/local_generation_service.h"
#include "runner/model_session.h"
#include "settings/preferences.h"
#include "settings/settings_dialog.h"
#include "settings/sharing_preferences.h"
#include "shell/sharing_controller.h"
#include "settings/theme.h"
#include "shell/demo_model_banner.h"
#include "shell/help_dialogs.h"
#include "runner/serialized_service.h"
#include "version.h"
#ifdef PS_UI_HAS_HISTORY
#include "history/history_view.h"
#endif

namespace ps::ui {
namespace {

BackendOptions backendOptions(const Preferences& preferences) {
    BackendOptions options;
    switch (preferences.backend()) {
    case BackendPreference::Automatic: options.choice = BackendOptions::Choice::Automatic; break;
    case BackendPreference::Gpu: options.choice = BackendOptions::Choice::Cuda; break;
    case BackendPreference::Cpu: options.choice = BackendOptions::Choice::Cpu; break;
    }
    options.cudaDevice = preferences.gpuDevice();
    options.threads = preferences.threads();
    options.contextLength = preferences.contextLength();
    return options;
}

bool isAppFile(const QString& path) {
    return path.endsWith(QLatin1String(kPromptAppSuffix), Qt::CaseInsensitive) ||
           path.endsWith(QLatin1String(kPromptySuffix), Qt::CaseInsensitive);
}

}  // namespace

QString MainWindow::defaultSamplesFolder() {
    const QString installed = QDir(QCoreApplication::applicationDirPath())
                                  .absoluteFilePath(QStringLiteral("../share/promptstudio/apps"));
    if (QFileInfo(installed).isDir()) return QDir::cleanPath(installed);
#ifdef PROMPTSTUDIO_SOURCE_APPS_DIR
    return QStringLiteral(PROMPTSTUDIO_SOURCE_APPS_DIR);
#else
    return {};
#endif
}

MainWindow::MainWindow(Preferences& preferences, const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent), preferences_(preferences), options_(options) {
    if (options_.samplesFolder.isEmpty()) options_.samplesFolder = defaultSamplesFolder();
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    try {
        history_ = new RunHistory(options_.historyPath.isEmpty() ? RunHistory::defaultPath()
                                                                 : options_.historyPath);
    } catch (const std::exception& error) {
        history_ = nullptr;  // runs still work; they are just not recorded
        QMetaObject::invokeMethod(this, [this, message = QString::fromUtf8(error.what())] {
            statusBar()->showMessage(tr("The run history cannot be opened: %1").arg(message));
        }, Qt::QueuedConnection);
    }
    session_ = new ModelSession(this);
    sharing_ = new SharingController(this);
    sharing_->setAppFolders({preferences_.appsFolder(), options_.samplesFolder});
    connect(sharing_, &SharingController::statusChanged, this, [this](const QString& status) {
        if (!status.isEmpty()) statusBar()->showMessage(status, 10000);
    });
    createPages();
    createActions();
    createMenusAndToolbar();
    connectModelSession();
    applyGenerationDefaults();
    QDir().mkpath(preferences_.appsFolder());
    library_->model()->setFolders(preferences_.appsFolder(), options_.samplesFolder);
    if (options_.restoreState) restoreWindowState();
    else applyDefaultGeometry();
    showApp(QString());
    if (library_->model()->rowCount() > 0) library_->view()->setCurrentIndex(library_->filter()->index(0, 0));
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow() {
    delete stage_;  // its runs stop first
    // The pages' runners must stop before the history they write to goes away,
    // and the pages must not call back into a half-destroyed window.
    disconnect(tabs_, nullptr, this, nullptr);  // removing the pages changes the current tab
    disconnect(editor_, nullptr, this, nullptr);
    disconnect(runView_, nullptr, this, nullptr);
    if (runView_) runView_->stop();
    delete runView_;
    runView_ = nullptr;
    delete editor_;
    editor_ = nullptr;
    delete editorPage_;
    editorPage_ = nullptr;
    delete history_;
}

namespace {

// The editor at the scroll area's size, never below a laptop's height: down to it the
// editor's parts shrink; below it the page scrolls instead of its fields running over
// each other. (A layout here would hand the scroll area the editor's preferred height,
// its wrapped texts at full length, and make it scroll even on a laptop.)
class EditorHolder : public QWidget {
public:
    EditorHolder(QWidget* editor, int minimumHeight) : editor_(editor) {
        editor->setParent(this);
        setMinimumSize(editor->minimumSizeHint().width(), minimumHeight);
    }

protected:
    void resizeEvent(QResizeEvent*) override { editor_->setGeometry(rect()); }

private:
    QWidget* editor_;
};

}  // namespace

void MainWindow::createPages() {
    library_ = new LibraryPanel(this);
    runView_ = new RunView(this);
    runView_->setHistory(history_);
    editor_ = new AppEditor(this);
    editor_->setAppsFolder(preferences_.appsFolder());

    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    previousTab_ = runView_;
    tabs_->addTab(runView_, tr("&Run"));
    // A window shorter than the editor needs (an 800x600 screen) scrolls the editor
    // instead of squeezing its fields on top of each other.
    editorPage_ = new QScrollArea(this);
    editorPage_->setObjectName(QStringLiteral("editorPage"));
    editorPage_->setFrameShape(QFrame::NoFrame);
    editorPage_->setWidgetResizable(true);
    editorPage_->setWidget(new EditorHolder(editor_, fontMetrics().height() * 30));
    tabs_->addTab(editorPage_, tr("&Edit"));
    // What was typed in one form carries over to the other (Run page <-> Try it).
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        QWidget* now = tabs_->currentWidget();
        QWidget* before = std::exchange(previousTab_, now);
        if (!librarySized_) QMetaObject::invokeMethod(this, &MainWindow::fitLibraryWidth, Qt::QueuedConnection);
        RunView* tryIt = tryItView();
        if (!tryIt || currentPath_.isEmpty()) return;
        if (now == editorPage_ && before == runView_) {
            editor_->syncTryIt();
            tryIt->setInputs(runView_->inputs());
        }
        if (now == runView_ && before == editorPage_) runView_->setInputs(tryIt->inputs());
    });
#ifdef PS_UI_HAS_HISTORY
    historyView_ = new HistoryView(this);
    historyView_->setHistory(history_);
    historyPage_ = historyView_;
    tabs_->addTab(historyPage_, tr("&History"));
    connect(historyView_, &HistoryView::rerunRequested, this, [this](const QVariantMap& inputs) {
        runView_->setInputs(inputs);
        showPage(Page::Run);
        runView_->runNow();
    });
#endif

    appProblem_ = new QLabel(this);
    appProblem_->setWordWrap(true);
    appProblem_->setTextFormat(Qt::PlainText);
    appProblem_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    appProblem_->setStyleSheet(QStringLiteral("color: %1;").arg(errorColor().name()));
    appProblem_->hide();

    // No app chosen: say what to do next, with the button to do it.
    emptyPage_ = new QWidget(this);
    emptyPage_->setObjectName(QStringLiteral("noAppPage"));
    auto* emptyCard = new QFrame(emptyPage_);
    emptyCard->setObjectName(QStringLiteral("emptyState"));
    auto* emptyText = new QLabel(tr("<h3>Choose an app</h3><p>Pick one in the Library on the left: the "
                                    "samples show what apps can do. Or write your own.</p>"),
                                 emptyCard);
    emptyText->setWordWrap(true);
    emptyText->setAlignment(Qt::AlignCenter);
    auto* emptyNew = new QPushButton(tr("New App…"), emptyCard);
    emptyNew->setObjectName(QStringLiteral("emptyNewApp"));
    connect(emptyNew, &QPushButton::clicked, this, [this] { newAppAsked(); });
    auto* cardLayout = new QVBoxLayout(emptyCard);
    cardLayout->setContentsMargins(24, 18, 24, 18);
    cardLayout->addWidget(emptyText);
    cardLayout->addWidget(emptyNew, 0, Qt::AlignCenter);
    emptyCard->setMaximumWidth(em() * 70);
    auto* emptyLayout = new QVBoxLayout(emptyPage_);
    emptyLayout->addStretch(1);
    emptyLayout->addWidget(emptyCard, 0, Qt::AlignHCenter);
    emptyLayout->addStretch(2);

    demoBanner_ = new DemoModelBanner(this);
    demoBanner_->hide();
    connect(demoBanner_, &DemoModelBanner::getModelRequested, this, [this] { showPage(Page::Models); });

    appArea_ = new QWidget(this);
    auto* appLayout = new QVBoxLayout(appArea_);
    appLayout->setContentsMargins(0, 0, 0, 0);
    appLayout->addWidget(demoBanner_);
    appLayout->addWidget(appProblem_);
    appLayout->addWidget(tabs_, 1);
    appLayout->addWidget(emptyPage_, 1);
    createDeckPage(appLayout);

    splitter_ = new QSplitter(Qt::Horizontal, this);
    splitter_->setObjectName(QStringLiteral("librarySplitter"));
    splitter_->addWidget(library_);
    splitter_->addWidget(appArea_);
    splitter_->setStretchFactor(0, 0);
    splitter_->setStretchFactor(1, 1);
    splitter_->setChildrenCollapsible(false);
    const int em = this->em();
    // Wide enough for "Bedtime story starter" and a few words of description.
    library_->setMinimumWidth(em * 30);
    // An explicit minimum for the pages' side: their own layouts' minimum widths
    // differ from page to page and would otherwise push the Library to its
    // narrowest on some pages and not others (the width jumped between Run and Edit).
    appArea_->setMinimumWidth(em * 70);
    splitter_->setSizes({em * 40, em * 110});
    connect(splitter_, &QSplitter::splitterMoved, this, [this] { librarySized_ = true; });
    // A small laptop (1366x768, with a panel) holds the whole window.
    setMinimumSize(em * 100, fontMetrics().height() * 30);

    modelsPage_ = new ModelsPage(preferences_, this);

    stack_ = new QStackedWidget(this);
    stack_->addWidget(splitter_);
    stack_->addWidget(modelsPage_);
    setCentralWidget(stack_);

    modelStatus_ = new QLabel(this);
    modelStatus_->setObjectName(QStringLiteral("modelStatus"));
    // The status bar cuts a long message where its permanent widgets begin: a margin
    // keeps the cut text from running into "Model: …".
    modelStatus_->setContentsMargins(em * 2, 0, 0, 0);
    modelProgress_ = new QProgressBar(this);
    modelProgress_->setRange(0, 0);  // the loader reports no steps: a busy bar
    modelProgress_->setMaximumWidth(em * 20);
    modelProgress_->hide();
    statusBar()->addPermanentWidget(modelProgress_);
    statusBar()->addPermanentWidget(modelStatus_);

    connect(library_, &LibraryPanel::currentAppChanged, this, [this](const QString& path) {
        if (changingSelection_) return;
        if (path == currentPath_) return;
        if (!confirmLeaveEditor()) {
            // Stay on the app being edited.
            changingSelection_ = true;
            if (!library_->selectPath(currentPath_)) library_->view()->clearSelection();
            changingSelection_ = false;
            return;
        }
        showApp(path);
    });
    connect(library_, &LibraryPanel::appActivated, this, [this] {
        showPage(Page::Run);
        // Opening an app from the keyboard lands in its first field, ready to type.
        if (runView_->isEnabled()) runView_->form()->setFocus(Qt::TabFocusReason);
    });
    connect(runView_, &RunView::modelsPageRequested, this, [this] { showPage(Page::Models); });
    connect(editor_, &AppEditor::modelsPageRequested, this, [this] { showPage(Page::Models); });
    connect(runView_, &RunView::runEnded, this, [this] {
#ifdef PS_UI_HAS_HISTORY
        if (historyView_) historyView_->refresh();
#endif
    });
    connect(modelsPage_, &ModelsPage::modelChosen, this, [this](const QString& path) { loadModel(path); });
    connect(modelsPage_, &ModelsPage::getModelRequested, this, &MainWindow::getModelAsked);
    connect(editor_, &AppEditor::saved, this, [this](const QString& path) {
        currentPath_ = path;
        changingSelection_ = true;
        library_->reload();
        library_->selectPath(path);
        changingSelection_ = false;
        const PromptAppLoadResult result = loadPromptApp(path);
        if (result.loaded) {
            runView_->setApp(result.app, path);
    #ifdef PS_UI_HAS_HISTORY
        if (historyView_) historyView_->setApp(result.app);
#endif
        }
        appProblem_->setVisible(result.loaded && !result.errors.isEmpty());
        appProblem_->setText(result.errorText());
        currentIsSample_ = false;
        updateActions();
        updateTitle();
    });
    connect(editor_, &AppEditor::modifiedChanged, this, [this] { updateTitle(); });
}

void MainWindow::createActions() {
    const auto make = [this](const QString& text, const QKeySequence& shortcut, const QString& tip) {
        auto* action = new QAction(text, this);
        if (!shortcut.isEmpty()) action->setShortcut(shortcut);
        action->setStatusTip(tip);
        action->setToolTip(tip);
        return action;
    };
    newApp_ = make(tr("&New App…"), QKeySequence::New, tr("Write a new app"));
    import_ = make(tr("&Import…"), QKeySequence::Open, tr("Add a .promptapp or .prompty file to your apps"));
    export_ = make(tr("&Export…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                   tr("Save a copy of this app to share it (.promptapp or .prompty)"));
    duplicate_ = make(tr("D&uplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), tr("Make a copy of this app"));
    rename_ = make(tr("Re&name…"), QKeySequence(Qt::Key_F2), tr("Give this app a new name"));
    delete_ = make(tr("&Delete"), QKeySequence(), tr("Move this app to the trash"));
    // No shortcut of its own: Ctrl+Shift+Z is the editor's Redo on Linux.
    undoDelete_ = make(tr("Undo De&lete"), QKeySequence(),
                       tr("Bring back the app you deleted last"));
    settings_ = make(tr("&Settings…"), QKeySequence::Preferences, tr("Where the model runs, folders and looks"));
    if (settings_->shortcut().isEmpty()) settings_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    quit_ = make(tr("&Quit"), QKeySequence::Quit, tr("Close Prompt Studio"));
    about_ = make(tr("&About Prompt Studio"), QKeySequence(), tr("The version of Prompt Studio and its licences"));
    gettingStarted_ = make(tr("&Getting Started"), QKeySequence::HelpContents,
                           tr("How to get a model, make an app and share it"));
    shortcuts_ = make(tr("&Keyboard Shortcuts"), QKeySequence(), tr("Every shortcut of the window"));
    fileLocations_ = make(tr("&Where Files Live"), QKeySequence(),
                          tr("The folders of your apps, the history, the settings and the models"));
    getModel_ = make(tr("&Get a Model…"), QKeySequence(),
                     tr("Download a recommended model or find one on Hugging Face"));
    showApps_ = make(tr("&Apps"), QKeySequence(Qt::CTRL | Qt::Key_1), tr("Your apps and the samples"));
    showModels_ = make(tr("&Models"), QKeySequence(Qt::CTRL | Qt::Key_2), tr("Choose the language model"));
    showRun_ = make(tr("&Run Page"), QKeySequence(Qt::CTRL | Qt::Key_3), tr("Run the selected app"));
    showEdit_ = make(tr("&Edit Page"), QKeySequence(Qt::CTRL | Qt::Key_4), tr("Edit the selected app"));
    showHistory_ = make(tr("&History Page"), QKeySequence(Qt::CTRL | Qt::Key_5), tr("Past runs of the selected app"));
    focusSearch_ = make(tr("&Find App"), QKeySequence::Find, tr("Search your apps"));
    runRemotely_ = make(tr("Run This App on the Remote &Server"), QKeySequence(),
                        tr("Run this app on the server set in Settings, Sharing, instead of this computer"));
    runRemotely_->setCheckable(true);
    connect(runRemotely_, &QAction::triggered, this, [this](bool remote) {
        SharingPreferences().setAppChoice(currentPath_, remote ? AppBackendChoice::Remote : AppBackendChoice::Local);
        chooseService();
    });
    showApps_->setCheckable(true);
    showModels_->setCheckable(true);
    auto* pages = new QActionGroup(this);
    pages->addAction(showApps_);
    pages->addAction(showModels_);
    showApps_->setChecked(true);
    // Delete only where the library has the focus, so it never eats a key in a text field.
    delete_->setShortcut(QKeySequence::Delete);
    delete_->setShortcutContext(Qt::WidgetShortcut);
    library_->view()->addAction(delete_);

    connect(newApp_, &QAction::triggered, this, &MainWindow::newAppAsked);
    connect(import_, &QAction::triggered, this, &MainWindow::importAsked);
    connect(export_, &QAction::triggered, this, &MainWindow::exportAsked);
    connect(duplicate_, &QAction::triggered, this, [this] {
        const QString path = duplicateCurrentApp();
        if (!path.isEmpty()) statusBar()->showMessage(tr("Copied to %1").arg(QFileInfo(path).fileName()), 5000);
    });
    connect(rename_, &QAction::triggered, this, &MainWindow::renameAsked);
    connect(delete_, &QAction::triggered, this, &MainWindow::deleteAsked);
    connect(undoDelete_, &QAction::triggered, this, &MainWindow::undoDelete);
    connect(settings_, &QAction::triggered, this, &MainWindow::settingsAsked);
    connect(quit_, &QAction::triggered, this, &QWidget::close);
    connect(about_, &QAction::triggered, this, &MainWindow::aboutAsked);
    connect(gettingStarted_, &QAction::triggered, this,
            [this] { showHelpPage(this, tr("Getting Started"), gettingStartedHtml()); });
    connect(shortcuts_, &QAction::triggered, this, [this] {
        QList<QAction*> all = {newApp_, import_, export_, editor_->saveAction(), duplicate_, rename_,
                               delete_, settings_, quit_, editor_->undoAction(), editor_->redoAction(),
                               focusSearch_, runView_->runAction(), runView_->stopAction(),
                               runView_->copyAction(), showApps_, showModels_, showRun_, showEdit_,
                               showHistory_, gettingStarted_};
        showHelpPage(this, tr("Keyboard Shortcuts"), shortcutsHtml(all));
    });
    connect(fileLocations_, &QAction::triggered, this, [this] {
        showHelpPage(this, tr("Where Files Live"),
                     fileLocationsHtml(preferences_, options_.samplesFolder, historyPath()));
    });
    connect(getModel_, &QAction::triggered, this, &MainWindow::getModelAsked);
    connect(showApps_, &QAction::triggered, this, [this] { showPage(Page::Run); });
    connect(showModels_, &QAction::triggered, this, [this] { showPage(Page::Models); });
    connect(showRun_, &QAction::triggered, this, [this] { showPage(Page::Run); });
    connect(showEdit_, &QAction::triggered, this, [this] { showPage(Page::Edit); });
    connect(showHistory_, &QAction::triggered, this, [this] { showPage(Page::History); });
    connect(focusSearch_, &QAction::triggered, this, [this] {
        showPage(currentPage() == Page::Models ? Page::Run : currentPage());
        library_->searchBox()->setFocus(Qt::ShortcutFocusReason);
        library_->searchBox()->selectAll();
    });
    createDemoActions();
}

void MainWindow::createMenusAndToolbar() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(newApp_);
    file->addAction(import_);
    file->addAction(export_);
    file->addSeparator();
    file->addAction(getModel_);
    file->addSeparator();
    file->addAction(editor_->saveAction());
    file->addAction(duplicate_);
    file->addAction(rename_);
    file->addAction(delete_);
    file->addSeparator();
    file->addAction(settings_);
    file->addSeparator();
    file->addAction(quit_);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(editor_->undoAction());
    edit->addAction(editor_->redoAction());
    edit->addSeparator();
    edit->addAction(undoDelete_);
    edit->addAction(focusSearch_);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(runView_->runAction());
    run->addAction(runView_->stopAction());
    run->addAction(runView_->regenerateAction());
    run->addSeparator();
    run->addAction(runRemotely_);
    run->addSeparator();
    run->addAction(runView_->copyAction());
    run->addAction(runView_->saveAnswerAction());
    run->addSeparator();
    run->addAction(addToDeck_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(showApps_);
    view->addAction(showModels_);
    view->addSeparator();
    view->addAction(showRun_);
    view->addAction(showEdit_);
    if (historyPage_) view->addAction(showHistory_);
    view->addSeparator();
    view->addAction(demo_);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(gettingStarted_);
    help->addAction(shortcuts_);
    help->addAction(fileLocations_);
    help->addSeparator();
    help->addAction(about_);

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(20, 20));
    toolbar->setMovable(false);
    toolbar->addAction(showApps_);
    toolbar->addAction(showModels_);
    toolbar->addSeparator();
    toolbar->addAction(newApp_);
    toolbar->addAction(import_);
    toolbar->addAction(export_);
    toolbar->addSeparator();
    toolbar->addAction(runView_->runAction());
    toolbar->addAction(runView_->stopAction());
    toolbar->addSeparator();
    toolbar->addAction(settings_);
    updateIcons();
}

void MainWindow::updateIcons() {
    showApps_->setIcon(themedIcon(QStringLiteral("apps")));
    showModels_->setIcon(themedIcon(QStringLiteral("models")));
    newApp_->setIcon(themedIcon(QStringLiteral("new")));
    import_->setIcon(themedIcon(QStringLiteral("import")));
    export_->setIcon(themedIcon(QStringLiteral("export")));
    settings_->setIcon(themedIcon(QStringLiteral("settings")));
    gettingStarted_->setIcon(themedIcon(QStringLiteral("help")));
    runView_->runAction()->setIcon(themedIcon(QStringLiteral("run")));
    runView_->stopAction()->setIcon(themedIcon(QStringLiteral("stop")));
    runView_->regenerateAction()->setIcon(themedIcon(QStringLiteral("regenerate")));
    runView_->copyAction()->setIcon(themedIcon(QStringLiteral("copy")));
    runView_->saveAnswerAction()->setIcon(themedIcon(QStringLiteral("save")));
}

QString MainWindow::historyPath() const {
    return options_.historyPath.isEmpty() ? RunHistory::defaultPath() : options_.historyPath;
}

void MainWindow::connectModelSession() {
    connect(session_, &ModelSession::loadingStarted, this, [this](const QString& path) {
        loadingModelPath_ = path;
        const QString name = QFileInfo(path).fileName();
        modelProgress_->show();
        modelStatus_->setText(tr("Loading %1…").arg(name));
        runView_->setModelStatus(tr("Loading the model %1… Apps can run as soon as it is ready.").arg(name));
        modelsPage_->setActiveModel(path, tr("Loading…"));
    });
    connect(session_, &ModelSession::loaded, this, [this](const QString& description, const QString& fallback) {
        modelProgress_->hide();
        modelDescription_ = description;
        modelPath_ = loadingModelPath_;
        demoBanner_->setVisible(isDemoModel(modelPath_));
        modelStatus_->setText(tr("Model: %1").arg(description));
        auto local = session_->service();
        modelsPage_->setActiveModel(local ? local->modelName() : QString(), tr("Ready"));
        runView_->setModelStatus(QString());
        // No chat format: a base model, which continues text rather than following instructions.
        const bool base = local && local->chatTemplate().empty();
        runView_->setBaseModel(base);
        if (RunView* tryIt = tryItView()) tryIt->setBaseModel(base);
        localService_ = std::make_shared<SerializedService>(local);
        sharing_->setLocalService(localService_);
        chooseService();
        if (!fallback.isEmpty())
            statusBar()->showMessage(tr("Running on the CPU: %1").arg(fallback), 10000);
        emit modelLoaded(description);
    });
    connect(session_, &ModelSession::loadFailed, this, [this](const QString& message) {
        modelProgress_->hide();
        modelStatus_->setText(service_ ? tr("Model: %1").arg(modelDescription_) : tr("No model loaded"));
        runView_->setModelStatus(QString());
        modelsPage_->setActiveModel(QString(), QString());
        reportError(tr("The model cannot be loaded"), message);
        emit modelLoadFailed(message);
    });
    modelStatus_->setText(tr("No model loaded"));
}

RunView* MainWindow::tryItView() const { return qobject_cast<RunView*>(editor_->tryItPanel()); }

void MainWindow::applyGenerationDefaults() {
    // The Run page and Try it run an app the same way: the same defaults from Settings.
    const QVariantMap defaults{{QStringLiteral("temperature"), preferences_.defaultTemperature()},
                               {QStringLiteral("max_tokens"), preferences_.defaultMaxTokens()}};
    runView_->setDefaultParameters(defaults);
    if (RunView* tryIt = tryItView()) tryIt->setDefaultParameters(defaults);
}

void MainWindow::setService(std::shared_ptr<GenerationService> service) {
    service_ = std::move(service);
    runView_->setService(service_);
    editor_->setService(service_);
}

void MainWindow::chooseService() {
    if (!runRemotely_ || !sharing_) return;  // still being built
    const SharingPreferences sharing;
    runRemotely_->setEnabled(!currentPath_.isEmpty() && !sharing.remoteBaseUrl().isEmpty());
    runRemotely_->setChecked(sharing.runsRemotely(currentPath_));
    auto service = sharing_->serviceFor(currentPath_);
    if (service != service_) setService(std::move(service));
}

GetModelDialog* MainWindow::getModelDialog() {
    if (!getModelDialog_) {
        getModelDialog_ = new GetModelDialog(this);
        // A finished download is listed on the Models page at once.
        connect(getModelDialog_, &GetModelDialog::modelDownloaded, this,
                [this](const QString& path) { modelsPage_->addModelFile(path); });
        connect(getModelDialog_, &GetModelDialog::modelChosen, this, [this](const QString& path) {
            showPage(Page::Models);
            loadModel(path);
        });
    }
    return getModelDialog_;
}

void MainWindow::getModelAsked() {
    GetModelDialog* dialog = getModelDialog();
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void MainWindow::loadModel(const QString& path, bool remember) {
    if (path.isEmpty()) return;
    if (remember) preferences_.setLastModel(path);
    modelsPage_->addModelFile(path);
    session_->load(path, backendOptions(preferences_));
}

void MainWindow::showApp(const QString& path) {
    if (path.endsWith(QLatin1String(kDeckSuffix))) {
        showDeck(path);
        return;
    }
    deckPage_->hide();
    currentPath_ = path;
    currentIsSample_ = false;
    if (path.isEmpty()) {
        tabs_->hide();
        appProblem_->hide();
        emptyPage_->show();
        updateActions();
        updateTitle();
        return;
    }
    emptyPage_->hide();
    tabs_->show();
    const int row = library_->model()->rowOfPath(path);
    const AppEntry* entry = library_->model()->entryAt(row);
    currentIsSample_ = entry && entry->sample;

    const PromptAppLoadResult result = loadPromptApp(path);
    if (!result.errors.isEmpty()) {
        appProblem_->setText(tr("This app has problems to fix before it can run (the Edit page lists them; "
                                "fix them there and save):\n%1")
                                 .arg(formatDocumentErrors(result.errors)));
    }
    appProblem_->setVisible(!result.errors.isEmpty());
    if (result.loaded) {
        runView_->setApp(result.app, path);
#ifdef PS_UI_HAS_HISTORY
        if (historyView_) historyView_->setApp(result.app);
#endif
        editor_->setApp(result.app, path, currentIsSample_);
        editor_->setFileProblems(result.errors);
    } else {
        runView_->setApp(PromptApp(), QString());
        editor_->setApp(PromptApp(), QString(), false);
    }
    runView_->setEnabled(result.ok());
    editor_->setEnabled(result.loaded);
    chooseService();
    updateActions();
    updateTitle();
}

bool MainWindow::confirmLeaveEditor() { return editor_->maybeSave(); }

bool MainWindow::openFile(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (!QFileInfo(absolute).isFile()) {
        reportError(tr("Cannot open the app"), tr("%1 does not exist.").arg(QDir::toNativeSeparators(absolute)));
        return false;
    }
    if (editor_->isModified() && QFileInfo(editor_->filePath()) == QFileInfo(absolute)) {
        showPage(Page::Edit);
        statusBar()->showMessage(tr("%1 is already open here with unsaved changes.")
                                     .arg(QFileInfo(absolute).fileName()), 10000);
        return true;
    }
    if (absolute.endsWith(QLatin1String(kPromptySuffix), Qt::CaseInsensitive)) {
        return !importFile(absolute).isEmpty();
    }
    if (!confirmLeaveEditor()) return false;
    library_->model()->reload();
    showPage(Page::Run);
    changingSelection_ = true;
    const bool listed = library_->selectPath(absolute);
    if (!listed) library_->view()->clearSelection();
    changingSelection_ = false;
    showApp(absolute);
    const PromptAppLoadResult result = loadPromptApp(absolute);
    if (!result.loaded) {
        reportError(tr("Cannot open the app"), result.errorText(QDir::toNativeSeparators(absolute)));
        return false;
    }
    return true;
}

void MainWindow::openFiles(const QStringList& paths) {
    for (const QString& path : paths) openFile(path);
    if (isMinimized()) showNormal();
    raise();
    activateWindow();
}

QString MainWindow::appProblemText() const { return appProblem_->isVisibleTo(this) ? appProblem_->text() : QString(); }

void MainWindow::showPage(Page page) {
    if (page == Page::Models) {
        stack_->setCurrentWidget(modelsPage_);
        showModels_->setChecked(true);
        return;
    }
    stack_->setCurrentWidget(splitter_);
    showApps_->setChecked(true);
    if (page == Page::Run) tabs_->setCurrentWidget(runView_);
    if (page == Page::Edit) tabs_->setCurrentWidget(editorPage_);
    if (page == Page::History && historyPage_) tabs_->setCurrentWidget(historyPage_);
}

MainWindow::Page MainWindow::currentPage() const {
    if (stack_->currentWidget() == modelsPage_) return Page::Models;
    if (tabs_->currentWidget() == editorPage_) return Page::Edit;
    if (historyPage_ && tabs_->currentWidget() == historyPage_) return Page::History;
    return Page::Run;
}

void MainWindow::updateActions() {
    // A deck chosen in the Library is a file of its own: it can be deleted, not edited as an app.
    const bool deck = currentPath_.endsWith(QLatin1String(kDeckSuffix));
    const bool hasApp = !currentPath_.isEmpty() && !deck;
    const bool ownApp = hasApp && !currentIsSample_;
    export_->setEnabled(hasApp);
    duplicate_->setEnabled(hasApp);
    rename_->setEnabled(ownApp);
    delete_->setEnabled(ownApp || deck);
    undoDelete_->setEnabled(!trashed_.isEmpty());
    showRun_->setEnabled(hasApp);
    showEdit_->setEnabled(hasApp);
    showHistory_->setEnabled(hasApp);
    addToDeck_->setEnabled(hasApp);
}

void MainWindow::updateTitle() {
    if (!runView_ || !editor_) return;
    QString title = QStringLiteral(PROMPTSTUDIO_NAME);
    if (!currentPath_.isEmpty()) {
        const QString name = runView_->app().name.isEmpty() ? QFileInfo(currentPath_).completeBaseName()
                                                            : runView_->app().name;
        title = name + QStringLiteral("[*] — ") + title;
    }
    setWindowTitle(title);
    setWindowModified(editor_->isModified());
}

void MainWindow::reportError(const QString& title, const QString& message) {
    statusBar()->showMessage(message.section(QLatin1Char('\n'), 0, 0), 15000);
    if (QGuiApplication::platformName() == QLatin1String("offscreen")) return;  // tests: no modal dialogs
    QMessageBox::warning(this, title, message);
}

// --- Library file actions ----------------------------------------------------------

QString MainWindow::createApp(const QString& name) {
    QString error;
    const QString path = saveAsNewApp(newAppTemplate(name), preferences_.appsFolder(), &error);
    if (path.isEmpty()) {
        reportError(tr("Cannot create the app"), error);
        return {};
    }
    library_->model()->reload();
    openFile(path);
    return path;
}

QString MainWindow::duplicateCurrentApp() {
    if (currentPath_.isEmpty() || !confirmLeaveEditor()) return {};
    QString error;
    const QString path = duplicateApp(currentPath_, preferences_.appsFolder(), &error);
    if (path.isEmpty()) {
        reportError(tr("Cannot copy the app"), error);
        return {};
    }
    library_->model()->reload();
    openFile(path);
    return path;
}

QString MainWindow::renameCurrentApp(const QString& newName) {
    if (currentPath_.isEmpty() || currentIsSample_ || !confirmLeaveEditor()) return {};
    QString error;
    const QString path = renameApp(currentPath_, newName, &error);
    if (path.isEmpty()) {
        reportError(tr("Cannot rename the app"), error);
        return {};
    }
    library_->model()->reload();
    openFile(path);
    return path;
}

bool MainWindow::deleteCurrentApp() {
    if (currentPath_.isEmpty() || currentIsSample_) return false;
    runView_->stop();
    const QString original = currentPath_;
    QString trashed, error;
    if (!trashApp(original, &trashed, &error)) {
        reportError(tr("Cannot delete the app"), error);
        return false;
    }
    trashed_.append({original, trashed});
    editor_->setApp(PromptApp(), QString(), false);  // nothing left to save
    library_->model()->reload();
    showApp(QString());
    statusBar()->showMessage(tr("%1 moved to the trash. Use Edit > Undo Delete to bring it back.")
                                 .arg(QFileInfo(original).fileName()), 10000);
    updateActions();
    return true;
}

bool MainWindow::undoDelete() {
    if (trashed_.isEmpty()) return false;
    const auto [original, trashed] = trashed_.takeLast();
    QString error;
    if (!restoreTrashedApp(trashed, original, &error)) {
        reportError(tr("Cannot bring the app back"), error);
        updateActions();
        return false;
    }
    library_->model()->reload();
    openFile(original);
    updateActions();
    return true;
}

QString MainWindow::importFile(const QString& path) {
    QString error;
    const QString imported = importApp(path, preferences_.appsFolder(), &error);
    if (imported.isEmpty()) {
        // A .promptapp that reads but has mistakes can be fixed here rather than
        // in a text editor.
        const bool fixable = !path.endsWith(QLatin1String(kPromptySuffix), Qt::CaseInsensitive) &&
                             loadPromptApp(path).loaded;
        if (fixable && QGuiApplication::platformName() != QLatin1String("offscreen") &&
            QMessageBox::question(this, tr("Import %1").arg(QFileInfo(path).fileName()),
                                  tr("%1\n\nImport it anyway and fix it on the Edit page?").arg(error),
                                  QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes) == QMessageBox::Yes)
            return importFileToFix(path);
        reportError(tr("Cannot import %1").arg(QFileInfo(path).fileName()), error);
        return {};
    }
    library_->model()->reload();
    openFile(imported);
    statusBar()->showMessage(tr("Imported %1").arg(QFileInfo(path).fileName()), 5000);
    return imported;
}

QString MainWindow::importFileToFix(const QString& path) {
    QString error;
    const QString imported = importAppAsIs(path, preferences_.appsFolder(), &error);
    if (imported.isEmpty()) {
        reportError(tr("Cannot import %1").arg(QFileInfo(path).fileName()), error);
        return {};
    }
    library_->model()->reload();
    openFile(imported);
    showPage(Page::Edit);
    statusBar()->showMessage(tr("Imported %1 with problems: fix them on the Edit page, then save.")
                                 .arg(QFileInfo(path).fileName()), 10000);
    return imported;
}

bool MainWindow::exportCurrentApp(const QString& destination) {
    if (currentPath_.isEmpty()) return false;
    QString error;
    if (!exportApp(currentPath_, destination, &error)) {
        reportError(tr("Cannot export the app"), error);
        return false;
    }
    statusBar()->showMessage(tr("Saved a copy as %1").arg(QDir::toNativeSeparators(destination)), 5000);
    return true;
}

void MainWindow::newAppAsked() {
    if (!confirmLeaveEditor()) return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New App"), tr("What should the app be called?"),
                                               QLineEdit::Normal, tr("My app"), &ok);
    if (!ok || name.trimmed().isEmpty()) return;
    if (!createApp(name.trimmed()).isEmpty()) showPage(Page::Edit);
}

void MainWindow::renameAsked() {
    if (currentPath_.isEmpty() || currentIsSample_) return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename app"), tr("New name:"), QLineEdit::Normal,
                                               runView_->app().name, &ok);
    if (ok && !name.trimmed().isEmpty()) renameCurrentApp(name.trimmed());
}

void MainWindow::deleteAsked() {
    if (currentPath_.isEmpty() || currentIsSample_) return;
    deleteCurrentApp();
}

void MainWindow::importAsked() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import an app"), QDir::homePath(),
                                                      tr("Prompt apps (*.promptapp *.prompty);;All files (*)"));
    if (!path.isEmpty()) importFile(path);
}

void MainWindow::exportAsked() {
    if (currentPath_.isEmpty()) return;
    const QString suggested = QDir(QDir::homePath()).filePath(QFileInfo(currentPath_).fileName());
    QString filter;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the app"), suggested,
        tr("Prompt app (*.promptapp);;Prompty file (*.prompty)"), &filter);
    if (path.isEmpty()) return;
    QString destination = path;
    if (!isAppFile(destination))
        destination += filter.contains(QLatin1String("prompty")) ? QLatin1String(kPromptySuffix)
                                                                 : QLatin1String(kPromptAppSuffix);
    exportCurrentApp(destination);
}

void MainWindow::settingsAsked() {
    SettingsDialog dialog(preferences_, this);
    if (dialog.exec() != QDialog::Accepted) return;
    applySettings([&dialog] { dialog.apply(); });
}

void MainWindow::applySettings(const std::function<void()>& change) {
    const QString appsFolder = preferences_.appsFolder();
    const QStringList modelFolders = preferences_.modelFolders();
    const int gpuDevice = preferences_.gpuDevice();
    const int contextLength = preferences_.contextLength();
    change();
    applyTheme(*qApp, preferences_.theme(), preferences_.fontPointSize());
    updateIcons();
    applyGenerationDefaults();
    if (preferences_.appsFolder() != appsFolder) {
        QDir().mkpath(preferences_.appsFolder());
        editor_->setAppsFolder(preferences_.appsFolder());
        library_->model()->setFolders(preferences_.appsFolder(), options_.samplesFolder);
    }
    if (preferences_.modelFolders() != modelFolders) modelsPage_->rescan();
    if (preferences_.gpuDevice() != gpuDevice || preferences_.contextLength() != contextLength)
        modelsPage_->detectGpu();
    if (service_ || session_->isLoading())
        statusBar()->showMessage(tr("Model settings apply the next time a model is loaded."), 8000);
    sharing_->setAppFolders({preferences_.appsFolder(), options_.samplesFolder});
    sharing_->apply();
    chooseService();
}

void MainWindow::aboutAsked() {
    QMessageBox::about(this, tr("About Prompt Studio"),
                       tr("<h3>%1 %2</h3><p>Write, share and run prompt apps on a language model "
                          "that runs on this computer.</p><p><small>%3</small></p>")
                           .arg(QStringLiteral(PROMPTSTUDIO_NAME), QStringLiteral(PROMPTSTUDIO_VERSION),
                                demoModelCredit().toHtmlEscaped()));
}

void MainWindow::offerRecovery() {
    const QList<RecoveryFile> files = RecoveryStore::list();
    for (const RecoveryFile& file : files) {
        const auto answer = QMessageBox::question(this, tr("Restore unsaved changes?"), file.question(),
                                                  QMessageBox::Yes | QMessageBox::No | QMessageBox::Discard,
                                                  QMessageBox::Yes);
        if (answer == QMessageBox::Discard) {
            RecoveryStore::remove(file.path);
        } else if (answer == QMessageBox::Yes) {
            if (!file.originalPath.isEmpty()) openFile(file.originalPath);
            QString error;
            if (editor_->restoreRecovery(file, &error)) {
                emptyPage_->hide();
                tabs_->show();
                showPage(Page::Edit);
                return;  // one document at a time; the others are offered next start
            }
            reportError(tr("Cannot restore the changes"), error);
        }
    }
}

// --- Window state, closing, drag and drop ------------------------------------------

void MainWindow::restoreWindowState() {
    QSettings settings;
    const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) applyDefaultGeometry();
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    librarySized_ = splitter_->restoreState(settings.value(QStringLiteral("window/librarySplitter")).toByteArray());
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    // Until the user drags the splitter, the Library keeps its share of the width.
    // (Once laid out: the splitter has its new width only then.)
    if (!librarySized_) QMetaObject::invokeMethod(this, &MainWindow::fitLibraryWidth, Qt::QueuedConnection);
}

void MainWindow::fitLibraryWidth() {
    if (librarySized_) return;
    const int total = splitter_->width() > 0 ? splitter_->width() : width();
    const int library = std::clamp(total / 4, library_->minimumWidth(), std::max(library_->minimumWidth(), em() * 55));
    splitter_->setSizes({library, std::max(0, total - library)});
}

void MainWindow::applyDefaultGeometry() {
    // Most of the screen, up to a size where lines stay readable; never more than it.
    const QScreen* screen = this->screen() ? this->screen() : QGuiApplication::primaryScreen();
    const QRect available = screen ? screen->availableGeometry() : QRect(0, 0, 1366, 768);
    const int width = std::min(available.width(), std::max(minimumWidth(), std::min(available.width() * 88 / 100, 1600)));
    const int height = std::min(available.height(), std::max(minimumHeight(), std::min(available.height() * 90 / 100, 1000)));
    resize(width, height);
    move(available.center() - QPoint(width / 2, height / 2));
    fitLibraryWidth();
}

void MainWindow::saveWindowState() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/librarySplitter"), splitter_->saveState());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirmLeaveEditor()) {
        event->ignore();
        return;
    }
    runView_->stop();
    saveWindowState();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile() && isAppFile(url.toLocalFile())) {
            event->acceptProposedAction();
            return;
        }
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile() && isAppFile(url.toLocalFile())) importFile(url.toLocalFile());
    event->acceptProposedAction();
}

}  // namespace ps::ui
