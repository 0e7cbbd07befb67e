#!/usr/bin/env bash
# The main job: installs what is missing, builds, makes a sample pair with ffmpeg (a test
# pattern and an x264 encode of it) and scores it, printing the VMAF.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=24 -frames:v 48 -pix_fmt yuv420p "$work/ref.y4m"
ffmpeg -loglevel error -i "$work/ref.y4m" -c:v libx264 -crf 35 -preset fast "$work/dis.mkv"
ffmpeg -loglevel error -i "$work/dis.mkv" -pix_fmt yuv420p "$work/dis.y4m"
./build/src/cli/vmafx score -r "$work/ref.y4m" -d "$work/dis.y4m" --json -o "$work/report.json"
echo "report: $(grep -c frameNum "$work/report.json") frames scored (JSON written and removed with the sample)"
