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

void appendJson(std::string& out, const Value& value, int indent, bool sortKeys, int level) {
    const auto newline = [&](int depth) {
        out += '\n';
        out.append(static_cast<size_t>(indent * depth), ' ');
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
        case Value::Kind::String: appendJsonString(out, value.asString()); return;
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
                appendJson(out, items[i], indent, sortKeys, level + 1);
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
                appendJsonString(out, entries[i]->first);
                out += ": ";
                appendJson(out, entries[i]->second, indent, sortKeys, level + 1);
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

std::string toRepr(const Value& value) {
    switch (value.kind()) {
        case Value::Kind::String: return reprString(value.asString());
        case Value::Kind::List: {
            std::string out = "[";
            bool first = true;
            for (const Value& item : value.asList()) {
                if (!first) out += ", ";
                first = false;
                out += toRepr(item);
            }
            return out + "]";
        }
        case Value::Kind::Map: {
            std::string out = "{";
            bool first = true;
            for (const auto& [key, item] : value.asMap().entries()) {
                if (!first) out += ", ";
                first = false;
                out += reprString(key) + ": " + toRepr(item);
            }
            return out + "}";
        }
        case Value::Kind::Namespace: {
            std::string out = "<Namespace {";
            bool first = true;
            for (const auto& [key, item] : value.asMap().entries()) {
                if (!first) out += ", ";
                first = false;
                out += reprString(key) + ": " + toRepr(item);
            }
            return out + "}>";
        }
        default: return toText(value);
    }
}

std::string toText(const Value& value) {
    switch (value.kind()) {
        case Value::Kind::Undefined: return "";
        case Value::Kind::None: return "None";
        case Value::Kind::Bool: return value.asBool() ? "True" : "False";
        case Value::Kind::Int: return std::to_string(value.asInt());
        case Value::Kind::Double: return formatFloat(value.asDouble());
        case Value::Kind::String: return value.asString();
        case Value::Kind::Callable: return "<function>";
        default: return toRepr(value);
    }
}

std::string toJson(const Value& value, int indent, bool sortKeys) {
    std::string out;
    appendJson(out, value, indent, sortKeys, 0);
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
