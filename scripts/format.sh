#!/usr/bin/env bash
# clang-format with the repository's .clang-format over the C sources.
#   scripts/format.sh [--check] [FILE...]   report the files it would change and how many lines
#                                           (exit 1 if any); the default
#   scripts/format.sh --fix [FILE...]       rewrite them in place
# Without FILEs: every tracked .c/.h under src/, include/ and tests/ (tests/checkasm, tools).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
case "${1:-}" in
  --check) shift ;;
  --fix) mode=fix; shift ;;
  -h|--help) sed -n 2,6p "$0"; exit 0 ;;
esac
command -v clang-format >/dev/null || { echo "format.sh: clang-format not found (apt install clang-format)" >&2; exit 2; }

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h')
fi

if [ "$mode" = fix ]; then
  clang-format -i --style=file "${files[@]}"
  exit 0
fi

# one clang-format for every file (a process per file took 30 s): --dry-run names each place it
# would change; the lines it names are counted per file
diag=$(mktemp)
trap 'rm -f "$diag"' EXIT
clang-format --style=file --dry-run "${files[@]}" 2>"$diag" >/dev/null ||
  { echo "format.sh: clang-format failed:" >&2; grep -v 'code should be clang-formatted' "$diag" | head -5 >&2; exit 2; }
report=$(awk -F: '/: (warning|error): code should be clang-formatted/ {
                    if (!(($1 ":" $2) in seen)) { seen[$1 ":" $2] = 1; n[$1]++ } }
                  END { for (f in n) print f ": " n[f] " lines" }' "$diag" | sort)
total=0
changed=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  echo "$line"
  n=${line##*: }; n=${n% lines}
  total=$((total + n))
  changed=$((changed + 1))
done <<< "$report"
echo "format.sh: $changed of ${#files[@]} files, $total lines would change"
[ "$total" -eq 0 ]
