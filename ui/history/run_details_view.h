#pragma once
// One past run in full: the inputs it was given, the answer (rendered as the app
// renders it: Markdown, plain text or pretty JSON), the model and settings, and the
// statistics.
#include <QWidget>

#include "document/prompt_app.h"
#include "history/run_record.h"

class QLabel;
class QTextBrowser;

namespace ps::ui {

class RunDetailsView : public QWidget {
    Q_OBJECT
public:
    explicit RunDetailsView(QWidget* parent = nullptr);

    // `app` gives the input labels and the answer format; nullptr run = nothing chosen.
    void showRun(const RunRecord* run, const PromptApp& app);

    QString summaryText() const;  // inputs, model, settings, statistics (for tests)
    QString answerText() const;

private:
    QLabel* summary_;
    QTextBrowser* answer_;
};

}  // namespace ps::ui
