#!/usr/bin/env bash
# The HTTP API under load (issue 15; figures in bench/README.md#the-http-api): wrk on loopback
# against roboadvisor serve over a generated SQLite book, in one run:
#   ceiling   GET /v1/health: a fixed body, no key, no store (what the server itself costs)
#   summary   GET /v1/accounts/{id}: the account summary (key check, scope, value at the latest
#             closes, positions against target), a random account of the book per request
# and the ratio summary / ceiling. Usage:
#   bench/bench_api.sh [CLIENTS] [SECONDS] [CONNECTIONS]    (default 2000 clients, 10 s, 50)
# RA: the binary (default build/release/roboadvisor); THREADS: server threads (default 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
RA=${RA:-$root/build/release/roboadvisor}
CLIENTS=${1:-2000}; SECS=${2:-10}; CONNS=${3:-50}; THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench_api: wrk is missing (scripts/install-deps.sh bench)" >&2; exit 1; }
TMP=$(mktemp -d); SPID=
trap '[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null; rm -rf "$TMP"' EXIT
export ROBOADVISOR_USER=bench ROBOADVISOR_FIRM=DEMO
B="$TMP/book.db"
t0=$(date +%s)
"$RA" generate-book --db "$B" --data "$root/../shared/data" --key-file "$TMP/key" \
  --clients "$CLIENTS" --from 2019-06-10 --to 2019-12-10 >/dev/null
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
"$RA" models build --db "$B" --date 2019-12-10 >/dev/null
"$RA" onboard --db "$B" --generate "$CLIENTS" --seed 3 \
  --questionnaire "$root/examples/questionnaire/default.json" --date 2019-12-10 >/dev/null
K=$("$RA" keys create --db "$B" --role admin)
n_acc=$(sqlite3 "$B" "SELECT COUNT(*) FROM accounts")
echo "book: $CLIENTS clients, $n_acc accounts ($(( $(date +%s) - t0 )) s to build)"
"$RA" serve --db "$B" --listen 127.0.0.1:0 --threads "$THREADS" --rate 1e9 --burst 1e9 \
  2>"$TMP/serve.log" &
SPID=$!
for _ in $(seq 100); do grep -q '"port"' "$TMP/serve.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$(grep -o '"port":[0-9]*' "$TMP/serve.log" | cut -d: -f2)"
sqlite3 "$B" "SELECT code FROM accounts ORDER BY random() LIMIT 1000" >"$TMP/accounts"
{
  echo 'local codes = {}'
  while read -r c; do echo "codes[#codes + 1] = \"$c\""; done <"$TMP/accounts"
  echo 'math.randomseed(20261205)'
  echo "wrk.headers[\"Authorization\"] = \"Bearer $K\""
  echo 'request = function() return wrk.format("GET", "/v1/accounts/" .. codes[math.random(#codes)]) end'
} >"$TMP/summary.lua"
# wrk's own threads: 1 (the machine has 2 cores, the server takes the others)
measure() { # NAME ARGS...: prints "NAME req/s p99 errors"
  local name=$1; shift
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$@" >"$TMP/$name.out" 2>&1
  local rps p99 non2xx errs
  rps=$(awk '/^Requests\/sec/ {print $2}' "$TMP/$name.out")
  p99=$(awk '$1 == "99%" {print $2}' "$TMP/$name.out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$TMP/$name.out"); non2xx=${non2xx:-0}
  errs=$(awk '/Socket errors/ {print $0}' "$TMP/$name.out")
  printf '%-8s %10s req/s  p99 %-8s non-2xx %s %s\n' "$name" "$rps" "$p99" "$non2xx" "$errs"
  echo "$rps" >"$TMP/$name.rps"
}
echo "wrk -t1 -c$CONNS -d${SECS}s, server --threads $THREADS, $(nproc) cores"
measure ceiling "$URL/v1/health"
measure summary -s "$TMP/summary.lua" "$URL"
awk -v s="$(cat "$TMP/summary.rps")" -v c="$(cat "$TMP/ceiling.rps")" \
  'BEGIN {printf "ratio summary/ceiling %.2f\n", s / c}'
