#!/usr/bin/env bash
# A bad-input probe of promptstudio-cli: runs every command that reads a file
# (validate, run, import, chat-template, info, tokenize, eval, generate) on hand-made
# hostile files and on mutations of real ones, each under `timeout 20` and an 8 GB
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

echo "hostile probe: $runs runs, $failures failures"
[ "$failures" -eq 0 ]
