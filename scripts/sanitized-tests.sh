#!/usr/bin/env bash
# The runtime's test suites (tests/inference: GGUF, tokenizers, model loading, the CPU
# kernels and backend, sampler, generator) once more under AddressSanitizer and UBSan:
# use after free, buffer overruns, leaks, signed overflow, misaligned loads, NaN cast to
# int. Also the emulated CUDA device's own checks, where a kernel's global-memory
# overrun is a heap-buffer-overflow. scripts/test.sh runs it after the normal suite;
# docs/fuzzing.md, "The test suite under the sanitizers", says what it costs and what
# is left out (the app-layer suites: the template and document ones run under the
# sanitizers in scripts/fuzz.sh; the rest are not yet checked this way).
#
# One build without widgets or CUDA, -O1 and no debug information (quicker to compile,
# barely slower to run than -O2 under ASan); only the test executables it runs.
#
# Usage: scripts/sanitized-tests.sh BUILD_DIR [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
asan_dir="${1:?usage: scripts/sanitized-tests.sh BUILD_DIR}"
shift

phase_start=$SECONDS
phase_done() { echo "== phase: $1 took $((SECONDS - phase_start)) s"; phase_start=$SECONDS; }

cmake -S . -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROMPTSTUDIO_GUI=OFF \
  -DPROMPTSTUDIO_CUDA=OFF -DPROMPTSTUDIO_CUDA_EMULATOR=ON -DPROMPTSTUDIO_SANITIZE=address,undefined \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1" >/dev/null
# Every suite under tests/inference but the CUDA ones (those need a GPU or run on the
# emulated device, minutes per test even without ASan), and the emulator's own checks.
# PROMPTSTUDIO_SANITIZED_SUITES=all adds every app-layer suite and the CLI they run
# (about twice the build; not yet in CI, see docs/fuzzing.md).
if [ "${PROMPTSTUDIO_SANITIZED_SUITES:-runtime}" = all ]; then
  mapfile -t selected < <(ninja -C "$asan_dir" -t targets all | sed -nE 's/^([a-z0-9_]+_tests?): .*/\1/p' |
                            grep -vE '^(cuda_.*|gpu_.*|package_test)$')
  selected+=(promptstudio-cli)
else
  mapfile -t selected < <(grep -rhoE 'ps_add_gtest\([a-z0-9_]+' tests/inference --include=CMakeLists.txt \
                            --exclude-dir=cuda | sed 's/ps_add_gtest(//' | sort -u)
fi
selected+=(cuda_emulator_test)
cmake --build "$asan_dir" --parallel "$(nproc)" --target "${selected[@]}"
phase_done "building the sanitized tests (${#selected[@]} executables)"

# Leaks are reported for our code; UBSan stops at the first report with a stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
"$asan_dir/tests/inference/cuda/emulator/cuda_emulator_test" --gtest_brief=1
# Tests that time their own work against a limit (linear vs quadratic) are left out:
# ASan makes them several times slower; the normal suite runs them. The suites not
# built here appear to ctest as *_NOT_BUILT.
timed='BytePairVocabulary.AnyBytesRoundTripAndLongWordsStayFast'
ctest --test-dir "$asan_dir" --output-on-failure --parallel "$(nproc)" --timeout 900 \
  -LE 'gpu|emulated|package' -E "_NOT_BUILT\$|^cuda_emulator_test\$|^($timed)\$" "$@"
phase_done "running the tests under ASan + UBSan"
