#pragma once
// The run history: every run of every app in one SQLite file (Qt SQL, QSQLITE),
// by default history.sqlite in the user's data folder (QStandardPaths::
// AppDataLocation, i.e. $XDG_DATA_HOME/<organization>/<application>).
//
// Crash safety: the file is in WAL journal mode, every write is one statement
// or one transaction, and a run is inserted as `running` when it starts. Each
// row records the process that owns it; when a history is opened, `running`
// rows whose process no longer exists are marked `interrupted`. Rows of a
// process that is still alive (the desktop program running while the
// command-line tool opens the same file) are left alone.
//
// Threads: a Qt SQL connection may only be used by the thread that created it.
// A RunHistory opens its own named connection in the constructor and every
// method throws HistoryError when called from any other thread. A thread that
// needs the history opens its own RunHistory on the same file (SQLite and WAL
// handle several connections; a busy timeout waits out short write locks).
// The Runner never touches the history from its worker thread: it records the
// start and the end from the caller's thread (see runner/run_recorder.h).
#include <QString>

#include <optional>
#include <stdexcept>
#include <vector>

#include "history/run_record.h"

class QThread;

namespace ps {

class HistoryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct HistoryQuery {
    QString appName;  // exact app name; empty = every app
    QString text;     // found in the inputs or the output (case-insensitive for ASCII)
    int limit = 50;   // newest first; <= 0 = no limit
};

class RunHistory {
public:
    // The schema this build writes (PRAGMA user_version). Older files migrate on
    // open; a newer file is refused rather than damaged.
    static constexpr int kSchemaVersion = 2;

    // history.sqlite in the user's data folder.
    static QString defaultPath();

    // Opens (creating the file and its folder if needed), migrates and recovers
    // interrupted runs. Throws HistoryError naming the file when it cannot.
    explicit RunHistory(const QString& path = defaultPath());
    ~RunHistory();
    RunHistory(const RunHistory&) = delete;
    RunHistory& operator=(const RunHistory&) = delete;

    const QString& path() const { return path_; }
    int schemaVersion() const;
    // Runs of dead processes found `running` and marked `interrupted` on open.
    int recoveredRunCount() const { return recovered_; }

    // Inserts `record` as running (startedAt defaults to now) and returns its id.
    qint64 startRun(const RunRecord& record);
    // Records the end of a run. `outcome` must not be Running.
    void finishRun(qint64 id, RunOutcome outcome, const QString& output,
                   const QJsonObject& statistics, const QString& errorMessage = {});

    std::optional<RunRecord> run(qint64 id) const;
    std::vector<RunRecord> recent(int limit = 50) const;
    std::vector<RunRecord> search(const HistoryQuery& query) const;

    // Returns whether a row was deleted.
    bool remove(qint64 id);
    // Deletes every run of `appName`; returns how many.
    int removeApp(const QString& appName);

private:
    void checkThread() const;
    void recoverInterruptedRuns();

    QString path_;
    QString connectionName_;
    QThread* thread_ = nullptr;
    int recovered_ = 0;
};

}  // namespace ps
