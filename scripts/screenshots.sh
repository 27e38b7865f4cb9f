#!/usr/bin/env bash
# Screenshots of the desktop program for the README: runs `promptstudio
# --screenshot-tour` under a virtual X server (Xvfb) in a fresh home folder, as a
# newcomer's first start: the built-in demo model, the bedtime story open. The tour
# shows the Library with the Run page, a run while the model writes, the editor
# and each of its tabs, the app's history, the Models page and the Get a Model
# dialog, a demo deck's page in the Library, and saves one PNG of each.
#
# Every page is taken at 1366x768 (a small laptop) and 1920x1080, in the light and
# the dark theme: docs/screenshots/<width>x<height>-<theme>/<page>.png. Demo mode's
# stage (dark whatever the theme) is taken once per size, with the dark pages: the
# stage mid-answer (stage.png) and the race at its end (race.png).
#
#   bash scripts/screenshots.sh [build-dir]
#
# Settings and apps go to a temporary home folder, never the user's own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
out="$root/docs/screenshots"

command -v xvfb-run >/dev/null || { echo "xvfb-run is missing: bash scripts/install-deps.sh" >&2; exit 1; }
if [[ ! -x "$build/ui/promptstudio" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROMPTSTUDIO_GUI=ON
    cmake --build "$build" --target promptstudio
fi

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
mkdir -p "$out"
for size in 1366x768 1920x1080; do
    for theme in light dark; do
        folder="$out/$size-$theme"
        demo=()
        [[ "$theme" == dark ]] && demo=(--tour-demo)
        mkdir -p "$folder"
        rm -rf "$home"/* && mkdir -p "$home/Downloads"
        # A fresh home each time: nothing configured, nothing found, the first start.
        env -u PROMPTSTUDIO_MODEL HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" \
            XDG_CACHE_HOME="$home/cache" QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1 \
            xvfb-run -a -s "-screen 0 1920x1080x24" \
            "$build/ui/promptstudio" --screenshot-tour "$folder" --tour-size "$size" --tour-theme "$theme" \
                --tour-app "$root/resources/apps/bedtime-story.promptapp" "${demo[@]}"
    done
done
# The pictures of earlier versions, taken at one size only.
rm -f "$out"/*.png
ls -l "$out"/*/*.png
