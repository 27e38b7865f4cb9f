#include "history/history_schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include "history/run_history.h"

namespace ps {

namespace {

// Step N brings a file from version N to N + 1.
const QStringList& migrationStep(int fromVersion) {
    // Version 1: the runs table.
    static const QStringList toVersion1{
        QStringLiteral("CREATE TABLE runs ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " app_name TEXT NOT NULL,"
                       " app_path TEXT NOT NULL DEFAULT '',"
                       " app_version TEXT NOT NULL DEFAULT '',"
                       " inputs TEXT NOT NULL DEFAULT '{}',"
                       " output TEXT NOT NULL DEFAULT '',"
                       " model TEXT NOT NULL DEFAULT '',"
                       " parameters TEXT NOT NULL DEFAULT '{}',"
                       " statistics TEXT NOT NULL DEFAULT '{}',"
                       " started_at_ms INTEGER NOT NULL,"
                       " ended_at_ms INTEGER,"
                       " outcome TEXT NOT NULL,"
                       " error_message TEXT NOT NULL DEFAULT '')"),
        QStringLiteral("CREATE INDEX runs_by_app ON runs(app_name, started_at_ms)"),
    };
    // Version 2: which process owns a running row, so that opening the history
    // can tell a crashed run from one still going in another process.
    static const QStringList toVersion2{
        QStringLiteral("ALTER TABLE runs ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("ALTER TABLE runs ADD COLUMN owner_session TEXT NOT NULL DEFAULT ''"),
        QStringLiteral("CREATE INDEX runs_by_outcome ON runs(outcome)"),
    };
    static const QStringList none;
    switch (fromVersion) {
        case 0: return toVersion1;
        case 1: return toVersion2;
        default: return none;
    }
}

[[noreturn]] void fail(const QString& path, const QString& what, const QSqlError& error) {
    throw HistoryError(QStringLiteral("%1: %2: %3").arg(path, what, error.text()).toStdString());
}

}  // namespace

int historySchemaVersion(QSqlDatabase& database) {
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) return -1;
    const int version = query.value(0).toInt();
    query.finish();
    return version;
}

void migrateHistorySchema(QSqlDatabase& database, const QString& path, int targetVersion) {
    const int current = historySchemaVersion(database);
    if (current < 0) fail(path, QStringLiteral("cannot read the schema version"), database.lastError());
    if (current > targetVersion) {
        throw HistoryError(QStringLiteral("%1: the history was written by a newer Prompt Studio "
                                          "(schema %2, this version reads up to %3)")
                               .arg(path)
                               .arg(current)
                               .arg(targetVersion)
                               .toStdString());
    }
    for (int version = current; version < targetVersion; ++version) {
        if (!database.transaction()) fail(path, QStringLiteral("cannot begin a migration"), database.lastError());
        QSqlQuery query(database);
        for (const QString& statement : migrationStep(version)) {
            if (!query.exec(statement)) {
                const QSqlError error = query.lastError();
                database.rollback();
                fail(path, QStringLiteral("migration to schema %1 failed").arg(version + 1), error);
            }
        }
        // PRAGMA takes no bound parameters; the value is our own integer.
        if (!query.exec(QStringLiteral("PRAGMA user_version = %1").arg(version + 1))) {
            const QSqlError error = query.lastError();
            database.rollback();
            fail(path, QStringLiteral("cannot set the schema version"), error);
        }
        if (!database.commit()) fail(path, QStringLiteral("cannot commit a migration"), database.lastError());
    }
}

}  // namespace ps
