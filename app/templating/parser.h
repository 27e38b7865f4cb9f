#pragma once
// Builds the statement tree from the token stream (Jinja2's grammar and operator
// precedence). Throws TemplateError with the position of the offending token.
// Internal to the interpreter.
#include <vector>

#include "templating/ast.h"
#include "templating/lexer.h"

namespace ps::templating::detail {

Body parseTemplate(const std::vector<Token>& tokens, const TemplateOptions& options);

}  // namespace ps::templating::detail
