#!/usr/bin/env bash
# One command for a machine with an NVIDIA GPU: build for this GPU, run the
# gpu-labelled tests, run them again under compute-sanitizer (when installed),
# then benchmark synthetic model shapes on the CUDA backend and print a table.
#
# Usage: scripts/gpu-check.sh [build-dir]      (default: build-gpu)
# Environment: SKIP_SANITIZER=1, SKIP_BENCH=1, BENCH_SHAPES, BENCH_TYPES.
set -uo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build-gpu}"
log_dir="$build_dir/gpu-check"
status=0

step() { printf '\n=== %s ===\n' "$*"; }

step "configure ($build_dir, CUDA architectures: native)"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPROMPTSTUDIO_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=native -DPROMPTSTUDIO_GUI=OFF || exit 1
step "build"
cmake --build "$build_dir" --parallel "$(nproc)" || exit 1
mkdir -p "$log_dir"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true

step "gpu-labelled tests"
ctest --test-dir "$build_dir" -L gpu --output-on-failure | tee "$log_dir/ctest-gpu.log"
tests_status=${PIPESTATUS[0]}
[ "$tests_status" -eq 0 ] || status=1
# A skip here means the GPU was not usable: that is a failure of this script.
if grep -q "no usable GPU" "$build_dir/Testing/Temporary/LastTest.log" 2>/dev/null; then
    echo "gpu tests SKIPPED: the GPU was not usable (see $build_dir/Testing/Temporary/LastTest.log)"
    status=1
fi

sanitizer_status="not run"
if [ -z "${SKIP_SANITIZER:-}" ]; then
    sanitizer="$(command -v compute-sanitizer || true)"
    [ -z "$sanitizer" ] && [ -x /usr/local/cuda/bin/compute-sanitizer ] && sanitizer=/usr/local/cuda/bin/compute-sanitizer
    if [ -n "$sanitizer" ]; then
        step "gpu tests under compute-sanitizer (memcheck)"
        binary="$build_dir/tests/inference/cuda/cuda_backend_test"
        # Plain launches (no graph) so that errors name the kernel launch site.
        if PROMPTSTUDIO_CUDA_GRAPHS=0 "$sanitizer" --tool memcheck --error-exitcode 3 "$binary" \
               > "$log_dir/sanitizer-memcheck.log" 2>&1 &&
           "$sanitizer" --tool racecheck --error-exitcode 3 "$binary" \
               --gtest_filter='SharedModels/CudaReference.*tiny_d256_Q4_K_M*' > "$log_dir/sanitizer-racecheck.log" 2>&1; then
            sanitizer_status="clean"
        else
            sanitizer_status="ERRORS (see $log_dir/sanitizer-*.log)"
            status=1
        fi
        tail -5 "$log_dir/sanitizer-memcheck.log"
    else
        sanitizer_status="compute-sanitizer not installed"
    fi
fi

if [ -z "${SKIP_BENCH:-}" ]; then
    step "benchmarks (synthetic shapes, CUDA backend)"
    cli="$build_dir/app/cli/promptstudio-cli"
    [ -x "$cli" ] || cli="$(find "$build_dir" -name promptstudio-cli -type f -perm -u+x | head -1)"
    : > "$log_dir/bench.jsonl"
    for shape in ${BENCH_SHAPES:-tinyllama-1.1b llama2-7b llama3-8b}; do
        for type in ${BENCH_TYPES:-F16 Q8_0 Q4_0 Q4_K}; do
            echo "-- $shape $type"
            if out="$("$cli" bench --synthetic "$shape" --type "$type" --backend cuda --json 2> "$log_dir/bench-$shape-$type.err")"; then
                printf '%s\n' "$out" | tr -d '\n' >> "$log_dir/bench.jsonl"
                echo >> "$log_dir/bench.jsonl"
            else
                echo "{\"shape\": \"$shape\", \"type\": \"$type\", \"error\": \"$(tail -1 "$log_dir/bench-$shape-$type.err" | tr -d '"\\')\"}" >> "$log_dir/bench.jsonl"
                status=1
            fi
        done
    done
fi

step "summary"
echo "gpu tests:        $([ "$tests_status" -eq 0 ] && echo passed || echo FAILED) ($log_dir/ctest-gpu.log)"
echo "compute-sanitizer: $sanitizer_status"
if [ -s "$log_dir/bench.jsonl" ]; then
    python3 - "$log_dir/bench.jsonl" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    try:
        rows.append(json.loads(line))
    except json.JSONDecodeError:
        rows.append({"error": "unreadable output: " + line[:60]})

def flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flat(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out

rows = [flat(r) for r in rows]
# Identity columns first, then every numeric column any row has, in first-seen order.
ident = [c for c in ("shape", "synthetic", "model", "type", "device") if any(c in r for r in rows)]
numeric = []
for r in rows:
    for k, v in r.items():
        if k not in ident and isinstance(v, (int, float)) and not isinstance(v, bool) and k not in numeric:
            numeric.append(k)
cols = ident + numeric + (["error"] if any("error" in r for r in rows) else [])
def cell(v):
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3g}"
    return "" if v is None else str(v)
table = [cols] + [[cell(r.get(c)) for c in cols] for r in rows]
widths = [max(len(row[i]) for row in table) for i in range(len(cols))]
for i, row in enumerate(table):
    print("  ".join(x.ljust(w) for x, w in zip(row, widths)))
    if i == 0:
        print("  ".join("-" * w for w in widths))
PY
fi
exit $status
