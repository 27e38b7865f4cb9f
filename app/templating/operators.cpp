// Operators with Python's semantics (Jinja evaluates them in Python): 7 // 2 == 3,
// -7 // 2 == -4, -7 % 3 == 2, 1 / 2 == 0.5, 'ab' * 2, [1] + [2], 1 == 1.0.
#include <cmath>
#include <cstdio>

#include "templating/runtime.h"
#include "templating/text.h"

namespace ps::templating::detail {

void failUndefined(const Value& undefined) {
    throw RenderFailure("'" + undefined.undefinedName() + "' is undefined");
}

void requireDefined(const Value& value, const EvalSettings& settings) {
    if (settings.strictUndefined && value.isUndefined()) failUndefined(value);
}

bool isTrue(const Value& value, const EvalSettings& settings) {
    requireDefined(value, settings);
    return value.truthy();
}

void RenderBudget::chargeSteps(size_t steps) {
    steps_ += steps;
    if (steps_ > limits::kMaxTemplateSteps) {
        throw RenderFailure("the template does too much work: more than " +
                            std::to_string(limits::kMaxTemplateSteps) + " evaluation steps");
    }
}

void RenderBudget::chargeCall() {
    if (++calls_ > limits::kMaxTemplateCalls) {
        throw RenderFailure("more than " + std::to_string(limits::kMaxTemplateCalls) +
                            " macro calls");
    }
}

void RenderBudget::chargeBytes(size_t bytes) {
    bytes_ += bytes;
    if (bytes_ > limits::kMaxTemplateWorkBytes) {
        throw RenderFailure("the template does too much work: more than " +
                            std::to_string(limits::kMaxTemplateWorkBytes >> 20) +
                            " MiB of text built");
    }
}

void checkTextSize(size_t bytes, const EvalSettings& settings) {
    const size_t limit = settings.maxOutputBytes ? settings.maxOutputBytes
                                                 : limits::kMaxTemplateOutputBytes;
    if (bytes > limit) {
        throw RenderFailure("text longer than the limit of " + std::to_string(limit) + " bytes");
    }
}

void checkSize(const std::string& text, const EvalSettings& settings) {
    checkTextSize(text.size(), settings);
    if (settings.budget) settings.budget->chargeBytes(text.size());
}

void checkNamespaceValue(const Value& value) {
    if (value.holdsSharedState()) {
        throw RenderFailure("a namespace cannot hold a namespace or a function (" +
                            value.kindName() + ")");
    }
}

void checkSize(const ValueList& list, const EvalSettings& settings) {
    if (settings.maxLoopIterations && list.size() > settings.maxLoopIterations) {
        throw RenderFailure("list longer than the limit of " +
                            std::to_string(settings.maxLoopIterations) + " items");
    }
}

ValueList iterate(const Value& value, const EvalSettings& settings) {
    switch (value.kind()) {
        case Value::Kind::List: return value.asList();
        case Value::Kind::String: {
            // A code point takes at least one byte: refuse before splitting.
            if (settings.maxLoopIterations && value.asString().size() > settings.maxLoopIterations &&
                codePointCount(value.asString()) > settings.maxLoopIterations) {
                throw RenderFailure("string of more than " +
                                    std::to_string(settings.maxLoopIterations) +
                                    " characters to iterate over");
            }
            ValueList chars;
            for (auto& c : splitCodePoints(value.asString())) chars.emplace_back(std::move(c));
            return chars;
        }
        case Value::Kind::Map: {
            ValueList keys;
            for (const auto& entry : value.asMap().entries()) keys.emplace_back(entry.first);
            return keys;
        }
        case Value::Kind::Undefined:
            requireDefined(value, settings);
            return {};
        default: throw RenderFailure("cannot iterate over " + value.kindName());
    }
}

namespace {

bool isIntLike(const Value& v) { return v.isInt() || v.isBool(); }
bool isNumeric(const Value& v) { return v.isNumber() || v.isBool(); }
int64_t intOf(const Value& v) { return v.isBool() ? (v.asBool() ? 1 : 0) : v.asInt(); }
double doubleOf(const Value& v) { return v.isBool() ? (v.asBool() ? 1.0 : 0.0) : v.asDouble(); }

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
    throw RenderFailure("cannot apply '" + op + "' to " + a.kindName() + " and " + b.kindName());
}

[[noreturn]] void overflow() { throw RenderFailure("integer overflow"); }

Value repeat(const Value& sequence, int64_t times, const EvalSettings& settings) {
    const size_t n = times > 0 ? static_cast<size_t>(times) : 0;
    if (sequence.isString()) {
        const std::string& s = sequence.asString();
        if (n && settings.maxOutputBytes && s.size() > settings.maxOutputBytes / n) {
            throw RenderFailure("text longer than the limit of " +
                                std::to_string(settings.maxOutputBytes) + " bytes");
        }
        std::string out;
        for (size_t i = 0; i < n; ++i) out += s;
        return Value(std::move(out));
    }
    const ValueList& items = sequence.asList();
    if (n && settings.maxLoopIterations && items.size() > settings.maxLoopIterations / n) {
        throw RenderFailure("list longer than the limit of " +
                            std::to_string(settings.maxLoopIterations) + " items");
    }
    ValueList out;
    for (size_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
    return Value(std::move(out));
}

// printf-style `'%s and %d' % (a, b)` with the conversions templates use.
Value percentFormat(const std::string& format, const Value& arguments,
                    const EvalSettings& settings) {
    ValueList args = arguments.isList() ? arguments.asList() : ValueList{arguments};
    size_t next = 0;
    std::string out;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        if (++i >= format.size()) throw RenderFailure("incomplete format: '" + format + "'");
        const char conversion = format[i];
        if (conversion == '%') {
            out += '%';
            continue;
        }
        if (next >= args.size()) throw RenderFailure("not enough arguments for format string");
        const Value& arg = args[next++];
        switch (conversion) {
            case 's': out += toText(arg); break;
            case 'r': out += toRepr(arg); break;
            case 'd':
            case 'i':
                if (!isNumeric(arg)) throw RenderFailure("%d format needs a number");
                if (arg.isDouble() && !(std::fabs(arg.asDouble()) < 9.2e18)) {
                    throw RenderFailure("%d format: number out of range");
                }
                out += std::to_string(arg.isDouble() ? static_cast<int64_t>(arg.asDouble())
                                                     : intOf(arg));
                break;
            case 'f': {
                if (!isNumeric(arg)) throw RenderFailure("%f format needs a number");
                char buffer[64];
                std::snprintf(buffer, sizeof buffer, "%f", doubleOf(arg));
                out += buffer;
                break;
            }
            default:
                throw RenderFailure(std::string("unsupported format conversion '%") + conversion +
                                    "'");
        }
        checkTextSize(out.size(), settings);
    }
    if (next < args.size()) {
        throw RenderFailure("not all arguments converted during string formatting");
    }
    return Value(std::move(out));
}

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
    if (!isNumeric(a) || !isNumeric(b)) unsupported(op, a, b);
    const bool ints = isIntLike(a) && isIntLike(b);
    if (op == "/") {
        if (doubleOf(b) == 0.0) throw RenderFailure("division by zero");
        return Value(doubleOf(a) / doubleOf(b));
    }
    if (ints) {
        const int64_t x = intOf(a);
        const int64_t y = intOf(b);
        int64_t r = 0;
        if (op == "+") {
            if (__builtin_add_overflow(x, y, &r)) overflow();
        } else if (op == "-") {
            if (__builtin_sub_overflow(x, y, &r)) overflow();
        } else if (op == "*") {
            if (__builtin_mul_overflow(x, y, &r)) overflow();
        } else if (op == "//" || op == "%") {
            if (y == 0) throw RenderFailure("division by zero");
            if (x == INT64_MIN && y == -1) overflow();
            int64_t q = x / y;
            int64_t m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) {  // Python floors toward -infinity
                --q;
                m += y;
            }
            r = op == "//" ? q : m;
        } else if (op == "**") {
            if (y < 0) return Value(std::pow(static_cast<double>(x), static_cast<double>(y)));
            r = 1;
            for (int64_t k = 0; k < y; ++k) {
                if (__builtin_mul_overflow(r, x, &r)) overflow();
                if (r == 0 || r == 1) break;
            }
        }
        return Value(r);
    }
    const double x = doubleOf(a);
    const double y = doubleOf(b);
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if (op == "**") return Value(std::pow(x, y));
    if (y == 0.0) throw RenderFailure("division by zero");
    if (op == "//") return Value(std::floor(x / y));
    double m = std::fmod(x, y);
    if (m != 0.0 && ((m < 0) != (y < 0))) m += y;
    return Value(m);
}

}  // namespace

Value binaryOp(const std::string& op, const Value& a, const Value& b,
               const EvalSettings& settings) {
    if (op == "~") {
        requireDefined(a, settings);
        requireDefined(b, settings);
        const std::string left = toText(a);
        const std::string right = toText(b);
        checkTextSize(left.size() + right.size(), settings);
        std::string joined = left + right;
        checkSize(joined, settings);
        return Value(std::move(joined));
    }
    if (a.isUndefined()) failUndefined(a);
    if (b.isUndefined()) failUndefined(b);
    if (op == "+") {
        if (a.isString() && b.isString()) {
            checkTextSize(a.asString().size() + b.asString().size(), settings);
            std::string joined = a.asString() + b.asString();
            checkSize(joined, settings);
            return Value(std::move(joined));
        }
        if (a.isList() && b.isList()) {
            if (settings.maxLoopIterations &&
                a.asList().size() + b.asList().size() > settings.maxLoopIterations) {
                throw RenderFailure("list longer than the limit of " +
                                    std::to_string(settings.maxLoopIterations) + " items");
            }
            ValueList joined = a.asList();
            joined.insert(joined.end(), b.asList().begin(), b.asList().end());
            checkSize(joined, settings);
            return Value(std::move(joined));
        }
    }
    if (op == "*") {
        if ((a.isString() || a.isList()) && isIntLike(b)) return repeat(a, intOf(b), settings);
        if ((b.isString() || b.isList()) && isIntLike(a)) return repeat(b, intOf(a), settings);
    }
    if (op == "%" && a.isString()) return percentFormat(a.asString(), b, settings);
    return arithmetic(op, a, b);
}

int compareOrder(const Value& a, const Value& b) {
    if (isNumeric(a) && isNumeric(b)) {
        if (isIntLike(a) && isIntLike(b)) {
            return intOf(a) < intOf(b) ? -1 : intOf(a) > intOf(b) ? 1 : 0;
        }
        return doubleOf(a) < doubleOf(b) ? -1 : doubleOf(a) > doubleOf(b) ? 1 : 0;
    }
    if (a.isString() && b.isString()) return a.asString().compare(b.asString()) < 0 ? -1
                                              : a.asString() == b.asString() ? 0 : 1;
    if (a.isList() && b.isList()) {
        const ValueList& x = a.asList();
        const ValueList& y = b.asList();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (!x[i].equals(y[i])) return compareOrder(x[i], y[i]);
        }
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    if (a.isUndefined()) failUndefined(a);
    if (b.isUndefined()) failUndefined(b);
    throw RenderFailure("cannot compare " + a.kindName() + " with " + b.kindName());
}

bool containsValue(const Value& container, const Value& item, const EvalSettings& settings) {
    requireDefined(item, settings);
    switch (container.kind()) {
        case Value::Kind::String:
            if (!item.isString()) {
                throw RenderFailure("'in <string>' needs a string on the left, not " +
                                    item.kindName());
            }
            return container.asString().find(item.asString()) != std::string::npos;
        case Value::Kind::List:
            if (settings.budget) settings.budget->chargeSteps(container.asList().size());
            for (const Value& element : container.asList()) {
                if (element.equals(item)) return true;
            }
            return false;
        case Value::Kind::Map:
        case Value::Kind::Namespace:
            return item.isString() && container.asMap().contains(item.asString());
        case Value::Kind::Undefined:
            requireDefined(container, settings);
            return false;
        default: throw RenderFailure("'in' needs a string, list or mapping on the right");
    }
}

bool compareOp(const std::string& op, const Value& a, const Value& b,
               const EvalSettings& settings) {
    if (op == "in") return containsValue(b, a, settings);
    if (op == "not in") return !containsValue(b, a, settings);
    requireDefined(a, settings);
    requireDefined(b, settings);
    if (op == "==") return a.equals(b);
    if (op == "!=") return !a.equals(b);
    const int order = compareOrder(a, b);
    if (op == "<") return order < 0;
    if (op == ">") return order > 0;
    if (op == "<=") return order <= 0;
    return order >= 0;
}

}  // namespace ps::templating::detail
