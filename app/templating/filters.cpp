// Jinja's built-in filters (jinja2/filters.py), with Hugging Face's `tojson`
// (json.dumps, ensure_ascii=False). Each takes the value before the `|` and its
// arguments, bound by name as in Python.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>

#include "templating/arguments.h"
#include "templating/methods.h"
#include "templating/runtime.h"
#include "templating/text.h"

namespace ps::templating::detail {

namespace {

using FilterFunction =
    std::function<Value(const Value&, const ValueList&, const KwArgs&, const EvalSettings&)>;

// `attribute='user.name'` and `attribute='0'` style paths.
Value attributePath(const Value& item, const std::string& path, const EvalSettings& s) {
    Value current = item;
    for (const std::string& part : splitText(path, ".", -1)) {
        int64_t index = 0;
        const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
        if (ec == std::errc() && ptr == part.data() + part.size()) {
            current = getItem(current, Value(index), s);
        } else {
            current = getItem(current, Value(part), s);
        }
        if (current.isUndefined()) return current;
    }
    return current;
}

std::string text(const Value& v, const EvalSettings& s) {
    requireDefined(v, s);
    return toText(v);
}

Value textValue(std::string out, const EvalSettings& s) {
    checkSize(out, s);
    return Value(std::move(out));
}

// Case-insensitive comparisons lower-case strings first (Jinja's default for sort,
// unique, min, max and dictsort).
Value sortKey(const Value& v, bool caseSensitive) {
    if (!caseSensitive && v.isString()) return Value(toLower(v.asString()));
    return v;
}

// select/reject and selectattr/rejectattr: `rest` holds the test name and its args.
Value selectItems(const Value& subject, const std::string* attribute, const ValueList& rest,
                  bool keep, const EvalSettings& s) {
    std::string testName;
    ValueList testArgs;
    if (!rest.empty()) {
        if (!rest[0].isString()) throw RenderFailure("the test name must be a string");
        testName = rest[0].asString();
        if (!isKnownTest(testName)) throw RenderFailure("unknown test '" + testName + "'");
        testArgs.assign(rest.begin() + 1, rest.end());
    }
    ValueList out;
    // Jinja's select_or_reject starts with `if value:`: none selects nothing (the
    // functionary-v3.1 chat template relies on it).
    if (subject.isNone()) return Value(std::move(out));
    for (const Value& item : iterate(subject, s)) {
        const Value probe = attribute ? attributePath(item, *attribute, s) : item;
        const bool passed = testName.empty() ? probe.truthy() : applyTest(testName, probe, testArgs, s);
        if (passed == keep) out.push_back(item);
    }
    return Value(std::move(out));
}

Value roundValue(double value, int64_t precision, const std::string& method) {
    const double scale = std::pow(10.0, static_cast<double>(precision));
    double scaled = value * scale;
    if (method == "common") {
        scaled = std::nearbyint(scaled);  // default rounding mode: half to even, as Python
    } else if (method == "ceil") {
        scaled = std::ceil(scaled);
    } else if (method == "floor") {
        scaled = std::floor(scaled);
    } else {
        throw RenderFailure("round: method must be common, ceil or floor");
    }
    return Value(scaled / scale);
}

std::optional<Value> parseNumber(const std::string& raw, bool wantInt) {
    const std::string t = stripText(raw, true, true);
    std::string digits;
    for (char c : t) {
        if (c != '_') digits += c;
    }
    if (digits.empty()) return std::nullopt;
    const char* begin = digits.data() + (digits[0] == '+' ? 1 : 0);
    const char* end = digits.data() + digits.size();
    int64_t i = 0;
    if (auto r = std::from_chars(begin, end, i); r.ec == std::errc() && r.ptr == end) {
        return wantInt ? Value(i) : Value(static_cast<double>(i));
    }
    double d = 0;
    if (auto r = std::from_chars(begin, end, d); r.ec == std::errc() && r.ptr == end) {
        return wantInt ? Value(static_cast<int64_t>(d)) : Value(d);
    }
    return std::nullopt;
}

std::string indentText(const std::string& s, const std::string& indentation, bool first,
                       bool blank, const EvalSettings& settings) {
    // The size first: a wide indentation on many lines must fail before it is built.
    const size_t lineCount = static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
    if (!indentation.empty() && lineCount > (SIZE_MAX - s.size()) / indentation.size()) {
        checkTextSize(SIZE_MAX, settings);
    }
    checkTextSize(s.size() + lineCount * indentation.size(), settings);
    std::vector<std::string> lines = splitText(s + "\n", "\n", -1);
    lines.pop_back();  // Jinja appends "\n" then uses splitlines()
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            out += "\n";
            if (blank || !lines[i].empty()) out += indentation;
        }
        out += lines[i];
    }
    if (first) out = indentation + out;
    return out;
}

const std::map<std::string, FilterFunction>& filterTable() {
    static const std::map<std::string, FilterFunction> table = [] {
        std::map<std::string, FilterFunction> t;
        using V = const Value&;
        using A = const ValueList&;
        using K = const KwArgs&;
        using S = const EvalSettings&;

        t["default"] = [](V v, A a, K k, S) {
            Arguments args("default", a, k, {"default_value", "boolean"});
            const bool useDefault = v.isUndefined() || (args.flagOr(1, false) && !v.truthy());
            return useDefault ? args.getOr(0, Value("")) : v;
        };
        t["d"] = t["default"];
        t["trim"] = [](V v, A a, K k, S s) {
            Arguments args("trim", a, k, {"chars"});
            return Value(stripText(text(v, s), true, true, args.stringOr(0, "")));
        };
        t["upper"] = [](V v, A a, K k, S s) {
            Arguments("upper", a, k, {});
            return Value(toUpper(text(v, s)));
        };
        t["lower"] = [](V v, A a, K k, S s) {
            Arguments("lower", a, k, {});
            return Value(toLower(text(v, s)));
        };
        t["capitalize"] = [](V v, A a, K k, S s) {
            Arguments("capitalize", a, k, {});
            return Value(capitalize(text(v, s)));
        };
        t["title"] = [](V v, A a, K k, S s) {
            // Jinja's title: words start after spaces and -({[<, the rest is lower-cased.
            Arguments("title", a, k, {});
            std::string out;
            bool wordStart = true;
            for (const std::string& c : splitCodePoints(text(v, s))) {
                size_t pos = 0;
                const char32_t cp = nextCodePoint(c, pos);
                out += wordStart ? toUpper(c) : toLower(c);
                wordStart = isPythonSpace(cp) || c == "-" || c == "(" || c == "{" || c == "[" ||
                            c == "<";
            }
            return Value(std::move(out));
        };
        t["length"] = [](V v, A a, K k, S s) {
            Arguments("length", a, k, {});
            requireDefined(v, s);
            if (v.isString()) return Value(static_cast<int64_t>(codePointCount(v.asString())));
            if (v.isList()) return Value(static_cast<int64_t>(v.asList().size()));
            if (v.isMap() || v.isNamespace()) return Value(static_cast<int64_t>(v.asMap().size()));
            if (v.isUndefined()) return Value(int64_t{0});
            throw RenderFailure("length: " + v.kindName() + " has no length");
        };
        t["count"] = t["length"];
        t["string"] = [](V v, A a, K k, S s) {
            Arguments("string", a, k, {});
            return Value(text(v, s));
        };
        t["safe"] = [](V v, A a, K k, S s) {
            Arguments("safe", a, k, {});
            requireDefined(v, s);
            return v;
        };
        t["escape"] = [](V v, A a, K k, S s) {
            Arguments("escape", a, k, {});
            return textValue(htmlEscape(text(v, s)), s);
        };
        t["e"] = t["escape"];
        t["join"] = [](V v, A a, K k, S s) {
            Arguments args("join", a, k, {"d", "attribute"});
            const std::string separator = args.stringOr(0, "");
            std::string out;
            bool first = true;
            for (const Value& item : iterate(v, s)) {
                const std::string piece =
                    text(args.has(1) ? attributePath(item, args.string(1), s) : item, s);
                checkTextSize(out.size() + (first ? 0 : separator.size()) + piece.size(), s);
                if (!first) out += separator;
                first = false;
                out += piece;
            }
            return Value(std::move(out));
        };
        t["first"] = [](V v, A a, K k, S s) {
            Arguments("first", a, k, {});
            ValueList items = iterate(v, s);
            return items.empty() ? Value::undefined("first") : items.front();
        };
        t["last"] = [](V v, A a, K k, S s) {
            Arguments("last", a, k, {});
            ValueList items = iterate(v, s);
            return items.empty() ? Value::undefined("last") : items.back();
        };
        t["replace"] = [](V v, A a, K k, S s) {
            Arguments args("replace", a, k, {"old", "new", "count"});
            return textValue(replaceText(text(v, s), text(args.get(0), s), text(args.get(1), s),
                                         args.integerOr(2, -1), s),
                             s);
        };
        t["tojson"] = [](V v, A a, K k, S s) {
            Arguments args("tojson", a, k, {"ensure_ascii", "indent", "separators", "sort_keys"});
            if (args.flagOr(0, false)) throw RenderFailure("tojson: ensure_ascii is not supported");
            if (args.has(2) && !args.get(2).isNone()) {
                throw RenderFailure("tojson: separators are not supported");
            }
            const size_t limit = s.maxOutputBytes ? s.maxOutputBytes : limits::kMaxTemplateOutputBytes;
            return textValue(toJson(v, args.integerOr(1, -1), args.flagOr(3, false), limit), s);
        };
        t["int"] = [](V v, A a, K k, S s) {
            Arguments args("int", a, k, {"default", "base"});
            requireDefined(v, s);
            const Value fallback = args.getOr(0, Value(int64_t{0}));
            if (v.isInt()) return v;
            if (v.isBool()) return Value(int64_t{v.asBool() ? 1 : 0});
            if (v.isDouble()) {
                const double d = v.asDouble();
                if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return fallback;
                return Value(static_cast<int64_t>(d));
            }
            if (v.isString()) return parseNumber(v.asString(), true).value_or(fallback);
            return fallback;
        };
        t["float"] = [](V v, A a, K k, S s) {
            Arguments args("float", a, k, {"default"});
            requireDefined(v, s);
            const Value fallback = args.getOr(0, Value(0.0));
            if (v.isNumber() || v.isBool()) return Value(v.isBool() ? (v.asBool() ? 1.0 : 0.0) : v.asDouble());
            if (v.isString()) return parseNumber(v.asString(), false).value_or(fallback);
            return fallback;
        };
        t["abs"] = [](V v, A a, K k, S s) {
            Arguments("abs", a, k, {});
            requireDefined(v, s);
            if (v.isInt()) {
                if (v.asInt() == INT64_MIN) throw RenderFailure("integer overflow");
                return Value(v.asInt() < 0 ? -v.asInt() : v.asInt());
            }
            if (v.isDouble()) return Value(std::fabs(v.asDouble()));
            throw RenderFailure("abs: needs a number, not " + v.kindName());
        };
        t["round"] = [](V v, A a, K k, S s) {
            Arguments args("round", a, k, {"precision", "method"});
            requireDefined(v, s);
            if (!v.isNumber()) throw RenderFailure("round: needs a number, not " + v.kindName());
            return roundValue(v.asDouble(), args.integerOr(0, 0), args.stringOr(1, "common"));
        };
        t["list"] = [](V v, A a, K k, S s) {
            Arguments("list", a, k, {});
            return Value(iterate(v, s));
        };
        t["items"] = [](V v, A a, K k, S s) {
            Arguments("items", a, k, {});
            requireDefined(v, s);
            ValueList out;
            if (v.isUndefined()) return Value(std::move(out));
            if (!v.isMap()) throw RenderFailure("items: needs a mapping, not " + v.kindName());
            for (const auto& [key, value] : v.asMap().entries()) {
                out.emplace_back(ValueList{Value(key), value});
            }
            return Value(std::move(out));
        };
        t["indent"] = [](V v, A a, K k, S s) {
            Arguments args("indent", a, k, {"width", "first", "blank"});
            const Value width = args.getOr(0, Value(int64_t{4}));
            const int64_t spaces = width.isString() ? 0 : std::max<int64_t>(0, args.integerOr(0, 4));
            checkTextSize(static_cast<uint64_t>(spaces), s);
            const std::string indentation =
                width.isString() ? width.asString() : std::string(static_cast<size_t>(spaces), ' ');
            return textValue(indentText(text(v, s), indentation, args.flagOr(1, false),
                                        args.flagOr(2, false), s),
                             s);
        };
        t["center"] = [](V v, A a, K k, S s) {
            Arguments args("center", a, k, {"width"});
            const std::string body = text(v, s);
            const int64_t width = args.integerOr(0, 80);
            const int64_t length = static_cast<int64_t>(codePointCount(body));
            if (width <= length) return Value(body);
            checkTextSize(static_cast<uint64_t>(width) + body.size(), s);
            // Python's str.center puts the extra space on the right when odd.
            const int64_t total = width - length;
            const int64_t left = total / 2 + (total & width & 1);
            return Value(std::string(static_cast<size_t>(left), ' ') + body +
                         std::string(static_cast<size_t>(total - left), ' '));
        };
        t["wordcount"] = [](V v, A a, K k, S s) {
            Arguments("wordcount", a, k, {});
            return Value(static_cast<int64_t>(splitOnWhitespace(text(v, s)).size()));
        };
        t["truncate"] = [](V v, A a, K k, S s) {
            Arguments args("truncate", a, k, {"length", "killwords", "end", "leeway"});
            const std::string body = text(v, s);
            const int64_t length = args.integerOr(0, 255);
            const std::string end = args.stringOr(2, "...");
            const int64_t leeway = args.integerOr(3, 5);
            // Jinja asserts both; without them the cut below could reach past the text.
            if (leeway < 0) throw RenderFailure("truncate: leeway must not be negative");
            if (length < static_cast<int64_t>(end.size())) {
                throw RenderFailure("truncate: length must be at least the length of end");
            }
            const auto chars = splitCodePoints(body);
            const int64_t count = static_cast<int64_t>(chars.size());
            // length + leeway may overflow: compare without adding.
            if (count <= length || count - length <= leeway) return Value(body);
            const int64_t keep = std::min<int64_t>(count, length - static_cast<int64_t>(end.size()));
            std::string head;
            for (int64_t i = 0; i < keep; ++i) head += chars[static_cast<size_t>(i)];
            if (!args.flagOr(1, false)) {
                const size_t space = head.rfind(' ');
                if (space != std::string::npos) head.resize(space);
            }
            return Value(head + end);
        };
        t["reverse"] = [](V v, A a, K k, S s) {
            Arguments("reverse", a, k, {});
            requireDefined(v, s);
            if (v.isString()) {
                auto chars = splitCodePoints(v.asString());
                std::string out;
                for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
                return Value(std::move(out));
            }
            ValueList items = iterate(v, s);
            std::reverse(items.begin(), items.end());
            return Value(std::move(items));
        };
        t["unique"] = [](V v, A a, K k, S s) {
            Arguments args("unique", a, k, {"case_sensitive", "attribute"});
            const bool caseSensitive = args.flagOr(0, false);
            ValueList out;
            ValueList seen;
            for (const Value& item : iterate(v, s)) {
                if (s.budget) s.budget->chargeSteps(seen.size());  // quadratic: count it
                const Value key = sortKey(args.has(1) ? attributePath(item, args.string(1), s) : item,
                                          caseSensitive);
                if (std::none_of(seen.begin(), seen.end(), [&](const Value& x) { return x.equals(key); })) {
                    seen.push_back(key);
                    out.push_back(item);
                }
            }
            return Value(std::move(out));
        };
        t["sort"] = [](V v, A a, K k, S s) {
            Arguments args("sort", a, k, {"reverse", "case_sensitive", "attribute"});
            const bool reverse = args.flagOr(0, false);
            const bool caseSensitive = args.flagOr(1, false);
            const std::string attribute = args.stringOr(2, "");
            ValueList items = iterate(v, s);
            const auto key = [&](const Value& item) {
                return sortKey(attribute.empty() ? item : attributePath(item, attribute, s),
                               caseSensitive);
            };
            std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
                const int order = compareOrder(key(x), key(y));
                return reverse ? order > 0 : order < 0;
            });
            return Value(std::move(items));
        };
        t["dictsort"] = [](V v, A a, K k, S s) {
            Arguments args("dictsort", a, k, {"case_sensitive", "by", "reverse"});
            requireDefined(v, s);
            if (!v.isMap()) throw RenderFailure("dictsort: needs a mapping, not " + v.kindName());
            const bool caseSensitive = args.flagOr(0, false);
            const std::string by = args.stringOr(1, "key");
            if (by != "key" && by != "value") throw RenderFailure("dictsort: by must be 'key' or 'value'");
            const bool reverse = args.flagOr(2, false);
            ValueList pairs;
            for (const auto& [key, value] : v.asMap().entries()) pairs.emplace_back(ValueList{Value(key), value});
            std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
                const size_t i = by == "key" ? 0 : 1;
                const int order = compareOrder(sortKey(x.asList()[i], caseSensitive),
                                               sortKey(y.asList()[i], caseSensitive));
                return reverse ? order > 0 : order < 0;
            });
            return Value(std::move(pairs));
        };
        auto extreme = [](bool wantMax) -> FilterFunction {
            return [wantMax](V v, A a, K k, S s) {
                Arguments args(wantMax ? "max" : "min", a, k, {"case_sensitive", "attribute"});
                const bool caseSensitive = args.flagOr(0, false);
                const std::string attribute = args.stringOr(1, "");
                std::optional<Value> best;
                Value bestKey;
                for (const Value& item : iterate(v, s)) {
                    const Value key = sortKey(attribute.empty() ? item : attributePath(item, attribute, s),
                                              caseSensitive);
                    if (!best || (wantMax ? compareOrder(key, bestKey) > 0 : compareOrder(key, bestKey) < 0)) {
                        best = item;
                        bestKey = key;
                    }
                }
                return best.value_or(Value::undefined(wantMax ? "max" : "min"));
            };
        };
        t["max"] = extreme(true);
        t["min"] = extreme(false);
        t["sum"] = [](V v, A a, K k, S s) {
            Arguments args("sum", a, k, {"attribute", "start"});
            Value total = args.getOr(1, Value(int64_t{0}));
            for (const Value& item : iterate(v, s)) {
                total = binaryOp("+", total, args.has(0) ? attributePath(item, args.string(0), s) : item, s);
            }
            return total;
        };
        t["batch"] = [](V v, A a, K k, S s) {
            Arguments args("batch", a, k, {"linecount", "fill_with"});
            const int64_t size = args.integer(0);
            if (size <= 0) throw RenderFailure("batch: size must be positive");
            // A short last row is filled up to `size`: refuse a size no list may have.
            if (s.maxLoopIterations && static_cast<uint64_t>(size) > s.maxLoopIterations) {
                throw RenderFailure("batch: size " + std::to_string(size) + " is over the limit of " +
                                    std::to_string(s.maxLoopIterations) + " items");
            }
            ValueList out;
            ValueList row;
            for (const Value& item : iterate(v, s)) {
                row.push_back(item);
                if (static_cast<int64_t>(row.size()) == size) out.emplace_back(std::exchange(row, {}));
            }
            if (!row.empty()) {
                if (args.has(1)) {
                    while (static_cast<int64_t>(row.size()) < size) row.push_back(args.get(1));
                }
                out.emplace_back(std::move(row));
            }
            return Value(std::move(out));
        };
        t["select"] = [](V v, A a, K k, S s) {
            if (!k.empty()) throw RenderFailure("select takes no keyword arguments");
            return selectItems(v, nullptr, a, true, s);
        };
        t["reject"] = [](V v, A a, K k, S s) {
            if (!k.empty()) throw RenderFailure("reject takes no keyword arguments");
            return selectItems(v, nullptr, a, false, s);
        };
        auto selectAttribute = [](bool keep) -> FilterFunction {
            return [keep](V v, A a, K k, S s) {
                if (!k.empty()) throw RenderFailure("selectattr/rejectattr take no keyword arguments");
                if (a.empty() || !a[0].isString()) {
                    throw RenderFailure("selectattr/rejectattr need an attribute name");
                }
                const std::string attribute = a[0].asString();
                return selectItems(v, &attribute, ValueList(a.begin() + 1, a.end()), keep, s);
            };
        };
        t["selectattr"] = selectAttribute(true);
        t["rejectattr"] = selectAttribute(false);
        t["map"] = [](V v, A a, K k, S s) {
            ValueList out;
            if (v.isNone()) return Value(std::move(out));  // Jinja: `if value:` first
            const Value* attribute = nullptr;
            const Value* fallback = nullptr;
            KwArgs filterKwargs;
            for (const auto& [key, value] : k) {
                if (key == "attribute") attribute = &value;
                else if (key == "default") fallback = &value;
                else filterKwargs.emplace_back(key, value);
            }
            if (attribute) {
                if (!attribute->isString()) throw RenderFailure("map: attribute must be a string");
                for (const Value& item : iterate(v, s)) {
                    Value mapped = attributePath(item, attribute->asString(), s);
                    out.push_back(mapped.isUndefined() && fallback ? *fallback : mapped);
                }
                return Value(std::move(out));
            }
            if (a.empty() || !a[0].isString()) throw RenderFailure("map: needs a filter name or attribute=");
            const std::string filter = a[0].asString();
            if (!isKnownFilter(filter)) throw RenderFailure("unknown filter '" + filter + "'");
            const ValueList filterArgs(a.begin() + 1, a.end());
            for (const Value& item : iterate(v, s)) {
                out.push_back(applyFilter(filter, item, filterArgs, filterKwargs, s));
            }
            return Value(std::move(out));
        };
        t["format"] = [](V v, A a, K k, S s) {
            if (!k.empty()) throw RenderFailure("format: keyword arguments are not supported");
            return binaryOp("%", Value(text(v, s)), Value(a), s);
        };
        return t;
    }();
    return table;
}

}  // namespace

bool isKnownFilter(const std::string& name) { return filterTable().count(name) > 0; }

Value applyFilter(const std::string& name, const Value& subject, const ValueList& args,
                  const KwArgs& kwargs, const EvalSettings& settings) {
    const auto& table = filterTable();
    const auto it = table.find(name);
    if (it == table.end()) throw RenderFailure("unknown filter '" + name + "'");
    if (name != "default" && name != "d") requireDefined(subject, settings);
    return it->second(subject, args, kwargs, settings);
}

}  // namespace ps::templating::detail
