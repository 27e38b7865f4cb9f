#pragma once
// Resource budgets for what reads files a stranger may have made: the template engine
// (every model carries its own chat template; .promptapp and .prompty files are made
// to be shared) and the YAML reader. Kept in one place so that the limits agree with
// each other and with docs/fuzzing.md. Each limit raises a clear error naming it; none
// is near what a real template or app needs.
#include <cstddef>

namespace ps::limits {

// ---- input files --------------------------------------------------------------------
// .promptapp, .prompty, template, messages and input files: regular files only (no
// pipes, devices or directories), at most this size.
inline constexpr size_t kMaxDocumentFileBytes = 16u * 1024 * 1024;

// ---- template engine ------------------------------------------------------------------
inline constexpr size_t kMaxTemplateSourceBytes = 4u * 1024 * 1024;
// Statements inside statements ({% if %} in {% for %} ...).
inline constexpr int kMaxTemplateStatementNesting = 64;
// Height of one expression's tree: parentheses, unary operators and chains alike
// (`1 + 1 + ...`, `.upper().upper()...`, `x|f|f|...` each add one level).
inline constexpr int kMaxTemplateExpressionDepth = 128;
// The renderer's own recursion (statements, expressions, macro calls together).
inline constexpr int kMaxRenderDepth = 768;
inline constexpr int kMaxMacroCallDepth = 100;
// Macro and caller() calls over one render (a macro calling itself twice per level
// would otherwise run 2^depth times).
inline constexpr size_t kMaxTemplateCalls = 100'000;
// Expressions evaluated and items compared over one render.
inline constexpr size_t kMaxTemplateSteps = 30'000'000;
// Bytes of text built over one render (every write and every string a filter or
// operator makes): bounds the time spent copying, whatever the loop structure.
inline constexpr size_t kMaxTemplateWorkBytes = 2u * 1024 * 1024 * 1024;
// Text and list sizes (TemplateOptions' defaults).
inline constexpr size_t kMaxTemplateOutputBytes = 16u * 1024 * 1024;
inline constexpr size_t kMaxTemplateLoopIterations = 1'000'000;
// Lists and maps inside lists and maps.
inline constexpr int kMaxValueDepth = 128;

// ---- YAML (.promptapp, .prompty) ---------------------------------------------------------
// Nesting of the YAML text as written (checked before yaml-cpp parses it: its parser
// recurses per level).
inline constexpr int kMaxYamlTextNesting = 256;
// Nesting of the document after aliases are followed.
inline constexpr int kMaxYamlDepth = 64;
// Nodes visited after aliases are expanded ("billion laughs" stops here).
inline constexpr size_t kMaxYamlNodes = 200'000;

}  // namespace ps::limits
