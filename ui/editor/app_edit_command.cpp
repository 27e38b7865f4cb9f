#include "editor/app_edit_command.h"

namespace ps::ui {

AppEditCommand::AppEditCommand(EditedApp* target, PromptApp before, PromptApp after,
                               const QString& text, EditedField field, int detail)
    : QUndoCommand(text),
      target_(target),
      before_(std::move(before)),
      after_(std::move(after)),
      field_(field),
      detail_(detail) {}

void AppEditCommand::undo() {
    target_->setAppFromCommand(before_);
}

void AppEditCommand::redo() {
    target_->setAppFromCommand(after_);
}

int AppEditCommand::id() const {
    // -1 = never merge (QUndoStack's convention).
    return field_ == EditedField::None ? -1 : static_cast<int>(field_);
}

bool AppEditCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = static_cast<const AppEditCommand*>(other);
    // Only typing in the same field (and the same cell or parameter) while its burst
    // is open joins this step; EditedApp closes bursts on focus changes.
    if (next->field_ != field_ || next->detail_ != detail_ || !target_->burstOpen()) return false;
    after_ = next->after_;
    return true;
}

}  // namespace ps::ui
