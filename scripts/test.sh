#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the full suite on the release build,
# then the sanitizer build (ASan + UBSan) on the quick subset. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh build || exit 1
./scripts/setup.sh build-asan -Dbuildtype=debugoptimized -Db_sanitize=address,undefined || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

echo "== release build: all tests"
python3 tests/runner.py --build build | tee build/test-release.log
rel=${PIPESTATUS[0]}
echo "== sanitizer build: quick subset"
python3 tests/runner.py --build build-asan --quick | tee build-asan/test-asan.log
san=${PIPESTATUS[0]}

# one summary line over both runs
read -r p1 f1 s1 < <(tail -n 1 build/test-release.log | awk '{print $1, $3, $5 + 0}')
read -r p2 f2 s2 < <(tail -n 1 build-asan/test-asan.log | awk '{print $1, $3, $5 + 0}')
echo
echo "$((p1 + p2)) passed, $((f1 + f2)) failed, $((s1 + s2)) skipped"
[ "$rel" -eq 0 ] && [ "$san" -eq 0 ]
