#include "templating/template.h"

#include "limits/resource_limits.h"
#include "templating/lexer.h"
#include "templating/parser.h"
#include "templating/renderer.h"
#include "templating/variables.h"

namespace ps::templating {

namespace {

std::string withPosition(const std::string& message, size_t line, size_t column,
                         const std::string& name) {
    std::string where = name;
    if (line > 0) {
        if (!where.empty()) where += ", ";
        where += "line " + std::to_string(line) + ", column " + std::to_string(column);
    }
    return where.empty() ? message : where + ": " + message;
}

}  // namespace

TemplateError::TemplateError(std::string message, size_t line, size_t column,
                             std::string templateName, bool raisedByTemplate)
    : std::runtime_error(withPosition(message, line, column, templateName)),
      message_(std::move(message)),
      line_(line),
      column_(column),
      templateName_(std::move(templateName)),
      raisedByTemplate_(raisedByTemplate) {}

namespace detail {
struct CompiledTemplate {
    TemplateOptions options;
    Body body;
    std::map<std::string, SourcePosition> variables;
};
}  // namespace detail

Template::Template(std::shared_ptr<const detail::CompiledTemplate> compiled)
    : compiled_(std::move(compiled)) {}

Template Template::parse(std::string source, const TemplateOptions& options) {
    if (source.size() > limits::kMaxTemplateSourceBytes) {
        throw TemplateError("template of " + std::to_string(source.size()) +
                                " bytes is over the limit of " +
                                std::to_string(limits::kMaxTemplateSourceBytes),
                            0, 0, options.name);
    }
    auto compiled = std::make_shared<detail::CompiledTemplate>();
    compiled->options = options;
    compiled->body = detail::parseTemplate(detail::tokenize(source, options), options);
    compiled->variables = detail::findFreeVariables(compiled->body);
    return Template(std::move(compiled));
}

std::string Template::render(const Value& context) const {
    return detail::renderTemplate(compiled_->body, context, compiled_->options);
}

std::set<std::string> Template::variables() const {
    std::set<std::string> names;
    for (const auto& entry : compiled_->variables) names.insert(entry.first);
    return names;
}

std::map<std::string, SourcePosition> Template::variablePositions() const {
    return compiled_->variables;
}

const TemplateOptions& Template::options() const { return compiled_->options; }

}  // namespace ps::templating
