#include "history/run_history_model.h"

#include <QLocale>

namespace ps::ui {

void RunHistoryModel::setRuns(std::vector<RunRecord> runs) {
    beginResetModel();
    runs_ = std::move(runs);
    endResetModel();
}

const RunRecord* RunHistoryModel::runAt(int row) const {
    if (row < 0 || row >= static_cast<int>(runs_.size())) return nullptr;
    return &runs_[static_cast<size_t>(row)];
}

int RunHistoryModel::rowOfRun(qint64 id) const {
    for (size_t i = 0; i < runs_.size(); ++i) {
        if (runs_[i].id == id) return static_cast<int>(i);
    }
    return -1;
}

int RunHistoryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int RunHistoryModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString RunHistoryModel::outcomeText(RunOutcome outcome) {
    switch (outcome) {
        case RunOutcome::Running:
            return tr("Running");
        case RunOutcome::Finished:
            return tr("Finished");
        case RunOutcome::Failed:
            return tr("Failed");
        case RunOutcome::Cancelled:
            return tr("Stopped");
        case RunOutcome::Interrupted:
            return tr("Interrupted");
    }
    return {};
}

QString RunHistoryModel::whenText(const QDateTime& startedAt) {
    const QDateTime local = startedAt.toLocalTime();
    const QDate today = QDate::currentDate();
    const QString time = QLocale().toString(local.time(), QLocale::ShortFormat);
    if (local.date() == today) return tr("Today %1").arg(time);
    if (local.date() == today.addDays(-1)) return tr("Yesterday %1").arg(time);
    return QLocale().toString(local, QLocale::ShortFormat);
}

double RunHistoryModel::tokensPerSecond(const RunRecord& run) {
    return run.statistics.value(QStringLiteral("decodeTokensPerSecond")).toDouble();
}

QVariant RunHistoryModel::data(const QModelIndex& index, int role) const {
    const RunRecord* run = runAt(index.row());
    if (!run) return {};
    if (role == Qt::ToolTipRole && index.column() == AnswerColumn) {
        return run->outcome == RunOutcome::Failed ? run->errorMessage : run->output.left(500);
    }
    if (role == Qt::TextAlignmentRole && index.column() == SpeedColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case WhenColumn:
            return whenText(run->startedAt);
        case OutcomeColumn:
            return outcomeText(run->outcome);
        case AnswerColumn: {
            if (run->outcome == RunOutcome::Failed && run->output.trimmed().isEmpty())
                return run->errorMessage.section(QLatin1Char('\n'), 0, 0);
            // The first line that says something.
            for (const QString& line : run->output.split(QLatin1Char('\n'))) {
                if (!line.trimmed().isEmpty()) return line.trimmed();
            }
            return QString();
        }
        case SpeedColumn: {
            const double speed = tokensPerSecond(*run);
            return speed > 0 ? tr("%1 tokens/s").arg(QLocale().toString(speed, 'f', 1)) : QString();
        }
    }
    return {};
}

QVariant RunHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case WhenColumn:
            return tr("When");
        case OutcomeColumn:
            return tr("Outcome");
        case AnswerColumn:
            return tr("Answer");
        case SpeedColumn:
            return tr("Speed");
    }
    return {};
}

}  // namespace ps::ui
