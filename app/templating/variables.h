#pragma once
// Which names a template reads from its context (for editors: list the inputs a
// template uses, flag the unknown ones). Internal.
#include <map>
#include <string>

#include "templating/ast.h"
#include "templating/template.h"

namespace ps::templating::detail {

// Free names in document order of first use: not globals, not set earlier in an
// enclosing scope, not loop variables or macro parameters.
std::map<std::string, SourcePosition> findFreeVariables(const Body& body);

}  // namespace ps::templating::detail
