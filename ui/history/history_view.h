#pragma once
// The history of one app: its past runs (newest first) with search, the selected
// run in full, "Run again with these inputs", and delete (after a confirmation).
#include <QVariantMap>
#include <QWidget>
#include <functional>

#include "document/prompt_app.h"
#include "history/run_record.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace ps {
class RunHistory;
}

namespace ps::ui {

class RunDetailsView;
class RunHistoryModel;

class HistoryView : public QWidget {
    Q_OBJECT
public:
    explicit HistoryView(QWidget* parent = nullptr);

    // Not owned; must live on this thread (see run_history.h). nullptr = nothing shown.
    void setHistory(RunHistory* history);
    // Shows the runs of `app` (by name); its inputs give the labels and its output
    // format how answers are shown.
    void setApp(const PromptApp& app);
    // Reads the runs again (after a run ended, say).
    void refresh();

    void setSearchText(const QString& text);
    int runCount() const;
    // Selects the run on `row` of the list (newest first); false when there is none.
    bool selectRun(int row);
    const RunRecord* selectedRun() const;
    // Deletes the selected run after asking (or the injected confirmation).
    bool deleteSelectedRun();
    // The stored inputs of the selected run, as the run view takes them.
    QVariantMap selectedInputs() const;

    // For tests: answers "Delete this run?" without a dialog.
    using DeleteConfirmation = std::function<bool(const RunRecord& run)>;
    void setDeleteConfirmation(DeleteConfirmation confirm);

    RunHistoryModel* runsModel() const { return model_; }
    RunDetailsView* detailsView() const { return details_; }

signals:
    // "Run again with these inputs": the main window fills the run view with them.
    void rerunRequested(const QVariantMap& inputs);

private:
    void showSelected();
    void updateEmptyText();

    RunHistory* history_ = nullptr;
    PromptApp app_;
    DeleteConfirmation confirmDelete_;
    RunHistoryModel* model_;
    QLineEdit* search_;
    QLabel* emptyText_;
    QTableView* table_;
    RunDetailsView* details_;
    QPushButton* rerun_;
    QPushButton* delete_;
};

}  // namespace ps::ui
