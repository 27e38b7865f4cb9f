#include "library/app_files.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "document/promptapp_reader.h"
#include "document/promptapp_writer.h"
#include "document/prompty.h"

namespace ps::ui {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("ps::ui::AppFiles", text); }

// Characters that are not allowed (or are awkward) in file names on some system.
QString safeFileStem(const QString& name) {
    QString stem;
    for (const QChar c : name.simplified()) {
        if (QStringLiteral("/\\:*?\"<>|").contains(c) || c.unicode() < 32)
            stem += QLatin1Char('-');
        else
            stem += c;
    }
    stem = stem.trimmed();
    while (stem.startsWith(QLatin1Char('.'))) stem.remove(0, 1);
    if (stem.size() > 80) stem.truncate(80);
    return stem.isEmpty() ? QStringLiteral("App") : stem;
}

bool loadForEditing(const QString& path, PromptApp* app, QString* error) {
    const PromptAppLoadResult result = loadPromptApp(path);
    if (!result.loaded) {
        if (error) *error = result.errorText(path);
        return false;
    }
    *app = result.app;
    return true;
}

}  // namespace

QString uniqueAppPath(const QString& folder, const QString& name) {
    const QDir dir(folder);
    const QString stem = safeFileStem(name);
    QString candidate = dir.absoluteFilePath(stem + kPromptAppSuffix);
    for (int n = 2; QFileInfo::exists(candidate); ++n)
        candidate = dir.absoluteFilePath(QStringLiteral("%1 %2%3").arg(stem).arg(n).arg(kPromptAppSuffix));
    return candidate;
}

PromptApp newAppTemplate(const QString& name) {
    PromptApp app;
    app.name = name;
    app.icon = QStringLiteral("\u2728");  // ✨
    // No description: the editor's field shows a placeholder, and nothing is saved
    // that the author did not write.
    app.instructions = tr("You are a helpful assistant. Answer clearly and briefly.");
    PromptInput topic;
    topic.name = QStringLiteral("topic");
    topic.label = tr("Topic");
    topic.type = InputType::Text;
    topic.required = true;
    topic.placeholder = tr("What should the answer be about?");
    app.inputs = {topic};
    app.templateText = tr("Write a short paragraph about {{ topic }}.") + QLatin1Char('\n');
    return app;
}

QString saveAsNewApp(const PromptApp& app, const QString& folder, QString* error) {
    if (!QDir().mkpath(folder)) {
        if (error) *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(folder));
        return {};
    }
    const QString path = uniqueAppPath(folder, app.name);
    if (!savePromptApp(app, path, error, SaveOptions{.keepBackup = false})) return {};
    return path;
}

QString duplicateApp(const QString& path, const QString& folder, QString* error, const QString& newName) {
    PromptApp app;
    if (!loadForEditing(path, &app, error)) return {};
    app.name = newName.isEmpty() ? tr("%1 (copy)").arg(app.name) : newName;
    app.filePath.clear();
    return saveAsNewApp(app, folder, error);
}

QString renameApp(const QString& path, const QString& newName, QString* error) {
    const QString name = newName.simplified();
    if (name.isEmpty()) {
        if (error) *error = tr("The name cannot be empty.");
        return {};
    }
    PromptApp app;
    if (!loadForEditing(path, &app, error)) return {};
    app.name = name;
    const QFileInfo info(path);
    QString target = info.absoluteFilePath();
    if (safeFileStem(name) != info.completeBaseName()) target = uniqueAppPath(info.absolutePath(), name);
    if (!savePromptApp(app, target, error, SaveOptions{.keepBackup = false})) return {};
    if (target != info.absoluteFilePath() && !QFile::remove(path)) {
        QFile::remove(target);
        if (error) *error = tr("Cannot rename %1: the old file cannot be removed.").arg(QDir::toNativeSeparators(path));
        return {};
    }
    return target;
}

bool trashApp(const QString& path, QString* trashedPath, QString* error) {
    QString where;
    if (!QFile::moveToTrash(path, &where)) {
        if (error) *error = tr("Cannot move %1 to the trash.").arg(QDir::toNativeSeparators(path));
        return false;
    }
    if (trashedPath) *trashedPath = where;
    return true;
}

bool restoreTrashedApp(const QString& trashedPath, const QString& originalPath, QString* error) {
    if (QFileInfo::exists(originalPath)) {
        if (error) *error = tr("Cannot restore %1: a file with that name exists again.")
                                .arg(QDir::toNativeSeparators(originalPath));
        return false;
    }
    if (!QFile::rename(trashedPath, originalPath)) {
        if (error) *error = tr("Cannot restore %1 from the trash.").arg(QDir::toNativeSeparators(originalPath));
        return false;
    }
    // The desktop's trash keeps a note of each file; remove it with the file.
    const QFileInfo trashed(trashedPath);
    const QString info = trashed.dir().absoluteFilePath(QStringLiteral("../info/%1.trashinfo").arg(trashed.fileName()));
    QFile::remove(QDir::cleanPath(info));
    return true;
}

QString importApp(const QString& sourcePath, const QString& folder, QString* error) {
    const bool prompty = sourcePath.endsWith(QLatin1String(kPromptySuffix), Qt::CaseInsensitive);
    const PromptAppLoadResult result = prompty ? loadPrompty(sourcePath) : loadPromptApp(sourcePath);
    if (!result.ok()) {
        if (error) *error = result.errorText(QDir::toNativeSeparators(sourcePath));
        return {};
    }
    PromptApp app = result.app;
    app.filePath.clear();
    return saveAsNewApp(app, folder, error);
}

QString importAppAsIs(const QString& sourcePath, const QString& folder, QString* error) {
    if (!QDir().mkpath(folder)) {
        if (error) *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(folder));
        return {};
    }
    const QString path = uniqueAppPath(folder, QFileInfo(sourcePath).completeBaseName());
    if (!QFile::copy(sourcePath, path)) {
        if (error) *error = tr("Cannot copy %1 into %2.").arg(QDir::toNativeSeparators(sourcePath),
                                                             QDir::toNativeSeparators(folder));
        return {};
    }
    QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::WriteOwner);
    return path;
}

bool exportApp(const QString& path, const QString& destination, QString* error) {
    PromptApp app;
    if (!loadForEditing(path, &app, error)) return false;
    if (destination.endsWith(QLatin1String(kPromptySuffix), Qt::CaseInsensitive))
        return savePrompty(app, destination, error);
    return savePromptApp(app, destination, error, SaveOptions{.keepBackup = false});
}

}  // namespace ps::ui
