# The intraday monitor (docs/cli.md#monitor, docs/methodology.md#the-intraday-monitor) on a real
# SQLite book: a generated book of 4 clients on the real prices of ../shared/data, onboarded on
# 2020-02-19 and run with fills at the close to 2020-03-11. The snapshot of 2020-03-12 10:00 prices
# every security of the data at 80 % of its 2020-03-11 close (computed here with awk from the data
# file), so every account loses about a fifth of its invested value. What is checked, and where
# the expected values come from:
# - each crossing is suspended with its figures: loss = entrusted - value and loss >= 0.10 x
#   entrusted (the definition, docs/methodology.md#risk-limits), on the snapshot's prices;
# - the notifications are due at 14:30 UTC: 10:00 in New York under daylight-saving time (from
#   2020-03-08) plus 30 minutes;
# - the same --date and --at again does nothing and says so; a later snapshot of the day does not
#   evaluate the suspended accounts again nor notify twice;
# - bad input: the snapshot's errors name file, line and column; --at off the cadence is refused;
# - check and audit verify are clean after it all.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO

count() { local n=0; while "$JG" "$1[$n]" <"$TMP/out" >/dev/null 2>&1; do n=$((n + 1)); done; echo "$n"; }

B="$TMP/book.db"
run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$TMP/key" --clients 4 \
  --from 2019-02-20 --to 2020-02-19
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
# the single stage (--stages 1): this scenario's expected trades were derived on its models
run 0 "$RA" models build --stages 1 --db "$B" --date 2020-02-19
run 0 "$RA" onboard --db "$B" --generate 4 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2020-02-19
run 0 "$RA" run-day --db "$B" --date 2020-02-20 --to 2020-03-11 --execute close

# the snapshot: 80 % of each 2020-03-11 close, six decimals
awk -F, 'NR == 1 { for (i = 2; i <= NF; i++) t[i] = $i; next }
         $1 == "2020-03-11" { print "ticker,price,time";
           for (i = 2; i <= NF; i++) if ($i != "" && t[i] != "") printf "%s,%.6f,10:00\n", t[i], 0.8 * $i }' \
  "$DATA/av_etf_close.csv" >"$TMP/snap.csv"
[ "$(wc -l <"$TMP/snap.csv")" -gt 10 ] && ok || bad "snapshot not written"

# bad input first: nothing is written
printf 'ticker,price\nVTI,abc\n' >"$TMP/bad.csv"
run 1 "$RA" monitor --db "$B" --date 2020-03-12 --at 10:00 --snapshot "$TMP/bad.csv"
err_has "bad.csv:2:2 (price)"
printf 'ticker,price\nVTI,10\nVTI,11\n' >"$TMP/dup.csv"
run 1 "$RA" monitor --db "$B" --date 2020-03-12 --at 10:00 --snapshot "$TMP/dup.csv"
err_has "dup.csv:3:1 (ticker)"
err_has "ticker VTI appears twice (also line 2)"
run 2 "$RA" monitor --db "$B" --date 2020-03-12 --at 10:05 --snapshot "$TMP/snap.csv"
err_has "--at must be a multiple of 10 minutes"
run 2 "$RA" monitor --db "$B" --date 2020-03-12
err_has "--snapshot FILE is required"

run 0 "$RA" monitor --db "$B" --date 2020-03-12 --snapshot "$TMP/snap.csv" --format json
[ "$(jget .at)" = 10:00 ] && ok || bad "--at from the snapshot's time column"
[ "$(jget .already_done)" = false ] && ok || bad "first run already done"
crossed=$(jget .loss_limits_crossed)
[ "$crossed" -ge 1 ] && ok || bad "nobody crossed at a 20 % fall"
[ "$(jget .unpriced)" -ge 0 ] && [ "$(jget .priced)" -ge 10 ] && ok || bad "priced count"
run 0 "$RA" suspensions list --db "$B" --format json
[ "$(count .suspensions)" = "$crossed" ] && ok || bad "suspensions list has not $crossed"
ent=$(jget '.suspensions[0].entrusted'); val=$(jget '.suspensions[0].value')
loss=$(jget '.suspensions[0].loss'); acct=$(jget '.suspensions[0].account')
[ "$(jget '.suspensions[0].date')" = 2020-03-12 ] && ok || bad "suspension date"
close "$loss" "$(awk -v e="$ent" -v v="$val" 'BEGIN{printf "%.2f", e - v}')" 0.001 "loss = entrusted - value"
awk -v l="$loss" -v e="$ent" 'BEGIN{exit !(l >= 0.10 * e)}' && ok || bad "loss $loss below 10 % of $ent"
run 0 "$RA" notifications list --db "$B" --account "$acct" --format json
[ "$(count .notifications)" = 2 ] && ok || bad "not 2 notifications for $acct"
[ "$(jget '.notifications[0].due')" = 2020-03-12T14:30:00Z ] && ok || bad "due 30 minutes after 10:00 EDT"
run 0 "$RA" notifications list --db "$B" --format json
notes=$(count .notifications)

# the same snapshot time again: nothing
run 0 "$RA" monitor --db "$B" --date 2020-03-12 --at 10:00 --snapshot "$TMP/snap.csv"
out_has "already done"
run 0 "$RA" monitor --db "$B" --date 2020-03-12 --at 10:00 --snapshot "$TMP/snap.csv" --format json
[ "$(jget .already_done)" = true ] && ok || bad "second run not already done"
# a later snapshot: the suspended accounts are not evaluated, nobody is notified twice
run 0 "$RA" monitor --db "$B" --date 2020-03-12 --at 10:10 --snapshot "$TMP/snap.csv" --format json
[ "$(jget .suspended_before)" = "$crossed" ] && ok || bad "suspended accounts evaluated again"
[ "$(jget .loss_limits_crossed)" = 0 ] && ok || bad "crossed again at 10:10"
run 0 "$RA" notifications list --db "$B" --format json
[ "$(count .notifications)" = "$notes" ] && ok || bad "notified twice"

run 0 "$RA" check --db "$B"
run 0 "$RA" audit verify --db "$B"

# kill -9 during monitor: a book of 30 clients run to 2020-03-11, every mandate with rule R3
# (a loss of 3 % or more reduces equity to 20 %), a snapshot at 88 % of the 2020-03-11 closes:
# some accounts cross their loss limit (suspended, notified), the others fire R3 (proposals,
# orders for the discretionary ones). One account a transaction (--batch 1) so that a kill can
# fall between any two; the moments are drawn uniformly over the clean run's measured duration
# (and shrink when a run ended before its kill). The run finished by running it again has the
# same records as the run done once, none twice (compared row by row below, and the audit records
# per entity and action), and check and audit verify are clean.
K="$TMP/kill.db"
run 0 "$RA" generate-book --db "$K" --data "$DATA" --key-file "$TMP/key2" --clients 30 \
  --from 2019-02-20 --to 2020-02-19
ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key2")
# the single stage (--stages 1): this scenario's expected trades were derived on its models
run 0 "$RA" models build --stages 1 --db "$K" --date 2020-02-19
run 0 "$RA" onboard --db "$K" --generate 30 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2020-02-19
run 0 "$RA" run-day --db "$K" --date 2020-02-20 --to 2020-03-11 --execute close
run 0 "$RA" rules set R3 --db "$K" --when 'loss>=0.03' --then 'reduce:equity=0.2'
for a in $(sqlite3 "$K" "SELECT code FROM accounts ORDER BY code"); do
  "$RA" mandate set "$a" rules=R3 --db "$K" --by cli-test --reason "intraday rule" >/dev/null \
    || bad "mandate set $a"
done
awk -F, 'NR == 1 { for (i = 2; i <= NF; i++) t[i] = $i; next }
         $1 == "2020-03-11" { print "ticker,price";
           for (i = 2; i <= NF; i++) if ($i != "" && t[i] != "") printf "%s,%.6f\n", t[i], 0.88 * $i }' \
  "$DATA/av_etf_close.csv" >"$TMP/snap88.csv"
cp "$K" "$TMP/once.db"
t0=$(date +%s%N)
run 0 "$RA" monitor --db "$TMP/once.db" --date 2020-03-12 --at 11:00 --snapshot "$TMP/snap88.csv" \
  --batch 1 --format json
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(jget .rules_fired)" -ge 1 ] && [ "$(jget .proposals)" -ge 1 ] && [ "$(jget .loss_limits_crossed)" -ge 1 ] \
  && ok || bad "the kill scenario needs firings, proposals and crossings"
fracs=$(awk -v seed="$RANDOM" 'BEGIN{srand(seed); for (i = 0; i < 100; i++) printf "%.4f\n", rand() * 0.8}')
killed=0 tries=0
for f in $fracs; do
  [ "$killed" -ge 10 ] && break
  tries=$((tries + 1))
  at=$(awk -v f="$f" -v m="$ms" 'BEGIN{printf "%.3f", f * m / 1000}')
  "$RA" monitor --db "$K" --date 2020-03-12 --at 11:00 --snapshot "$TMP/snap88.csv" --batch 1 \
    >/dev/null 2>&1 &
  pid_run=$!
  sleep "$at"
  if kill -9 "$pid_run" 2>/dev/null; then killed=$((killed + 1)); else ms=$((ms * 4 / 5 + 1)); fi
  wait "$pid_run" 2>/dev/null
done
[ "$killed" -ge 10 ] && ok || bad "only $killed of $tries runs were killed while running (a clean run takes $ms ms)"
run 0 "$RA" monitor --db "$K" --date 2020-03-12 --at 11:00 --snapshot "$TMP/snap88.csv" --batch 1 --format json
for db in "$K" "$TMP/once.db"; do
  sqlite3 "$db" "SELECT a.code, x.day, x.rule, x.at_minute, x.price, x.value_minor, x.observed
                 FROM rule_firings x JOIN accounts a ON a.id = x.account_id ORDER BY 1, 2, 3;
                 SELECT a.code, x.day, x.kind, x.value_minor, x.loss_minor, x.orders_cancelled
                 FROM suspensions x JOIN accounts a ON a.id = x.account_id ORDER BY 1, 2;
                 SELECT code, due_at, message FROM notifications ORDER BY code;
                 SELECT code, status, value_minor FROM proposals ORDER BY code;
                 SELECT p.code, t.n, t.side, t.qty_micro, t.price, t.reasons FROM proposal_trades t
                   JOIN proposals p ON p.id = t.proposal_id ORDER BY 1, 2;
                 SELECT code, qty_micro, status FROM orders ORDER BY code;
                 SELECT day, at_minute, prices, accounts, firings, proposals, orders, suspended,
                   finished FROM monitor_runs;
                 SELECT entity, action, COUNT(*) FROM audit_log WHERE entity IN
                   ('risk', 'proposal', 'monitor') GROUP BY 1, 2 ORDER BY 1, 2;" >"$db.dump" ||
    bad "dump of $db"
done
cmp -s "$K.dump" "$TMP/once.db.dump" && ok || { bad "records differ after the kills"; diff "$K.dump" "$TMP/once.db.dump" | head -20 >&2; }
grep -q "|630|" "$K.dump" || grep -q "|660|" "$K.dump" && ok || bad "no intraday firing in the dump"
run 0 "$RA" check --db "$K"
run 0 "$RA" audit verify --db "$K"

min_checks 35
finish
