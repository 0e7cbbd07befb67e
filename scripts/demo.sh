#!/usr/bin/env bash
# The main job: installs what is missing, builds, makes a sample pair with ffmpeg (a test
# pattern and an x264 encode of it), then scores it the way a team shares the scorer: a
# controller (embedded SQLite, loopback only) and a node are started, the pair is submitted
# with `vmafx submit --wait`, and the VMAF it prints is checked against `vmafx score` run
# locally. Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh build
bin=./build/src/cli
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=24 -frames:v 48 -pix_fmt yuv420p "$work/ref.y4m"
ffmpeg -loglevel error -i "$work/ref.y4m" -c:v libx264 -crf 35 -preset fast "$work/dis.mkv"

# a free loopback port for the controller
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export VMAFX_CONTROLLER_ADDR=http://127.0.0.1:$port
"$bin/vmafx-controller" --listen "127.0.0.1:$port" --db "$work/jobs.db" 2>"$work/controller.log" &
pids+=($!)
"$bin/vmafx-node" --node-id demo-node 2>"$work/node.log" &
pids+=($!)
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$VMAFX_CONTROLLER_ADDR/readyz', timeout=1)" 2>/dev/null && break
  sleep 0.1
done

echo "controller on 127.0.0.1:$port (SQLite $work/jobs.db), one node; submitting the pair:"
out=$("$bin/vmafx" submit -r "$work/ref.y4m" -d "$work/dis.mkv" --label demo=1 --wait -q)
id=$(head -n 1 <<<"$out")
score=$(tail -n +2 <<<"$out")
echo "job $id: $score"
"$bin/vmafx" results "$id" --json -o "$work/report.json"
echo "report: $(grep -c frameNum "$work/report.json") frames scored (GET /v1/jobs/$id/frames)"
local_score=$("$bin/vmafx" score -q -r "$work/ref.y4m" -d "$work/dis.mkv")
[ "$score" = "$local_score" ] || { echo "demo: the job's score differs from vmafx score: $local_score" >&2; exit 1; }
echo "same as vmafx score run locally: $local_score"
