#pragma once
// Text helpers the interpreter shares: UTF-8 code points, Python's notion of
// whitespace (str.strip() and str.split() use it), and case mapping. Internal.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ps::templating::detail {

// Decodes the code point at `pos` and advances `pos`; invalid bytes decode as
// themselves (one byte each) so that no input can stop the interpreter.
char32_t nextCodePoint(std::string_view text, size_t& pos);
void appendCodePoint(std::string& out, char32_t cp);
std::vector<std::string> splitCodePoints(std::string_view text);  // one string each
size_t codePointCount(std::string_view text);

// Python's str.isspace() for one code point.
bool isPythonSpace(char32_t cp);

// Python's str.strip()/lstrip()/rstrip(): with `chars` empty, Unicode whitespace;
// otherwise any code point in `chars`.
std::string stripText(std::string_view text, bool left, bool right, std::string_view chars = {});

// Python's str.split() without a separator: runs of whitespace, no empty parts.
std::vector<std::string> splitOnWhitespace(std::string_view text, long maxSplit = -1);

// Unicode-aware case mapping (full mappings, e.g. "ß".upper() == "SS").
std::string toUpper(std::string_view text);
std::string toLower(std::string_view text);
// Python's str.title(): a cased letter after a non-cased character is upper-cased.
std::string pythonTitle(std::string_view text);
// Python's str.capitalize(): first character upper, the rest lower.
std::string capitalize(std::string_view text);

}  // namespace ps::templating::detail
