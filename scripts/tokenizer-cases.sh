#!/usr/bin/env bash
# Writes the expected ids of tests/inference/tokenizer/cases/extra.inp for each
# shared vocabulary with llama.cpp's llama-tokenize (the reference, never linked):
# tests/inference/tokenizer/cases/extra.VOCAB.out, one line of ids per case, no
# BOS, input taken literally (--no-escape) and control-token texts left as text
# (--no-parse-special), which is what Tokenizer::encode(..., SpecialTokens::AsText) does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${PROMPTSTUDIO_SHARED_DIR:-$root/../shared}"
tokenize="$shared/tools/llama.cpp/llama-tokenize"
cases="$root/tests/inference/tokenizer/cases"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Split extra.inp at its separator lines into case files 0000, 0001, ...
python3 - "$cases/extra.inp" "$work" <<'PY'
import sys
text = open(sys.argv[1], encoding='utf-8', newline='').read()
parts = text.split('\n__ggml_vocab_test__\n')[:-1]
for i, part in enumerate(parts):
    open(f'{sys.argv[2]}/{i:04d}', 'w', encoding='utf-8', newline='').write(part)
PY

for vocab in llama-bpe qwen2 phi-3 llama-spm; do
    out="$cases/extra.$vocab.out"
    : > "$out.tmp"
    for file in "$work"/[0-9]*; do
        "$tokenize" -m "$shared/models/tokenizer-vectors/ggml-vocab-$vocab.gguf" -f "$file" \
            --ids --no-bos --no-escape --no-parse-special --log-disable 2>/dev/null \
            | tr -d '[],' >> "$out.tmp"
    done
    mv "$out.tmp" "$out"
    echo "$out: $(wc -l < "$out") cases"
done
