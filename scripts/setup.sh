#!/usr/bin/env bash
# Installs what vmafx needs to build and test on Debian 12, if it is missing, then builds
# into ./build (release). Idempotent: a second run installs nothing and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(gcc meson ninja-build pkg-config libjansson-dev ffmpeg xz-utils python3)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

MODELS_DIR=${VMAFX_MODELS_DIR:-$(cd .. && pwd)/shared/models}
build_dir=${1:-build}
shift || true
if [ ! -f "$build_dir/build.ninja" ]; then
  meson setup "$build_dir" -Dmodels_dir="$MODELS_DIR" "$@"
fi
ninja -C "$build_dir"
