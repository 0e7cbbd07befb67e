#!/usr/bin/env bash
# Decode + score frames per second for a 1080p H.264 pair, local and over HTTP (nginx).
# Builds first (scripts/setup.sh), then runs bench/media_fps.py; arguments go to it, e.g.
#   bench/media_fps.sh --frames 240 --threads 2 --runs 3
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh build >/dev/null
exec python3 bench/media_fps.py --build build "$@"
