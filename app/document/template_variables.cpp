// templateVariables: the names a template reads, for validation. The template is
// parsed by the engine that renders it (app/templating), so that validation reports
// exactly the syntax errors a run would hit (an unclosed `if`, an unknown filter, a
// stray `endif`, an `include`) and knows what the template defines itself (macros,
// `set`, loop variables).
#include <algorithm>

#include "document/promptapp_validation.h"
#include "templating/app_template.h"

namespace ps {

TemplateVariables templateVariables(const QString& templateText) {
    TemplateVariables result;
    const templating::AppTemplateCheck check = templating::checkAppTemplate(templateText.toStdString());
    if (!check.ok) {
        result.error = QString::fromStdString(check.error);
        result.errorPosition = {static_cast<int>(check.errorPosition.line),
                                static_cast<int>(check.errorPosition.column)};
        return result;
    }
    std::vector<std::pair<std::string, templating::SourcePosition>> uses(check.firstUse.begin(),
                                                                         check.firstUse.end());
    std::stable_sort(uses.begin(), uses.end(), [](const auto& a, const auto& b) {
        return std::pair(a.second.line, a.second.column) < std::pair(b.second.line, b.second.column);
    });
    for (const auto& [name, at] : uses) {
        result.names << QString::fromStdString(name);
        result.firstUse << DocumentPosition{static_cast<int>(at.line), static_cast<int>(at.column)};
    }
    return result;
}

}  // namespace ps
