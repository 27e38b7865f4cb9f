#pragma once
// The Run view: the form generated from an app's inputs, the Run / Stop
// buttons, and the answer streaming in (Markdown, plain text or pretty JSON, or
// a conversation for chat apps), with live statistics (time to the first word,
// words per second, what runs the model). Used by the main window for the
// selected app and by the editor's "Try it" panel.
//
// Tokens never repaint the view one by one: OutputPane buffers them and a timer
// flushes at display rate, so the window stays responsive however fast the
// model writes.
#include <QVariantMap>
#include <QWidget>

#include <memory>

#include "document/prompt_app.h"

class QAction;

namespace ps {
class GenerationService;
class RunHistory;
class Runner;
struct RunResult;
}  // namespace ps

namespace ps::ui {

class InputForm;
class OutputPane;

class RunView : public QWidget {
    Q_OBJECT
public:
    explicit RunView(QWidget* parent = nullptr);
    ~RunView() override;

    // The app to run and its file (empty for an unsaved app); rebuilds the form
    // and clears the answer. A run in progress is stopped first.
    void setApp(const PromptApp& app, const QString& path);
    const PromptApp& app() const;
    QString appPath() const;
    // What generates (null = no model loaded: the view says what to do).
    void setService(std::shared_ptr<GenerationService> service);
    // Shown instead of the "no model" notice while a model loads (empty = none).
    void setModelStatus(const QString& status);
    // Parameters for apps that do not set them (snake_case keys, e.g. temperature,
    // max_tokens: the user's defaults from Settings).
    void setDefaultParameters(const QVariantMap& parameters);
    // The model only continues text (no chat format): form and chat apps get a
    // warning that their answers may miss the point.
    void setBaseModel(bool base);
    bool baseModelWarningShown() const;
    // Narrow places (the editor's Try-it panel): the answer's buttons show icons only.
    void setCompact(bool compact);
    // Not owned; nullptr = runs are not recorded.
    void setHistory(RunHistory* history);
    // Fills the form (input name -> value), e.g. to re-run from the history.
    void setInputs(const QVariantMap& inputs);
    // The form's values as the runner takes them.
    QVariantMap inputs() const;

    // Starts a run with the form's values (shows validation messages instead
    // when a required input is missing or a value is wrong).
    void runNow();
    void stop();
    bool isRunning() const;

    // The view's actions, shared with the window's menus and toolbar.
    QAction* runAction() const;
    QAction* stopAction() const;
    QAction* regenerateAction() const;
    QAction* copyAction() const;
    QAction* saveAnswerAction() const;

    // The parts, for the window and the tests.
    InputForm* form() const;
    OutputPane* output() const;
    Runner* runner() const;
    // The statistics line and the last error shown.
    QString statisticsText() const;
    QString errorText() const;

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

signals:
    void runStarted();
    void runEnded();
    // The user asked for the Models page (the "no model" notice's button).
    void modelsPageRequested();

private:
    static QString baseWarningText();
    void buildUi();
    void fitFormHeight();
    void updateState();
    void updateLiveStatistics();
    void onStarted();
    void onToken(const QString& text);
    void onFinished(const RunResult& result);
    void onFailed(const QString& message);
    void onCancelled(const RunResult& partial);
    void showConversation();
    void regenerate();
    QString answerText() const;
    void updateIcons();
    void updateTabOrder();
    void copyAnswer();
    void saveAnswer();

    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace ps::ui
