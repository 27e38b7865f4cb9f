#include "history/history_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "history/run_details_view.h"
#include "history/run_history.h"
#include "history/run_history_model.h"

namespace ps::ui {

namespace {
constexpr int kShownRuns = 500;
}

HistoryView::HistoryView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* searchRow = new QHBoxLayout;
    search_ = new QLineEdit(this);
    search_->setObjectName(QStringLiteral("historySearch"));
    search_->setPlaceholderText(tr("Search the inputs and answers"));
    search_->setClearButtonEnabled(true);
    auto* searchLabel = new QLabel(tr("S&earch"), this);
    searchLabel->setBuddy(search_);
    searchRow->addWidget(searchLabel);
    searchRow->addWidget(search_, 1);
    layout->addLayout(searchRow);

    emptyText_ = new QLabel(this);
    emptyText_->setObjectName(QStringLiteral("historyEmpty"));
    emptyText_->setWordWrap(true);
    layout->addWidget(emptyText_);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    model_ = new RunHistoryModel(this);
    table_ = new QTableView(splitter);
    table_->setObjectName(QStringLiteral("historyTable"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setTabKeyNavigation(false);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(RunHistoryModel::AnswerColumn,
                                                     QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(RunHistoryModel::WhenColumn,
                                                     QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(RunHistoryModel::OutcomeColumn,
                                                     QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(RunHistoryModel::SpeedColumn,
                                                     QHeaderView::ResizeToContents);
    details_ = new RunDetailsView(splitter);
    splitter->addWidget(table_);
    splitter->addWidget(details_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    auto* buttons = new QHBoxLayout;
    rerun_ = new QPushButton(tr("R&un again with these inputs"), this);
    rerun_->setObjectName(QStringLiteral("rerun"));
    delete_ = new QPushButton(tr("&Delete run"), this);
    delete_->setObjectName(QStringLiteral("deleteRun"));
    delete_->setToolTip(tr("Delete the chosen run from the history (Delete key)"));
    buttons->addWidget(rerun_);
    buttons->addStretch(1);
    buttons->addWidget(delete_);
    layout->addLayout(buttons);

    auto* deleteKey = new QShortcut(QKeySequence::Delete, table_);
    deleteKey->setContext(Qt::WidgetShortcut);
    connect(deleteKey, &QShortcut::activated, this, [this] { deleteSelectedRun(); });

    connect(search_, &QLineEdit::textChanged, this, [this] { refresh(); });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showSelected(); });
    connect(table_, &QTableView::activated, this,
            [this] { emit rerunRequested(selectedInputs()); });
    connect(rerun_, &QPushButton::clicked, this, [this] {
        if (selectedRun()) emit rerunRequested(selectedInputs());
    });
    connect(delete_, &QPushButton::clicked, this, [this] { deleteSelectedRun(); });
    refresh();
}

void HistoryView::setHistory(RunHistory* history) {
    history_ = history;
    refresh();
}

void HistoryView::setApp(const PromptApp& app) {
    app_ = app;
    refresh();
}

void HistoryView::setSearchText(const QString& text) {
    search_->setText(text);
}

void HistoryView::refresh() {
    const qint64 keep = selectedRun() ? selectedRun()->id : 0;
    std::vector<RunRecord> runs;
    if (history_ && !app_.name.isEmpty()) {
        HistoryQuery query;
        query.appName = app_.name;
        query.text = search_->text().trimmed();
        query.limit = kShownRuns;
        try {
            runs = history_->search(query);
        } catch (const HistoryError& error) {
            emptyText_->setText(
                tr("The history cannot be read: %1").arg(QString::fromUtf8(error.what())));
            emptyText_->show();
            model_->setRuns({});
            showSelected();
            return;
        }
    }
    model_->setRuns(std::move(runs));
    const int row = keep ? model_->rowOfRun(keep) : -1;
    selectRun(row >= 0 ? row : 0);
    updateEmptyText();
    showSelected();
}

void HistoryView::updateEmptyText() {
    QString text;
    if (!history_)
        text = tr("The run history is not available.");
    else if (app_.name.isEmpty())
        text = tr("Choose an app to see its past runs.");
    else if (model_->rowCount() == 0 && !search_->text().trimmed().isEmpty())
        text = tr("No runs of '%1' contain “%2”.").arg(app_.name, search_->text().trimmed());
    else if (model_->rowCount() == 0)
        text = tr("'%1' has not been run yet. Its runs appear here after you press Run.")
                   .arg(app_.name);
    emptyText_->setText(text);
    emptyText_->setVisible(!text.isEmpty());
}

int HistoryView::runCount() const {
    return model_->rowCount();
}

bool HistoryView::selectRun(int row) {
    if (row < 0 || row >= model_->rowCount()) {
        table_->clearSelection();
        table_->setCurrentIndex({});
        return false;
    }
    table_->selectRow(row);
    table_->setCurrentIndex(model_->index(row, RunHistoryModel::WhenColumn));
    return true;
}

const RunRecord* HistoryView::selectedRun() const {
    const QModelIndex current = table_->currentIndex();
    return current.isValid() ? model_->runAt(current.row()) : nullptr;
}

QVariantMap HistoryView::selectedInputs() const {
    const RunRecord* run = selectedRun();
    return run ? run->inputs.toVariantMap() : QVariantMap();
}

void HistoryView::showSelected() {
    const RunRecord* run = selectedRun();
    details_->showRun(run, app_);
    rerun_->setEnabled(run != nullptr);
    delete_->setEnabled(run != nullptr);
}

void HistoryView::setDeleteConfirmation(DeleteConfirmation confirm) {
    confirmDelete_ = std::move(confirm);
}

bool HistoryView::deleteSelectedRun() {
    const RunRecord* run = selectedRun();
    if (!run || !history_) return false;
    const RunRecord chosen = *run;
    const bool confirmed =
        confirmDelete_
            ? confirmDelete_(chosen)
            : QMessageBox::question(
                  this, tr("Delete this run?"),
                  tr("Delete the run of %1 from the history? This cannot be undone.")
                      .arg(RunHistoryModel::whenText(chosen.startedAt)),
                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
    if (!confirmed) return false;
    const int row = model_->rowOfRun(chosen.id);
    bool removed = false;
    try {
        removed = history_->remove(chosen.id);
    } catch (const HistoryError& error) {
        QMessageBox::warning(this, tr("Could not delete the run"), QString::fromUtf8(error.what()));
        return false;
    }
    refresh();
    selectRun(qMin(row, model_->rowCount() - 1));
    showSelected();
    return removed;
}

}  // namespace ps::ui
