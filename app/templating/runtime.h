#pragma once
// The pieces of the interpreter that work on values alone: Python-compatible
// formatting, operators, attribute/item access with bound methods, filters and tests.
// They throw RenderFailure; the renderer adds the line and column of the expression
// being evaluated. Internal.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "limits/resource_limits.h"
#include "templating/value.h"

namespace ps::templating::detail {

struct RenderFailure : std::runtime_error {
    explicit RenderFailure(const std::string& message, bool raised = false)
        : std::runtime_error(message), raisedByTemplate(raised) {}
    bool raisedByTemplate;
};

// What one render may spend beyond its nesting (limits/resource_limits.h): expressions
// evaluated, macro calls, bytes of text built. Every evaluation of the render charges
// the same budget, so no combination of loops, macros and filters runs unbounded.
class RenderBudget {
public:
    void chargeSteps(size_t steps);
    void chargeCall();
    void chargeBytes(size_t bytes);

private:
    size_t steps_ = 0;
    size_t calls_ = 0;
    size_t bytes_ = 0;
};

struct EvalSettings {
    bool strictUndefined = false;
    size_t maxOutputBytes = 0;
    size_t maxLoopIterations = 0;
    RenderBudget* budget = nullptr;  // null outside a render (tests of single filters)
};

// Fails unless `bytes` more fit in a text (checked before building it).
void checkTextSize(size_t bytes, const EvalSettings& settings);
// A namespace may hold no namespace or function (directly or in a list or map): that
// keeps every value free of cycles, so printing and freeing it ends.
void checkNamespaceValue(const Value& value);

// "'name' is undefined".
[[noreturn]] void failUndefined(const Value& undefined);
// In strict mode, any use of an undefined value other than `is defined`/`default`.
void requireDefined(const Value& value, const EvalSettings& settings);
bool isTrue(const Value& value, const EvalSettings& settings);

// ---- formatting (value_format.cpp) -------------------------------------------------
std::string formatFloat(double value);    // Python repr: 1.0, 0.1, 1e+16
// Each fails (RenderFailure) rather than build a text longer than `maxBytes`.
std::string toText(const Value& value,
                   size_t maxBytes = limits::kMaxTemplateOutputBytes);  // Python str(); undefined prints ""
std::string toRepr(const Value& value,
                   size_t maxBytes = limits::kMaxTemplateOutputBytes);  // Python repr(); 'text' quoted
// json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys), as Hugging
// Face's tojson filter; indent < 0 means none.
std::string toJson(const Value& value, int64_t indent, bool sortKeys,
                   size_t maxBytes = limits::kMaxTemplateOutputBytes);
std::string htmlEscape(const std::string& text);

// ---- operators and iteration (operators.cpp) ---------------------------------------
// Items of a list, code points of a string, keys of a map; undefined is empty when
// lenient. Fails for anything else.
ValueList iterate(const Value& value, const EvalSettings& settings);
Value binaryOp(const std::string& op, const Value& left, const Value& right,
               const EvalSettings& settings);
bool compareOp(const std::string& op, const Value& left, const Value& right,
               const EvalSettings& settings);
// <0, 0, >0 for numbers, strings and lists; fails for other kinds.
int compareOrder(const Value& left, const Value& right);
bool containsValue(const Value& container, const Value& item, const EvalSettings& settings);
void checkSize(const std::string& text, const EvalSettings& settings);
void checkSize(const ValueList& list, const EvalSettings& settings);

// ---- access (access.cpp) -------------------------------------------------------------
// a.name: methods of strings, maps and lists first, then the map key / namespace
// attribute; missing -> undefined (named `name`). Fails on undefined.
Value getAttribute(const Value& object, const std::string& name, const EvalSettings& settings);
// a[key]: list index (negative from the end), map key, then attribute; missing ->
// undefined.
Value getItem(const Value& object, const Value& key, const EvalSettings& settings);
Value sliceValue(const Value& object, std::optional<int64_t> start, std::optional<int64_t> stop,
                 std::optional<int64_t> step, const EvalSettings& settings);

// ---- globals (globals.cpp) -----------------------------------------------------------
// range, namespace, dict, raise_exception, strftime_now; undefined when unknown.
Value globalValue(const std::string& name, const EvalSettings& settings);
bool isGlobalName(const std::string& name);

// ---- filters and tests (filters.cpp, value_tests.cpp) --------------------------------
bool isKnownFilter(const std::string& name);
Value applyFilter(const std::string& name, const Value& subject, const ValueList& args,
                  const KwArgs& kwargs, const EvalSettings& settings);
bool isKnownTest(const std::string& name);
bool applyTest(const std::string& name, const Value& subject, const ValueList& args,
               const EvalSettings& settings);

}  // namespace ps::templating::detail
