#pragma once
// Splits template source into text and tag tokens the way Jinja2's lexer does,
// including its whitespace rules (`-`/`+` markers, trim_blocks, lstrip_blocks, the
// single trailing newline it drops), so that output matches Jinja byte for byte.
// Internal to the interpreter.
#include <cstdint>
#include <string>
#include <vector>

#include "templating/template.h"

namespace ps::templating::detail {

enum class TokenType {
    Text,        // literal output (raw blocks included)
    VarBegin,    // {{
    VarEnd,      // }}
    BlockBegin,  // {%
    BlockEnd,    // %}
    Name,
    String,
    Integer,
    Float,
    Operator,
    EndOfInput,
};

struct Token {
    TokenType type;
    std::string text;  // Text content, name, decoded string, operator
    int64_t integer = 0;
    double floating = 0.0;
    size_t line = 0;
    size_t column = 0;
};

// Throws TemplateError (unclosed tag or string, unexpected character).
std::vector<Token> tokenize(const std::string& source, const TemplateOptions& options);

}  // namespace ps::templating::detail
