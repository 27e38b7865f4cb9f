#pragma once
// The byte-level BPE engine (GGUF "gpt2" vocabularies: Llama 3, Qwen 2, ...):
// text is cut into words by the pre-tokenizer, each word's bytes are spelled in
// GPT-2's byte-level alphabet, and the vocabulary's merges are applied inside
// the word, lowest rank first (Sennrich et al. 2016; GPT-2's encoder.py). Ids
// decode to bytes, so a character may take several tokens.
#include <memory>
#include <string>

#include "tokenizer/tokenizer_engine.h"
#include "tokenizer/vocabulary.h"

namespace ps {

class PreTokenizer;

// `vocab` must outlive the engine; `source` names the file in errors. Throws
// TokenizerError when the merges are malformed.
std::unique_ptr<TokenizerEngine> makeBpeEngine(const Vocabulary& vocab,
                                               const PreTokenizer& preTokenizer,
                                               const std::string& source);

}  // namespace ps
