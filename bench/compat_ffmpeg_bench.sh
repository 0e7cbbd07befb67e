#!/usr/bin/env bash
# FFmpeg's libvmaf filter on vmafx's libvmaf.so.3 against `vmafx score` on the same pair and,
# when a Netflix libvmaf 3.2.0 build tree is there, the same FFmpeg binary on Netflix's
# libvmaf.so.3 (one FFmpeg, two libraries: LD_LIBRARY_PATH picks). Wall time, fps and CPU time
# (user + sys) per run, best of RUNS.
#   bench/compat_ffmpeg_bench.sh [FRAMES] [THREADS] [RUNS]     (defaults 120 1 3)
# Needs the FFmpeg the tests build (python3 tests/runner.py --build build -k test_compat_ffmpeg);
# makes a 1080p testsrc2 pair (x264 CRF 35) with the system ffmpeg under build/bench-compat.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-120} threads=${2:-1} runs=${3:-3}
netflix=${VMAFX_LIBVMAF_BUILD:-../ref/libvmaf/build}/src
ff=$(ls build/compat-ffmpeg/ffmpeg-*/build/ffmpeg 2>/dev/null | head -1)
[ -x "$ff" ] || { echo "no FFmpeg with libvmaf: run tests/test_compat_ffmpeg.py first" >&2; exit 1; }
libdir=$(dirname "$(find build/compat-install -name libvmaf.so.3 | head -1)")
work=build/bench-compat; mkdir -p "$work"
ref=$work/ref_${frames}.y4m dis=$work/dis_${frames}.y4m
if [ ! -f "$dis" ]; then
  ffmpeg -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=24 -frames:v "$frames" -pix_fmt yuv420p "$ref"
  ffmpeg -v error -y -i "$ref" -c:v libx264 -crf 35 -preset fast "$work/dis.mkv"
  ffmpeg -v error -y -i "$work/dis.mkv" -pix_fmt yuv420p "$dis"
fi

measure() {   # label, command...: prints best wall, its fps and CPU seconds
  local label=$1 best= t=$work/time.txt; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S' -o "$t" "$@" >/dev/null 2>&1
    read -r e u s < "$t"
    if [ -z "$best" ] || awk "BEGIN{exit !($e < ${best%% *})}"; then best="$e $u $s"; fi
  done
  read -r e u s <<<"$best"
  awk -v l="$label" -v e="$e" -v u="$u" -v s="$s" -v n="$frames" \
    'BEGIN{printf "%-40s wall %6.2f s  %6.1f fps  cpu %6.2f s\n", l, e, n/e, u+s}'
}

lavfi="libvmaf=n_threads=$threads"
measure "ffmpeg -lavfi libvmaf (vmafx)" env LD_LIBRARY_PATH="$libdir" "$ff" -nostdin -i "$dis" -i "$ref" -lavfi "$lavfi" -f null -
if [ -e "$netflix/libvmaf.so.3" ]; then
  measure "ffmpeg -lavfi libvmaf (libvmaf 3.2.0)" env LD_LIBRARY_PATH="$netflix" "$ff" -nostdin -i "$dis" -i "$ref" -lavfi "$lavfi" -f null -
fi
measure "vmafx score" build/src/cli/vmafx score -r "$ref" -d "$dis" --threads "$threads"
echo "($frames frames 1920x1080, n_threads=$threads, best of $runs; $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
