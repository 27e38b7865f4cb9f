#include "editor/edited_app.h"

#include "editor/app_edit_command.h"

namespace ps::ui {

EditedApp::EditedApp(QObject* parent) : QObject(parent) {
    connect(&undoStack_, &QUndoStack::cleanChanged, this, [this](bool clean) {
        if (!resetting_) emit modifiedChanged(!clean);
    });
    // Undo and redo end a typing burst: typing after an undo is a new step.
    connect(&undoStack_, &QUndoStack::indexChanged, this, [this] {
        if (!resetting_ && undoStack_.count() > 0 && undoStack_.index() < undoStack_.count())
            burstOpen_ = false;
    });
}

void EditedApp::reset(const PromptApp& app, bool modified) {
    const bool wasModified = isModified();
    resetting_ = true;
    undoStack_.clear();
    app_ = app;
    burstOpen_ = false;
    if (modified) {
        // A state that was never saved: no clean index the user can return to.
        undoStack_.resetClean();
    }
    resetting_ = false;
    emit documentReset();
    emit changed();
    if (wasModified != isModified()) emit modifiedChanged(isModified());
}

void EditedApp::edit(const PromptApp& after, const QString& description, EditedField field,
                     int detail) {
    if (after.sameContent(app_) && after.filePath == app_.filePath) return;
    // The command's redo() (run by push) applies `after`; merging keeps the burst open.
    auto* command = new AppEditCommand(this, app_, after, description, field, detail);
    undoStack_.push(command);
    burstOpen_ = field != EditedField::None;
}

void EditedApp::setAppFromCommand(const PromptApp& app) {
    app_ = app;
    emit changed();
}

}  // namespace ps::ui
