// AppEditor: opening, saving, asking before closing, and recovery copies.
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>

#include "document/promptapp_reader.h"
#include "document/promptapp_writer.h"
#include "editor/app_editor.h"
#include "editor/app_editor_private.h"
#include "settings/preferences.h"

namespace ps::ui {

namespace {

// What a new app starts with: enough to run at once and to show how templates work.
PromptApp starterApp() {
    PromptApp app;
    app.name = AppEditor::tr("New app");
    app.icon = QStringLiteral("📝");
    app.instructions = AppEditor::tr("You are a helpful assistant.");
    PromptInput topic;
    topic.name = QStringLiteral("topic");
    topic.label = AppEditor::tr("Topic");
    topic.required = true;
    app.inputs << topic;
    app.templateText = AppEditor::tr("Write a short paragraph about {{ topic }}.");
    return app;
}

// A file name from an app name: what people typed, minus characters file systems refuse.
QString fileBaseName(const QString& appName) {
    QString name = appName.simplified();
    static const QString reserved = QStringLiteral("/\\:*?\"<>|");
    for (QChar& c : name) {
        if (reserved.contains(c) || c.unicode() < 0x20) c = QLatin1Char('_');
    }
    while (name.startsWith(QLatin1Char('.'))) name.remove(0, 1);
    return name.isEmpty() ? AppEditor::tr("Untitled") : name.left(100);
}

}  // namespace

void AppEditor::newApp() {
    setApp(starterApp(), {}, false);
}

void AppEditor::setApp(const PromptApp& app, const QString& path, bool readOnlySample) {
    removeRecoveryCopy();
    PromptApp shown = app;
    shown.source = {};  // positions in the file go stale with the first edit
    d->filePath = path;
    d->readOnlySample = readOnlySample;
    d->tryItApp = PromptApp();
    d->document.reset(shown);
}

bool AppEditor::load(const QString& path, QString* error) {
    const PromptAppLoadResult result = loadPromptApp(path);
    if (!result.loaded) {
        if (error) *error = result.errorText(path);
        return false;
    }
    const QFileInfo info(path);
    setApp(result.app, info.absoluteFilePath(), !info.isWritable());
    return true;
}

bool AppEditor::restoreRecovery(const RecoveryFile& file, QString* error) {
    const PromptAppLoadResult result = loadPromptApp(file.path);
    if (!result.loaded) {
        if (error) *error = result.errorText(file.path);
        return false;
    }
    removeRecoveryCopy();
    PromptApp app = result.app;
    app.source = {};
    d->filePath = file.originalPath;
    d->readOnlySample = !file.originalPath.isEmpty() && QFileInfo::exists(file.originalPath) &&
                        !QFileInfo(file.originalPath).isWritable();
    d->recoveryPath = file.path;  // removed when this document is saved or discarded
    d->tryItApp = PromptApp();
    d->document.reset(app, /*modified=*/true);
    return true;
}

void AppEditor::setAppsFolder(const QString& folder) {
    d->appsFolder = folder;
}

QString AppEditor::appsFolder() const {
    return d->appsFolder.isEmpty() ? Preferences().appsFolder() : d->appsFolder;
}

QString AppEditor::unusedAppPath(const QString& name) const {
    const QString base = appsFolder() + QLatin1Char('/') + fileBaseName(name);
    QString path = base + QLatin1String(kPromptAppSuffix);
    for (int n = 2; QFileInfo::exists(path); ++n)
        path = QStringLiteral("%1 %2%3").arg(base).arg(n).arg(QLatin1String(kPromptAppSuffix));
    return path;
}

bool AppEditor::save(QString* error) {
    if (d->readOnlySample) {
        // A sample stays as it is; the user's changes become their own app.
        const QString suggested = tr("%1 (my copy)").arg(d->document.app().name);
        QString name;
        if (d->copyNameQuestion) {
            name = d->copyNameQuestion(suggested);
        } else {
            name = QInputDialog::getText(
                this, tr("Save your own copy"),
                tr("This is a sample app, so your changes are saved as a new app in your apps "
                   "folder.\nName of your app:"),
                QLineEdit::Normal, suggested);
        }
        name = name.trimmed();
        if (name.isEmpty()) {
            if (error) error->clear();  // cancelled: nothing to report
            return false;
        }
        PromptApp renamed = d->document.app();
        renamed.name = name;
        d->document.edit(renamed, tr("Rename copy"));
        return saveAs(unusedAppPath(name), error);
    }
    const QString path =
        d->filePath.isEmpty() ? unusedAppPath(d->document.app().name) : d->filePath;
    return saveAs(path, error);
}

bool AppEditor::saveAs(const QString& path, QString* error) {
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder)) {
        if (error) *error = tr("Cannot create the folder %1.").arg(folder);
        return false;
    }
    PromptApp app = currentApp();
    app.filePath = path;
    if (!savePromptApp(app, path, error)) return false;
    d->filePath = QFileInfo(path).absoluteFilePath();
    d->readOnlySample = false;
    d->sampleBanner->setVisible(false);
    d->document.markSaved();
    d->fileProblems.clear();  // what was saved is what the editor shows
    analyse();
    removeRecoveryCopy();
    emit saved(d->filePath);
    return true;
}

bool AppEditor::maybeSave() {
    if (!isModified()) return true;
    const QString name = d->document.app().name.isEmpty() ? tr("Untitled") : d->document.app().name;
    QMessageBox::StandardButton answer;
    if (d->saveQuestion) {
        answer = d->saveQuestion(name);
    } else {
        answer = QMessageBox::question(
            this, tr("Save changes?"),
            tr("'%1' has changes that are not saved yet. Save them before closing?").arg(name),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    }
    switch (answer) {
        case QMessageBox::Save: {
            QString error;
            if (save(&error)) return true;
            if (!error.isEmpty() && !d->saveQuestion)
                QMessageBox::warning(this, tr("Could not save"), error);
            return false;
        }
        case QMessageBox::Discard:
            removeRecoveryCopy();
            // Closing without saving: the document is what the user chose to keep.
            d->document.markSaved();
            return true;
        default:
            return false;
    }
}

void AppEditor::setAutosaveInterval(int milliseconds) {
    d->autosave.start(milliseconds);
}
int AppEditor::autosaveInterval() const {
    return d->autosave.interval();
}
QString AppEditor::recoveryPath() const {
    return d->recoveryPath;
}

bool AppEditor::writeRecoveryCopy() {
    if (!isModified()) return false;
    const PromptApp app = currentApp();
    const QString path = RecoveryStore::pathFor(app.name);
    // The name changed since the last copy: the old copy would be a stale duplicate.
    if (!d->recoveryPath.isEmpty() && d->recoveryPath != path)
        RecoveryStore::remove(d->recoveryPath);
    QString error;
    if (!RecoveryStore::write(app, path, d->filePath, &error)) {
        qWarning("Prompt Studio: could not write the recovery copy: %s", qPrintable(error));
        return false;
    }
    d->recoveryPath = path;
    return true;
}

void AppEditor::removeRecoveryCopy() {
    if (d->recoveryPath.isEmpty()) return;
    RecoveryStore::remove(d->recoveryPath);
    d->recoveryPath.clear();
}

}  // namespace ps::ui
