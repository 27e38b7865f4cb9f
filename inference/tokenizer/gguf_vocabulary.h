#pragma once
// Reads and validates the tokenizer.ggml.* metadata of a GGUF file (keys as
// llama.cpp writes them, see gguf-py/gguf/constants.py there).
#include "tokenizer/vocabulary.h"

namespace ps {

class GgufFile;

// Throws TokenizerError naming the file and the key that is missing, of the
// wrong type, of the wrong length or out of range, and for vocabulary types
// other than "llama" (SentencePiece) and "gpt2" (byte-level BPE).
Vocabulary readGgufVocabulary(const GgufFile& file);

}  // namespace ps
