#pragma once
// The app editor: everything a .promptapp holds, on pages a non-programmer can follow
// (About, Form, Prompt, Settings, Examples), with a live list of problems underneath
// and a "Try it" panel that runs the app as it is being edited.
//
// Every change is undoable (one QUndoStack; typing in a field is one step per burst).
// Unsaved changes are never lost: maybeSave() asks Save / Discard / Cancel, and a
// recovery copy is written every autosaveInterval() while there are unsaved changes
// (see recovery_store.h); saving or discarding removes it. A sample app is read-only:
// its first save asks for a name and writes a copy into the user's apps folder.
#include <QMessageBox>
#include <QString>
#include <QVariantMap>
#include <QWidget>
#include <functional>
#include <memory>

#include "document/document_error.h"
#include "document/prompt_app.h"
#include "editor/recovery_store.h"

class QAction;
class QUndoStack;

namespace ps {
class GenerationService;
class RunHistory;
}  // namespace ps

namespace ps::ui {

class AppEditor : public QWidget {
    Q_OBJECT
public:
    explicit AppEditor(QWidget* parent = nullptr);
    ~AppEditor() override;

    // --- The document -------------------------------------------------------------
    // A new, empty app (not yet on disk; save() puts it in the apps folder).
    void newApp();
    // Shows `app` from `path` (empty = never saved), unmodified. A sample is read-only.
    void setApp(const PromptApp& app, const QString& path = {}, bool readOnlySample = false);
    // Reads a .promptapp. False (and `error` says why) when it cannot be read at all;
    // an app with validation problems loads, and the problems are listed.
    bool load(const QString& path, QString* error = nullptr);
    // Opens a leftover recovery copy as a modified document belonging to its original
    // file (or to no file for an app never saved).
    bool restoreRecovery(const RecoveryFile& file, QString* error = nullptr);

    // The app as edited now (filePath set to filePath()).
    PromptApp currentApp() const;
    QString filePath() const;
    bool isModified() const;
    bool isReadOnlySample() const;
    void setReadOnlySample(bool readOnly);

    // --- Saving -------------------------------------------------------------------
    // Saves to filePath() (atomic, with a .bak of the old file). A new app goes to
    // the apps folder under its name; a sample asks for a name and becomes a copy
    // there. False when it failed or the user cancelled (`error` says which).
    bool save(QString* error = nullptr);
    bool saveAs(const QString& path, QString* error = nullptr);
    // Before closing: true when it is fine to close (saved, nothing to save, or the
    // user chose Discard); false on Cancel or a failed save.
    bool maybeSave();

    // Where new apps and copies of samples are saved (default: Preferences::appsFolder()).
    void setAppsFolder(const QString& folder);
    QString appsFolder() const;

    // Recovery copies: the interval (default 30 s) and the copy of this document
    // (empty while there is none).
    void setAutosaveInterval(int milliseconds);
    int autosaveInterval() const;
    QString recoveryPath() const;
    // Writes the recovery copy now (what the timer does); false when nothing to write.
    bool writeRecoveryCopy();

    // The problems of the file as read (positions in the file): shown with the
    // app's own until it is saved; Try it waits until then.
    void setFileProblems(const QList<DocumentError>& problems);

    // --- Try it -------------------------------------------------------------------
    // What the Try-it panel generates with (null = no model loaded).
    void setService(std::shared_ptr<GenerationService> service);
    // Where Try-it runs are recorded (not owned; nullptr = not recorded).
    void setHistory(RunHistory* history);
    // Gives Try it the app as it is now (it otherwise follows edits after a short pause).
    void syncTryIt();
    // The Try-it panel (a RunView once the run view exists, else a placeholder).
    QWidget* tryItPanel() const;

    // --- Actions (the main window puts them in its menus and toolbar) -------------
    QUndoStack* undoStack() const;
    QAction* saveAction() const;
    QAction* undoAction() const;
    QAction* redoAction() const;

    // --- For tests: answer the questions without dialogs ---------------------------
    // Called by maybeSave(): return Save, Discard or Cancel.
    using SaveQuestion = std::function<QMessageBox::StandardButton(const QString& appName)>;
    void setSaveQuestion(SaveQuestion question);
    // Called when a sample is saved: return the copy's name, or empty to cancel.
    using CopyNameQuestion = std::function<QString(const QString& suggestedName)>;
    void setCopyNameQuestion(CopyNameQuestion question);

signals:
    void modifiedChanged(bool modified);
    // The app's content changed (any edit, undo or redo), e.g. to update a title.
    void appChanged();
    // Saved to `path` (for a sample: the new copy's path).
    void saved(const QString& path);
    // The Try-it panel's "no model" notice asked for the Models page.
    void modelsPageRequested();
    // A Try-it run ended (e.g. to refresh the history view).
    void tryItRunEnded();

private:
    struct Private;
    std::unique_ptr<Private> d;

    void buildPages();
    void connectEdits();
    void showApp();  // mirror the document into the widgets
    void analyse();  // problems, unknown variables, highlighting
    void scheduleTryIt();
    bool eventFilter(QObject* watched, QEvent* event) override;
    QString unusedAppPath(const QString& name) const;
    void removeRecoveryCopy();
};

}  // namespace ps::ui
