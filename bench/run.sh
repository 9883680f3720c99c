#!/usr/bin/env bash
# Runs every benchmark in a release build, with R's quadprog and cov() as peers in the same run.
# Usage: bench/run.sh          (installs missing Debian packages, including R, first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh bench
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DRA_BUILD_TESTS=OFF -DRA_BUILD_BENCH=ON >/dev/null
cmake --build build/bench -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
for b in build/bench/bench_*; do
  [ -x "$b" ] || continue
  echo
  echo "== $(basename "$b") =="
  "$b"
done
