#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, clang + ASan + UBSan, into build-fuzz) and runs
# each for a bounded time on its corpus and dictionary, then replays the saved findings
# (tests/fuzz/regressions/HARNESS/*). Prints one line per harness: executions, coverage,
# corpus size, findings; exits 1 when anything was found or a regression input fails.
#   scripts/fuzz.sh [-t SECONDS] [-s SEED -r RUNS] [HARNESS...]   (default 30 s each, every harness)
# -s/-r make a run repeatable (libFuzzer's -seed and -runs; -t still caps the time): the test
# suite uses them, so that a run that passed here passes the same way elsewhere.
# A long run: scripts/fuzz.sh -t 3600 uri. Findings land in build-fuzz/findings/HARNESS/.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=30
seed=; runs=
while [ $# -gt 0 ]; do
  case $1 in
    -t) secs=$2; shift 2 ;;
    -s) seed=$2; shift 2 ;;
    -r) runs=$2; shift 2 ;;
    *) break ;;
  esac
done
all=(y4m model jobspec tokens rcconf uri http)
harnesses=("${@:-${all[@]}}")
[ $# -eq 0 ] && harnesses=("${all[@]}")
build=build-fuzz

if [ ! -f "$build/build.ninja" ]; then
  CC=clang ./scripts/setup.sh "$build" -Dfuzzing=true -Dlibvmaf_compat=false -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
shared=$(cd .. && pwd)/shared

# seeds made from ../shared (never copied into the repository): y4m headers and the first
# bytes of frames of the conformance pairs, and the model files
seed_from_shared() {
  local h=$1 dir=$2
  case $h in
    y4m)
      for xz in "$shared"/conformance/*/ref.y4m.xz; do
        [ -f "$xz" ] || continue
        { printf '\0\0\0'; xz -dc "$xz" 2>/dev/null | head -c 2048; } > "$dir/$(basename "$(dirname "$xz")")"
      done ;;
    model)
      for m in "$shared"/models/*.json; do
        [ -f "$m" ] || continue
        { printf '\0'; cat "$m"; } > "$dir/$(basename "$m")"
      done ;;
  esac
}

total_findings=0
for h in "${harnesses[@]}"; do
  bin=$build/tests/fuzz/fuzz_$h
  [ -x "$bin" ] || { echo "fuzz: no harness $h"; exit 1; }
  work=$build/corpus/$h
  findings=$build/findings/$h
  mkdir -p "$work" "$findings"
  seed_from_shared "$h" "$work"
  dict=tests/fuzz/dict/$h.dict
  log=$build/fuzz-$h.log
  "$bin" "$work" "tests/fuzz/corpus/$h" ${dict:+$( [ -f "$dict" ] && echo "-dict=$dict")} \
    ${seed:+-seed=$seed} ${runs:+-runs=$runs} -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  corp=$(ls "$work" | wc -l)
  found=$(ls "$findings" | wc -l)
  # replay the saved findings of earlier runs: each must now pass
  reg=0
  if [ -d "tests/fuzz/regressions/$h" ]; then
    for f in tests/fuzz/regressions/"$h"/*; do
      [ -f "$f" ] || continue
      "$bin" "$f" >"$log.regress" 2>&1 || { reg=$((reg + 1)); echo "fuzz: $h: regression input $f fails:"; grep -E 'property failed|ERROR|runtime error' "$log.regress" | head -n 3; }
    done
  fi
  printf 'fuzz %-8s %4ss  executions %-9s cov %-6s ft %-6s corpus %-5s findings %s  regressions failing %s\n' \
    "$h" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$found" "$reg"
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    grep -E 'property failed|ERROR: |runtime error' "$log" | head -n 5 | sed "s/^/fuzz: $h: /"
  fi
  total_findings=$((total_findings + found + reg + (rc != 0 && found == 0)))
done
[ "$total_findings" -eq 0 ]
