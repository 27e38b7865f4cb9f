// Python methods templates call on values: 'text'.strip(), message.items(),
// names.index('x'). Each is returned by attribute lookup as a bound callable.
#include "templating/methods.h"

#include <cctype>
#include <charconv>

#include "templating/arguments.h"
#include "templating/text.h"

namespace ps::templating::detail {

std::string replaceText(const std::string& text, const std::string& old,
                        const std::string& replacement, int64_t count, const EvalSettings& settings) {
    std::string out;
    // Checked as the text grows: 16 MB of 'a' with each 'a' replaced by 16 MB would
    // otherwise ask for terabytes.
    const auto grow = [&](size_t extra) { checkTextSize(out.size() + extra, settings); };
    if (old.empty()) {  // Python inserts the replacement around every character
        const auto chars = splitCodePoints(text);
        int64_t done = 0;
        for (const auto& c : chars) {
            if (count < 0 || done < count) {
                grow(replacement.size());
                out += replacement;
                ++done;
            }
            grow(c.size());
            out += c;
        }
        grow(replacement.size());
        if (count < 0 || done < count) out += replacement;
        return out;
    }
    size_t pos = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        const size_t found = text.find(old, pos);
        if (found == std::string::npos) break;
        grow(found - pos + replacement.size());
        out.append(text, pos, found - pos);
        out += replacement;
        pos = found + old.size();
        ++done;
    }
    grow(text.size() - pos);
    out.append(text, pos, std::string::npos);
    return out;
}

std::vector<std::string> splitText(const std::string& text, const std::string& separator,
                                   int64_t maxSplit) {
    if (separator.empty()) throw RenderFailure("split: empty separator");
    std::vector<std::string> parts;
    size_t pos = 0;
    while (maxSplit < 0 || static_cast<int64_t>(parts.size()) < maxSplit) {
        const size_t found = text.find(separator, pos);
        if (found == std::string::npos) break;
        parts.push_back(text.substr(pos, found - pos));
        pos = found + separator.size();
    }
    parts.push_back(text.substr(pos));
    return parts;
}

namespace {

Value stringList(std::vector<std::string> parts, const EvalSettings& settings) {
    if (settings.maxLoopIterations && parts.size() > settings.maxLoopIterations) {
        throw RenderFailure("list longer than the limit of " +
                            std::to_string(settings.maxLoopIterations) + " items");
    }
    ValueList list;
    for (auto& part : parts) list.emplace_back(std::move(part));
    return Value(std::move(list));
}

bool matchesAffix(const std::string& text, const Value& affix, bool atStart) {
    const auto test = [&](const Value& candidate) {
        if (!candidate.isString()) {
            throw RenderFailure(std::string(atStart ? "startswith" : "endswith") +
                                " needs a string or a list of strings");
        }
        const std::string& a = candidate.asString();
        if (a.size() > text.size()) return false;
        return atStart ? text.compare(0, a.size(), a) == 0
                       : text.compare(text.size() - a.size(), a.size(), a) == 0;
    };
    if (affix.isList()) {
        for (const Value& candidate : affix.asList()) {
            if (test(candidate)) return true;
        }
        return false;
    }
    return test(affix);
}

// str.format: {} {0} {name}, doubled braces for literal ones; no format specs.
std::string pythonFormat(const std::string& format, const ValueList& args, const KwArgs& kwargs,
                         const EvalSettings& settings) {
    std::string out;
    size_t automatic = 0;
    for (size_t i = 0; i < format.size(); ++i) {
        const char c = format[i];
        if ((c == '{' || c == '}') && i + 1 < format.size() && format[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c == '}') throw RenderFailure("format: single '}' in format string");
        if (c != '{') {
            out += c;
            continue;
        }
        const size_t close = format.find('}', i);
        if (close == std::string::npos) throw RenderFailure("format: '{' without '}'");
        const std::string field = format.substr(i + 1, close - i - 1);
        i = close;
        if (field.find(':') != std::string::npos || field.find('!') != std::string::npos) {
            throw RenderFailure("format: format specifications are not supported");
        }
        if (field.empty() || std::isdigit(static_cast<unsigned char>(field[0]))) {
            size_t index = automatic;
            if (field.empty()) {
                ++automatic;
            } else if (const auto parsed = std::from_chars(field.data(), field.data() + field.size(), index);
                       parsed.ec != std::errc() || parsed.ptr != field.data() + field.size()) {
                throw RenderFailure("format: bad field '{" + field + "}'");
            }
            if (index >= args.size()) throw RenderFailure("format: not enough arguments");
            const std::string piece = toText(args[index]);
            checkTextSize(out.size() + piece.size(), settings);
            out += piece;
        } else {
            bool found = false;
            for (const auto& [key, value] : kwargs) {
                if (key == field) {
                    const std::string piece = toText(value);
                    checkTextSize(out.size() + piece.size(), settings);
                    out += piece;
                    found = true;
                    break;
                }
            }
            if (!found) throw RenderFailure("format: no argument named '" + field + "'");
        }
    }
    return out;
}

std::optional<Value> stringMethod(const std::string& text, const std::string& name,
                                  const EvalSettings& settings) {
    const auto method = [&](auto body) {
        return Value::callable([text, name, settings, body](const ValueList& args,
                                                            const KwArgs& kwargs) -> Value {
            return body(text, name, args, kwargs, settings);
        });
    };
    using A = const ValueList&;
    using K = const KwArgs&;
    using S = const EvalSettings&;
    using T = const std::string&;
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
        return method([](T t, T n, A a, K k, S) {
            Arguments args(n, a, k, {"chars"});
            return Value(stripText(t, n != "rstrip", n != "lstrip", args.stringOr(0, "")));
        });
    }
    if (name == "startswith" || name == "endswith") {
        return method([](T t, T n, A a, K k, S) {
            Arguments args(n, a, k, {"prefix"});
            return Value(matchesAffix(t, args.get(0), n == "startswith"));
        });
    }
    if (name == "split") {
        return method([](T t, T n, A a, K k, S s) {
            Arguments args(n, a, k, {"sep", "maxsplit"});
            const int64_t maxSplit = args.integerOr(1, -1);
            if (!args.has(0) || args.get(0).isNone()) {
                return stringList(splitOnWhitespace(t, static_cast<long>(maxSplit)), s);
            }
            return stringList(splitText(t, args.string(0), maxSplit), s);
        });
    }
    if (name == "splitlines") {
        return method([](T t, T n, A a, K k, S s) {
            Arguments args(n, a, k, {});
            std::vector<std::string> lines = splitText(t, "\n", -1);
            if (!lines.empty() && lines.back().empty()) lines.pop_back();
            return stringList(std::move(lines), s);
        });
    }
    if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
        return method([](T t, T n, A a, K k, S) {
            Arguments args(n, a, k, {});
            if (n == "upper") return Value(toUpper(t));
            if (n == "lower") return Value(toLower(t));
            if (n == "title") return Value(pythonTitle(t));
            return Value(capitalize(t));
        });
    }
    if (name == "replace") {
        return method([](T t, T n, A a, K k, S s) {
            Arguments args(n, a, k, {"old", "new", "count"});
            std::string out = replaceText(t, args.string(0), args.string(1), args.integerOr(2, -1), s);
            checkSize(out, s);
            return Value(std::move(out));
        });
    }
    if (name == "find" || name == "count") {
        return method([](T t, T n, A a, K k, S) {
            Arguments args(n, a, k, {"sub"});
            const std::string sub = args.string(0);
            if (n == "find") {
                const size_t at = t.find(sub);
                return Value(at == std::string::npos
                                 ? int64_t{-1}
                                 : static_cast<int64_t>(codePointCount(t.substr(0, at))));
            }
            if (sub.empty()) return Value(static_cast<int64_t>(codePointCount(t) + 1));
            int64_t found = 0;
            for (size_t at = t.find(sub); at != std::string::npos; at = t.find(sub, at + sub.size())) {
                ++found;
            }
            return Value(found);
        });
    }
    if (name == "join") {
        return method([](T t, T n, A a, K k, S s) {
            Arguments args(n, a, k, {"iterable"});
            std::string out;
            bool first = true;
            for (const Value& item : iterate(args.get(0), s)) {
                if (!item.isString()) throw RenderFailure("join: items must be strings");
                if (!first) out += t;
                first = false;
                out += item.asString();
            }
            checkSize(out, s);
            return Value(std::move(out));
        });
    }
    if (name == "format") {
        return method([](T t, T, A a, K k, S s) {
            std::string out = pythonFormat(t, a, k, s);
            checkSize(out, s);
            return Value(std::move(out));
        });
    }
    return std::nullopt;
}

std::optional<Value> mapMethod(const Value& map, const std::string& name) {
    if (name == "items" || name == "keys" || name == "values") {
        return Value::callable([map, name](const ValueList& a, const KwArgs& k) {
            Arguments args(name, a, k, {});
            ValueList out;
            for (const auto& [key, value] : map.asMap().entries()) {
                if (name == "items") out.emplace_back(ValueList{Value(key), value});
                else if (name == "keys") out.emplace_back(key);
                else out.push_back(value);
            }
            return Value(std::move(out));
        });
    }
    if (name == "get") {
        return Value::callable([map](const ValueList& a, const KwArgs& k) {
            Arguments args("get", a, k, {"key", "default"});
            const Value& key = args.get(0);
            const Value* found = key.isString() ? map.asMap().find(key.asString()) : nullptr;
            return found ? *found : args.getOr(1, Value());
        });
    }
    return std::nullopt;
}

std::optional<Value> listMethod(const Value& list, const std::string& name) {
    if (name == "index" || name == "count") {
        return Value::callable([list, name](const ValueList& a, const KwArgs& k) {
            Arguments args(name, a, k, {"value"});
            const Value& wanted = args.get(0);
            int64_t count = 0;
            const ValueList& items = list.asList();
            for (size_t i = 0; i < items.size(); ++i) {
                if (!items[i].equals(wanted)) continue;
                if (name == "index") return Value(static_cast<int64_t>(i));
                ++count;
            }
            if (name == "index") throw RenderFailure(toRepr(wanted) + " is not in the list");
            return Value(count);
        });
    }
    return std::nullopt;
}

}  // namespace

std::optional<Value> findMethod(const Value& object, const std::string& name,
                                const EvalSettings& settings) {
    if (object.isString()) return stringMethod(object.asString(), name, settings);
    if (object.isMap()) return mapMethod(object, name);
    if (object.isList()) return listMethod(object, name);
    return std::nullopt;
}

}  // namespace ps::templating::detail
