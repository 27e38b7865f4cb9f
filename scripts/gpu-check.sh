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
    # Decode from position 16 and 4096, prefill of 512, cached-prefix TTFT (1000 + 50),
    # the device's copy bandwidth and FP16 GEMM rate, backend load time (issue 3).
    bench_args=(--backend cuda --prefill "${BENCH_PREFILL:-512}" --long-context "${BENCH_LONG_CONTEXT:-4096}"
                --decode-tokens "${BENCH_DECODE_TOKENS:-64}" --repetitions "${BENCH_REPETITIONS:-3}" --json)
    for shape in ${BENCH_SHAPES:-tinyllama-1.1b llama2-7b llama3-8b}; do
        for type in ${BENCH_TYPES:-F16 Q8_0 Q4_0 Q4_K Q6_K}; do
            echo "-- $shape $type"
            err="$log_dir/bench-$shape-$type.err"
            if out="$("$cli" bench --synthetic "$shape" --type "$type" "${bench_args[@]}" 2> "$err")"; then
                # A run that fell back to the CPU measured the wrong thing.
                if ! printf '%s' "$out" | grep -q '"backend": "cuda"'; then
                    echo "{\"shape\": \"$shape\", \"type\": \"$type\", \"error\": \"ran on the CPU: $(tail -1 "$err" | tr -d '"\\')\"}" >> "$log_dir/bench.jsonl"
                    status=1
                    continue
                fi
                printf '%s\n' "$out" | tr -d '\n' | sed "s/^{/{\"shape\": \"$shape\", \"type\": \"$type\", /" >> "$log_dir/bench.jsonl"
                echo >> "$log_dir/bench.jsonl"
            else
                echo "{\"shape\": \"$shape\", \"type\": \"$type\", \"error\": \"$(tail -1 "$err" | tr -d '"\\')\"}" >> "$log_dir/bench.jsonl"
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
# The figures issue 3 asks for, in this order, where a row has them.
columns = [
    ("shape", "shape"), ("type", "type"),
    ("decode_tokens_per_s", "dec t/s"), ("bandwidth_fraction", "of bw"),
    ("long_context_decode_tokens_per_s", "dec@4k t/s"), ("long_context_bandwidth_fraction", "of bw@4k"),
    ("prefill_tokens_per_s", "pre t/s"), ("prefill_tflops", "pre TF/s"), ("gemm_tflops", "GEMM TF/s"),
    ("cached_prefix_ttft_ms", "ttft1k+50 ms"), ("device_copy_gb_per_s", "copy GB/s"),
    ("backend_load_s", "load s"),
]
def target_misses(r):
    """The H100 targets of issue 3 this row misses (names), or [] when it meets them."""
    misses = []
    if r.get("type") in ("F16", "Q8_0", "Q4_0"):
        if r.get("bandwidth_fraction", 1) < 0.85: misses.append("decode<85%")
        if r.get("long_context_bandwidth_fraction", 1) < 0.75: misses.append("decode@4k<75%")
    if "prefill_tflops" in r and "gemm_tflops" in r and r["prefill_tflops"] < 0.5 * r["gemm_tflops"]:
        misses.append("prefill<50%GEMM")
    if r.get("shape") == "llama2-7b" and r.get("cached_prefix_ttft_ms", 0) >= 25:
        misses.append("ttft>=25ms")
    return misses
present = [(k, h) for k, h in columns if any(k in r for r in rows)]
def cell(v):
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3g}"
    return "" if v is None else str(v)
header = [h for _, h in present] + ["H100 targets"]
table = [header]
for r in rows:
    if "error" in r:
        table.append([cell(r.get("shape")), cell(r.get("type")), "ERROR: " + str(r["error"])[:80]])
        continue
    misses = target_misses(r)
    table.append([cell(r.get(k)) for k, _ in present] + ["met" if not misses else " ".join(misses)])
widths = [max(len(row[i]) for row in table if len(row) == len(header)) for i in range(len(header))]
for i, row in enumerate(table):
    print("  ".join(x.ljust(w) for x, w in zip(row, widths)))
    if i == 0:
        print("  ".join("-" * w for w in widths))
if rows and "device" in rows[0]:
    print("device:", rows[0]["device"], "(targets are stated for an H100)")

# The bound the counted traffic implies (docs/performance.md, "what the counts
# imply"): bytes a decode token must read = the weights (bytes_per_token) + the
# FP16 KV cache of the positions it attends to; tokens/s at 90% of 3.35 TB/s
# (H100 SXM) and 4.8 TB/s (H200), beside the measured decode rate.
kv_shapes = {  # layers, KV heads x head size (synthetic_model.cpp)
    "tinyllama-1.1b": (22, 4 * 64), "llama2-7b": (32, 32 * 128), "llama3-8b": (32, 8 * 128),
    "qwen2.5-1.5b": (28, 2 * 128), "phi3-mini": (32, 32 * 96),
}
print()
bound_header = ["shape", "type", "pos", "MB/token", "90% H100", "90% H200", "measured", "of H100 bound"]
bound_rows = [bound_header]
for r in rows:
    if "error" in r or "bytes_per_token" not in r or r.get("shape") not in kv_shapes:
        continue
    layers, kv_dim = kv_shapes[r["shape"]]
    for pos, key in ((16, "decode_tokens_per_s"), (4096, "long_context_decode_tokens_per_s")):
        total = r["bytes_per_token"] + (pos + 1) * layers * kv_dim * 2 * 2
        h100, h200 = 0.9 * 3.35e12 / total, 0.9 * 4.8e12 / total
        measured = r.get(key)
        bound_rows.append([cell(r["shape"]), cell(r["type"]), str(pos), f"{total / 1e6:.0f}", f"{h100:.0f}",
                           f"{h200:.0f}", cell(measured),
                           "" if measured is None else f"{100 * measured / (3.35e12 / total):.0f}%"])
if len(bound_rows) > 1:
    widths = [max(len(row[i]) for row in bound_rows) for i in range(len(bound_header))]
    for i, row in enumerate(bound_rows):
        print("  ".join(x.ljust(w) for x, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
PY
fi
exit $status
