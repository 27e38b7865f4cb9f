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

# The emulated device's own checks once more under AddressSanitizer and UBSan,
# where a kernel's global-memory overrun is a heap-buffer-overflow: a small
# build of that one test (it needs none of the runtime library).
if [ -z "${SKIP_EMULATOR_ASAN:-}" ]; then
  asan_dir="${build_dir}-emulator-asan"
  cmake -S . -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROMPTSTUDIO_GUI=OFF \
    -DPROMPTSTUDIO_CUDA=OFF -DPROMPTSTUDIO_SANITIZE=address,undefined
  cmake --build "$asan_dir" --parallel "$(nproc)" --target cuda_emulator_test
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$asan_dir/tests/inference/cuda/emulator/cuda_emulator_test"
  phase_done "the emulated device under ASan"
fi
