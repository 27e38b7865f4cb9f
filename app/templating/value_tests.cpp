// Jinja's tests: `x is defined`, `n is divisibleby 3`, and the tests that select and
// reject filters take by name (`selectattr('role', 'equalto', 'user')`).
#include <functional>
#include <map>

#include "templating/arguments.h"
#include "templating/runtime.h"
#include "templating/text.h"

namespace ps::templating::detail {

namespace {

using TestFunction = std::function<bool(const Value&, const ValueList&, const EvalSettings&)>;

bool isIntegerValue(const Value& v) { return v.isInt(); }

const Value& onlyArgument(const char* test, const ValueList& args) {
    if (args.size() != 1) {
        throw RenderFailure(std::string("test '") + test + "' needs exactly one argument");
    }
    return args[0];
}

TestFunction comparison(const char* op) {
    return [op](const Value& v, const ValueList& a, const EvalSettings& s) {
        return compareOp(op, v, onlyArgument(op, a), s);
    };
}

const std::map<std::string, TestFunction>& testTable() {
    static const std::map<std::string, TestFunction> table = [] {
        std::map<std::string, TestFunction> t;
        auto noArgs = [](std::function<bool(const Value&)> f) -> TestFunction {
            return [f](const Value& v, const ValueList& a, const EvalSettings&) {
                if (!a.empty()) throw RenderFailure("this test takes no arguments");
                return f(v);
            };
        };
        t["defined"] = noArgs([](const Value& v) { return !v.isUndefined(); });
        t["undefined"] = noArgs([](const Value& v) { return v.isUndefined(); });
        t["none"] = noArgs([](const Value& v) { return v.isNone(); });
        t["string"] = noArgs([](const Value& v) { return v.isString(); });
        t["number"] = noArgs([](const Value& v) { return v.isNumber() || v.isBool(); });
        t["integer"] = noArgs(isIntegerValue);
        t["float"] = noArgs([](const Value& v) { return v.isDouble(); });
        t["boolean"] = noArgs([](const Value& v) { return v.isBool(); });
        t["true"] = noArgs([](const Value& v) { return v.isBool() && v.asBool(); });
        t["false"] = noArgs([](const Value& v) { return v.isBool() && !v.asBool(); });
        t["mapping"] = noArgs([](const Value& v) { return v.isMap(); });
        t["sequence"] = noArgs([](const Value& v) { return v.isList() || v.isString() || v.isMap(); });
        t["iterable"] = noArgs([](const Value& v) { return v.isList() || v.isString() || v.isMap(); });
        t["callable"] = noArgs([](const Value& v) { return v.isCallable(); });
        t["escaped"] = noArgs([](const Value&) { return false; });
        t["lower"] = noArgs([](const Value& v) {
            return v.isString() && toLower(v.asString()) == v.asString();
        });
        t["upper"] = noArgs([](const Value& v) {
            return v.isString() && toUpper(v.asString()) == v.asString();
        });
        auto parity = [](bool odd) -> TestFunction {
            return [odd](const Value& v, const ValueList& a, const EvalSettings& s) {
                if (!a.empty()) throw RenderFailure("odd/even take no arguments");
                requireDefined(v, s);
                if (!v.isInt()) throw RenderFailure("odd/even need an integer, not " + v.kindName());
                return (v.asInt() % 2 != 0) == odd;
            };
        };
        t["odd"] = parity(true);
        t["even"] = parity(false);
        t["divisibleby"] = [](const Value& v, const ValueList& a, const EvalSettings& s) {
            const Value& d = onlyArgument("divisibleby", a);
            requireDefined(v, s);
            if (!v.isInt() || !d.isInt()) throw RenderFailure("divisibleby needs integers");
            if (d.asInt() == 0) throw RenderFailure("divisibleby 0");
            return v.asInt() % d.asInt() == 0;
        };
        for (const char* name : {"eq", "equalto", "=="}) t[name] = comparison("==");
        for (const char* name : {"ne", "!="}) t[name] = comparison("!=");
        for (const char* name : {"lt", "lessthan", "<"}) t[name] = comparison("<");
        for (const char* name : {"gt", "greaterthan", ">"}) t[name] = comparison(">");
        for (const char* name : {"le", "<="}) t[name] = comparison("<=");
        for (const char* name : {"ge", ">="}) t[name] = comparison(">=");
        t["in"] = [](const Value& v, const ValueList& a, const EvalSettings& s) {
            return containsValue(onlyArgument("in", a), v, s);
        };
        t["sameas"] = [](const Value& v, const ValueList& a, const EvalSettings&) {
            // Python identity: true for equal singletons (none, true, false).
            const Value& other = onlyArgument("sameas", a);
            if (v.kind() != other.kind()) return false;
            return (v.isNone() || v.isBool()) && v.equals(other);
        };
        return t;
    }();
    return table;
}

}  // namespace

bool isKnownTest(const std::string& name) { return testTable().count(name) > 0; }

bool applyTest(const std::string& name, const Value& subject, const ValueList& args,
               const EvalSettings& settings) {
    const auto& table = testTable();
    const auto it = table.find(name);
    if (it == table.end()) throw RenderFailure("unknown test '" + name + "'");
    return it->second(subject, args, settings);
}

}  // namespace ps::templating::detail
