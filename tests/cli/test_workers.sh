# Scale-out of the daily cycle (docs/cli.md#run-day, docs/methodology.md#the-daily-cycle):
# several `run-day --worker` processes share one PostgreSQL database and claim batches of
# households with FOR UPDATE SKIP LOCKED. A generated book of 40 clients is copied (a second
# database made from the first as its template); on the copy the days run once, the ordinary way;
# on the book three workers run each day concurrently (on day 2 one of them is killed with -9
# partway and a fourth finishes its batch). What is checked, the single run being the reference:
# - the proposals and orders (JSON of the commands, byte for byte), the day's transactions (the
#   fills, dividends) and the daily values (psql, every column) equal the single run's;
# - every account is done exactly once a day (one daily value each, none missing), every batch is
#   done, and the run is recorded as finished;
# - check and audit verify are clean: the workers' audit records form one valid chain;
# - a worker on a day already run the ordinary way claims nothing and leaves it finished.
# On SQLite --worker is the ordinary run (checked at the end). Skipped with a note when no
# PostgreSQL server can be started.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO

pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
elif [ -z "$pg_url" ]; then
  echo "PostgreSQL not started, the workers' test skipped: $(tail -n 1 "$TMP/pg.log")"
  ok; min_checks 1; finish; exit $?
fi
base=${pg_url%/*}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
db_w="wk_$$_$RANDOM"; db_s="one_$$_$RANDOM"
"$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_w" && ok || bad "create database"
W="$base/$db_w"; S="$base/$db_s"

run 0 "$RA" generate-book --db "$W" --data "$DATA" --key-file "$TMP/key" --clients 40 \
  --from 2018-12-10 --to 2019-12-10
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
run 0 "$RA" models build --db "$W" --date 2019-12-10
run 0 "$RA" onboard --db "$W" --generate 40 --seed 5 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
"$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_s TEMPLATE $db_w" && ok || bad "copy the book"

# rows of a day that must equal between the two databases, in a fixed order
day_rows() { # URL DAY(yyyy-mm-dd)
  local d; d=$(( ($(date -u -d "$2" +%s) / 86400) ))
  "$PSQL" -X -q -A -t -d "$1" -c "SELECT a.code, t.seq, t.external_id, t.kind, t.day, t.qty_micro, t.price,
      t.amount_minor, t.fees_minor, t.gain_minor FROM txns t JOIN accounts a ON a.id = t.account_id
      ORDER BY a.code, t.seq" -c "SELECT a.code, v.day, v.value_minor, v.cash_minor, v.flow_minor,
      v.twr, v.drift, v.max_dev, v.out_of_band, v.held_back FROM daily_values v JOIN accounts a ON
      a.id = v.account_id ORDER BY a.code, v.day" -c "SELECT a.code, l.lot_id, l.acquired, l.qty_micro,
      l.basis_minor FROM lots l JOIN accounts a ON a.id = l.account_id ORDER BY a.code, l.lot_id"
}
same_as_single() { # DAY: the book after the workers equals the copy after the single run
  local d=$1
  for u in W S; do
    "$RA" proposals list --db "${!u}" --format json >"$TMP/$u.proposals"
    "$RA" orders list --db "${!u}" --format json >"$TMP/$u.orders"
    day_rows "${!u}" "$d" >"$TMP/$u.rows"
  done
  cmp -s "$TMP/W.proposals" "$TMP/S.proposals" && ok || bad "$d: proposals differ from one run's"
  cmp -s "$TMP/W.orders" "$TMP/S.orders" && ok || bad "$d: orders differ from one run's"
  cmp -s "$TMP/W.rows" "$TMP/S.rows" && ok || bad "$d: transactions, daily values or lots differ: $(diff "$TMP/W.rows" "$TMP/S.rows" | head -3)"
  [ "$(grep -c '"id"' "$TMP/W.orders")" -gt 5 ] && ok || bad "$d: too few orders to compare"
  # every account done once, every batch done, the run finished
  local q; q=$("$PSQL" -X -q -A -t -d "$W" -c "SELECT (SELECT COUNT(*) FROM accounts) - (SELECT COUNT(*)
      FROM daily_values WHERE day = (SELECT MAX(day) FROM daily_values)), (SELECT COUNT(*) FROM
      cycle_batches WHERE done = 0), (SELECT COUNT(*) FROM cycle_batches WHERE day = (SELECT MAX(day)
      FROM daily_values)), (SELECT finished FROM cycle_runs WHERE day = (SELECT MAX(day) FROM
      daily_values))")
  [ "$q" = "0|0|$(cut -d'|' -f3 <<<"$q")|1" ] && [ "$(cut -d'|' -f3 <<<"$q")" -gt 3 ] && ok \
    || bad "$d: accounts missing, batches open or the run not finished: $q"
  run 0 "$RA" check --db "$W"
  run 0 "$RA" audit verify --db "$W"
}

# day 1: three workers at once
for i in 1 2 3; do
  "$RA" run-day --db "$W" --date 2019-12-11 --execute close --worker --batch 4 --format json \
    >"$TMP/w$i.json" 2>"$TMP/w$i.err" &
  eval "pid$i=$!"
done
for i in 1 2 3; do eval "wait \$pid$i" && ok || bad "worker $i failed: $(cat "$TMP/w$i.err")"; done
run 0 "$RA" run-day --db "$S" --date 2019-12-11 --execute close --batch 4
total=0
for i in 1 2 3; do total=$((total + $("$JG" .processed <"$TMP/w$i.json"))); done
n_acc=$("$JG" .accounts <"$TMP/w1.json")
[ "$total" = "$n_acc" ] && ok || bad "the workers processed $total accounts of $n_acc"
same_as_single 2019-12-11

# day 2: one worker killed partway (its open transaction rolled back: its batch free again),
# a fourth worker run afterwards finishes whatever is left
for i in 1 2 3; do
  "$RA" run-day --db "$W" --date 2019-12-12 --execute close --worker --batch 2 >/dev/null 2>&1 &
  eval "pid$i=$!"
done
sleep 0.$((RANDOM % 6 + 2)); kill -9 "$pid2" 2>/dev/null
for i in 1 2 3; do eval "wait \$pid$i" 2>/dev/null; done
run 0 "$RA" run-day --db "$W" --date 2019-12-12 --execute close --worker --batch 2
run 0 "$RA" run-day --db "$S" --date 2019-12-12 --execute close --batch 2
same_as_single 2019-12-12
# the finished day again: nothing is left to claim
run 0 "$RA" run-day --db "$W" --date 2019-12-12 --execute close --worker --format json
[ "$(jget .processed)" = 0 ] && ok || bad "a worker processed accounts of a finished day"

# a day run the ordinary way first: a worker finds nothing to plan or claim, and the run stays
# recorded as finished
run 0 "$RA" run-day --db "$W" --date 2019-12-13 --execute close
run 0 "$RA" run-day --db "$W" --date 2019-12-13 --execute close --worker --format json
[ "$(jget .processed)" = 0 ] && ok || bad "a worker processed accounts of a day run already"
fin=$("$PSQL" -X -q -A -t -d "$W" -c "SELECT finished FROM cycle_runs WHERE day = (SELECT MAX(day) FROM cycle_runs)")
[ "$fin" = 1 ] && ok || bad "the day run before the worker is no longer recorded as finished: $fin"

# SQLite: --worker is the ordinary run
B="$TMP/book.db"
run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$TMP/key2" --clients 5 \
  --from 2019-06-10 --to 2019-12-10
ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key2") run 0 "$RA" run-day --db "$B" --date 2019-12-11 --worker --format json
[ "$(jget .processed)" = "$(jget .accounts)" ] && ok || bad "sqlite --worker did not run the day"

"$PSQL" -X -A -t -d "$W" -c "SELECT day, worker, COUNT(*) FROM cycle_batches GROUP BY 1, 2 ORDER BY 1, 2" | sed "s/^/batches by worker: /"
"$PSQL" -q -d "$pg_url" -c "DROP DATABASE $db_s" -c "DROP DATABASE $db_w" >/dev/null 2>&1
min_checks 35
finish
