#include "document/atomic_save.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <filesystem>
#include <system_error>

namespace ps {

QString backupPathOf(const QString& path) { return path + ".bak"; }

namespace {

// Copies the current file to `<path>.bak` through a temporary file and a rename, so a
// failed copy never leaves a half-written backup in place of the previous one.
bool writeBackup(const QString& path, QString* error) {
    const QString backup = backupPathOf(path);
    const QString temporary = backup + ".tmp";
    QFile::remove(temporary);
    if (!QFile::copy(path, temporary)) {
        if (error) *error = QStringLiteral("cannot keep a backup of %1 as %2; the file was not saved")
                                .arg(path, backup);
        return false;
    }
    std::error_code code;
    std::filesystem::rename(QFile::encodeName(temporary).toStdString(),
                            QFile::encodeName(backup).toStdString(), code);
    if (code) {
        QFile::remove(temporary);
        if (error) *error = QStringLiteral("cannot keep a backup of %1 as %2 (%3); the file was not saved")
                                .arg(path, backup, QString::fromStdString(code.message()));
        return false;
    }
    return true;
}

}  // namespace

bool saveFileAtomically(const QString& path, const QByteArray& bytes, QString* error, bool keepBackup) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error) *error = QStringLiteral("cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(bytes) != bytes.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        if (error) *error = QStringLiteral("cannot save %1: %2").arg(path, reason);
        return false;
    }
    // The backup is taken just before the new text replaces the old, so that the
    // backup is always the version the user had before this save.
    if (keepBackup && QFileInfo(path).isFile() && !writeBackup(path, error)) {
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        if (error) *error = QStringLiteral("cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

}  // namespace ps
