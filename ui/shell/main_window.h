#pragma once
// The Prompt Studio window: the Library on the left; for the selected app, its
// Run, Edit and History pages; the Models page; menus and a toolbar sharing the
// same actions. It owns the loaded model (loaded in the background) and the run
// history, and hands both to the pages.
#include <QList>
#include <QMainWindow>
#include <QPair>
#include <QPointer>

#include <functional>
#include <memory>

#include "deck/deck.h"
#include "document/prompt_app.h"

class QAction;
class QLabel;
class QScrollArea;
class QProgressBar;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QVBoxLayout;

namespace ps {
class GenerationService;
class ModelSession;
class RunHistory;
}  // namespace ps

namespace ps::ui {

class AppEditor;
class DeckPage;
class DemoModelBanner;
class DemoStage;
class GetModelDialog;
class HistoryView;
class LibraryPanel;
class ModelsPage;
class Preferences;
class RunView;
class SharingController;

struct MainWindowOptions {
    QString samplesFolder;  // empty = samplesFolder() (installed or source tree)
    QString historyPath;    // empty = RunHistory::defaultPath()
    bool restoreState = true;  // window geometry and splitters from the settings
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(Preferences& preferences, const MainWindowOptions& options = {},
                        QWidget* parent = nullptr);
    ~MainWindow() override;

    // Where the sample gallery is: ../share/promptstudio/apps next to the
    // program when installed, else the source tree's resources/apps.
    static QString defaultSamplesFolder();

    // Shows the app of `path` (a .promptapp anywhere; one in the library is also
    // selected there). A file that is open in the editor with unsaved changes is
    // not opened twice: the editor comes forward with a message. Returns false
    // when the file cannot be read at all.
    bool openFile(const QString& path);
    // Opens each file, then brings the window to the front (for files handed over
    // by a second start of the program; none just shows the window).
    void openFiles(const QStringList& paths);
    // Starts loading a model in the background; `remember` makes it the model of
    // the next start (the demo model chosen for want of another is not remembered,
    // so that a model found on disk later wins).
    void loadModel(const QString& path, bool remember = true);
    // The model of a start (main_window_startup.cpp): `requested` (--model), else
    // the last one used, else $PROMPTSTUDIO_MODEL; with none of those, the newest
    // runnable model the scan of the usual places finds; with none found, the
    // built-in demo model, and then (`openDemoApp`) the bedtime story sample.
    void loadStartupModel(const QString& requested, bool openDemoApp);
    // The loaded model's file (empty before one is loaded).
    QString modelPath() const { return modelPath_; }
    // What the pages generate with (loadModel sets it once a model is loaded; tests
    // hand in a service directly).
    void setService(std::shared_ptr<GenerationService> service);
    // Offers the recovery copies left by a crash (asks for each one).
    void offerRecovery();

    enum class Page { Run, Edit, History, Models };
    void showPage(Page page);
    Page currentPage() const;

    // The parts, for the tests and the screenshot tour.
    LibraryPanel* library() const { return library_; }
    RunView* runView() const { return runView_; }
    AppEditor* editor() const { return editor_; }
    HistoryView* historyView() const { return historyView_; }
    ModelsPage* modelsPage() const { return modelsPage_; }
    ModelSession* modelSession() const { return session_; }
    DemoModelBanner* demoBanner() const { return demoBanner_; }
    std::shared_ptr<GenerationService> service() const { return service_; }
    // The problems of the shown app's file ("line 7, column 9: ..."), or empty.
    QString appProblemText() const;
    QString currentAppPath() const { return currentPath_; }

    // Library file actions (also behind the menus), for tests without dialogs.
    QString createApp(const QString& name);
    QString duplicateCurrentApp();
    QString renameCurrentApp(const QString& newName);
    bool deleteCurrentApp();
    bool undoDelete();
    QString importFile(const QString& path);
    // Imports a .promptapp with problems as it is, and opens it on the Edit page.
    QString importFileToFix(const QString& path);
    bool exportCurrentApp(const QString& destination);

    QAction* undoDeleteAction() const { return undoDelete_; }
    QAction* gettingStartedAction() const { return gettingStarted_; }
    QAction* shortcutsAction() const { return shortcuts_; }
    QAction* fileLocationsAction() const { return fileLocations_; }
    QString historyPath() const;
    // File > Get a Model…: recommended models, a Hugging Face search, downloads.
    QAction* getModelAction() const { return getModel_; }
    // Created on first use; stays alive so a download goes on after it is closed.
    GetModelDialog* getModelDialog();
    // Demo mode (main_window_demo.cpp). Presents the deck of `path` full screen (a
    // deck that cannot be read shows its problem on the stage); returns the stage.
    DemoStage* presentDeck(const QString& path);
    // View > Demo (F11): the deck shown, else the app shown as a one-slide deck with
    // the Run page's inputs.
    DemoStage* presentCurrent();
    // The stage while demo mode is on, else null.
    DemoStage* stage() const;
    // Run > Add This Run to a Deck: appends the app shown, with the Run page's
    // inputs, to the deck at `deckPath` (made when it does not exist). Returns false
    // after saying why.
    bool addCurrentRunToDeck(const QString& deckPath);
    DeckPage* deckPage() const { return deckPage_; }
    QAction* demoAction() const { return demo_; }
    QAction* addToDeckAction() const { return addToDeck_; }

    // Runs `change` on the preferences (the Settings dialog's OK), then makes the
    // window follow: theme, defaults, apps folder, model folders, GPU.
    void applySettings(const std::function<void()>& change);

signals:
    void modelLoaded(const QString& description);
    void modelLoadFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createPages();
    void createActions();
    void createMenusAndToolbar();
    void restoreWindowState();
    // Sizes that suit the screen: the window, and the Library's share of it.
    void applyDefaultGeometry();
    void fitLibraryWidth();
    void updateIcons();
    void saveWindowState();
    void connectModelSession();

    void showApp(const QString& path);
    bool confirmLeaveEditor();
    void updateActions();
    void updateTitle();
    // The local model or the remote server, as Settings -> Sharing says for this app.
    void chooseService();
    void applyGenerationDefaults();
    RunView* tryItView() const;  // the editor's Try-it panel
    int em() const { return fontMetrics().averageCharWidth(); }
    void reportError(const QString& title, const QString& message);

    void newAppAsked();
    void renameAsked();
    void deleteAsked();
    void importAsked();
    void exportAsked();
    void settingsAsked();
    void aboutAsked();
    void startOnFoundOrDemoModel(bool openDemoApp);
    void getModelAsked();
    void createDeckPage(QVBoxLayout* appLayout);
    void createDemoActions();
    void addToDeckAsked();
    // Shows a deck chosen in the Library on the deck page (instead of the app tabs).
    void showDeck(const QString& path);
    DemoStage* openStage(const Deck& deck, const QString& problem);

    Preferences& preferences_;
    MainWindowOptions options_;
    RunHistory* history_ = nullptr;
    ModelSession* session_ = nullptr;
    std::shared_ptr<GenerationService> service_;
    std::shared_ptr<GenerationService> localService_;  // the loaded model, shared (SerializedService)
    SharingController* sharing_ = nullptr;              // the HTTP server; local or remote per app
    QString modelDescription_;
    QString loadingModelPath_;
    QString modelPath_;
    bool librarySized_ = false;  // the user dragged the splitter (or it was restored)

    QStackedWidget* stack_ = nullptr;
    QSplitter* splitter_ = nullptr;
    LibraryPanel* library_ = nullptr;
    QWidget* appArea_ = nullptr;
    QLabel* appProblem_ = nullptr;
    DemoModelBanner* demoBanner_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QWidget* previousTab_ = nullptr;
    RunView* runView_ = nullptr;
    AppEditor* editor_ = nullptr;
    QScrollArea* editorPage_ = nullptr;  // the editor, scrolling in a short window
    HistoryView* historyView_ = nullptr;
    QWidget* historyPage_ = nullptr;  // the same widget (HistoryView is optional in the build)
    QWidget* emptyPage_ = nullptr;
    ModelsPage* modelsPage_ = nullptr;
    QLabel* modelStatus_ = nullptr;
    QProgressBar* modelProgress_ = nullptr;

    QString currentPath_;
    bool currentIsSample_ = false;
    bool changingSelection_ = false;
    QList<QPair<QString, QString>> trashed_;  // (original path, path in the trash)

    QAction* newApp_ = nullptr;
    QAction* import_ = nullptr;
    QAction* export_ = nullptr;
    QAction* duplicate_ = nullptr;
    QAction* rename_ = nullptr;
    QAction* delete_ = nullptr;
    QAction* undoDelete_ = nullptr;
    QAction* settings_ = nullptr;
    QAction* quit_ = nullptr;
    QAction* about_ = nullptr;
    QAction* gettingStarted_ = nullptr;
    QAction* shortcuts_ = nullptr;
    QAction* fileLocations_ = nullptr;
    QAction* getModel_ = nullptr;
    GetModelDialog* getModelDialog_ = nullptr;
    QAction* showApps_ = nullptr;
    QAction* showModels_ = nullptr;
    QAction* showRun_ = nullptr;
    QAction* showEdit_ = nullptr;
    QAction* showHistory_ = nullptr;
    QAction* focusSearch_ = nullptr;
    QAction* runRemotely_ = nullptr;
    QAction* demo_ = nullptr;
    QAction* addToDeck_ = nullptr;
    DeckPage* deckPage_ = nullptr;
    QPointer<DemoStage> stage_;
};

}  // namespace ps::ui
