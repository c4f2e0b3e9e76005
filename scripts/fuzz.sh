#!/usr/bin/env bash
# Fuzzing, as CI runs it (.ci/run, `make fuzz`): builds the libFuzzer targets with clang into
# build-fuzz (-DCE_LIBFUZZER=ON: the code under test instrumented, with ASan and UBSan), replays
# every corpus (tests/fuzz/corpus/<target>/) through them, then fuzzes each target for
# FUZZ_SECONDS (default 20) starting from a temporary copy of its corpus, so that nothing is
# written into the repository. A crash, leak, timeout or sanitizer report fails the script; the
# input that caused it is kept under <build>/fuzz-artifacts/. The runs start from a fixed seed
# (FUZZ_SEED, default 1) and stop at the number of inputs tests/fuzz/runs.txt gives (or the time,
# whichever comes first), so that CI repeats what passed here and never goes past it; FUZZ_SEED=0 lets libFuzzer pick
# one, for a fresh look (`FUZZ_SEED=0 FUZZ_SECONDS=600 make fuzz`); every finding then goes into
# the corpus with its fix.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-20}
seed=${FUZZ_SEED:-1}
jobs=${JOBS:-2}

CC=${FUZZ_CC:-clang} cmake -S . -B "$build" -DCE_LIBFUZZER=ON >/dev/null
cmake --build "$build" -j "$jobs" --target fuzz_all

# The replays are the fuzz-labelled CTest entries, here running the instrumented build.
(cd "$build" && ctest -L fuzz --output-on-failure -j "$jobs")

work=$(mktemp -d "${TMPDIR:-/tmp}/cevents-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

failed=()
for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  corpus="tests/fuzz/corpus/${name#fuzz_}"
  mkdir -p "$work/$name"
  cp -R "$corpus/." "$work/$name/"
  runs=-1
  if [ "$seed" != 0 ]; then
    runs=$(awk -v t="$name" '$1 == t {print $2}' tests/fuzz/runs.txt)
    runs=${runs:--1}
  fi
  echo "fuzz: $name for ${seconds}s (at most $runs inputs)"
  # -timeout: one input running this long is a hang, reported like a crash.
  if ! "$build/tests/$name" -max_total_time="$seconds" -runs="$runs" -timeout=10 -seed="$seed" \
      -artifact_prefix="$artifacts/$name-" "$work/$name" >"$work/$name.log" 2>&1; then
    tail -n 60 "$work/$name.log"
    failed+=("$name")
  else
    grep -E '^(Done|#[0-9]+ +DONE)' "$work/$name.log" | tail -n 1 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $artifacts)" >&2
  exit 1
fi
echo "fuzz: every target ran its inputs without a finding"
