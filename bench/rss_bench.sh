#!/usr/bin/env bash
# Peak RSS of `vmafx score` on 1080p 8-bit at 1 thread for a 30- and a 300-frame clip: the
# clips stream through named pipes from ffmpeg (never stored), so the number is vmafx's own.
# usage: bench/rss_bench.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
vmafx=$build/src/cli/vmafx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for frames in 30 300; do
  mkfifo "$work/ref.y4m" "$work/dis.y4m"
  ffmpeg -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=24" -frames:v "$frames" \
    -pix_fmt yuv420p -f yuv4mpegpipe -y "$work/ref.y4m" &
  ffmpeg -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=24" -frames:v "$frames" \
    -vf "noise=alls=12:allf=t" -pix_fmt yuv420p -f yuv4mpegpipe -y "$work/dis.y4m" &
  /usr/bin/time -f "%M" -o "$work/rss" "$vmafx" score -q --threads 1 -r "$work/ref.y4m" -d "$work/dis.y4m" >/dev/null
  wait
  echo "1920x1080 8-bit, 1 thread, $frames frames: peak RSS $(( $(cat "$work/rss") / 1024 )) MiB"
  rm -f "$work/ref.y4m" "$work/dis.y4m"
done
