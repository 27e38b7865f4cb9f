#pragma once
// `promptstudio --screenshot-tour DIR`: shows the main pages one after another
// and saves a PNG of each into DIR (library.png, run.png with an answer being
// written, editor.png and editor-<tab>.png for each editor tab, history.png,
// models.png, get-model.png), then quits. scripts/screenshots.sh runs it
// under Xvfb for the README.
#include <QObject>
#include <QPointer>
#include <QSize>
#include <QString>

namespace ps::ui {

class DemoStage;
class MainWindow;

class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    // `appPath`: the app to show and run (empty = the first sample).
    // `size`: the window's size in the pictures (a laptop's 1366x768, a desktop's 1920x1080).
    // `demo`: also take demo mode's stage (stage.png, mid-answer) and the race (race.png).
    ScreenshotTour(MainWindow& window, QString folder, QString appPath, QSize size = QSize(1366, 768),
                   bool demo = false);

    void start();

signals:
    void done(int exitCode);

private:
    void showLibrary();
    void runApp();
    void showEditor();
    void showEditorTab(int index);
    void showHistory();
    void showModels();
    void showGetModel();
    void showDeckPage();
    void showStage();
    void showRace();
    void finish();
    bool save(const QString& name);
    void fillForm();

    MainWindow& window_;
    QString folder_;
    QString appPath_;
    QSize size_;
    bool ranOnce_ = false;
    bool waitedForModel_ = false;
    bool savedLibrary_ = false;
    bool grabbedRun_ = false;
    int failures_ = 0;
    bool demo_ = false;
    bool grabbedStage_ = false;
    bool grabbedRace_ = false;
    QPointer<DemoStage> stage_;
};

}  // namespace ps::ui
