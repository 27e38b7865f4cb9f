#!/usr/bin/env bash
# A/B of CPU kernel changes on a noisy machine: runs the same measurement with
# two or more builds of libpromptstudio-inference.so, round by round (A, B, A,
# B, ...), and prints each variant's median and the median of its per-round
# ratio to the first variant. On the 2-core development machine the memory's
# speed moves by a third within a minute, for every variant alike, so only
# these paired ratios say which variant is faster.
#
#   scripts/kernel-ab.sh stream TYPE [ROUNDS] LABEL=LIBDIR LABEL=LIBDIR ...
#       ps-kernel-bench --stream 256 2 2048 TYPE (GB/s; TYPE Q8_0, Q4_0, Q4_K, Q6_K)
#   scripts/kernel-ab.sh decode MODEL.gguf [ROUNDS] LABEL=LIBDIR LABEL=LIBDIR ...
#       promptstudio-cli bench, 48 decode tokens after a 1-token prompt (tokens/s)
#
# LIBDIR holds a copy of a build's libpromptstudio-inference.so (cp
# build/lib/promptstudio/libpromptstudio-inference.so DIR/ after building each
# variant); the programs of BUILD (default build) load it through
# LD_LIBRARY_PATH. Runs at real-time priority (chrt -f 1) where allowed, so
# that neighbours' processes wait; ROUNDS defaults to 8.
set -euo pipefail

mode="${1:?stream or decode}"
what="${2:?TYPE or MODEL}"
shift 2
rounds=8
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds="$1"; shift; fi
(($# >= 2)) || { echo "give at least two LABEL=LIBDIR variants" >&2; exit 2; }
build="${BUILD:-build}"
priority=()
if chrt -f 1 true 2>/dev/null; then priority=(chrt -f 1); fi

measure() {  # LIBDIR -> one number
    case "$mode" in
        stream) LD_LIBRARY_PATH="$1" "${priority[@]}" "$build/inference/bench/ps-kernel-bench" \
                    --stream 256 2 2048 "$what" | awk '{print $7}' ;;
        decode) LD_LIBRARY_PATH="$1" "${priority[@]}" "$build/app/cli/promptstudio-cli" bench \
                    --model "$what" --threads 2 --prefill 1 --decode-tokens 48 --repetitions 1 2>/dev/null |
                    awk '/^decode/ {print $2}' ;;
        *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
}

for ((round = 0; round < rounds; ++round)); do
    for variant in "$@"; do
        echo "${variant%%=*} $(measure "${variant#*=}")"
    done
done | python3 -c '
import collections, statistics, sys
runs = collections.OrderedDict()
for line in sys.stdin:
    label, value = line.split()
    runs.setdefault(label, []).append(float(value))
labels = list(runs)
for label in labels:
    print("%-12s median %7.2f   runs %s" % (label, statistics.median(runs[label]),
          " ".join("%.1f" % v for v in runs[label])))
for label in labels[1:]:
    ratios = [b / a for a, b in zip(runs[labels[0]], runs[label])]
    print("%s / %s: median of the per-round ratios %.3f" % (label, labels[0], statistics.median(ratios)))
'
