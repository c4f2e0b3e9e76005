#!/usr/bin/env bash
# Runs every structure check under scripts/check/ (`make check`, and .ci/run before the tests):
# the problems that erode the layout slowly, one commit at a time, fail the build instead.
# Each check prints `file:line: message` per problem; all checks run even when one fails, so a
# single run shows everything. Exit status: 0 when all pass.
set -uo pipefail
cd "$(dirname "$0")"

checks=(
  format.sh     # the tree matches .clang-format
  banned.py     # no atoi, strcpy, sprintf, gets, strtok
  funclen.py    # no function body over 150 lines
  includes.py   # includes run one way (docs/DESIGN.md section 5), no header cycles
  deadfuncs.py  # no function that nothing uses
)

failed=()
for c in "${checks[@]}"; do
  if [[ $c == *.py ]]; then
    python3 "./$c" || failed+=("$c")
  else
    bash "./$c" || failed+=("$c")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "check: FAILED: ${failed[*]} (of ${#checks[@]} checks, scripts/check/)" >&2
  exit 1
fi
echo "check: all ${#checks[@]} checks passed" >&2
