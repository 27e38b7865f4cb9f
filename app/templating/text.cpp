#include "templating/text.h"

#include <QChar>
#include <QString>

namespace ps::templating::detail {

char32_t nextCodePoint(std::string_view text, size_t& pos) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                   : (lead >> 3) == 0x1E ? 4 : 0;
    if (length <= 1 || pos + length > text.size()) {
        ++pos;
        return lead;
    }
    char32_t cp = lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
        const unsigned char next = byte(pos + k);
        if ((next & 0xC0) != 0x80) {
            ++pos;
            return lead;
        }
        cp = (cp << 6) | (next & 0x3F);
    }
    pos += length;
    return cp;
}

void appendCodePoint(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::vector<std::string> splitCodePoints(std::string_view text) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t start = pos;
        nextCodePoint(text, pos);
        parts.emplace_back(text.substr(start, pos - start));
    }
    return parts;
}

size_t codePointCount(std::string_view text) {
    size_t count = 0;
    for (size_t pos = 0; pos < text.size(); ++count) nextCodePoint(text, pos);
    return count;
}

bool isPythonSpace(char32_t cp) {
    // Python's whitespace: bidirectional class WS/B/S or category Zs.
    switch (cp) {
        case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x1C: case 0x1D:
        case 0x1E: case 0x1F: case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028:
        case 0x2029: case 0x202F: case 0x205F: case 0x3000:
            return true;
        default:
            return cp >= 0x2000 && cp <= 0x200A;
    }
}

namespace {

bool inChars(char32_t cp, std::string_view chars) {
    size_t pos = 0;
    while (pos < chars.size()) {
        if (nextCodePoint(chars, pos) == cp) return true;
    }
    return false;
}

}  // namespace

std::string stripText(std::string_view text, bool left, bool right, std::string_view chars) {
    const auto strippable = [&](char32_t cp) {
        return chars.empty() ? isPythonSpace(cp) : inChars(cp, chars);
    };
    size_t begin = 0;
    size_t end = text.size();
    if (left) {
        while (begin < end) {
            size_t next = begin;
            if (!strippable(nextCodePoint(text, next))) break;
            begin = next;
        }
    }
    if (right) {
        while (end > begin) {
            size_t start = end - 1;  // step back to the lead byte of the last code point
            while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
                --start;
            }
            size_t next = start;
            const char32_t cp = nextCodePoint(text, next);
            if (next != end || !strippable(cp)) break;
            end = start;
        }
    }
    return std::string(text.substr(begin, end - begin));
}

std::vector<std::string> splitOnWhitespace(std::string_view text, long maxSplit) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos < text.size()) {
        // Skip whitespace, then take a word.
        size_t next = pos;
        if (isPythonSpace(nextCodePoint(text, next))) {
            pos = next;
            continue;
        }
        if (maxSplit >= 0 && static_cast<long>(parts.size()) == maxSplit) {
            parts.push_back(stripText(text.substr(pos), false, true));
            return parts;
        }
        const size_t start = pos;
        while (pos < text.size()) {
            next = pos;
            if (isPythonSpace(nextCodePoint(text, next))) break;
            pos = next;
        }
        parts.emplace_back(text.substr(start, pos - start));
    }
    return parts;
}

namespace {

QString toQString(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::string fromQString(const QString& text) { return text.toUtf8().toStdString(); }

bool isAscii(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

bool isCased(char32_t cp) {
    return QChar::isUpper(cp) || QChar::isLower(cp) || QChar::isTitleCase(cp);
}

std::string mapCodePoint(char32_t cp, bool upper) {
    std::string one;
    appendCodePoint(one, cp);
    return upper ? toUpper(one) : toLower(one);
}

}  // namespace

std::string toUpper(std::string_view text) {
    if (isAscii(text)) {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        return out;
    }
    return fromQString(toQString(text).toUpper());
}

std::string toLower(std::string_view text) {
    if (isAscii(text)) {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return out;
    }
    return fromQString(toQString(text).toLower());
}

std::string pythonTitle(std::string_view text) {
    std::string out;
    bool previousCased = false;
    size_t pos = 0;
    while (pos < text.size()) {
        const char32_t cp = nextCodePoint(text, pos);
        if (isCased(cp)) {
            out += mapCodePoint(cp, !previousCased);
            previousCased = true;
        } else {
            appendCodePoint(out, cp);
            previousCased = false;
        }
    }
    return out;
}

std::string capitalize(std::string_view text) {
    if (text.empty()) return {};
    size_t pos = 0;
    const char32_t first = nextCodePoint(text, pos);
    return mapCodePoint(first, true) + toLower(text.substr(pos));
}

}  // namespace ps::templating::detail
