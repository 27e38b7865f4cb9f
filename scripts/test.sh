#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build_dir="${PROMPTSTUDIO_BUILD_DIR:-build}"
configure_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# CI builds one CUDA architecture: every kernel is compiled, in a third of the time.
if [ -n "${CI:-}" ]; then configure_args+=(-DCMAKE_CUDA_ARCHITECTURES=90); fi
cmake -S . -B "$build_dir" "${configure_args[@]}"
cmake --build "$build_dir" --parallel "$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" "$@"
