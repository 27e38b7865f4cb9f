#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang-15, ASan + UBSan) in build-fuzz, runs
# the template and document test suites under the same sanitizers, then runs each fuzz
# target for SECONDS on its committed seed corpus (tests/fuzz/corpus/TARGET). New
# inputs go to build-fuzz/corpus/TARGET, never into the committed corpus. A crash, a
# sanitizer report, a leak, a timeout (10 s) or an input using more than 4 GB fails
# the run and names the input that did it (build-fuzz/artifacts/TARGET/).
#
# Usage: scripts/fuzz.sh SECONDS [TARGET...]      (CI: scripts/fuzz.sh 60)
# Targets: gguf vocabulary sentencepiece promptapp prompty template chat_template
#          tokenize_text openai_request http_server deck model
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}"
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(gguf vocabulary sentencepiece promptapp prompty template chat_template
             tokenize_text openai_request http_server deck model)
fi
build="${PROMPTSTUDIO_FUZZ_BUILD_DIR:-build-fuzz}"

CC=clang-15 CXX=clang++-15 cmake -S tests/fuzz -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
if [ -n "${PROMPTSTUDIO_FUZZ_SKIP_TESTS:-}" ]; then
    # Only the harnesses (CI: scripts/test.sh already ran every suite under the sanitizers).
    cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]/#/fuzz_}"
else
    cmake --build "$build" --parallel "$(nproc)"
fi
echo "== phase: building the fuzz targets took $SECONDS s"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Reports with file and line: the sanitizers look for llvm-symbolizer on PATH.
if [ -x /usr/lib/llvm-15/bin/llvm-symbolizer ]; then export PATH="/usr/lib/llvm-15/bin:$PATH"; fi

if [ -z "${PROMPTSTUDIO_FUZZ_SKIP_TESTS:-}" ]; then
    echo "== template and document tests under ASan + UBSan"
    # Two tests only time linear-vs-quadratic work (minutes under ASan); the normal
    # suite runs them.
    "$build/sanitized_templating_tests" --gtest_brief=1 \
        --gtest_filter=-HostileTemplates.QuadraticFiltersAndWorkAreBudgeted:HostileTemplates.HugeDictLiteralsBuildInLinearTime
    "$build/sanitized_document_tests" --gtest_brief=1
fi

# Inputs larger than this are not tried.
declare -A max_len=([gguf]=65536 [vocabulary]=65536 [sentencepiece]=65536 [promptapp]=65536
                    [prompty]=65536 [template]=65536 [chat_template]=65536
                    [tokenize_text]=8192 [openai_request]=65536 [http_server]=65536
                    [deck]=65536 [model]=65536)
# One fuzzer per core at a time (PROMPTSTUDIO_FUZZ_JOBS overrides): each target gets its
# SECONDS of wall time either way, the whole run takes 1/jobs of it.
jobs="${PROMPTSTUDIO_FUZZ_JOBS:-$(nproc)}"
fuzz_one() {
    local target="$1"
    local corpus="$build/corpus/$target" artifacts="$build/artifacts/$target/"
    mkdir -p "$corpus" "$artifacts"
    "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -max_len="${max_len[$target]:-65536}" -print_final_stats=1 \
        -artifact_prefix="$artifacts" "$corpus" "tests/fuzz/corpus/$target" \
        >"$build/fuzz_$target.out" 2>"$build/fuzz_$target.log"
}
failed=()
for ((first = 0; first < ${#targets[@]}; first += jobs)); do
    batch=("${targets[@]:first:jobs}")
    echo "== ${batch[*]/#/fuzz_} for $seconds s"
    pids=()
    for target in "${batch[@]}"; do
        fuzz_one "$target" &
        pids+=($!)
    done
    for i in "${!batch[@]}"; do
        target="${batch[$i]}"
        if ! wait "${pids[$i]}"; then
            tail -n 60 "$build/fuzz_$target.log"
            failed+=("$target")
        else
            echo "fuzz_$target: $(grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)" \
                "$build/fuzz_$target.log" | tr -s ' ' | tr '\n' ' ')"
        fi
    done
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in $build/artifacts/)" >&2
    exit 1
fi
echo "fuzzing: no problems in ${targets[*]} ($seconds s each)"
