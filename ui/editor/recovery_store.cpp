#include "editor/recovery_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <algorithm>

#include "document/promptapp_reader.h"
#include "document/promptapp_writer.h"

namespace ps::ui {

namespace {

QString originFileOf(const QString& path) {
    return path + QStringLiteral(".origin");
}

// A name every file system accepts: no path separators or reserved characters.
QString fileSafeName(const QString& appName) {
    QString name = appName.simplified();
    static const QString reserved = QStringLiteral("/\\:*?\"<>|");
    for (QChar& c : name) {
        if (reserved.contains(c) || c.unicode() < 0x20) c = QLatin1Char('_');
    }
    while (name.startsWith(QLatin1Char('.'))) name.remove(0, 1);
    if (name.isEmpty()) name = QStringLiteral("Untitled");
    return name.left(100);
}

}  // namespace

QString RecoveryFile::question() const {
    return QCoreApplication::translate("ps::ui::RecoveryStore",
                                       "Prompt Studio closed before you saved '%1'. Restore it?")
        .arg(appName);
}

QString RecoveryStore::folder() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/recovery");
}

QString RecoveryStore::pathFor(const QString& appName) {
    return folder() + QLatin1Char('/') + fileSafeName(appName) + QLatin1String(kPromptAppSuffix);
}

bool RecoveryStore::write(const PromptApp& app, const QString& path, const QString& originalPath,
                          QString* error) {
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        if (error) {
            *error =
                QCoreApplication::translate("ps::ui::RecoveryStore", "cannot create the folder %1")
                    .arg(QFileInfo(path).absolutePath());
        }
        return false;
    }
    if (!savePromptApp(app, path, error, SaveOptions{.keepBackup = false})) return false;
    QFile origin(originFileOf(path));
    if (!origin.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error) *error = origin.fileName() + QStringLiteral(": ") + origin.errorString();
        return false;
    }
    origin.write(originalPath.toUtf8());
    return true;
}

bool RecoveryStore::remove(const QString& path) {
    QFile::remove(originFileOf(path));
    QFile::remove(path);
    return !QFileInfo::exists(path);
}

QList<RecoveryFile> RecoveryStore::list() {
    QList<RecoveryFile> files;
    const QDir dir(folder());
    const QFileInfoList entries =
        dir.entryInfoList({QStringLiteral("*") + QLatin1String(kPromptAppSuffix)}, QDir::Files);
    for (const QFileInfo& info : entries) {
        RecoveryFile file;
        file.path = info.absoluteFilePath();
        file.savedAt = info.lastModified();
        const PromptAppLoadResult loaded = loadPromptApp(file.path);
        file.appName =
            loaded.loaded && !loaded.app.name.isEmpty() ? loaded.app.name : info.completeBaseName();
        QFile origin(originFileOf(file.path));
        if (origin.open(QIODevice::ReadOnly))
            file.originalPath = QString::fromUtf8(origin.readAll());
        files.append(file);
    }
    std::sort(files.begin(), files.end(),
              [](const RecoveryFile& a, const RecoveryFile& b) { return a.savedAt > b.savedAt; });
    return files;
}

}  // namespace ps::ui
