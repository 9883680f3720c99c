#!/usr/bin/env bash
# A short libFuzzer run of every fuzz target (fuzz/fuzz_*.c) with clang, ASan and UBSan.
# New inputs go to /tmp/ra-fuzz/<input> (never into the committed corpus); crashes to
# /tmp/ra-fuzz/crash-<input>-*. Exit 1 on the first crash. See fuzz/README.md.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh test
cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DRA_FUZZ=ON -DRA_BUILD_TESTS=OFF \
      -DRA_BUILD_BENCH=OFF >/dev/null
targets=()
for f in fuzz/fuzz_*.c; do t=$(basename "$f" .c); targets+=("$t"); done
cmake --build build/fuzz -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}" >/dev/null
for t in "${targets[@]}"; do
  input=${t#fuzz_}
  mkdir -p "/tmp/ra-fuzz/$input"
  echo "== $t: ${secs} s =="
  "./build/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="/tmp/ra-fuzz/crash-$input-" "/tmp/ra-fuzz/$input" "fuzz/corpus/$input" 2>&1 |
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
  if ls /tmp/ra-fuzz/crash-"$input"-* >/dev/null 2>&1; then
    echo "fuzz: $t found a crash: $(ls /tmp/ra-fuzz/crash-"$input"-* | head -n 1)" >&2
    exit 1
  fi
done
echo "fuzz: no crash in ${#targets[@]} targets, ${secs} s each"
