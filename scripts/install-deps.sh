#!/usr/bin/env bash
# Installs the Debian packages roboadvisor needs to build, test, fuzz and benchmark.
# cairo + fontconfig + fonts-noto-cjk draw the PDF statements (Chinese through Noto Sans CJK SC);
# libharfbuzz-dev (hb-subset) cuts Noto Sans CJK SC once per process to the catalogues' characters
# (src/io/stmt_font.c: cairo cannot reuse a font subset across documents and its CID-CFF subset
# of Noto keeps about 1 MB, compressed anew for every statement).
# Idempotent: installs only what is missing; does nothing (and needs no network) when all is there.
# Usage: scripts/install-deps.sh [build|test|bench]   (default: test, which includes build)
set -euo pipefail

what=${1:-test}
build_pkgs=(build-essential cmake pkg-config liblapacke-dev libopenblas-dev libjansson-dev
            libsqlite3-dev libpq-dev libsodium-dev libmicrohttpd-dev
            libcairo2-dev libfontconfig-dev libharfbuzz-dev fonts-noto-cjk fonts-dejavu-core)
# chromium, nodejs (+ npm below): the console's browser tests (tests/browser); poppler-utils:
# pdftoppm and pdftotext read the statements back in tests/cli/test_statements.sh
test_pkgs=(libcmocka-dev clang libclang-rt-14-dev postgresql sqlite3 curl python3-jsonschema
           chromium nodejs poppler-utils)
# R, quadprog and Rglpk (GLPK) are the independent peers in the benchmarks and the source of golden
# numbers (tests/golden/*/make_golden.R; the tests read the committed values and need no R);
# wrk loads the HTTP API (bench/bench_api.sh).
bench_pkgs=(r-base-core r-cran-quadprog r-cran-rglpk wrk)

pkgs=("${build_pkgs[@]}")
case "$what" in
  build) ;;
  test)  pkgs+=("${test_pkgs[@]}") ;;
  bench|all) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "install-deps.sh: unknown set \"$what\" (use build, test or bench)" >&2; exit 2 ;;
esac

# npm comes with some builds of nodejs (NodeSource's) and conflicts with Debian's package then
if [ "$what" != build ] && ! command -v npm >/dev/null; then pkgs+=(npm); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; refresh once, then install.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
