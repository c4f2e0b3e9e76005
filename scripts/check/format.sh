#!/usr/bin/env bash
# Enforces the repository's .clang-format on every tracked C file, so layout never shows up as
# noise in a review diff and nobody has to argue about it. Reports the lines clang-format would
# change; fix with `clang-format -i FILE` (or `make format` for the whole tree).
set -euo pipefail
cd "$(dirname "$0")/../.."

# Versions format differently; the tree follows clang-format 14 (scripts/install-deps.sh).
clang_format=${CLANG_FORMAT:-$(command -v clang-format-14 || echo clang-format)}
if ! command -v "$clang_format" >/dev/null; then
  echo "scripts/check/format.sh:1: $clang_format is not installed (scripts/install-deps.sh)"
  exit 1
fi

mapfile -t files < <(git ls-files '*.c' '*.h')
[ ${#files[@]} -gt 0 ] || exit 0

# clang-format prints `file:line:col: error: code should be clang-formatted`, and the offending
# source plus a caret under it; keep one `file:line: message` per line it would change.
set +e
out=$("$clang_format" --dry-run -Werror "${files[@]}" 2>&1)
rc=$?
set -e
msgs=$(printf '%s\n' "$out" | sed -n 's/^\([^:]*\):\([0-9]*\):[0-9]*: error: code should be clang-formatted.*/\1:\2: not clang-formatted (clang-format -i \1)/p' | uniq)
if [ -n "$msgs" ]; then
  printf '%s\n' "$msgs"
  exit 1
fi
if [ $rc -ne 0 ]; then
  # some other failure (a bad .clang-format, an unreadable file): show it as it came
  printf '%s\n' "$out"
  exit 1
fi
