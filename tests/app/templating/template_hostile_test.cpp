// Hostile templates (a model file carries its own chat template; apps are shared):
// each class a bad-input probe found -- reads past a buffer, unbounded recursion,
// hangs, limits checked after the allocation -- ends in a TemplateError naming the
// limit, quickly, without exhausting the stack or memory. Each test would crash
// (stack overflow, ASan report) or run for minutes without its fix.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "limits/resource_limits.h"
#include "templating/template.h"

namespace {

using namespace ps::templating;
using Clock = std::chrono::steady_clock;

std::string render(const std::string& source, const Value& context = Value(ValueMap{})) {
    return Template::parse(source).render(context);
}

// The message of the TemplateError that parsing and rendering `source` throws.
std::string failure(const std::string& source, const Value& context = Value(ValueMap{})) {
    try {
        render(source, context);
    } catch (const TemplateError& error) {
        return error.message();
    }
    ADD_FAILURE() << "no TemplateError for: " << source.substr(0, 120);
    return {};
}

std::string repeat(const std::string& piece, size_t n) {
    std::string out;
    out.reserve(piece.size() * n);
    for (size_t i = 0; i < n; ++i) out += piece;
    return out;
}

// The time limits below catch quadratic or exponential work (minutes, not seconds);
// sanitizer builds run several times slower, so they get ten times the time.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kSlowdown = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kSlowdown = 10;
#else
constexpr double kSlowdown = 1;
#endif
#else
constexpr double kSlowdown = 1;
#endif

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count() / kSlowdown;
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// ---- 1. truncate -----------------------------------------------------------------------

TEST(HostileTemplates, TruncateRefusesNegativeLeewayAndShortLength) {
    // Read past the end of the code point list before (valgrind: invalid read).
    EXPECT_TRUE(mentions(failure("{{ 'abcdefghij' | truncate(20, leeway=-15) }}"), "leeway"));
    EXPECT_TRUE(mentions(failure("{{ 'abcdefghij' | truncate(1) }}"), "length"));
    // length + leeway overflows int64: the text is short, so it is kept whole.
    EXPECT_EQ(render("{{ 'abcdefghij' | truncate(9223372036854775807, leeway=5) }}"), "abcdefghij");
    // What Jinja does stays: 'hello world foo' cut at 9 with the default end.
    EXPECT_EQ(render("{{ 'hello world foo bar' | truncate(9, leeway=0) }}"), "hello...");
}

// ---- 2. unbounded recursion ------------------------------------------------------------

TEST(HostileTemplates, ANamespaceCannotHoldItselfOrAnotherNamespace) {
    EXPECT_TRUE(mentions(failure("{% set ns = namespace(x=1) %}{% set ns.x = ns %}{{ ns }}"),
                         "namespace cannot hold"));
    EXPECT_TRUE(mentions(failure("{% set ns = namespace(x=1) %}{% set ns.x = [ns] %}{{ ns|tojson }}"),
                         "namespace cannot hold"));
    EXPECT_TRUE(mentions(failure("{% set a = namespace() %}{% set b = namespace(x=a) %}{{ b }}"),
                         "namespace cannot hold"));
    // Lists and maps hold namespaces freely (they cannot change, so no cycle).
    EXPECT_EQ(render("{% set ns = namespace(x=1) %}{% set l = [ns, ns] %}{{ l|length }}"), "2");
}

TEST(HostileTemplates, ValuesNestedTooDeeplyAreRefusedWhenBuilt) {
    // A loop wraps a list in a list a million times: printing it, comparing it or
    // freeing it would recurse a million levels.
    const std::string message = failure(
        "{% set ns = namespace(x=[]) %}{% for i in range(1000000) %}{% set ns.x = [ns.x] %}"
        "{% endfor %}{{ ns.x }}");
    EXPECT_TRUE(mentions(message, "nested deeper than the limit")) << message;
}

TEST(HostileTemplates, DeeplyNestedStatementsFailAtParse) {
    for (const auto& [open, close] :
         {std::pair<std::string, std::string>{"{% if true %}", "{% endif %}"},
          {"{% for x in [1] %}", "{% endfor %}"},
          {"{% filter upper %}", "{% endfilter %}"},
          {"{% macro m() %}", "{% endmacro %}"}}) {
        const auto start = Clock::now();
        const std::string message = failure(repeat(open, 100000) + "x" + repeat(close, 100000));
        EXPECT_TRUE(mentions(message, "statements nested deeper")) << open << ": " << message;
        EXPECT_LT(secondsSince(start), 5.0) << open;
    }
    // Nesting a real template uses is fine.
    EXPECT_EQ(render(repeat("{% if true %}", 30) + "ok" + repeat("{% endif %}", 30)), "ok");
}

TEST(HostileTemplates, LongChainsFailAtParse) {
    // Built in loops, not by recursion, so only the tree's height bounds them; the
    // renderer, the free-variable finder and the destructor recurse on that height.
    const std::string chains[] = {
        "{{ 1" + repeat(" + 1", 100000) + " }}",
        "{{ 'a'" + repeat(".upper()", 10000) + " }}",
        "{{ 'a'" + repeat("|upper", 10000) + " }}",
        "{{ x" + repeat("[0]", 10000) + " }}",
        "{{ x" + repeat(".a", 10000) + " }}",
        "{{ 1" + repeat(" if 1 else 1", 10000) + " }}",
        "{{ " + repeat("not ", 10000) + "1 }}",
        "{{ " + repeat("-", 10000) + "1 }}",
        "{{ " + repeat("(", 10000) + "1" + repeat(")", 10000) + " }}",
        "{{ " + repeat("[", 10000) + repeat("]", 10000) + " }}",
        "{{ x is " + repeat("divisibleby x is ", 5000) + "none }}",
    };
    for (const std::string& chain : chains) {
        const std::string message = failure(chain);
        EXPECT_TRUE(mentions(message, "nested")) << chain.substr(0, 40) << ": " << message;
    }
    // Comparisons chain into one flat node: long ones are fine, and fast.
    const auto start = Clock::now();
    EXPECT_EQ(render("{{ 1" + repeat(" < 2", 1) + repeat(" <= 2", 100000) + " }}"), "True");
    EXPECT_LT(secondsSince(start), 5.0);
    // A long but ordinary chain still works.
    EXPECT_EQ(render("{{ 1" + repeat(" + 1", 60) + " }}"), "61");
}

TEST(HostileTemplates, RecursiveMacrosStopAtTheDepthOrCallBudget) {
    // Twice per level to depth 60: 2^60 calls without a budget.
    const std::string twice =
        "{% macro m(n) %}{% if n > 0 %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
        "{{ m(60) }}";
    auto start = Clock::now();
    std::string message = failure(twice);
    EXPECT_TRUE(mentions(message, "macro calls") || mentions(message, "too much work")) << message;
    EXPECT_LT(secondsSince(start), 10.0);

    start = Clock::now();
    message = failure("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}");
    EXPECT_TRUE(mentions(message, "nested deeper") || mentions(message, "nests deeper")) << message;
    EXPECT_LT(secondsSince(start), 5.0);

    // Recursion a template really uses works.
    EXPECT_EQ(render("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
                     "{{ f(5) }}"),
              "54321");
}

// ---- 3. hangs ---------------------------------------------------------------------------

TEST(HostileTemplates, TheLexerIsLinearOnOneLongLine) {
    // Was quadratic: each token recounted the code points from the line start.
    const std::string line = repeat("{{ 'é' }}", 40000);  // 360 KB on one line
    const auto start = Clock::now();
    EXPECT_EQ(render(line).size(), 80000u);
    EXPECT_LT(secondsSince(start), 5.0);
    // Columns are still right after the speed-up.
    try {
        render("é é {{ 1 + }}");
        ADD_FAILURE();
    } catch (const TemplateError& error) {
        EXPECT_EQ(error.line(), 1u);
        EXPECT_EQ(error.column(), 12u) << error.what();  // code points, not bytes (14)
    }
}

TEST(HostileTemplates, HugeDictLiteralsBuildInLinearTime) {
    std::string source = "{% set d = {";
    for (int i = 0; i < 200000; ++i) source += "'k" + std::to_string(i) + "': " + std::to_string(i) + ",";
    source += "} %}{{ d|length }} {{ d['k199999'] }}";
    const auto start = Clock::now();
    EXPECT_EQ(render(source), "200000 199999");
    EXPECT_LT(secondsSince(start), 10.0);
}

TEST(HostileTemplates, QuadraticFiltersAndWorkAreBudgeted) {
    auto start = Clock::now();
    std::string message = failure("{{ range(1000000)|unique|list|length }}");
    EXPECT_TRUE(mentions(message, "too much work")) << message;
    EXPECT_LT(secondsSince(start), 10.0);

    // A million iterations copying 1 MB each: bounded by the bytes built.
    start = Clock::now();
    message = failure(
        "{% set big = 'x' * 1000000 %}{% for i in range(1000000) %}{% set y = big ~ i %}"
        "{% endfor %}");
    EXPECT_TRUE(mentions(message, "too much work")) << message;
    EXPECT_LT(secondsSince(start), 10.0);
}

// ---- 4. sizes checked before the allocation ---------------------------------------------

TEST(HostileTemplates, SizesAreCheckedBeforeAllocating) {
    const std::string cases[] = {
        "{{ 'a\nb' | indent(1000000000) }}",
        "{{ ('a\n' * 100000) | indent(1000) }}",
        "{{ [1] | tojson(indent=100000000) }}",
        "{{ [[1, [2]]] | tojson(indent=10000000) }}",
        "{{ range(10) | batch(100000000, 'x') | list }}",
        "{{ 'a' | center(10000000000) }}",
        "{{ 'a' * 10000000000 }}",
        "{{ [1] * 10000000000 }}",
        "{{ ('a' * 1000000) | replace('a', 'b' * 1000) }}",
        "{{ ('a' * 1000000).replace('a', 'b' * 1000) }}",
        "{{ ['x' * 10000000, 'y' * 10000000] | join('-') }}",
        "{{ '{0}{0}{0}{0}'.format('x' * 10000000) }}",
        "{{ ['x' * 10000000, 'x' * 10000000] }}",
        "{{ ['x' * 10000000, 'x' * 10000000] | tojson }}",
    };
    for (const std::string& source : cases) {
        const auto start = Clock::now();
        const std::string message = failure(source);
        EXPECT_TRUE(mentions(message, "limit") || mentions(message, "too large")) << source << ": " << message;
        EXPECT_LT(secondsSince(start), 3.0) << source;
    }
}

TEST(HostileTemplates, OversizedSourceIsRefused) {
    const std::string source(ps::limits::kMaxTemplateSourceBytes + 1, 'a');
    EXPECT_TRUE(mentions(failure(source), "over the limit"));
}

TEST(HostileTemplates, BadFormatFieldsFailCleanly) {
    EXPECT_TRUE(mentions(failure("{{ '{99999999999999999999999}'.format(1) }}"), "format"));
    EXPECT_TRUE(mentions(failure("{{ '%d' % (1e300 * 1e300) }}"), "out of range"));
}

// ---- 5. Jinja's behaviour ---------------------------------------------------------------

TEST(HostileTemplates, SelectingFromNoneGivesNothingAsJinjaDoes) {
    // functionary-v3.1's chat template relies on it.
    EXPECT_EQ(render("{{ none | selectattr('x') | list }}"), "[]");
    EXPECT_EQ(render("{{ none | rejectattr('x') | list }}"), "[]");
    EXPECT_EQ(render("{{ none | select | list }}"), "[]");
    EXPECT_EQ(render("{{ none | reject | list }}"), "[]");
    EXPECT_EQ(render("{{ none | map(attribute='x') | list }}"), "[]");
    EXPECT_EQ(render("{{ [{'x': 1}, {'x': 0}] | selectattr('x') | list | length }}"), "1");
}

}  // namespace
