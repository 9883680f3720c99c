#!/usr/bin/env bash
# Builds roboadvisor twice (release, and AddressSanitizer + UndefinedBehaviorSanitizer) with
# warnings as errors and runs every test in both: unit and golden tests, command-line tests, and
# the replay of every fuzz corpus. Installs missing Debian packages first (idempotent).
# Usage: scripts/test.sh            (from anywhere; builds under build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh test

jobs=$(nproc 2>/dev/null || echo 2)
status=0
run_build() {
  local name=$1; shift
  echo "== ${name} build =="
  cmake -S . -B "build/${name}" -DRA_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "build/${name}" -j "${jobs}" >/dev/null
  echo "== ${name} tests =="
  # Sanitizers: abort on the first report; detect leaks.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "build/${name}" -j "${jobs}" --output-on-failure --timeout 600 || status=1
}
# The benchmarks are built (with warnings as errors) in the release build only: no test runs them.
run_build release -DCMAKE_BUILD_TYPE=Release -DRA_BUILD_BENCH=ON
run_build sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRA_SANITIZE=ON -DRA_BUILD_BENCH=OFF
if [ "$status" -ne 0 ]; then
  echo "scripts/test.sh: some tests failed (see above)"
fi
exit "$status"
