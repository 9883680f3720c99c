#!/usr/bin/env bash
# Client statements in batch (issue 16, bench/README.md#statements): builds a demo book (generated
# clients on the real prices in ../shared/data, onboarded, fees, run-day over a quarter) once in
# BOOK (default /tmp/bench_statements/book.db, kept), then times bench_statements in English and
# Chinese on 2 threads. Usage: bench/bench_statements.sh [CLIENTS (default 5750: about 10,000
# accounts)] [BUILD_DIR (default build/dev)]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-5750}
build=${2:-build/dev}
ra=$build/roboadvisor
dir=/tmp/bench_statements
book=$dir/book-$clients.db
data=$(cd .. && pwd)/shared/data
export ROBOADVISOR_USER=bench ROBOADVISOR_FIRM=DEMO
mkdir -p "$dir"
if [ ! -s "$book.done" ]; then
  rm -f "$book" "$book-wal" "$book-shm" "$book.key"
  $ra generate-book --db "$book" --data "$data" --key-file "$book.key" --clients "$clients" \
    --from 2019-06-10 --to 2019-12-10 >/dev/null
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$book.key")
  $ra models build --stages 1 --db "$book" --date 2019-12-10 >/dev/null
  $ra onboard --db "$book" --generate "$clients" --seed 3 \
    --questionnaire examples/questionnaire/default.json --date 2019-12-10 >/dev/null
  $ra fees schedule set STD --db "$book" --tiers "0-100000:50,100000-:25" --monthly 5 \
    --reason bench --default >/dev/null
  $ra run-day --db "$book" --date 2019-12-11 --to 2020-03-31 --execute close --threads 2 >/dev/null
  $ra fees bill --db "$book" --to 2020-03-31 >/dev/null
  date -u >"$book.done"
fi
for lang in en zh-CN; do
  "$build/bench/bench_statements" --db "$book" --key-file "$book.key" --firm DEMO \
    --from 2020-01-01 --to 2020-03-31 --threads 2 --lang "$lang" --peer 200
done
