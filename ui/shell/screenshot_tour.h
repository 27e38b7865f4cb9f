#pragma once
// `promptstudio --screenshot-tour DIR`: shows the main pages one after another
// and saves a PNG of each into DIR (library.png, run.png with an answer being
// written, editor.png, models.png), then quits. scripts/screenshots.sh runs it
// under Xvfb for the README.
#include <QObject>
#include <QString>

namespace ps::ui {

class MainWindow;

class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    // `appPath`: the app to show and run (empty = the first sample).
    ScreenshotTour(MainWindow& window, QString folder, QString appPath);

    void start();

signals:
    void done(int exitCode);

private:
    void showLibrary();
    void runApp();
    void showEditor();
    void showHistory();
    void showModels();
    bool save(const QString& name);
    void fillForm();

    MainWindow& window_;
    QString folder_;
    QString appPath_;
    bool ranOnce_ = false;
    bool grabbedRun_ = false;
    int failures_ = 0;
};

}  // namespace ps::ui
