#!/usr/bin/env bash
# Screenshots of the desktop program for the README: runs `promptstudio
# --screenshot-tour` under a virtual X server (Xvfb), which shows the Library,
# a run of the bedtime story app on stories260K while it writes, the editor, the
# app's history and the Models page, and saves one PNG of each into docs/screenshots/.
#
#   bash scripts/screenshots.sh [build-dir]
#
# Settings and apps go to a temporary home folder, never the user's own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
shared="${PROMPTSTUDIO_SHARED_DIR:-$root/../shared}"
model="$shared/models/stories260K.gguf"
out="$root/docs/screenshots"

command -v xvfb-run >/dev/null || { echo "xvfb-run is missing: bash scripts/install-deps.sh" >&2; exit 1; }
if [[ ! -x "$build/ui/promptstudio" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROMPTSTUDIO_GUI=ON
    cmake --build "$build" --target promptstudio
fi
[[ -f "$model" ]] || { echo "missing $model (set PROMPTSTUDIO_SHARED_DIR)" >&2; exit 1; }

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
mkdir -p "$out"
HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" \
QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1 \
    xvfb-run -a -s "-screen 0 1400x900x24" \
    "$build/ui/promptstudio" --model "$model" \
        --screenshot-tour "$out" --tour-app "$root/resources/apps/bedtime-story.promptapp"
ls -l "$out"/*.png
