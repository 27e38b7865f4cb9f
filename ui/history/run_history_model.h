#pragma once
// Past runs as a table for the history view: when, how it ended, the first line of
// the answer, and the speed. Holds a copy of the rows a RunHistory query returned.
#include <QAbstractTableModel>
#include <vector>

#include "history/run_record.h"

namespace ps::ui {

class RunHistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { WhenColumn, OutcomeColumn, AnswerColumn, SpeedColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setRuns(std::vector<RunRecord> runs);
    const std::vector<RunRecord>& runs() const { return runs_; }
    const RunRecord* runAt(int row) const;
    int rowOfRun(qint64 id) const;  // -1 when not shown

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Words for people: "Finished", "Stopped", "Failed", ...
    static QString outcomeText(RunOutcome outcome);
    // "Today 14:05", "Yesterday 09:12", or the date and time in the user's locale.
    static QString whenText(const QDateTime& startedAt);
    // Generation speed from the statistics; 0 when unknown.
    static double tokensPerSecond(const RunRecord& run);

private:
    std::vector<RunRecord> runs_;
};

}  // namespace ps::ui
