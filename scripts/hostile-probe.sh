#!/usr/bin/env bash
# A bad-input probe of promptstudio-cli: runs every command that reads a file
# (validate, run, import, chat-template, info, tokenize, eval, generate) on hand-made
# hostile files and on mutations of real ones (apps, decks, chat templates, GGUF
# vocabularies and small models that run), sends hostile requests to `serve`
# (scripts/hostile-http-client.py) and runs apps against a hostile remote server
# (scripts/hostile-remote-server.py); each run under `timeout 20` and an 8 GB
# address-space limit. Passes when every run ends in time with a normal exit status
# (no signal, no timeout) and every invalid file is refused (non-zero status).
#
# Usage: scripts/hostile-probe.sh [CLI] [MUTATIONS]
#   CLI        the promptstudio-cli to test (default: build/app/cli/promptstudio-cli)
#   MUTATIONS  random mutations per real file (default 20)
# Writes its files to a temporary folder and prints one line per failing run.
set -uo pipefail
cd "$(dirname "$0")/.."
cli="$(realpath "${1:-build/app/cli/promptstudio-cli}")"
mutations="${2:-20}"
shared="${PROMPTSTUDIO_SHARED_DIR:-../shared}"
[ -x "$cli" ] || { echo "no CLI at $cli (build it first)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PROMPTSTUDIO_HISTORY_FILE="$work/history.db" HOME="$work/home" QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1  # it imports scripts/make-fuzz-seeds.py: no __pycache__ there
mkdir -p "$work/home"

runs=0
failures=0
# probe EXPECT DESCRIPTION -- COMMAND...: EXPECT is "refuse" (must exit non-zero) or
# "any" (a valid input may pass); both must end by themselves within 20 s.
probe() {
    local expect="$1" what="$2"
    shift 3
    runs=$((runs + 1))
    local status
    ( ulimit -v 8000000; exec timeout -s KILL 20 "$@" ) >"$work/out" 2>"$work/err" </dev/null
    status=$?
    if [ "$status" -ge 124 ] && [ "$status" != 130 ]; then
        failures=$((failures + 1))
        echo "FAIL ($( [ "$status" = 137 ] || [ "$status" = 124 ] && echo "timeout or killed" || echo "signal $((status - 128))")): $what"
        tail -n 3 "$work/err" | sed 's/^/    /'
    elif [ "${expect%%:*}" = refuse ] && [ "$status" = 0 ]; then
        failures=$((failures + 1))
        echo "FAIL (accepted): $what"
    elif [ "${expect#refuse:}" != "$expect" ] && ! grep -qF -- "${expect#refuse:}" "$work/err"; then
        failures=$((failures + 1))
        echo "FAIL (refused without saying '${expect#refuse:}'): $what"
        tail -n 2 "$work/err" | sed 's/^/    /'
    elif grep -q $'\x1b' "$work/err"; then
        failures=$((failures + 1))
        echo "FAIL (raw escape sequence on stderr): $what"
    fi
}

repeat() { python3 -c "import sys; sys.stdout.write(sys.argv[1] * int(sys.argv[2]))" "$1" "$2"; }
app() {  # app FILE TEMPLATE [EXTRA_YAML]
    printf -- '---\npromptapp: 1\nname: Probe\n%sinputs:\n  - name: name\n---\n%s\n' "${3:-}" "$2" >"$1"
}
messages="$work/messages.json"
printf '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]\n' >"$messages"
model="$shared/models/stories260K.gguf"

# ---- hostile templates (as app templates and as chat templates) -------------------
# Each starts with how it must end: P (a syntax error: validate and chat-template
# refuse it), R (valid syntax, fails when rendered: chat-template refuses it) or
# O (renders).
declare -a templates=(
    "R{{ 'abcdefghij' | truncate(20, leeway=-15) }}"
    "R{% set ns = namespace(x=1) %}{% set ns.x = ns %}{{ ns }}"
    "R{% set ns = namespace(x=1) %}{% set ns.x = [ns] %}{{ ns | tojson }}"
    "P$(repeat '{% if true %}' 100000)x$(repeat '{% endif %}' 100000)"
    "P$(repeat '{% for x in [1] %}' 10000)x$(repeat '{% endfor %}' 10000)"
    "P{{ 1$(repeat ' + 1' 100000) }}"
    "P{{ 'a'$(repeat '.upper()' 10000) }}"
    "P{{ 'a'$(repeat '|upper' 10000) }}"
    "P{{ $(repeat '(' 100000)1$(repeat ')' 100000) }}"
    "P{{ $(repeat '[' 100000)$(repeat ']' 100000) }}"
    "O$(repeat "{{ 'x' }}" 40000)"
    "R{% macro m(n) %}{% if n > 0 %}{{ m(n-1) }}{{ m(n-1) }}{% endif %}{% endmacro %}{{ m(60) }}"
    "R{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"
    "R{{ 'a\nb' | indent(1000000000) }}"
    "R{{ [1] | tojson(indent=100000000) }}"
    "R{{ range(10) | batch(100000000, 'x') | list }}"
    "R{{ 'a' | center(10000000000) }}"
    "R{{ 'a' * 10000000000 }}"
    "R{{ range(1000000000) | list }}"
    "R{{ ('a' * 1000000) | replace('a', 'b' * 1000) }}"
    "R{{ range(1000000) | unique | list | length }}"
    "R{% set ns = namespace(x=[]) %}{% for i in range(1000000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}"
    "R{% set big = 'x' * 1000000 %}{% for i in range(1000000) %}{% set y = big ~ i %}{% endfor %}"
    "R{{ raise_exception('\x1b]0;owned\x07\x1b[2J\x1b[31mred') }}"
    "R{{ '{99999999999999999999}'.format(1) }}"
    "P{% if x %}unclosed"
    "P{% raw %}unclosed"
    "P{% endif %}"
    "P{{ x | nosuchfilter }}"
    "P{% include 'other' %}"
)
i=0
for entry in "${templates[@]}"; do
    i=$((i + 1))
    kind="${entry:0:1}"
    template="${entry:1}"
    printf '%s' "$template" >"$work/t$i.jinja"
    app "$work/t$i.promptapp" "$template"
    expect_validate=any expect_render=any
    [ "$kind" = P ] && expect_validate=refuse
    [ "$kind" != O ] && expect_render=refuse
    probe "$expect_validate" "validate: template $i (${template:0:50})" -- "$cli" validate "$work/t$i.promptapp"
    probe "$expect_render" "chat-template: template $i (${template:0:50})" -- \
        "$cli" chat-template --template "$work/t$i.jinja" --messages "$messages"
    if [ -f "$model" ]; then
        probe "$expect_render" "run: template $i (${template:0:50})" -- \
            "$cli" run "$work/t$i.promptapp" --model "$model" --input name=x --max-tokens 4 --no-history
    fi
done
# A dict literal of 200k keys.
python3 -c "print('{% set d = {' + ','.join(\"'k%d': %d\" % (i, i) for i in range(200000)) + '} %}{{ d|length }}')" >"$work/dict.jinja"
probe any "chat-template: 200k-key dict literal" -- "$cli" chat-template --template "$work/dict.jinja" --messages "$messages"

# ---- hostile YAML --------------------------------------------------------------------
python3 - "$work" <<'EOF'
import sys
w = sys.argv[1]
def app(name, yaml, body="Hello {{ name }}\n"):
    open(f"{w}/{name}.promptapp", "w").write("---\npromptapp: 1\nname: Y\n" + yaml + "---\n" + body)
    open(f"{w}/{name}.prompty", "w").write("---\nname: Y\n" + yaml + "---\n" + body)
app("self-alias", "x: &a [1, *a]\n")
app("self-alias-map", "x: &a {k: *a}\n")
laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
for i in range(1, 12):
    laughs += f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n"
app("billion-laughs", laughs)
app("flow-nesting", "x: " + "[" * 200000 + "\n")
app("flow-nesting-map", "x: " + "{a: " * 100000 + "\n")
app("block-nesting", "x:\n" + "- " * 100000 + "1\n")
app("indent-nesting", "x:\n" + "".join(" " * i + "k:\n" for i in range(2000)))
app("many-inputs", "inputs:\n" + "".join(f"  - name: n{i}\n" for i in range(200000)))
app("many-keys", "".join(f"k{i}: {i}\n" for i in range(200000)))
app("long-line", "description: " + "x" * 10000000 + "\n")  # valid: only timed
app("escape-in-error", "name: [\x1b]0;owned\x07\n")
EOF
for name in self-alias self-alias-map billion-laughs flow-nesting flow-nesting-map block-nesting \
            indent-nesting many-inputs many-keys escape-in-error; do
    probe refuse "validate: $name.promptapp" -- "$cli" validate "$work/$name.promptapp"
    probe refuse "import: $name.prompty" -- "$cli" import "$work/$name.prompty" --output "$work/out-$name.promptapp"
done

probe any "validate: a 10 MB line" -- "$cli" validate "$work/long-line.promptapp"
probe any "import: a 10 MB line" -- "$cli" import "$work/long-line.prompty" --output "$work/out-long.promptapp"

# ---- special files --------------------------------------------------------------------
mkfifo "$work/pipe.promptapp" "$work/pipe.gguf" "$work/pipe.jinja" "$work/pipe.json" "$work/pipe.txt"
mkdir -p "$work/dir.promptapp"
for special in "$work/pipe.promptapp" /dev/zero "$work/dir.promptapp"; do
    probe "refuse:not a" "validate: $special" -- "$cli" validate "$special"
    probe "refuse:not a" "import: $special" -- "$cli" import "$special" --output "$work/out-special.promptapp"
    probe "refuse:not a" "chat-template --template $special" -- "$cli" chat-template --template "$special" --messages "$messages"
    probe "refuse:not a" "chat-template --messages $special" -- "$cli" chat-template --template "$work/t1.jinja" --messages "$special"
done
for special in "$work/pipe.gguf" /dev/zero "$work/dir.promptapp"; do
    probe "refuse:not a" "info --model $special" -- "$cli" info --model "$special"
    probe "refuse:not a" "tokenize --model $special" -- "$cli" tokenize --model "$special" --prompt hi
    probe "refuse:not a" "eval --model $special" -- "$cli" eval --model "$special" --prompt hi --logits-out "$work/l.f32"
    probe "refuse:not a" "generate --model $special" -- "$cli" generate --model "$special" --prompt hi --max-tokens 2
    probe "refuse:not a" "chat-template --model $special" -- "$cli" chat-template --model "$special" --messages "$messages"
done
if [ -f "$model" ]; then
    app "$work/ok.promptapp" "Hello {{ name }}"
    for special in "$work/pipe.txt" /dev/zero "$work/dir.promptapp"; do
        probe "refuse:not a" "run --input-file $special" -- "$cli" run "$work/ok.promptapp" --model "$model" \
            --input-file "name=$special" --max-tokens 2 --no-history
    done
fi

# ---- output files -----------------------------------------------------------------------
if [ -f "$model" ]; then
    echo keep >"$work/existing.f32"
    probe refuse "eval --logits-out over an existing file without --force" -- \
        "$cli" eval --model "$model" --prompt hi --logits-out "$work/existing.f32"
    echo target >"$work/target.txt"
    ln -sf "$work/target.txt" "$work/link.f32"
    probe refuse "eval --logits-out --force through a symbolic link" -- \
        "$cli" eval --model "$model" --prompt hi --logits-out "$work/link.f32" --force
    grep -q '^target$' "$work/target.txt" || { failures=$((failures + 1)); echo "FAIL: the link's target was overwritten"; }
fi
ln -sf "$work/nowhere/created.promptapp" "$work/dangling.promptapp"
probe refuse "new on a dangling symbolic link" -- "$cli" new Probe --output "$work/dangling.promptapp"
probe refuse "new --force on a dangling symbolic link" -- "$cli" new Probe --output "$work/dangling.promptapp" --force
[ -e "$work/nowhere/created.promptapp" ] && { failures=$((failures + 1)); echo "FAIL: new created the link's target"; }

# ---- mutated real files -----------------------------------------------------------------
python3 - "$work" "$shared" "$mutations" <<'EOF'
import json, os, random, sys
w, shared, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(11)
def mutate(data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        pos = rng.randrange(len(data)) if data else 0
        if op == 0 and data: data[pos] = rng.randrange(256)
        elif op == 1: data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2 and data: del data[pos:pos + rng.randint(1, 64)]
        elif op == 3 and data:  # duplicate a chunk (nesting, repeated keys)
            chunk = data[pos:pos + rng.randint(1, 256)]; data[pos:pos] = chunk * rng.randint(2, 200)
        elif op == 4 and len(data) > 8:  # a large little-endian integer somewhere
            data[pos:pos + 8] = rng.choice([b"\xff" * 8, b"\x00\x00\x00\x40\x00\x00\x00\x00", b"\xff\xff\xff\x7f\x00\x00\x00\x00"])
    return bytes(data)
os.makedirs(f"{w}/mut", exist_ok=True)
apps = "resources/apps"
for name in sorted(os.listdir(apps)):
    data = open(os.path.join(apps, name), "rb").read()
    for k in range(n):
        open(f"{w}/mut/{k}-{name}", "wb").write(mutate(data))
cases = json.load(open(os.path.join(shared, "chat-templates", "cases.json")))
templates = sorted({c["template"] for c in cases})
for t, source in enumerate(templates[:10]):
    for k in range(n):
        open(f"{w}/mut/{k}-t{t}.jinja", "wb").write(mutate(source.encode()))
model = os.path.join(shared, "models", "stories260K.gguf")
if os.path.exists(model):
    data = open(model, "rb").read()
    for k in range(n):
        # Mutate the header, metadata and tensor table only (the first 24 KB).
        head = mutate(data[:24576])
        open(f"{w}/mut/{k}-m.gguf", "wb").write(head + data[24576:])
EOF
for file in "$work"/mut/*.promptapp; do
    probe any "validate: mutated $(basename "$file")" -- "$cli" validate "$file"
done
for file in "$work"/mut/*.jinja; do
    probe any "chat-template: mutated $(basename "$file")" -- "$cli" chat-template --template "$file" --messages "$messages"
done
for file in "$work"/mut/*.gguf; do
    probe any "info: mutated $(basename "$file")" -- "$cli" info --model "$file"
    probe any "tokenize: mutated $(basename "$file")" -- "$cli" tokenize --model "$file" --prompt "Once upon a time"
    probe any "generate: mutated $(basename "$file")" -- "$cli" generate --model "$file" --prompt "Once" --max-tokens 4 --seed 1
done

# ---- hostile decks (.promptdeck, checked by validate) ------------------------------------
python3 - "$work" <<'EOF2'
import sys
w = sys.argv[1]
def deck(name, body):
    open(f"{w}/{name}.promptdeck", "w").write("promptdeck: 1\nname: Probe\n" + body)
deck("self-alias", "slides:\n  - &s {app: a.promptapp, inputs: {x: *s}}\n")
laughs = "x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
for i in range(1, 12):
    laughs += f"x{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n"
deck("billion-laughs", laughs + "slides:\n  - app: a.promptapp\n    inputs: {x: *a11}\n")
deck("flow-nesting", "slides: " + "[" * 200000 + "\n")
deck("block-nesting", "slides:\n" + "- " * 100000 + "1\n")
deck("many-slides", "slides:\n" + "".join(f"  - app: a{i}.promptapp\n" for i in range(100000)))
deck("many-inputs", "slides:\n  - app: a.promptapp\n    inputs:\n" + "".join(f"      k{i}: v\n" for i in range(200000)))
deck("huge-note", "slides:\n  - app: a.promptapp\n    note: " + "n" * 20000000 + "\n")
deck("escape-in-error", "slides:\n  - app: [\x1b]0;owned\x07\n")
deck("attract-overflow", "attract_after: 99999999999999999999999\nslides:\n  - app: a.promptapp\n")
open(f"{w}/newer.promptdeck", "w").write("promptdeck: 99999999999\nslides: []\n")
deck("wrong-types", "slides: {app: 5}\n")
open(f"{w}/binary.promptdeck", "wb").write(bytes(range(256)) * 64)
EOF2
for name in self-alias billion-laughs flow-nesting block-nesting many-slides many-inputs huge-note \
            escape-in-error attract-overflow newer wrong-types binary; do
    probe refuse "validate: $name.promptdeck" -- "$cli" validate "$work/$name.promptdeck"
done
mkfifo "$work/pipe.promptdeck"
probe "refuse:not a" "validate: a named pipe as a deck" -- "$cli" validate "$work/pipe.promptdeck"

# ---- hostile GGUF: byte-level BPE vocabularies and models that run ---------------------------
python3 - "$work" "$(pwd)/scripts/make-fuzz-seeds.py" <<'EOF2'
import importlib.util, os, random, struct, sys
w, seeds_path = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("seeds", seeds_path)
seeds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seeds)
kv, arr = seeds.gguf_kv, seeds.gguf_array
def s(text):  # a GGUF string; lone surrogates become the raw (invalid UTF-8) bytes they stand for
    b = text.encode("utf-8", "surrogateescape")
    return struct.pack("<Q", len(b)) + b
os.makedirs(f"{w}/gguf", exist_ok=True)
def vocab_file(name, pre="llama-bpe", merges=None, tokens=None, types=None, extra=()):
    base_tokens = [chr(33 + i) for i in range(94)] + ["\u0120", "\u010a", "he", "\u0120t"]
    tokens = base_tokens if tokens is None else tokens
    merges = ["h e", "\u0120 t"] if merges is None else merges
    types = [1] * len(tokens) if types is None else types
    kvs = [kv("general.architecture", 8, s("llama")), kv("tokenizer.ggml.model", 8, s("gpt2")),
           kv("tokenizer.ggml.pre", 8, s(pre)), kv("tokenizer.ggml.tokens", 9, arr(8, tokens, s)),
           kv("tokenizer.ggml.token_type", 9, arr(5, types, lambda v: struct.pack("<i", v))),
           kv("tokenizer.ggml.merges", 9, arr(8, merges, s))] + list(extra)
    open(f"{w}/gguf/{name}.gguf", "wb").write(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs))
vocab_file("bpe-ok")
vocab_file("bpe-pre-unknown", pre="\x1b]0;owned\x07" + "p" * 100000)
vocab_file("bpe-pre-empty", pre="")
vocab_file("bpe-merge-unknown-pieces", merges=["zz qq", "\u0120 \u0120\u0120"])
vocab_file("bpe-merge-no-space", merges=["he"])
vocab_file("bpe-merge-three-parts", merges=["a b c"])
vocab_file("bpe-merge-empty-parts", merges=[" ", "", "  ", "h ", " e"])
vocab_file("bpe-merges-huge", merges=["h e"] * 2000000)
vocab_file("bpe-merges-long", merges=["h" * 1000000 + " e"])
vocab_file("bpe-merge-cycle", merges=["h e", "he h", "heh e", "h e"])
vocab_file("bpe-no-tokens", tokens=[], types=[])
vocab_file("bpe-duplicate-tokens", tokens=["a"] * 1000)
vocab_file("bpe-types-short", types=[1])
vocab_file("bpe-empty-token", tokens=["", "a", "\u0120"])
vocab_file("bpe-invalid-utf8-pre", pre="\udcff")  # written as surrogate bytes: not UTF-8
vocab_file("bpe-special-escape", tokens=["a", "\x1b]0;owned\x07"], types=[1, 3],
           extra=[kv("tokenizer.ggml.bos_token_id", 4, struct.pack("<I", 1))])
vocab_file("bpe-bos-out-of-range", extra=[kv("tokenizer.ggml.bos_token_id", 4, struct.pack("<I", 4000000000)),
                                          kv("tokenizer.ggml.eos_token_id", 5, struct.pack("<i", -7))])
# Models that run: the fuzz seeds' tiny Llama, damaged on purpose.
ok = seeds.model_gguf()
open(f"{w}/gguf/model-ok.gguf", "wb").write(ok)
open(f"{w}/gguf/model-nan.gguf", "wb").write(seeds.model_gguf(nan=True))
for name, data in [("model-mixed", seeds.model_gguf(types={"token_embd": 1, "attn_q": 8, "attn_k": 2, "attn_v": 30,
                                                           "ffn_down": 1, "output": 8}, tied=False)),
                   ("model-q4k", seeds.model_gguf(types={"ffn_down": 12}, ffn=256)),
                   ("model-qwen2", seeds.model_gguf(arch="qwen2", biases=True)),
                   ("model-phi3", seeds.model_gguf(arch="phi3", fused=True))]:
    open(f"{w}/gguf/{name}.gguf", "wb").write(data)
def patch_table(data, edit):
    """Rewrites the tensor table of a model_gguf file: edit(name, dims, type, offset) -> (dims, type, offset)."""
    n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
    pos = 24
    def skip_value(t, pos):
        sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
        if t in sizes: return pos + sizes[t]
        if t == 8: return pos + 8 + struct.unpack_from("<Q", data, pos)[0]
        et, count = struct.unpack_from("<IQ", data, pos); pos += 12
        for _ in range(count): pos = skip_value(et, pos)
        return pos
    for _ in range(n_kv):
        pos += 8 + struct.unpack_from("<Q", data, pos)[0]
        t = struct.unpack_from("<I", data, pos)[0]; pos += 4
        pos = skip_value(t, pos)
    out = bytearray(data)
    for _ in range(n_tensors):
        length = struct.unpack_from("<Q", data, pos)[0]
        name = data[pos + 8:pos + 8 + length].decode(); pos += 8 + length
        nd = struct.unpack_from("<I", data, pos)[0]
        dims = list(struct.unpack_from("<%dQ" % nd, data, pos + 4))
        ttype, offset = struct.unpack_from("<IQ", data, pos + 4 + 8 * nd)
        new_dims, new_type, new_offset = edit(name, dims, ttype, offset)
        assert len(new_dims) == nd
        struct.pack_into("<%dQ" % nd, out, pos + 4, *new_dims)
        struct.pack_into("<IQ", out, pos + 4 + 8 * nd, new_type, new_offset)
        pos += 4 + 8 * nd + 12
    return bytes(out)
cases = {
    "model-overlap": lambda n, d, t, o: (d, t, 0 if n == "blk.0.attn_k.weight" else o),
    "model-wrong-shape": lambda n, d, t, o: ([d[1], d[0]] if n == "blk.0.attn_k.weight" else d, t, o),
    "model-type-smaller-than-data": lambda n, d, t, o: (d, 2 if n == "blk.0.attn_q.weight" else t, o),
    "model-offset-past-end": lambda n, d, t, o: (d, t, (1 << 62) if n == "blk.0.ffn_up.weight" else o),
    "model-misaligned": lambda n, d, t, o: (d, t, o + 2 if n == "blk.0.attn_output.weight" else o),
    "model-huge-dims": lambda n, d, t, o: ([1 << 40, 1 << 40] if n == "blk.0.ffn_down.weight" else d, t, o),
    "model-zero-dim": lambda n, d, t, o: ([0, d[1]] if n == "blk.0.attn_v.weight" else d, t, o),
    "model-unknown-type": lambda n, d, t, o: (d, 99 if n == "blk.0.attn_q.weight" else t, o),
}
for name, edit in cases.items():
    open(f"{w}/gguf/{name}.gguf", "wb").write(patch_table(ok, edit))
# A type that needs more bytes than the file holds for it (F16 data said to be F32).
mixed = seeds.model_gguf(types={"token_embd": 1, "attn_q": 1, "output": 1}, tied=False)
open(f"{w}/gguf/model-type-bigger-than-data.gguf", "wb").write(
    patch_table(mixed, lambda n, d, t, o: (d, 0 if n == "blk.0.attn_q.weight" else t, o)))
open(f"{w}/gguf/model-last-type-bigger-than-data.gguf", "wb").write(
    patch_table(mixed, lambda n, d, t, o: (d, 0 if n == "output.weight" else t, o)))
# Hyperparameters that disagree with the weights, or are absurd.
for name, key, value in [("model-heads-zero", "attention.head_count", 0), ("model-heads-huge", "attention.head_count", 2**31),
                         ("model-layers-huge", "block_count", 10**6), ("model-context-huge", "context_length", 2**31 - 1),
                         ("model-ffn-mismatch", "feed_forward_length", 64), ("model-dim-mismatch", "embedding_length", 64)]:
    key_bytes = seeds.gguf_string("llama." + key) + struct.pack("<I", 4)
    at = ok.index(key_bytes) + len(key_bytes)
    data = bytearray(ok)
    struct.pack_into("<I", data, at, value & 0xffffffff)
    open(f"{w}/gguf/{name}.gguf", "wb").write(bytes(data))
# Random mutations of the whole small model (weights included).
rng = random.Random(12)
for k in range(int(os.environ.get("PROBE_MODEL_MUTATIONS", "40"))):
    data = bytearray(ok)
    for _ in range(rng.randint(1, 6)):
        pos = rng.randrange(len(data))
        if rng.random() < 0.5: data[pos] = rng.randrange(256)
        else: data[pos:pos + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\xc0\x7f", b"\x00\x00\x80\x7f", b"\x00\x00\x00\x00"])
    open(f"{w}/gguf/mut-{k}.gguf", "wb").write(bytes(data))
EOF2
# Refused: no tokens, token types that do not match, BOS/EOS outside the vocabulary,
# merges that are not two pieces. Accepted as llama.cpp accepts them: duplicate or empty
# pieces, merges of unknown pieces (never applied), an unknown or empty pre-tokenizer
# name (the GPT-2 expression, with a note); they must still end quickly and cleanly.
for file in "$work"/gguf/bpe-*.gguf; do
    expect=refuse
    case "$(basename "$file" .gguf)" in
        bpe-ok|bpe-duplicate-tokens|bpe-empty-token|bpe-invalid-utf8-pre|bpe-merge-cycle|bpe-merge-three-parts|\
        bpe-merge-unknown-pieces|bpe-merges-huge|bpe-merges-long|bpe-pre-empty|bpe-pre-unknown|bpe-special-escape)
            expect=any ;;
    esac
    probe "$expect" "tokenize: $(basename "$file")" -- "$cli" tokenize --model "$file" --prompt "Hello the world"
done
for file in "$work"/gguf/model-*.gguf "$work"/gguf/mut-*.gguf; do
    base="$(basename "$file" .gguf)"
    expect=refuse
    case "$base" in
        model-ok|model-mixed|model-q4k|model-qwen2|model-phi3|model-context-huge|model-type-smaller-than-data|mut-*)
            expect=any ;;
    esac
    [ "$base" = model-nan ] && expect="refuse:NaN"
    probe "$expect" "generate: $base" -- "$cli" generate --model "$file" --prompt "the time" --max-tokens 4 --seed 1 --backend cpu
    probe any "info: $base" -- "$cli" info --model "$file"
done

# ---- the OpenAI-compatible server (promptstudio-cli serve) ---------------------------------
if [ -f "$model" ]; then
    # A small answer cap: the probe is about what requests do to the server, not about
    # how fast it generates (a 2048-token answer takes seconds on a loaded machine).
    ( ulimit -v 8000000; exec "$cli" serve --model "$model" --port 0 --backend cpu --threads 1 --max-tokens-cap 64 \
        --max-body 1048576 --apps resources/apps ) >"$work/serve.out" 2>"$work/serve.err" </dev/null &
    serve_pid=$!
    port=""
    for _ in $(seq 200); do
        port="$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/serve.err" | head -1 | sed 's/.*://')"
        [ -n "$port" ] && break
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        runs=$((runs + 1)); failures=$((failures + 1))
        echo "FAIL: serve did not start"; tail -n 3 "$work/serve.err" | sed 's/^/    /'
    else
        python3 scripts/hostile-http-client.py "$port" >"$work/http.out" 2>&1
        grep '^FAIL' "$work/http.out"
        counts="$(tail -n 1 "$work/http.out")"
        if [[ "$counts" =~ ^http\ probe:\ ([0-9]+)\ runs,\ ([0-9]+)\ failures$ ]]; then
            runs=$((runs + BASH_REMATCH[1])); failures=$((failures + BASH_REMATCH[2]))
        else
            runs=$((runs + 1)); failures=$((failures + 1))
            echo "FAIL: the HTTP probe did not finish"; tail -n 5 "$work/http.out" | sed 's/^/    /'
        fi
        # Ctrl+C ends it within 20 s, cleanly, and nothing a client sent reached the terminal raw.
        runs=$((runs + 1))
        kill -INT "$serve_pid"
        for _ in $(seq 200); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$serve_pid" 2>/dev/null; then
            failures=$((failures + 1)); echo "FAIL (not stopped 20 s after SIGINT): serve"
            kill -KILL "$serve_pid"
        fi
        wait "$serve_pid"
        serve_status=$?
        if [ "$serve_status" != 0 ] && [ "$serve_status" != 130 ]; then
            failures=$((failures + 1)); echo "FAIL (exit $serve_status): serve after the hostile requests"
            tail -n 5 "$work/serve.err" | sed 's/^/    /'
        elif grep -q $'\x1b' "$work/serve.err"; then
            failures=$((failures + 1)); echo "FAIL (raw escape sequence on stderr): serve's log"
        fi
    fi
fi

# ---- a hostile remote server (run --remote) ------------------------------------------------
python3 scripts/hostile-remote-server.py "$work/remote.port" &
remote_pid=$!
for _ in $(seq 100); do [ -s "$work/remote.port" ] && break; sleep 0.1; done
remote_port="$(cat "$work/remote.port" 2>/dev/null)"
app "$work/remote.promptapp" "Hello {{ name }}"
printf -- '---\npromptapp: 1\nname: Chat\nkind: chat\ninputs:\n  - name: name\n---\nHello {{ name }}\n' >"$work/remote-chat.promptapp"
for mode in garbage-models endless-models many-models models-error redirect-loop endless-text endless-event \
            endless-body bad-events garbage-answer status-500 status-429 json-garbage done-at-once fine; do
    expect=refuse
    case "$mode" in endless-text|done-at-once|fine|bad-events|many-models) expect=any ;; esac
    for app_file in "$work/remote.promptapp" "$work/remote-chat.promptapp"; do
        probe "$expect" "run --remote ($mode, $(basename "$app_file"))" -- "$cli" run "$app_file" --input name=x \
            --remote "http://127.0.0.1:$remote_port/$mode/v1" --max-tokens 4 --no-history
    done
done
probe refuse "run --remote with a model the server does not have (of 100,000)" -- "$cli" run "$work/remote.promptapp" \
    --input name=x --remote "http://127.0.0.1:$remote_port/many-models/v1" --remote-model nothere --max-tokens 4 --no-history
kill "$remote_pid"
wait "$remote_pid" 2>/dev/null

echo "hostile probe: $runs runs, $failures failures"
[ "$failures" -eq 0 ]
