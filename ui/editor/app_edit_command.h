#pragma once
// One undo step of the app editor: the app before and after. Snapshots keep every
// kind of edit (text, table cells, inputs added or moved) on one simple path; a
// PromptApp is small, so copying it per step costs nothing noticeable.
#include <QUndoCommand>

#include "document/prompt_app.h"
#include "editor/edited_app.h"

namespace ps::ui {

class AppEditCommand : public QUndoCommand {
public:
    AppEditCommand(EditedApp* target, PromptApp before, PromptApp after, const QString& text,
                   EditedField field, int detail);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

    EditedField field() const { return field_; }
    int detail() const { return detail_; }

private:
    EditedApp* target_;
    PromptApp before_;
    PromptApp after_;
    EditedField field_;
    int detail_;
};

}  // namespace ps::ui
