#pragma once
// Python methods of strings, maps and lists that templates call (see methods.cpp),
// and the text operations they share with the filters. Internal.
#include <optional>
#include <string>
#include <vector>

#include "templating/runtime.h"

namespace ps::templating::detail {

// The bound method `object.name`, or nullopt when the kind has no such method.
std::optional<Value> findMethod(const Value& object, const std::string& name,
                                const EvalSettings& settings);

// Python's str.replace (count < 0: all) and str.split(sep, maxsplit).
std::string replaceText(const std::string& text, const std::string& old,
                        const std::string& replacement, int64_t count,
                        const EvalSettings& settings);
std::vector<std::string> splitText(const std::string& text, const std::string& separator,
                                   int64_t maxSplit);

}  // namespace ps::templating::detail
