#!/usr/bin/env bash
# Installs what vmafx needs to build and test on Debian 12, if it is missing, then builds
# into ./build (release). Idempotent: a second run installs nothing and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(gcc meson ninja-build pkg-config ccache libjansson-dev ffmpeg xz-utils python3)
# scripts/format.sh: the formatter .clang-format is written for (clang-format 14 on Debian 12)
PACKAGES+=(clang-format)
# ccache: meson uses it when present, so rebuilds of the release and sanitizer trees are cheap
# media: FFmpeg's libraries (demux, decode, scale); the media tests' servers: nginx (http and,
# with a throw-away certificate from openssl, https)
PACKAGES+=(libavformat-dev libavcodec-dev libswscale-dev libavutil-dev nginx openssl)
# storage: rclone (serve http / mount), FUSE, nettle (MD5 of streamed inputs); the storage
# tests' servers: a private sshd, nginx, curl
PACKAGES+=(rclone fuse3 nettle-dev openssh-server nginx curl)
# node + npm come with these machines (nodesource); Debian's npm conflicts with that nodejs,
# so Debian's pair is only installed where there is no node at all
command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)
# controller and nodes: the HTTP server (libmicrohttpd, HTTPS through GnuTLS, which the node and
# the client commands use too) and the job store (SQLite); wrk for
# bench/controller_bench.py
PACKAGES+=(libmicrohttpd-dev libgnutls28-dev libsqlite3-dev wrk)
# fuzzing (tests/fuzz, scripts/fuzz.sh): clang with libFuzzer and its sanitizer runtimes
PACKAGES+=(clang libclang-rt-14-dev)
# the controller's PostgreSQL store (libpq) and, for tests/test_controller_pg.py, a private
# PostgreSQL server (initdb, pg_ctl: /usr/lib/postgresql/15/bin)
PACKAGES+=(libpq-dev postgresql)
# deployment tests (tests/test_deploy_*.py): podman with runc and debootstrap to build and
# run the images (docs/deploy.md); helm and kubectl come from npm (tests/deploy/build.sh), and
# the tests read helm's YAML with PyYAML
PACKAGES+=(podman runc debootstrap python3-yaml)

# the dashboard's browser tests (tests/test_dashboard.py): Debian's chromium, driven headless by
# playwright-core (npm, below; it never downloads a browser of its own)
PACKAGES+=(chromium)

# libvmaf API tests (tests/test_compat_ffmpeg.py): FFmpeg 5.1's source package is unpacked
# with dpkg-source and built with make (nasm for its x86 assembly)
PACKAGES+=(dpkg-dev make nasm)

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

# The storage tests' S3 and Azure emulators, into a project-local folder (gitignored, never
# global, never the repository); only when missing. tests/storage_lab.py looks here.
NODE_DIR=${VMAFX_NODE_DIR:-build/node}
if [ ! -x "$NODE_DIR/node_modules/.bin/s3rver" ] || [ ! -x "$NODE_DIR/node_modules/.bin/azurite-blob" ]; then
  echo "setup: npm install s3rver@3.7.1 azurite@3.35.0 into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  ( cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-fund --no-audit --loglevel=error s3rver@3.7.1 azurite@3.35.0 )
fi

# The dashboard's charting library, bundled into vmafx-controller at build time (src/web/meson.build
# reads it from build/node/node_modules/uplot), and the browser tests' driver; pinned versions
UI_PACKAGES=(uplot@1.6.32 playwright-core@1.65.1)
ui_missing=()
for p in "${UI_PACKAGES[@]}"; do
  name=${p%@*}
  grep -qs "\"version\": \"${p##*@}\"" "$NODE_DIR/node_modules/$name/package.json" || ui_missing+=("$p")
done
if [ ${#ui_missing[@]} -gt 0 ]; then
  echo "setup: npm install ${ui_missing[*]} into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  ( cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-fund --no-audit --loglevel=error "${ui_missing[@]}" )
fi

MODELS_DIR=${VMAFX_MODELS_DIR:-$(cd .. && pwd)/shared/models}
build_dir=${1:-build}
shift || true
if [ ! -f "$build_dir/build.ninja" ]; then
  # meson finds uPlot in build/node by itself; another VMAFX_NODE_DIR is handed to it
  uplot=(); [ -z "${VMAFX_NODE_DIR:-}" ] || uplot=(-Duplot_dir="$(cd "$NODE_DIR" && pwd)/node_modules/uplot")
  meson setup "$build_dir" -Dmodels_dir="$MODELS_DIR" "${uplot[@]}" "$@"
fi
ninja -C "$build_dir"
