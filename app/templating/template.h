#pragma once
// A small, safe interpreter for the subset of Jinja2 that prompt templates and Hugging
// Face chat templates use. Plain C++20; no file, system or network access.
//
// Supported (see docs/templates.md for the full list and examples):
//   {{ expr }}  {% stmt %}  {# comment #}, whitespace control {%- -%} {{- -}} {#- -#},
//   trim_blocks / lstrip_blocks (options below; Hugging Face renders with both on),
//   {% raw %}...{% endraw %};
//   statements: if/elif/else, for x in xs [if cond] / for k, v in m.items() with
//   loop.index/index0/revindex/revindex0/first/last/length/previtem/nextitem and
//   {% else %}, break/continue, set (incl. `set ns.attr = ...` and block set),
//   macro (with defaults) and call (with caller()), filter blocks, generation
//   blocks (rendered transparently);
//   expressions: literals ('..' / ".." with escapes, ints, floats, true/false/none and
//   True/False/None, [lists], (tuples), {dicts}), names, a.b, a['b'], slices a[1:],
//   a[::-1], + - * / // % **, ~, comparisons, and/or/not, in/not in, `is [not] test`,
//   x if c else y, filters `x | f(args)`, calls with keyword arguments;
//   tests: defined, undefined, none, string, number, integer, float, boolean,
//   mapping, iterable, sequence, callable, true, false, odd, even, divisibleby, eq, ne,
//   lt, gt, le, ge, in, sameas, lower, upper;
//   filters: trim, upper, lower, capitalize, title, default/d, length/count, join,
//   first, last, replace, tojson, string, int, float, abs, round, list, items, indent,
//   selectattr, rejectattr, select, reject, map (attribute= or a filter name), unique,
//   sort, reverse, sum, min, max, wordcount, center, truncate, safe, e/escape
//   (identity: output is text, not HTML), batch, dictsort;
//   globals: range, namespace, raise_exception(msg), strftime_now(fmt);
//   string methods: strip/lstrip/rstrip([chars]), startswith, endswith, split([sep]),
//   upper, lower, title, capitalize, replace, find, count, join, format, splitlines;
//   dict methods: items, keys, values, get(key[, default]);
//   list methods: index, count.
// Not supported: extends/block/include/import (no file access), autoescape, custom
// filters, assignment to items.
//
// Safety: loops count every iteration against maxLoopIterations, output is capped at
// maxOutputBytes; nesting, macro calls, evaluation steps and bytes built are capped by
// the budgets in limits/resource_limits.h; each limit raises TemplateError.
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "limits/resource_limits.h"
#include "templating/value.h"

namespace ps::templating {

struct TemplateOptions {
    bool trimBlocks = false;    // drop the first newline after a block tag
    bool lstripBlocks = false;  // strip spaces/tabs before a block tag at line start
    // Strict: printing, iterating, comparing or computing with an undefined name is an
    // error naming it (only `is defined`, `default` and `if x is defined` are allowed).
    // Lenient (Jinja's default): undefined prints as "" and is false.
    bool strictUndefined = false;
    size_t maxOutputBytes = limits::kMaxTemplateOutputBytes;
    size_t maxLoopIterations = limits::kMaxTemplateLoopIterations;  // total over the whole render
    std::string name;                      // shown in error messages ("chat template")
};

// A parse or render error. line/column are 1-based positions in the template source
// (0 when there is no position, e.g. a missing input that is never used).
class TemplateError : public std::runtime_error {
public:
    TemplateError(std::string message, size_t line, size_t column, std::string templateName = {},
                  bool raisedByTemplate = false);

    const std::string& message() const { return message_; }  // without the position
    size_t line() const { return line_; }
    size_t column() const { return column_; }
    const std::string& templateName() const { return templateName_; }
    // True when the template itself gave up through raise_exception(message).
    bool raisedByTemplate() const { return raisedByTemplate_; }

private:
    std::string message_;
    size_t line_;
    size_t column_;
    std::string templateName_;
    bool raisedByTemplate_;
};

struct SourcePosition {
    size_t line = 0;  // 1-based
    size_t column = 0;
};

namespace detail {
struct CompiledTemplate;
}

class Template {
public:
    // Throws TemplateError with the line and column of the first syntax error.
    static Template parse(std::string source, const TemplateOptions& options = {});

    // `context` must be a map (or none for no variables). Throws TemplateError.
    std::string render(const Value& context) const;

    // The names the template reads from its context: every free name that is not a
    // global (range, namespace, ...), not set by the template and not a loop variable.
    std::set<std::string> variables() const;
    // The same names with the position of their first use (for editors).
    std::map<std::string, SourcePosition> variablePositions() const;

    const TemplateOptions& options() const;

private:
    explicit Template(std::shared_ptr<const detail::CompiledTemplate> compiled);
    std::shared_ptr<const detail::CompiledTemplate> compiled_;
};

}  // namespace ps::templating
