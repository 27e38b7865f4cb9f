#pragma once
// Walks the statement tree and writes the output, with Jinja's scoping: a for loop
// body gets a fresh scope each iteration (so `set` inside it does not leak out; use a
// namespace), `if` shares its parent's scope, a macro sees its parameters and the
// template's top level. Internal.
#include <string>

#include "templating/ast.h"
#include "templating/template.h"

namespace ps::templating::detail {

// `context` is a map of variables (or none). Throws TemplateError.
std::string renderTemplate(const Body& body, const Value& context, const TemplateOptions& options);

}  // namespace ps::templating::detail
