#!/usr/bin/env bash
# Installs every Debian package Prompt Studio needs to build, test and run.
# Idempotent: packages already present are skipped, and `apt-get update`
# runs only when something is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config
  # runtime libraries
  libsentencepiece-dev libpcre2-dev libyaml-cpp-dev
  libcpp-httplib-dev libssl-dev
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-svg-dev qtkeychain-qt6-dev
  qt6-l10n-tools
  libgl-dev
  # tests
  libgtest-dev libgmock-dev xvfb xauth
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer, ASan and UBSan
  clang-15 libfuzzer-15-dev
  # packaging checks
  dpkg-dev file desktop-file-utils appstream
  # fonts so screenshots show text and the apps' emoji icons
  fonts-dejavu-core fonts-noto-color-emoji
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
