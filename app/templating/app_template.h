#pragma once
// Prompt-app templates: the `{{ topic }}` text a user writes in the app editor, filled
// with the app's inputs. The same language as template.h, with two differences that
// suit people who do not program:
//   - undefined is strict: `{{ tpoic }}` is an error naming `tpoic` (with its line and
//     column) instead of silently printing nothing;
//   - a required input that is missing or blank is an error naming the input.
// trim_blocks and lstrip_blocks are on, so `{% if %}` lines leave no blank lines.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "templating/template.h"

namespace ps::templating {

struct AppTemplateOptions {
    // Inputs that must be present and not blank (whitespace only counts as blank).
    std::vector<std::string> requiredInputs;
    size_t maxOutputBytes = 4u * 1024 * 1024;
    size_t maxLoopIterations = 100'000;
    std::string name = "template";  // shown in error messages
};

// The TemplateOptions app templates are parsed with (strict undefined, trim + lstrip).
TemplateOptions appTemplateOptions(const AppTemplateOptions& options = {});

// Renders `source` with `inputs` as its variables. Throws TemplateError: syntax errors
// and unknown variables carry line/column; a missing required input says
// "missing required input 'name'" (positioned at its first use when it is used).
std::string renderAppTemplate(const std::string& source,
                              const std::map<std::string, std::string>& inputs,
                              const AppTemplateOptions& options = {});
// Inputs as template values (lists, numbers, booleans from typed fields).
std::string renderAppTemplate(const std::string& source, const Value& inputs,
                              const AppTemplateOptions& options = {});
// Qt surface: inputs as a QVariantMap (strings, numbers, bools, lists, maps).
QString renderAppTemplate(const QString& source, const QVariantMap& inputs,
                          const QStringList& requiredInputs = {});

// For editors: the variables a template uses, or the syntax error that stops it.
struct AppTemplateCheck {
    bool ok = true;
    std::set<std::string> variables;                     // empty when !ok
    std::map<std::string, SourcePosition> firstUse;      // position of each variable
    std::string error;                                   // the message, when !ok
    SourcePosition errorPosition;                        // when !ok
};
AppTemplateCheck checkAppTemplate(const std::string& source);

}  // namespace ps::templating
