#pragma once
// The pre-tokenizer of a byte-level BPE vocabulary: a regular expression that
// cuts text into words before the merges run (merges never cross a word
// boundary). The expression depends on the model family; GGUF names it in
// tokenizer.ggml.pre. Matching uses PCRE2 (Unicode properties, JIT-compiled
// once per vocabulary).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ps {

class PreTokenizer {
public:
    // The expression for `name` (tokenizer.ggml.pre). A name this program does
    // not know gets GPT-2's expression, and isFallback() says so. Throws
    // TokenizerError if PCRE2 cannot compile it.
    explicit PreTokenizer(const std::string& name);
    ~PreTokenizer();
    PreTokenizer(const PreTokenizer&) = delete;
    PreTokenizer& operator=(const PreTokenizer&) = delete;

    // The name from the file ("" when it had none).
    const std::string& name() const { return name_; }
    // The expression in use: "llama3", "qwen2" or "gpt2".
    const std::string& expressionName() const { return expressionName_; }
    // True when `name` was not known and GPT-2's expression is used instead.
    bool isFallback() const { return fallback_; }

    // Appends the words of `text` to `words`, in order, covering all of it.
    // Bytes that are not valid UTF-8 (which no expression matches) form words
    // of their own. Throws TokenizerError if matching fails (e.g. out of memory).
    void split(std::string_view text, std::vector<std::string_view>& words) const;

private:
    struct Compiled;
    std::string name_;
    std::string expressionName_;
    bool fallback_ = false;
    std::unique_ptr<Compiled> compiled_;
};

}  // namespace ps
