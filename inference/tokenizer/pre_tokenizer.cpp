#include "tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>

#include "tokenizer/tokenizer.h"

namespace ps {
namespace {

// The expressions as the models' tokenizer.json state them (and llama.cpp,
// src/llama-vocab.cpp), with `\s`/`\S` written as the Unicode White_Space
// property: PCRE2's \s also takes U+180E, which is no longer White_Space.
// Llama 3: digits in runs of up to three.
constexpr const char* kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen 2: the same with one digit at a time.
constexpr const char* kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// GPT-2 (openai/gpt-2 encoder.py), the fallback for names not known here.
constexpr const char* kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct Known {
    const char* name;
    const char* expressionName;
    const char* expression;
};
// tokenizer.ggml.pre names (llama.cpp's list) whose expression is one of these.
constexpr std::array<Known, 8> kKnown{{
    {"llama-bpe", "llama3", kLlama3},
    {"llama3", "llama3", kLlama3},
    {"llama-v3", "llama3", kLlama3},
    {"falcon3", "llama3", kLlama3},
    {"qwen2", "qwen2", kQwen2},
    {"deepseek-r1-qwen", "qwen2", kQwen2},
    {"gpt-2", "gpt2", kGpt2},
    {"gpt2", "gpt2", kGpt2},
}};

std::string withWhiteSpaceProperty(std::string_view expression) {
    std::string out;
    for (size_t i = 0; i < expression.size(); ++i) {
        if (expression[i] == '\\' && i + 1 < expression.size()) {
            const char next = expression[i + 1];
            if (next == 's' || next == 'S') {
                out += next == 's' ? "\\p{White_Space}" : "\\P{White_Space}";
            } else {
                out += expression.substr(i, 2);
            }
            ++i;
        } else {
            out.push_back(expression[i]);
        }
    }
    return out;
}

}  // namespace

struct PreTokenizer::Compiled {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Compiled() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer(const std::string& name)
    : name_(name), compiled_(std::make_unique<Compiled>()) {
    const char* expression = kGpt2;
    expressionName_ = "gpt2";
    fallback_ = true;
    for (const Known& known : kKnown) {
        if (name == known.name) {
            expression = known.expression;
            expressionName_ = known.expressionName;
            fallback_ = false;
        }
    }
    const std::string pattern = withWhiteSpaceProperty(expression);
    int error = 0;
    PCRE2_SIZE errorOffset = 0;
    // UCP: \p{..} and character classes by Unicode properties. MATCH_INVALID_UTF:
    // text that is not valid UTF-8 is matched around, never rejected.
    compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(),
                                    PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error,
                                    &errorOffset, nullptr);
    if (!compiled_->code) {
        std::array<PCRE2_UCHAR, 256> message{};
        pcre2_get_error_message(error, message.data(), message.size());
        throw TokenizerError(
            "pre-tokenizer \"" + expressionName_ +
            "\": PCRE2 cannot compile it: " + reinterpret_cast<const char*>(message.data()));
    }
    // Without a JIT (an unsupported CPU) the interpreter gives the same words, slower.
    compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

PreTokenizer::~PreTokenizer() = default;

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& words) const {
    if (text.empty()) return;
    struct MatchData {
        pcre2_match_data* data;
        ~MatchData() { pcre2_match_data_free(data); }
    } match{pcre2_match_data_create(1, nullptr)};
    if (!match.data) throw TokenizerError("pre-tokenizer: out of memory");
    const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t offset = 0;
    while (offset < text.size()) {
        const int rc = compiled_->jit ? pcre2_jit_match(compiled_->code, subject, text.size(),
                                                        offset, 0, match.data, nullptr)
                                      : pcre2_match(compiled_->code, subject, text.size(), offset,
                                                    0, match.data, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) {
            words.push_back(text.substr(offset));  // only invalid UTF-8 is left
            return;
        }
        if (rc < 0) {
            std::array<PCRE2_UCHAR, 256> message{};
            pcre2_get_error_message(rc, message.data(), message.size());
            throw TokenizerError("pre-tokenizer \"" + expressionName_ +
                                 "\" failed: " + reinterpret_cast<const char*>(message.data()));
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.data);
        size_t start = ovector[0];
        size_t end = ovector[1];
        if (start > offset) words.push_back(text.substr(offset, start - offset));  // invalid UTF-8
        if (end <= start) {
            // Not possible with these expressions (every branch takes a character);
            // step over one byte rather than loop.
            end = start + 1;
        }
        words.push_back(text.substr(start, end - start));
        offset = end;
    }
}

}  // namespace ps
