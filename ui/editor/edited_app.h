#pragma once
// The app being edited: one PromptApp value, the undo stack that changes it, and
// where it lives on disk. Every edit (a keystroke burst in a field, an input added,
// a parameter changed) is a snapshot command on the stack, so undo/redo covers
// everything with one mechanism and the widgets only ever mirror `app()`.
#include <QObject>
#include <QString>
#include <QUndoStack>

#include "document/prompt_app.h"

namespace ps::ui {

// Which text field a typing burst belongs to: consecutive edits of the same field
// merge into one undo step until the burst is closed (focus leaves, another edit).
enum class EditedField {
    None = 0,  // a structural edit: never merges
    Name,
    Icon,
    Description,
    Instructions,
    Template,
    InputCell,  // typing in one cell of the inputs table
    Parameter,
    Example,
};

class EditedApp : public QObject {
    Q_OBJECT
public:
    explicit EditedApp(QObject* parent = nullptr);

    const PromptApp& app() const { return app_; }
    QUndoStack* undoStack() { return &undoStack_; }

    // Replaces the whole document without an undo step (load, new, restore) and
    // marks it unmodified; `modified` = true keeps it marked modified (a restored
    // recovery copy has never been saved).
    void reset(const PromptApp& app, bool modified = false);

    // Records an edit: `after` becomes the app, undoably. `field` != None merges
    // with the previous edit of the same field while its burst is open; `detail`
    // tells cells or parameters of the same field apart.
    void edit(const PromptApp& after, const QString& description,
              EditedField field = EditedField::None, int detail = 0);
    // Ends the current typing burst: the next edit starts a new undo step.
    void closeBurst() { burstOpen_ = false; }
    bool burstOpen() const { return burstOpen_; }

    bool isModified() const { return !undoStack_.isClean(); }
    // After a successful save: the current state is what is on disk.
    void markSaved() { undoStack_.setClean(); }

    // Used by the undo commands only.
    void setAppFromCommand(const PromptApp& app);

signals:
    // The app changed (an edit, undo, redo or reset); widgets refresh from app().
    void changed();
    // A whole new document was set (load, new, restore); sent before changed().
    void documentReset();
    void modifiedChanged(bool modified);

private:
    PromptApp app_;
    QUndoStack undoStack_;
    bool burstOpen_ = false;
    bool resetting_ = false;
};

}  // namespace ps::ui
