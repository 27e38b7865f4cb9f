#!/usr/bin/env bash
# Tokenizer speed against llama.cpp's, in the same run: ~1.9 MB of English
# (Debian's licence texts, then packages' copyright files, in a fixed order) is
# tokenized with the Llama 3 vocabulary by promptstudio-cli and by llama.cpp's
# llama-tokenize, interleaved, REPEATS times each. Both times include loading
# the vocabulary; promptstudio-cli --time also reports the encoding alone.
#   scripts/tokenizer-speed.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
repeats="${2:-5}"
shared="${PROMPTSTUDIO_SHARED_DIR:-$root/../shared}"
vocab="${VOCAB:-$shared/models/tokenizer-vectors/ggml-vocab-llama-bpe.gguf}"
cli="$build/app/cli/promptstudio-cli"
reference="$shared/tools/llama.cpp/llama-tokenize"
text="$(mktemp)"
trap 'rm -f "$text"' EXIT

target=1900000
{
    cat /usr/share/common-licenses/*
    find /usr/share/doc -name copyright -type f 2>/dev/null | LC_ALL=C sort | xargs cat
} 2>/dev/null | head -c "$target" > "$text" || true  # head closes the pipe early
# Cut at the last newline so that no character is split.
python3 - "$text" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
data = data[:data.rfind(b'\n') + 1].decode('utf-8', 'ignore').encode('utf-8')
open(sys.argv[1], 'wb').write(data)
PY
echo "text: $(wc -c < "$text") bytes, $(wc -w < "$text") words; vocabulary: $(basename "$vocab")"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N); echo "$end - $start" | bc; }

ours_total=0
theirs_total=0
for i in $(seq "$repeats"); do
    ours=$(seconds "$cli" tokenize --model "$vocab" --file "$text" --no-bos)  # prints the ids, as llama-tokenize does
    theirs=$(seconds "$reference" -m "$vocab" -f "$text" --ids --no-bos --log-disable)
    echo "run $i: promptstudio-cli ${ours} s, llama-tokenize ${theirs} s"
    ours_total=$(echo "$ours_total + $ours" | bc)
    theirs_total=$(echo "$theirs_total + $theirs" | bc)
done
"$cli" tokenize --model "$vocab" --file "$text" --no-bos --count --time 2>&1 | tr '\n' ' '
echo
# The same ids, not just as many.
ours_ids=$("$cli" tokenize --model "$vocab" --file "$text" --no-bos | md5sum)
theirs_ids=$("$reference" -m "$vocab" -f "$text" --ids --no-bos --no-escape --no-parse-special --log-disable 2>/dev/null | tr -d '[],' | md5sum)
if [ "$ours_ids" = "$theirs_ids" ]; then echo "ids: identical"; else echo "ids: DIFFERENT"; fi
echo "mean: promptstudio-cli $(echo "scale=3; $ours_total / $repeats" | bc) s," \
     "llama-tokenize $(echo "scale=3; $theirs_total / $repeats" | bc) s," \
     "ratio (ours / llama.cpp) $(echo "scale=2; $ours_total / $theirs_total" | bc)"
