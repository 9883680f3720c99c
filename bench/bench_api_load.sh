#!/usr/bin/env bash
# The HTTP API under issue 15's load (figures in bench/README.md#the-http-api-under-load): wrk
# on loopback against roboadvisor serve over a book of 100,000 accounts, in one run:
#   ceiling       GET /v1/health: a fixed body, no key, no store (the server's own cost)
#   summary-hot   GET /v1/accounts/{id}: 1,000 accounts drawn once, then at random (the answers
#                 come from the server's cache once each thread has seen them)
#   summary-all   the same over all 100,000 accounts at random (mostly computed: the cold path)
#   each at 50 and at 1,000 connections, against the peer (bench_api_peer, same run, same book:
#   a bare libmicrohttpd server with the same options answering a fixed body, peer-fixed, and
#   one read transaction looking one account up, peer-row), then
#   write-mix     40 % deposits (POST .../deposits, a new Idempotency-Key each), 40 % approvals of
#                 the advisory accounts' pending proposals (each approved once), 20 % summaries,
#                 at 50 and at 1,000 connections; afterwards the writes the server acknowledged
#                 (its /metrics) are counted in the book: none may be missing.
# The book: bench_cycle's (bench/bench_book.h: 20 ETFs, five models, accounts opened in bulk with
# 8 lots, one day run), then a second day whose closes move a quarter of the funds up 40 %, run
# with fills at the close, so that the advisory accounts (one in ten) have proposals waiting.
# Usage:
#   bench/bench_api_load.sh [SECONDS] [ACCOUNTS]        (default 10 s a measure, 100000)
#   PG=postgresql://... bench/bench_api_load.sh ...     the same on PostgreSQL: PG names an empty
#                        database (tests/support/pg_server.sh start DIR prints a server's URL)
#                        that bench_cycle --pg fills; the peer looks the row up through libpq;
#                        PG_REUSE=1 starts from the book an earlier run left in that database
# RA: the CLI (default build/release/roboadvisor); BENCH_CYCLE, BENCH_PEER (default
# build/release/bench/bench_cycle, bench_api_peer); THREADS: server threads (default 2);
# BOOK=FILE keeps the book in FILE and starts from it when it exists (it takes about a minute to
# write). Each measure also prints the answering server's CPU per request (user + system, from
# /proc/PID/stat): unlike requests/s it hardly moves when other work shares the cores.
# wrk's scripts format every request once when they load (request() only picks one): wrk's own
# thread shares the two cores with the server, and a wrk.format per request cost it CPU.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
RA=${RA:-$root/build/release/roboadvisor}
BENCH_CYCLE=${BENCH_CYCLE:-$root/build/release/bench/bench_cycle}
BENCH_PEER=${BENCH_PEER:-$(dirname "$BENCH_CYCLE")/bench_api_peer}
SECS=${1:-10}; N=${2:-100000}; THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench_api_load: wrk is missing (scripts/install-deps.sh bench)" >&2; exit 1; }
TMP=$(mktemp -d); SPID=; PPID_=
trap '[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null; [ -n "$PPID_" ] && kill -TERM "$PPID_" 2>/dev/null; rm -rf "$TMP"' EXIT
# bench_book.h's firm and key (bench_key: byte i = i * 13 + 5)
export ROBOADVISOR_FIRM=BENCH ROBOADVISOR_USER=bench
ROBOADVISOR_KEY=$(for i in $(seq 0 31); do printf '%02x' $(( (i * 13 + 5) & 255 )); done)
export ROBOADVISOR_KEY
B="$TMP/book.db"
[ -n "${PG:-}" ] && B=$PG
sql() { if [ -n "${PG:-}" ]; then psql -X -q -At "$PG" -c "$1"; else sqlite3 "$B" "$1"; fi; }
t0=$(date +%s)
if [ -z "${PG:-}" ] && [ -n "${BOOK:-}" ] && [ -f "$BOOK" ]; then
  cp "$BOOK" "$B"
elif [ -n "${PG:-}" ] && [ "${PG_REUSE:-0}" = 1 ]; then
  "$RA" init --db "$B" >/dev/null # migrations of this build
else
  if [ -n "${PG:-}" ]; then
    "$BENCH_CYCLE" --pg "$PG" --accounts "$N" --workers 0 >"$TMP/cycle.log"
  else
    "$BENCH_CYCLE" --accounts "$N" --db "$B" --threads 2 >"$TMP/cycle.log"
  fi
  "$RA" init --db "$B" >/dev/null # migrations of this build
  { printf 'Date'; for i in $(seq 0 19); do printf ',E%02d' "$i"; done; printf '\n2021-01-06'
    for i in $(seq 0 19); do # bench_book.h's close_of(i), a quarter of the funds up 40 %
      c=$(( 100000000 + ((i * 7 % 11) - 5) * 600000 ))
      [ $((i % 4)) -eq 0 ] && c=$(( c * 14 / 10 ))
      printf ',%d.%06d' $((c / 1000000)) $((c % 1000000))
    done; printf '\n'; } >"$TMP/prices.csv"
  "$RA" import prices "$TMP/prices.csv" --db "$B" >/dev/null
  "$RA" run-day --date 2021-01-06 --execute close --threads 2 --db "$B" >/dev/null
  [ -z "${PG:-}" ] && [ -n "${BOOK:-}" ] && cp "$B" "$BOOK"
fi
K=$("$RA" keys create --db "$B" --role admin)
n_acc=$(sql "SELECT COUNT(*) FROM accounts")
# what an earlier run left (PG_REUSE): this run's writes are counted above it
dep_sql="SELECT COUNT(*) FROM txns WHERE external_id LIKE 'api-M50r%' OR external_id LIKE 'api-M1Kr%'"
app_sql="SELECT COUNT(*) FROM proposals WHERE decided_by LIKE 'key:%'"
dep_base=$(sql "$dep_sql"); app_base=$(sql "$app_sql")
sql "SELECT code FROM proposals WHERE status = 'pending' ORDER BY random()" >"$TMP/pending"
echo "book: $n_acc accounts, $(wc -l <"$TMP/pending") proposals pending ($(( $(date +%s) - t0 )) s to build)"
"$RA" serve --db "$B" --listen 127.0.0.1:0 --threads "$THREADS" --rate 1e9 --burst 1e9 \
  2>"$TMP/serve.log" &
SPID=$!
for _ in $(seq 100); do grep -q '"port"' "$TMP/serve.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$(grep -o '"port":[0-9]*' "$TMP/serve.log" | cut -d: -f2)"
grep '"listening"' "$TMP/serve.log"
"$BENCH_PEER" --db "$B" --port 0 --threads "$THREADS" 2>"$TMP/peer.log" &
PPID_=$!
for _ in $(seq 100); do grep -q '"port"' "$TMP/peer.log" 2>/dev/null && break; sleep 0.1; done
PEER="http://127.0.0.1:$(grep -o '"port":[0-9]*' "$TMP/peer.log" | cut -d: -f2)"
curl -sf "$PEER/row/A0000000" >/dev/null || { echo "bench_api_peer does not answer" >&2; exit 1; }
cat >"$TMP/hot.lua" <<EOF
math.randomseed(20261206)
wrk.headers["Authorization"] = "Bearer $K"
local codes = {}
for i = 1, 1000 do
  codes[i] = wrk.format("GET", string.format("/v1/accounts/A%07d", math.random(0, $n_acc - 1)))
end
request = function() return codes[math.random(#codes)] end
EOF
cat >"$TMP/row.lua" <<EOF
math.randomseed(20261206)
local codes = {}
for i = 1, 1000 do codes[i] = wrk.format("GET", string.format("/row/A%07d", math.random(0, $n_acc - 1))) end
request = function() return codes[math.random(#codes)] end
EOF
cat >"$TMP/all.lua" <<EOF
math.randomseed(20261207)
wrk.headers["Authorization"] = "Bearer $K"
local reqs = {}
for i = 1, $n_acc do reqs[i] = wrk.format("GET", string.format("/v1/accounts/A%07d", i - 1)) end
request = function() return reqs[math.random($n_acc)] end
EOF
# the write mix: each pending proposal approved once (then deposits take its share), a new
# Idempotency-Key per request (MIX tags them: one run's deposits are counted apart)
mix_lua() { # TAG FIRST LAST: approvals of lines FIRST..LAST of the pending list
  cat <<EOF
math.randomseed(20261208)
local pending = {}
for line in io.lines("$TMP/pending") do pending[#pending + 1] = line end
local next_p, last, n = $2, $3, 0
wrk.headers["Authorization"] = "Bearer $K"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local r = math.random(10)
  if r <= 4 and next_p <= last then
    local id = pending[next_p]; next_p = next_p + 1
    wrk.headers["Idempotency-Key"] = "$1-a" .. n
    return wrk.format("POST", "/v1/proposals/" .. id .. "/approve", nil, '{"reason":"load"}')
  elseif r <= 8 or next_p > last then
    wrk.headers["Idempotency-Key"] = "$1-d" .. n
    local acct = string.format("A%07d", math.random(0, $n_acc - 1))
    return wrk.format("POST", "/v1/accounts/" .. acct .. "/deposits", nil,
      '{"amount":"10.00","reference":"$1' .. n .. '"}')
  end
  wrk.headers["Idempotency-Key"] = nil
  return wrk.format("GET", string.format("/v1/accounts/A%07d", math.random(0, $n_acc - 1)))
end
EOF
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() { # NAME CONNS ARGS...: prints "NAME conns req/s p99 non-2xx errors server-CPU/request"
  local name=$1 conns=$2; shift 2
  local pid=$SPID; case $name in peer-*) pid=$PPID_ ;; esac
  local c0; c0=$(cpu_ticks "$pid")
  wrk -t1 -c"$conns" -d"${SECS}s" --timeout 10s --latency "$@" >"$TMP/$name.out" 2>&1
  local c1 reqs cpu; c1=$(cpu_ticks "$pid")
  reqs=$(awk '/requests in/ {print $1}' "$TMP/$name.out")
  cpu=$(awk -v t=$(( c1 - c0 )) -v n="${reqs:-0}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {if (n > 0) printf "%.1fus", t / hz / n * 1e6; else print "-"}')
  local rps p99 non2xx errs
  rps=$(awk '/^Requests\/sec/ {print $2}' "$TMP/$name.out")
  p99=$(awk '$1 == "99%" {print $2}' "$TMP/$name.out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$TMP/$name.out"); non2xx=${non2xx:-0}
  errs=$(awk '/Socket errors/ {sub(/^ */, ""); print}' "$TMP/$name.out"); errs=${errs:-"no socket errors"}
  printf '%-12s c=%-5s %10s req/s  p99 %-9s non-2xx %-5s server CPU/request %-9s %s\n' \
    "$name" "$conns" "$rps" "$p99" "$non2xx" "$cpu" "$errs"
  echo "$rps" >"$TMP/$name.rps"
  echo "$p99" >"$TMP/$name.p99"
}
to_ms() { awk '{v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.2f", v}'; }
metric() { # the server's count of route PATTERN answered STATUS
  curl -s "$URL/metrics" | awk -v r="$1" -v s="$2" \
    'index($0, "route=\"" r "\",status=\"" s "\"") {print $2; f = 1} END {if (!f) print 0}'
}
echo "wrk -t1 -d${SECS}s, server --threads $THREADS, $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t1 -c50 -d2s -s "$TMP/hot.lua" "$URL" >/dev/null 2>&1 # the hot set seen once by each thread
ratio() { awk -v a="$(cat "$TMP/$1.rps")" -v b="$(cat "$TMP/$2.rps")" -v x="$1" -v y="$2" \
  'BEGIN {printf "ratio %s / %s %.2f\n", x, y, a / b}'; }
for c in 50 1000; do
  measure "peer-fixed" "$c" "$PEER/fixed"
  measure "peer-row" "$c" -s "$TMP/row.lua" "$PEER"
  measure "ceiling" "$c" "$URL/v1/health"
  measure "summary-hot" "$c" -s "$TMP/hot.lua" "$URL"
  if [ "$c" = 50 ]; then # the p99 bar: three measures, their median
    p1=$(to_ms <"$TMP/summary-hot.p99")
    measure "summary-hot" "$c" -s "$TMP/hot.lua" "$URL"; p2=$(to_ms <"$TMP/summary-hot.p99")
    measure "summary-hot" "$c" -s "$TMP/hot.lua" "$URL"; p3=$(to_ms <"$TMP/summary-hot.p99")
    echo "summary-hot c=50 p99 of three measures: $p1 $p2 $p3 ms, median $(printf '%s\n' "$p1" "$p2" "$p3" | sort -g | sed -n 2p) ms"
  fi
  ratio ceiling peer-fixed; ratio summary-hot peer-row; ratio summary-hot ceiling
  measure "summary-all" "$c" -s "$TMP/all.lua" "$URL"
done
np=$(wc -l <"$TMP/pending")
# this run's tags: a deposit's reference is its external id, and one already in the book is the
# same deposit (the ledger's import is idempotent), so a rerun on a kept book (PG_REUSE) needs new ones
R=$(date +%s)
mix_lua "M50r$R" 1 $(( np / 2 )) >"$TMP/mix50.lua"; mix_lua "M1Kr$R" $(( np / 2 + 1 )) "$np" >"$TMP/mix1k.lua"
measure "write-mix" 50 -s "$TMP/mix50.lua" "$URL"
measure "write-mix" 1000 -s "$TMP/mix1k.lua" "$URL"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# every acknowledged write is in the book: read the server's counts once the requests wrk left
# in flight are answered (the /metrics request itself is one)
for _ in $(seq 300); do
  [ "$(curl -s "$URL/metrics" | awk '/^ra_http_in_flight/ {print $2}')" -le 1 ] && break; sleep 0.1
done
dep_ok=$(metric "/v1/accounts/{id}/deposits" 201); app_ok=$(metric "/v1/proposals/{id}/approve" 200)
replays=$(curl -s "$URL/metrics" | awk '/^ra_http_idempotent_replays_total/ {print $2}')
kill -TERM "$PPID_"; wait "$PPID_" || true; PPID_=
kill -TERM "$SPID"; wait "$SPID" || true; SPID=
dep_book=$(( $(sql "$dep_sql") - dep_base ))
app_book=$(( $(sql "$app_sql") - app_base ))
echo "deposits acknowledged $dep_ok, in the book $dep_book; approvals acknowledged $app_ok, in the book $app_book; replays $replays"
[ "$dep_ok" = "$dep_book" ] && [ "$app_ok" = "$app_book" ] && echo "no acknowledged write lost" \
  || { echo "LOST WRITES" >&2; exit 1; }
"$RA" check --db "$B" | tail -1
