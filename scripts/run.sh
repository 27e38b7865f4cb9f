#!/usr/bin/env bash
# Installs what is missing, builds Prompt Studio and starts it.
# Arguments are passed to the program (e.g. a .promptapp file to open).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build_dir="${PROMPTSTUDIO_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" --parallel "$(nproc)" --target promptstudio promptstudio-cli
exec "$build_dir/ui/promptstudio" "$@"
