#pragma once
// Renaming an input should not break the template that uses it: the editor renames the
// variable inside `{{ ... }}` and `{% ... %}` tags too (never in plain text, strings,
// attributes after a dot or filters after a bar), in the same undo step.
#include <QString>

namespace ps::ui {

// `templateText` with every use of the variable `from` renamed to `to`; the count of
// renamed uses is stored in `renamed` when given.
QString renameTemplateVariable(const QString& templateText, const QString& from, const QString& to,
                               int* renamed = nullptr);

}  // namespace ps::ui
