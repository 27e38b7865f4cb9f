#pragma once
// Text from files (a template's raise_exception() message, a YAML error quoting a line,
// a GGUF string, a token's text) shown on a terminal: control characters are written
// as visible escapes, so that a file cannot retitle, clear or recolour the terminal or
// hide text with bidirectional overrides. Every message the CLI prints that can quote
// file content goes through here.
#include <QString>

#include <string>

namespace ps {

// C0 controls but newline and tab, DEL, C1 controls (U+0080..U+009F, which includes the
// 8-bit CSI) and the bidirectional embedding/override/isolate marks become "\xNN" /
// "\u{NNNN}"; everything else is kept.
QString escapeForTerminal(const QString& text);
std::string escapeForTerminal(const std::string& utf8);

}  // namespace ps
