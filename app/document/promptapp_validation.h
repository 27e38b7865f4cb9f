#pragma once
// The rules a prompt app must satisfy, checked all at once (every problem, not just
// the first). Positions come from app.source when the app was read from a file.
#include <QList>
#include <QSet>
#include <QString>

#include "document/document_error.h"
#include "document/prompt_app.h"

namespace ps {

// Missing name, bad or duplicate input names, choice without options, default not
// among the options or of the wrong type, min > max, parameters out of range,
// template syntax errors and template variables that are not inputs, examples that
// name unknown inputs or miss required ones, bad regular expressions in expectations.
QList<DocumentError> validatePromptApp(const PromptApp& app);

// True for names usable as template variables: [A-Za-z_][A-Za-z0-9_]*, not a
// template keyword (and, or, not, in, is, if, else, true, false, none, ...).
bool isValidInputName(const QString& name);

// The variables the template reads, each with the position of its first use (1-based
// line/column within the template). When the template has a syntax error, `error`
// says what and where and the names are empty.
struct TemplateVariables {
    QStringList names;  // in order of first use
    QList<DocumentPosition> firstUse;
    QString error;
    DocumentPosition errorPosition;
};
TemplateVariables templateVariables(const QString& templateText);

}  // namespace ps
