#pragma once
// The tables of the run history and the steps that bring an older file up to
// RunHistory::kSchemaVersion. PRAGMA user_version holds the version a file is at.
#include <QSqlDatabase>
#include <QString>

namespace ps {

// Brings `database` to `targetVersion`, one step per version, each in its own
// transaction together with the new user_version. Throws HistoryError (naming
// `path`) on failure or when the file is newer than `targetVersion`.
void migrateHistorySchema(QSqlDatabase& database, const QString& path, int targetVersion);

int historySchemaVersion(QSqlDatabase& database);

}  // namespace ps
