// Python-compatible text forms of template values: str(), repr() and json.dumps(), so
// that `{{ 0.5 }}`, `{{ [1, 'a'] }}` and `{{ tools | tojson }}` print what Jinja prints.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "templating/runtime.h"
#include "templating/text.h"

namespace ps::templating::detail {

std::string formatFloat(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    // Shortest round-trip digits, then Python's repr layout: positional for
    // 1e-4 <= |x| < 1e16, else d.ddde+XX.
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string sci(buffer, result.ptr);
    const size_t ePos = sci.find('e');
    std::string mantissa = sci.substr(0, ePos);
    const int exponent = std::stoi(sci.substr(ePos + 1));
    const bool negative = mantissa[0] == '-';
    if (negative) mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa) {
        if (c != '.') digits += c;
    }
    std::string out = negative ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
        } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
            out += digits + std::string(static_cast<size_t>(exponent) + 1 - digits.size(), '0') +
                   ".0";
        } else {
            out += digits.substr(0, static_cast<size_t>(exponent) + 1) + "." +
                   digits.substr(static_cast<size_t>(exponent) + 1);
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp;
}

namespace {

std::string reprString(const std::string& text) {
    const bool hasSingle = text.find('\'') != std::string::npos;
    const bool hasDouble = text.find('"') != std::string::npos;
    const char quote = hasSingle && !hasDouble ? '"' : '\'';
    std::string out(1, quote);
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == quote || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7F) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", u);
            out += hex;
        } else {
            out += c;
        }
    }
    return out + quote;
}

void appendJsonString(std::string& out, const std::string& text) {
    out += '"';
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned char>(c));
                    out += hex;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

// Every text grows through these checks, so a huge value (a list of a million long
// strings) fails before its text is built, not after.
void requireRoom(const std::string& out, size_t extra, size_t maxBytes) {
    if (extra > maxBytes || out.size() > maxBytes - extra) {
        throw RenderFailure("text longer than the limit of " + std::to_string(maxBytes) + " bytes");
    }
}

void appendLimited(std::string& out, const std::string& text, size_t maxBytes) {
    requireRoom(out, text.size(), maxBytes);
    out += text;
}

void appendJson(std::string& out, const Value& value, int64_t indent, bool sortKeys, int level,
                size_t maxBytes) {
    requireRoom(out, 0, maxBytes);
    const auto newline = [&](int depth) {
        const size_t width = static_cast<size_t>(indent) * static_cast<size_t>(depth);
        requireRoom(out, width + 1, maxBytes);
        out += '\n';
        out.append(width, ' ');
    };
    // Python's separators: (', ', ': ') without indent, (',', ': ') with it.
    const char* itemSeparator = indent >= 0 ? "," : ", ";
    switch (value.kind()) {
        case Value::Kind::None: out += "null"; return;
        case Value::Kind::Bool: out += value.asBool() ? "true" : "false"; return;
        case Value::Kind::Int: out += std::to_string(value.asInt()); return;
        case Value::Kind::Double: {
            const double d = value.asDouble();
            if (std::isnan(d)) out += "NaN";
            else if (std::isinf(d)) out += d > 0 ? "Infinity" : "-Infinity";
            else out += formatFloat(d);
            return;
        }
        case Value::Kind::String:
            requireRoom(out, value.asString().size(), maxBytes);
            appendJsonString(out, value.asString());
            return;
        case Value::Kind::List: {
            const ValueList& items = value.asList();
            if (items.empty()) {
                out += "[]";
                return;
            }
            out += '[';
            for (size_t i = 0; i < items.size(); ++i) {
                if (i > 0) out += itemSeparator;
                if (indent >= 0) newline(level + 1);
                appendJson(out, items[i], indent, sortKeys, level + 1, maxBytes);
            }
            if (indent >= 0) newline(level);
            out += ']';
            return;
        }
        case Value::Kind::Map:
        case Value::Kind::Namespace: {
            std::vector<const ValueMap::Entry*> entries;
            for (const auto& entry : value.asMap().entries()) entries.push_back(&entry);
            if (sortKeys) {
                std::stable_sort(entries.begin(), entries.end(),
                                 [](auto* a, auto* b) { return a->first < b->first; });
            }
            if (entries.empty()) {
                out += "{}";
                return;
            }
            out += '{';
            for (size_t i = 0; i < entries.size(); ++i) {
                if (i > 0) out += itemSeparator;
                if (indent >= 0) newline(level + 1);
                requireRoom(out, entries[i]->first.size(), maxBytes);
                appendJsonString(out, entries[i]->first);
                out += ": ";
                appendJson(out, entries[i]->second, indent, sortKeys, level + 1, maxBytes);
            }
            if (indent >= 0) newline(level);
            out += '}';
            return;
        }
        case Value::Kind::Undefined: failUndefined(value);
        case Value::Kind::Callable:
            throw RenderFailure("a function cannot be converted to JSON");
    }
}

}  // namespace

namespace {

void appendRepr(std::string& out, const Value& value, size_t maxBytes);

void appendEntries(std::string& out, const ValueMap& map, size_t maxBytes) {
    bool first = true;
    for (const auto& [key, item] : map.entries()) {
        if (!first) appendLimited(out, ", ", maxBytes);
        first = false;
        appendLimited(out, reprString(key) + ": ", maxBytes);
        appendRepr(out, item, maxBytes);
    }
}

void appendRepr(std::string& out, const Value& value, size_t maxBytes) {
    switch (value.kind()) {
        case Value::Kind::String: appendLimited(out, reprString(value.asString()), maxBytes); return;
        case Value::Kind::List: {
            appendLimited(out, "[", maxBytes);
            bool first = true;
            for (const Value& item : value.asList()) {
                if (!first) appendLimited(out, ", ", maxBytes);
                first = false;
                appendRepr(out, item, maxBytes);
            }
            appendLimited(out, "]", maxBytes);
            return;
        }
        case Value::Kind::Map:
            appendLimited(out, "{", maxBytes);
            appendEntries(out, value.asMap(), maxBytes);
            appendLimited(out, "}", maxBytes);
            return;
        case Value::Kind::Namespace:
            appendLimited(out, "<Namespace {", maxBytes);
            appendEntries(out, value.asMap(), maxBytes);
            appendLimited(out, "}>", maxBytes);
            return;
        default: appendLimited(out, toText(value, maxBytes), maxBytes);
    }
}

}  // namespace

std::string toRepr(const Value& value, size_t maxBytes) {
    std::string out;
    appendRepr(out, value, maxBytes);
    return out;
}

std::string toText(const Value& value, size_t maxBytes) {
    switch (value.kind()) {
        case Value::Kind::Undefined: return "";
        case Value::Kind::None: return "None";
        case Value::Kind::Bool: return value.asBool() ? "True" : "False";
        case Value::Kind::Int: return std::to_string(value.asInt());
        case Value::Kind::Double: return formatFloat(value.asDouble());
        case Value::Kind::String: return value.asString();
        case Value::Kind::Callable: return "<function>";
        default: return toRepr(value, maxBytes);
    }
}

std::string toJson(const Value& value, int64_t indent, bool sortKeys, size_t maxBytes) {
    if (indent > static_cast<int64_t>(maxBytes)) {
        throw RenderFailure("tojson: indent " + std::to_string(indent) + " is too large");
    }
    std::string out;
    appendJson(out, value, indent, sortKeys, 0, maxBytes);
    return out;
}

std::string htmlEscape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&#34;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace ps::templating::detail
