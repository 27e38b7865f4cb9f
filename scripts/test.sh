#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase says how long it took (CI's summary collects these lines).
phase_start=$SECONDS
phase_done() { echo "== phase: $1 took $((SECONDS - phase_start)) s"; phase_start=$SECONDS; }

bash scripts/install-deps.sh
phase_done "installing dependencies"
build_dir="${PROMPTSTUDIO_BUILD_DIR:-build}"
configure_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# CI builds one CUDA architecture (every kernel is compiled, in a third of the time)
# and no debug information (a quarter less compile time, far smaller links; a
# failure there is reproduced locally with the default flags).
if [ -n "${CI:-}" ]; then
  configure_args+=(-DCMAKE_CUDA_ARCHITECTURES=90
                   "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG"
                   "-DCMAKE_CUDA_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG")
fi
cmake -S . -B "$build_dir" "${configure_args[@]}"
cmake --build "$build_dir" --parallel "$(nproc)"
phase_done "configuring and building"
# Every test, the emulated CUDA device's included (label `emulated`: the gpu
# suite on the CPU, docs/cuda-backend.md).
# No test may take more than 15 minutes (the slowest takes about 2): a test that hangs
# fails with its name instead of holding the run until CI's limit.
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" --timeout 900 "$@"
phase_done "running the tests"

# The runtime's suites once more under AddressSanitizer and UBSan, with the emulated
# device's own checks (where a kernel's global-memory overrun is a heap-buffer-overflow):
# one build without widgets or CUDA, only those test executables (docs/fuzzing.md).
if [ -z "${SKIP_SANITIZED_TESTS:-${SKIP_EMULATOR_ASAN:-}}" ]; then
  bash scripts/sanitized-tests.sh "${build_dir}-asan"
fi
