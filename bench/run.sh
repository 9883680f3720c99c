#!/usr/bin/env bash
# Runs every benchmark (bench/bench_*.c) in a release build, with R's quadprog and cov() as peers
# in the same run. Usage: bench/run.sh   (installs missing Debian packages, including R, first)
# Each program also runs on its own with options: see bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh bench
targets=()
for src in bench/bench_*.c; do
  targets+=("$(basename "$src" .c)")
done
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DRA_BUILD_TESTS=OFF -DRA_BUILD_BENCH=ON >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build build/bench --target "${targets[@]}" -j "$jobs" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d), load average$(uptime | sed 's/.*load average//')"
for t in "${targets[@]}"; do
  echo
  echo "== $t =="
  "build/bench/bench/$t"
done
