#pragma once
// The one way app/ writes a document the user keeps (.promptapp, .promptdeck): the
// bytes go to a temporary file that is renamed over the old one (QSaveFile), so a
// crash or a full disk never leaves a half-written file; optionally the file being
// replaced is kept as `<path>.bak` first.
#include <QByteArray>
#include <QString>

namespace ps {

// Writes `bytes` to `path` atomically. On any failure the old file is untouched,
// `error` says what failed and where, and the result is false. `keepBackup` copies
// the file being replaced to `<path>.bak` just before the new one takes its place.
bool saveFileAtomically(const QString& path, const QByteArray& bytes, QString* error, bool keepBackup);

// The backup file of `path` ("/x/email.promptapp" -> "/x/email.promptapp.bak").
QString backupPathOf(const QString& path);

}  // namespace ps
