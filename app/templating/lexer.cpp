#include "templating/lexer.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "templating/text.h"

namespace ps::templating::detail {

namespace {

// Jinja normalizes newlines to "\n" and, with keep_trailing_newline off (the default,
// and what Hugging Face uses), drops one newline at the very end.
std::string normalizeSource(const std::string& source) {
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out += source[i];
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

bool isAsciiSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
    Lexer(const std::string& source, const TemplateOptions& options)
        : src_(normalizeSource(source)), options_(options) {
        lineStarts_.push_back(0);
        for (size_t i = 0; i < src_.size(); ++i) {
            if (src_[i] == '\n') lineStarts_.push_back(i + 1);
        }
    }

    std::vector<Token> run() {
        size_t pos = 0;
        bool lineStarting = true;  // the text before a tag starts at a line start
        while (pos < src_.size()) {
            const size_t tag = findTagStart(pos);
            if (tag == std::string::npos) {
                emitText(src_.substr(pos), pos);
                break;
            }
            std::string text = src_.substr(pos, tag - pos);
            const char kind = src_[tag + 1];  // '{', '%' or '#'
            size_t inner = tag + 2;
            const char sign = inner < src_.size() ? src_[inner] : '\0';
            if (sign == '-' || sign == '+') ++inner;

            if (sign == '-') {
                text = stripText(text, false, true);
            } else if (sign != '+' && options_.lstripBlocks && kind != '{') {
                // lstrip_blocks: drop spaces/tabs between the line start and the tag.
                const size_t lineStart = text.rfind('\n') == std::string::npos
                                             ? 0
                                             : text.rfind('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.size() &&
                    std::all_of(text.begin() + static_cast<long>(lineStart), text.end(),
                                [](char c) { return isAsciiSpace(c); })) {
                    text.resize(lineStart);
                }
            }
            emitText(std::move(text), pos);

            if (kind == '#') {
                pos = skipComment(tag, inner);
            } else if (kind == '%' && isRawBlock(inner)) {
                pos = lexRaw(tag, inner);
            } else {
                pos = lexTag(tag, inner, kind == '{');
            }
            lineStarting = pos > 0 && src_[pos - 1] == '\n';
        }
        tokens_.push_back(Token{TokenType::EndOfInput, "", 0, 0.0, 0, 0});
        auto [line, column] = position(src_.size());
        tokens_.back().line = line;
        tokens_.back().column = column;
        return std::move(tokens_);
    }

private:
    // Line and column (in code points) of an offset. Tokens ask in increasing order, so
    // the column counts on from the last answer on the same line: linear over the whole
    // source, not quadratic on a long line (a 320 KB one-line template).
    std::pair<size_t, size_t> position(size_t offset) const {
        const auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
        const size_t lineIndex = static_cast<size_t>(it - lineStarts_.begin()) - 1;
        const size_t start = lineStarts_[lineIndex];
        size_t from = start;
        size_t column = 0;
        if (cachedLine_ == lineIndex && cachedOffset_ <= offset && cachedOffset_ >= start) {
            from = cachedOffset_;
            column = cachedColumn_;
        }
        column += codePointCount(std::string_view(src_).substr(from, offset - from));
        cachedLine_ = lineIndex;
        cachedOffset_ = offset;
        cachedColumn_ = column;
        return {lineIndex + 1, column + 1};
    }

    [[noreturn]] void fail(const std::string& message, size_t offset) const {
        auto [line, column] = position(offset);
        throw TemplateError(message, line, column, options_.name);
    }

    size_t findTagStart(size_t from) const {
        size_t pos = from;
        while ((pos = src_.find('{', pos)) != std::string::npos) {
            if (pos + 1 < src_.size() &&
                (src_[pos + 1] == '{' || src_[pos + 1] == '%' || src_[pos + 1] == '#')) {
                return pos;
            }
            ++pos;
        }
        return std::string::npos;
    }

    void emitText(std::string text, size_t offset) {
        if (text.empty()) return;
        Token token{TokenType::Text, std::move(text), 0, 0.0, 0, 0};
        std::tie(token.line, token.column) = position(offset);
        tokens_.push_back(std::move(token));
    }

    void emit(TokenType type, std::string text, size_t offset) {
        Token token{type, std::move(text), 0, 0.0, 0, 0};
        std::tie(token.line, token.column) = position(offset);
        tokens_.push_back(std::move(token));
    }

    // After a closing delimiter: `-` eats all following whitespace, trim_blocks eats
    // one newline after a block or comment tag unless it was closed with `+`.
    size_t afterClose(size_t end, char closeSign, bool isBlockOrComment) const {
        if (closeSign == '-') {
            while (end < src_.size() && isAsciiSpace(src_[end])) ++end;
        } else if (closeSign != '+' && isBlockOrComment && options_.trimBlocks &&
                   end < src_.size() && src_[end] == '\n') {
            ++end;
        }
        return end;
    }

    size_t skipComment(size_t tag, size_t inner) {
        const size_t close = src_.find("#}", inner);
        if (close == std::string::npos) fail("unclosed comment: '{#' without '#}'", tag);
        const char sign = close > inner ? src_[close - 1] : '\0';
        return afterClose(close + 2, sign, true);
    }

    // `{% raw %}` with optional markers and spaces.
    bool isRawBlock(size_t inner) const {
        size_t p = inner;
        while (p < src_.size() && isAsciiSpace(src_[p])) ++p;
        if (src_.compare(p, 3, "raw") != 0) return false;
        p += 3;
        while (p < src_.size() && isAsciiSpace(src_[p])) ++p;
        if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
        return src_.compare(p, 2, "%}") == 0;
    }

    size_t lexRaw(size_t tag, size_t inner) {
        const size_t close = src_.find("%}", inner);
        const char openCloseSign = src_[close - 1];
        size_t bodyStart = afterClose(close + 2, openCloseSign, true);
        // Find `{%[-+]? endraw [-+]?%}`.
        size_t search = bodyStart;
        while (true) {
            const size_t candidate = src_.find("{%", search);
            if (candidate == std::string::npos) fail("unclosed raw block: missing endraw", tag);
            size_t p = candidate + 2;
            const char sign = p < src_.size() ? src_[p] : '\0';
            if (sign == '-' || sign == '+') ++p;
            while (p < src_.size() && isAsciiSpace(src_[p])) ++p;
            if (src_.compare(p, 6, "endraw") == 0) {
                p += 6;
                while (p < src_.size() && isAsciiSpace(src_[p])) ++p;
                char closeSign = '\0';
                if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) closeSign = src_[p++];
                if (src_.compare(p, 2, "%}") == 0) {
                    std::string body = src_.substr(bodyStart, candidate - bodyStart);
                    if (sign == '-') body = stripText(body, false, true);
                    emitText(std::move(body), bodyStart);
                    return afterClose(p + 2, closeSign, true);
                }
            }
            search = candidate + 2;
        }
    }

    size_t lexTag(size_t tag, size_t pos, bool isVariable) {
        emit(isVariable ? TokenType::VarBegin : TokenType::BlockBegin, "", tag);
        const char closer = isVariable ? '}' : '%';
        int depth = 0;  // (), [], {} nesting: a `}}` inside a dict literal is not the end
        while (true) {
            while (pos < src_.size() && isAsciiSpace(src_[pos])) ++pos;
            if (pos >= src_.size()) {
                fail(isVariable ? "unclosed '{{': missing '}}'" : "unclosed '{%': missing '%}'",
                     tag);
            }
            if (depth == 0) {
                char sign = '\0';
                size_t p = pos;
                if (src_[p] == '-' || src_[p] == '+') sign = src_[p++];
                if (p + 1 < src_.size() && src_[p] == closer && src_[p + 1] == '}') {
                    emit(isVariable ? TokenType::VarEnd : TokenType::BlockEnd, "", pos);
                    return afterClose(p + 2, sign, !isVariable);
                }
            }
            const char c = src_[pos];
            if (isNameStart(c)) {
                const size_t start = pos;
                while (pos < src_.size() && (isNameStart(src_[pos]) || isDigit(src_[pos]))) ++pos;
                emit(TokenType::Name, src_.substr(start, pos - start), start);
            } else if (isDigit(c)) {
                pos = lexNumber(pos);
            } else if (c == '\'' || c == '"') {
                pos = lexString(pos);
            } else {
                pos = lexOperator(pos, depth);
            }
        }
    }

    size_t lexNumber(size_t start) {
        size_t pos = start;
        std::string digits;
        const auto takeDigits = [&] {
            while (pos < src_.size() && (isDigit(src_[pos]) || src_[pos] == '_')) {
                if (src_[pos] != '_') digits += src_[pos];
                ++pos;
            }
        };
        takeDigits();
        bool isFloat = false;
        // A fraction needs digits after the dot; `a.0.1` style attribute chains stay ints.
        const bool afterDot = start > 0 && src_[start - 1] == '.';
        if (!afterDot && pos + 1 < src_.size() && src_[pos] == '.' && isDigit(src_[pos + 1])) {
            isFloat = true;
            digits += src_[pos++];
            takeDigits();
        }
        if (!afterDot && pos < src_.size() && (src_[pos] == 'e' || src_[pos] == 'E')) {
            size_t p = pos + 1;
            if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
            if (p < src_.size() && isDigit(src_[p])) {
                isFloat = true;
                digits += 'e';
                digits.append(src_, pos + 1, p - pos - 1);
                pos = p;
                takeDigits();
            }
        }
        Token token{isFloat ? TokenType::Float : TokenType::Integer, digits, 0, 0.0, 0, 0};
        std::tie(token.line, token.column) = position(start);
        const char* first = digits.data();
        const char* last = digits.data() + digits.size();
        if (isFloat) {
            token.floating = std::strtod(digits.c_str(), nullptr);
        } else if (std::from_chars(first, last, token.integer).ec != std::errc()) {
            fail("integer literal too large: " + digits, start);
        }
        tokens_.push_back(std::move(token));
        return pos;
    }

    // Python string literal escapes (Jinja decodes them with "unicode-escape").
    size_t lexString(size_t start) {
        const char quote = src_[start];
        std::string value;
        size_t pos = start + 1;
        while (true) {
            if (pos >= src_.size()) fail("unclosed string literal", start);
            const char c = src_[pos];
            if (c == quote) break;
            if (c != '\\' || pos + 1 >= src_.size()) {
                value += c;
                ++pos;
                continue;
            }
            const char e = src_[pos + 1];
            pos += 2;
            switch (e) {
                case 'n': value += '\n'; break;
                case 't': value += '\t'; break;
                case 'r': value += '\r'; break;
                case '\\': value += '\\'; break;
                case '\'': value += '\''; break;
                case '"': value += '"'; break;
                case 'a': value += '\a'; break;
                case 'b': value += '\b'; break;
                case 'f': value += '\f'; break;
                case 'v': value += '\v'; break;
                case '\n': break;  // line continuation
                case 'x': case 'u': case 'U': {
                    const size_t width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    uint32_t cp = 0;
                    if (pos + width > src_.size() ||
                        std::from_chars(src_.data() + pos, src_.data() + pos + width, cp, 16).ptr !=
                            src_.data() + pos + width) {
                        fail(std::string("bad \\") + e + " escape in string literal", pos - 2);
                    }
                    appendCodePoint(value, cp);
                    pos += width;
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {  // octal, up to three digits
                        uint32_t cp = static_cast<uint32_t>(e - '0');
                        for (int k = 0; k < 2 && pos < src_.size() && src_[pos] >= '0' &&
                                        src_[pos] <= '7';
                             ++k) {
                            cp = cp * 8 + static_cast<uint32_t>(src_[pos++] - '0');
                        }
                        appendCodePoint(value, cp);
                    } else {  // unknown escapes stay as written, as in Python
                        value += '\\';
                        value += e;
                    }
            }
        }
        emit(TokenType::String, std::move(value), start);
        return pos + 1;
    }

    size_t lexOperator(size_t pos, int& depth) {
        static const char* const kTwoChar[] = {"//", "**", "==", "!=", "<=", ">="};
        for (const char* op : kTwoChar) {
            if (src_.compare(pos, 2, op) == 0) {
                emit(TokenType::Operator, op, pos);
                return pos + 2;
            }
        }
        const char c = src_[pos];
        if (!std::strchr("+-*/%~<>=()[]{},.:|;", c)) {
            size_t next = pos;
            std::string shown;
            appendCodePoint(shown, nextCodePoint(src_, next));
            fail("unexpected character '" + shown + "'", pos);
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
        emit(TokenType::Operator, std::string(1, c), pos);
        return pos + 1;
    }

    std::string src_;
    const TemplateOptions& options_;
    std::vector<size_t> lineStarts_;
    std::vector<Token> tokens_;
    mutable size_t cachedLine_ = SIZE_MAX;
    mutable size_t cachedOffset_ = 0;
    mutable size_t cachedColumn_ = 0;  // code points from the line start to cachedOffset_
};

}  // namespace

std::vector<Token> tokenize(const std::string& source, const TemplateOptions& options) {
    return Lexer(source, options).run();
}

}  // namespace ps::templating::detail
