# Scale-out of the intraday monitor (docs/cli.md#monitor): several `monitor --worker` processes
# share one PostgreSQL database and claim batches of households as `run-day --worker` does. A
# generated book of 30 clients, run to 2020-03-11, every mandate with rule R3 (a loss of 3 % or
# more reduces equity to 20 %), is copied (a second database from the first as its template); a
# snapshot at 88 % of the 2020-03-11 closes makes some accounts cross their loss limit and fires R3
# on others. On the copy the monitor runs once, the ordinary way; on the book two workers run it
# concurrently (batches of 2 accounts). The records (firings with their snapshot data,
# suspensions, notifications, proposals with their trades, orders, the run's record, the audit
# records per entity and action) equal the single run's, row by row; every batch is done; check
# and audit verify are clean. Skipped with a note when no PostgreSQL server can be started.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO

pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
elif [ -z "$pg_url" ]; then
  echo "PostgreSQL not started, the monitor workers' test skipped: $(tail -n 1 "$TMP/pg.log")"
  ok; min_checks 1; finish; exit $?
fi
base=${pg_url%/*}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
db_w="mw_$$_$RANDOM"; db_s="mone_$$_$RANDOM"
"$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_w" && ok || bad "create database"
W="$base/$db_w"; S="$base/$db_s"

run 0 "$RA" generate-book --db "$W" --data "$DATA" --key-file "$TMP/key" --clients 30 \
  --from 2019-02-20 --to 2020-02-19
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
run 0 "$RA" models build --db "$W" --date 2020-02-19
run 0 "$RA" onboard --db "$W" --generate 30 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2020-02-19
run 0 "$RA" run-day --db "$W" --date 2020-02-20 --to 2020-03-11 --execute close
run 0 "$RA" rules set R3 --db "$W" --when 'loss>=0.03' --then 'reduce:equity=0.2'
for a in $("$PSQL" -X -q -A -t -d "$W" -c "SELECT code FROM accounts ORDER BY code"); do
  "$RA" mandate set "$a" rules=R3 --db "$W" --by cli-test --reason "intraday rule" >/dev/null \
    || bad "mandate set $a"
done
"$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_s TEMPLATE $db_w" && ok || bad "copy the book"
awk -F, 'NR == 1 { for (i = 2; i <= NF; i++) t[i] = $i; next }
         $1 == "2020-03-11" { print "ticker,price";
           for (i = 2; i <= NF; i++) if ($i != "" && t[i] != "") printf "%s,%.6f\n", t[i], 0.88 * $i }' \
  "$DATA/av_etf_close.csv" >"$TMP/snap.csv"

run 0 "$RA" monitor --db "$S" --date 2020-03-12 --at 11:00 --snapshot "$TMP/snap.csv" --batch 2 --format json
[ "$(jget .rules_fired)" -ge 1 ] && [ "$(jget .proposals)" -ge 1 ] && [ "$(jget .loss_limits_crossed)" -ge 1 ] \
  && ok || bad "the scenario needs firings, proposals and crossings"
for i in 1 2; do
  "$RA" monitor --db "$W" --date 2020-03-12 --at 11:00 --snapshot "$TMP/snap.csv" --batch 2 \
    --worker --format json >"$TMP/w$i.json" 2>"$TMP/w$i.err" &
  eval "pid$i=\$!"
done
wait "$pid1" && ok || bad "worker 1: $(cat "$TMP/w1.err")"
wait "$pid2" && ok || bad "worker 2: $(cat "$TMP/w2.err")"
e1=$("$JG" .evaluated <"$TMP/w1.json"); e2=$("$JG" .evaluated <"$TMP/w2.json")
s1=$("$JG" .suspended_before <"$TMP/w1.json"); s2=$("$JG" .suspended_before <"$TMP/w2.json")
run 0 "$RA" monitor --db "$S" --date 2020-03-12 --at 11:00 --snapshot "$TMP/snap.csv" --format json
[ "$(jget .already_done)" = true ] && ok || bad "single run not finished"
# each account evaluated by exactly one worker
n_acc=$("$PSQL" -X -q -A -t -d "$S" -c "SELECT COUNT(*) FROM accounts")
[ $((e1 + e2 + s1 + s2)) = "$n_acc" ] && ok || bad "workers evaluated $e1 + $e2 (+ $s1 + $s2 suspended) of $n_acc accounts"
[ "$("$PSQL" -X -q -A -t -d "$W" -c "SELECT COUNT(*) FROM monitor_batches WHERE done = 0")" = 0 ] \
  && ok || bad "a batch not done"
[ "$("$PSQL" -X -q -A -t -d "$W" -c "SELECT COUNT(*) FROM monitor_batches")" -ge 2 ] \
  && ok || bad "fewer than 2 batches"
for u in W S; do
  "$PSQL" -X -q -A -t -d "${!u}" \
    -c "SELECT a.code, x.day, x.rule, x.at_minute, x.price, x.value_minor, x.observed FROM rule_firings x
        JOIN accounts a ON a.id = x.account_id ORDER BY 1, 2, 3" \
    -c "SELECT a.code, x.day, x.kind, x.value_minor, x.loss_minor, x.orders_cancelled FROM suspensions x
        JOIN accounts a ON a.id = x.account_id ORDER BY 1, 2" \
    -c "SELECT code, due_at, message FROM notifications ORDER BY code" \
    -c "SELECT code, status, value_minor FROM proposals ORDER BY code" \
    -c "SELECT p.code, t.n, t.side, t.qty_micro, t.price, t.reasons FROM proposal_trades t JOIN proposals p
        ON p.id = t.proposal_id ORDER BY 1, 2" \
    -c "SELECT code, qty_micro, status FROM orders ORDER BY code" \
    -c "SELECT day, at_minute, prices, accounts, firings, proposals, orders, suspended, finished FROM monitor_runs" \
    -c "SELECT entity, action, COUNT(*) FROM audit_log WHERE entity IN ('risk', 'proposal', 'monitor')
        GROUP BY 1, 2 ORDER BY 1, 2" >"$TMP/$u.dump" || bad "dump $u"
done
cmp -s "$TMP/W.dump" "$TMP/S.dump" && ok || { bad "the workers' records differ from one run's"; diff "$TMP/W.dump" "$TMP/S.dump" | head -20 >&2; }
[ "$(grep -c '|660|' "$TMP/W.dump")" -ge 1 ] && ok || bad "no firing of the 11:00 snapshot"
run 0 "$RA" check --db "$W"
run 0 "$RA" audit verify --db "$W"
"$PSQL" -q -d "$pg_url" -c "DROP DATABASE $db_w" -c "DROP DATABASE $db_s" >/dev/null 2>&1

min_checks 14
finish
