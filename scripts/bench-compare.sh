#!/usr/bin/env bash
# Same-run speed ratios of Prompt Studio's CPU backend against llama.cpp's
# llama-bench: both programs on the same GGUF file, the same threads, their runs
# interleaved (llama.cpp, ours, llama.cpp, ours, ...) so that the machine's drift
# and its neighbours hit both alike. Prints, per weight type, prefill 64 and 512
# tokens/s, decode at context 16 and at context LONG, and ours / llama.cpp.
#
#   scripts/bench-compare.sh [BUILD_DIR]        (default: build)
#   TYPES="Q6_K Q4_K_M" scripts/bench-compare.sh build     (a subset of the types)
#
# Environment: LLAMA_BENCH (default ../shared/tools/llama.cpp/llama-bench),
# TYPES (default "Q8_0 Q4_0 Q4_K_M Q6_K"), SHAPE (tinyllama-1.1b), THREADS (2),
# ROUNDS (2: each figure is the best of its program's rounds), REPS (1:
# repetitions within a round; each program's figure is its best repetition, so
# llama.cpp's is read from samples_ts, not its average avg_ts), LONG (1024;
# 0 = skip), DECODE (32 decode tokens), LONG_DECODE (128 tokens llama.cpp decodes
# at context LONG, through llama-server: see llamaDecodeAtDepth), LLAMA_SERVER
# (default: llama-server next to llama-bench), MODELS
# (folder for the GGUF files, kept between runs), LLAMA_ARGS (more llama-bench
# options, e.g. "-fa 1" or "--poll 100", to check that a setting does not
# speed llama.cpp up), PRIORITY ("rt": both programs run under `chrt -f 1`,
# see below). One round of the four types took 14 minutes on the 2-core
# machine at load 10-14; quiet, the default two rounds should take under 10.
#
# A busy machine makes the ratios meaningless, not just noisy: llama.cpp's
# worker threads wait for each other at every operation, so a neighbour that
# takes one core stalls both. On this 2-core machine at load 9 llama-bench gave
# 4.9 prefill-64 tokens/s of 1.1B Q8_0 (and 0.6 decode), against 80-90 alone.
# Run it quiet; where that cannot be had, PRIORITY=rt gives both programs the
# cores (real-time FIFO, as root) and every other process waits for the run:
# only for a short TYPES subset, and say so with the figures.
#
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
cli="$build/app/cli/promptstudio-cli"
llama="${LLAMA_BENCH:-$here/../shared/tools/llama.cpp/llama-bench}"
llamaServer="${LLAMA_SERVER:-$(dirname "$llama")/llama-server}"
types="${TYPES:-Q8_0 Q4_0 Q4_K_M Q6_K}"
shape="${SHAPE:-tinyllama-1.1b}"
threads="${THREADS:-2}"
rounds="${ROUNDS:-2}"
reps="${REPS:-1}"
long="${LONG:-1024}"
decode="${DECODE:-32}"
longDecode="${LONG_DECODE:-128}"
models="${MODELS:-${TMPDIR:-/tmp}/ps-bench-compare}"
read -r -a llamaExtra <<<"${LLAMA_ARGS:-}"
prio=()
case "${PRIORITY:-}" in
    "") ;;
    rt) prio=(chrt -f 1) ;;
    *) echo "PRIORITY is rt or unset" >&2; exit 2 ;;
esac

[ -x "$cli" ] || { echo "no $cli: build promptstudio-cli first" >&2; exit 2; }
[ -x "$llama" ] || { echo "no llama-bench at $llama (set LLAMA_BENCH)" >&2; exit 2; }
if [ "$long" -gt 0 ] && [ ! -x "$llamaServer" ]; then
    echo "no llama-server at $llamaServer (set LLAMA_SERVER, or LONG=0)" >&2; exit 2
fi
command -v python3 >/dev/null || { echo "python3 is needed to read the JSON" >&2; exit 2; }
mkdir -p "$models"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cpuFamily="$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | xargs)"
cpuModel="$(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
     "(family $cpuFamily model $cpuModel), $(nproc) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# shape $shape, $threads threads, $rounds interleaved rounds of $reps repetition(s), decode $decode tokens," \
     "long context $long; llama-bench extra options: ${LLAMA_ARGS:-none}; priority: ${PRIORITY:-normal}"

# llama.cpp's decode at context LONG, measured by llama.cpp itself: its
# server decodes LONG_DECODE tokens after a prompt of LONG random tokens and
# reports the generation's own time (timings.predicted_per_second). This
# llama-bench has no depth option, and the difference of its `-pg` and `-p`
# runs (two long, noisy times) gave figures above its own decode at context 0.
llamaDecodeAtDepth() {  # MODEL OUTPUT_JSON
    local port=$((18000 + RANDOM % 2000)) log="$2.server.log"
    "${prio[@]}" "$llamaServer" -m "$1" -t "$threads" -c $((long + longDecode + 64)) -np 1 \
        --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
    local server=$!
    python3 - "$port" "$long" "$longDecode" "$2" <<'PY' || { kill "$server"; cat "$log" >&2; return 1; }
import json, random, sys, time, urllib.request
port, prompt, generate, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
url = f"http://127.0.0.1:{port}"
for _ in range(600):  # the model loads
    try:
        if json.load(urllib.request.urlopen(url + "/health", timeout=5)).get("status") == "ok":
            break
    except Exception:
        pass
    time.sleep(0.5)
random.seed(7)
body = {"prompt": [random.randrange(1000, 30000) for _ in range(prompt)], "n_predict": generate,
        "ignore_eos": True, "cache_prompt": False, "temperature": 0.0}
request = urllib.request.Request(url + "/completion", json.dumps(body).encode(), {"Content-Type": "application/json"})
timings = json.load(urllib.request.urlopen(request, timeout=3600))["timings"]
assert timings["prompt_n"] >= prompt - 1 and timings["predicted_n"] == generate, timings
json.dump(timings, open(path, "w"))
PY
    kill "$server"
    wait "$server" 2>/dev/null || true
}

for type in $types; do
    model="$models/$shape-$type.gguf"
    if [ ! -s "$model" ]; then
        "$cli" bench --synthetic "$shape" --type "$type" --write-gguf "$model.part"
        mv "$model.part" "$model"
    fi
    oursLong=()
    [ "$long" -gt 0 ] && oursLong=(--long-context "$long")
    for round in $(seq "$rounds"); do
        llamaArgs=(-m "$model" -t "$threads" -p 64,512 -n "$decode" -r "$reps" -o json)
        "${prio[@]}" "$llama" "${llamaArgs[@]}" "${llamaExtra[@]}" >"$out/llama-$type-$round.json" \
            2>"$out/llama-$type-$round.log" || { cat "$out/llama-$type-$round.log" >&2; exit 1; }
        if [ "$long" -gt 0 ]; then
            llamaDecodeAtDepth "$model" "$out/llama-depth-$type-$round.json" || exit 1
        fi
        "${prio[@]}" "$cli" bench --model "$model" --threads "$threads" --prefill 64,512 --decode-tokens "$decode" \
            "${oursLong[@]}" --repetitions "$reps" --json >"$out/ours-$type-$round.json"
    done
    echo "# $type done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

python3 - "$out" "$rounds" "$long" "$longDecode" $types <<'PY'
import json, sys
out, rounds, long_ctx, long_decode, types = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]

def llama_figures(path):
    # Best repetition (as ours reports), not llama-bench's average. With LLAMA_ARGS
    # listing several values (e.g. "-fa 0,1") each figure is the best over them too.
    entries = json.load(open(path))
    f, ns = {}, {}
    def best(d, k, v, pick):
        d[k] = pick(d[k], v) if k in d else v
    for e in entries:
        p, g = e["n_prompt"], e["n_gen"]
        ts = max(e.get("samples_ts") or [e["avg_ts"]])
        t_ns = min(e.get("samples_ns") or [e["avg_ns"]])
        if p > 0 and g == 0:
            best(f, f"prefill {p}", ts, max)
            best(ns, p, t_ns, min)
        elif p == 0 and g > 0:
            best(f, "decode 16", ts, max)
    if long_ctx:
        depth = path.replace("/llama-", "/llama-depth-")
        f[f"decode {long_ctx}"] = json.load(open(depth))["predicted_per_second"]
    return f

def our_figures(path):
    r = json.load(open(path))
    f = {f"prefill {p['tokens']}": p["tokens_per_s"] for p in r["prefill"]}
    f["decode 16"] = r["decode_tokens_per_s"]
    if "long_context_decode_tokens_per_s" in r:
        f[f"decode {long_ctx}"] = r["long_context_decode_tokens_per_s"]
    f["fraction"] = r.get("bandwidth_fraction")
    return f

columns = ["prefill 64", "prefill 512", "decode 16"] + ([f"decode {long_ctx}"] if long_ctx else [])
print("| type | " + " | ".join(f"{c}: llama.cpp / ours / ratio" for c in columns) + " | our decode, share of read bandwidth |")
print("|---" * (len(columns) + 2) + "|")
for t in types:
    best_l, best_o, fractions = {}, {}, []
    for r in range(1, rounds + 1):
        for best, figures in ((best_l, llama_figures(f"{out}/llama-{t}-{r}.json")),
                              (best_o, our_figures(f"{out}/ours-{t}-{r}.json"))):
            for k, v in figures.items():
                if k == "fraction":
                    if v is not None: fractions.append(v)
                elif v == v:
                    best[k] = max(best.get(k, 0.0), v)
    cells = []
    for c in columns:
        l, o = best_l.get(c), best_o.get(c)
        cells.append(f"{l:.1f} / {o:.1f} / **{o / l:.2f}**" if l and o else "n/a")
    share = f"{max(fractions) * 100:.0f}%" if fractions else "n/a"
    print(f"| {t} | " + " | ".join(cells) + f" | {share} |")
PY
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
