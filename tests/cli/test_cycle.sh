# The daily cycle end to end (docs/cli.md#run-day, docs/methodology.md#the-daily-cycle) on a real
# SQLite book: a generated demo book of 30 clients on the real prices in ../shared/data, models
# built and the clients onboarded on 2019-12-10, then run-day on the following trading days.
# What is checked, and where the expected values come from:
# - the pinned interface: options, exit codes, JSON keys (issue 12);
# - account show: value = cash + the holdings' values to the cent, each value = qty x price
#   (recomputed here with awk from the printed decimals), weights summing to 1 with cash;
# - orders = fills with --execute close, re-running a day changes nothing, ids deterministic;
# - decisions: approve once, a second decision refused, reject needs a reason;
# - kill -9 at random moments (20 times): the day finished by running it again equals the same
#   day run once on a copy of the book (orders and proposals byte for byte), and check and audit
#   verify are clean;
# - replay: recorded days recompute identically after later days ran, and an edited trade is
#   named as the first difference.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
B="$TMP/book.db"

run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$B.key" --clients 30 \
  --from 2018-12-10 --to 2019-12-10
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$B.key")
run 0 "$RA" models build --db "$B" --date 2019-12-10
run 0 "$RA" onboard --db "$B" --generate 30 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10

# usage errors and days that cannot run
run 2 "$RA" run-day --db "$B"
err_has "--date D is required"
run 2 "$RA" run-day --db "$B" --date 2019-12-11 --execute later
err_has 'must be none or close: "later"'
run 2 "$RA" run-day --db "$B" --date 2019-12-11 --threads 0
run 1 "$RA" run-day --db "$B" --date 2019-12-14
err_has "no prices on 2019-12-14 at all: not a trading day"

# --threads: two days run with 1 and with 2 threads on two copies of the book store the same
# proposals and orders, byte for byte (small batches: several batches a day, several households a
# batch)
for t in 1 2; do
  cp "$B" "$TMP/threads$t.db"
  for d in 2019-12-11 2019-12-12; do
    run 0 "$RA" run-day --db "$TMP/threads$t.db" --date "$d" --execute close --threads "$t" --batch 5
  done
  "$RA" proposals list --db "$TMP/threads$t.db" --format json >"$TMP/threads$t.proposals"
  "$RA" orders list --db "$TMP/threads$t.db" --format json >"$TMP/threads$t.orders"
done
cmp -s "$TMP/threads1.proposals" "$TMP/threads2.proposals" && ok || bad "proposals differ with 2 threads"
cmp -s "$TMP/threads1.orders" "$TMP/threads2.orders" && ok || bad "orders differ with 2 threads"
[ "$(wc -c <"$TMP/threads1.orders")" -gt 1000 ] && ok || bad "no orders to compare"
run 0 "$RA" audit verify --db "$TMP/threads2.db"

# day 1: every account processed, orders filled at the close
run 0 "$RA" run-day --db "$B" --date 2019-12-11 --execute close --format json
n_acc=$(jget .accounts); processed=$(jget .processed); orders=$(jget .orders); fills=$(jget .fills)
proposals=$(jget .proposals)
[ "$n_acc" -gt 30 ] && [ "$processed" = "$n_acc" ] && ok || bad "processed $processed of $n_acc"
[ "$orders" -gt 0 ] && [ "$orders" = "$fills" ] && ok || bad "orders $orders, fills $fills"
[ "$proposals" -gt 0 ] && ok || bad "no proposal on the first day"
[[ $(jget .engine_version) == 0.1.0+* ]] && ok || bad "engine_version"
[[ $(jget .config_hash) =~ ^[0-9a-f]{64}$ ]] && ok || bad "config_hash is not 64 hex digits"
for k in date firm skipped no_model pending trades trades_by_reason.drift trades_by_reason.tlh \
         trades_by_reason.cash_flow out_of_band_before out_of_band_after held_back.lot_size \
         currency dividends harvested harvest_tax_value value units.value; do
  jget ".$k" >/dev/null && ok
done
run 0 "$RA" orders list --db "$B" --date 2019-12-11 --format csv
head -n 1 "$TMP/out" | grep -qx 'id,date,account,ticker,side,qty,limit_price,filled,status,proposal' \
  && ok || bad "orders csv header"
[ $(($(wc -l <"$TMP/out") - 1)) = "$orders" ] && ok || bad "orders list has not $orders rows"
awk -F, 'NR > 1 && ($9 != "filled" || $6 != $8) {bad = 1} END {exit bad}' "$TMP/out" \
  && ok || bad "an order of day 1 is not filled whole"
cp "$TMP/out" "$TMP/orders1.csv"

# re-running the day changes nothing
run 0 "$RA" run-day --db "$B" --date 2019-12-11 --execute close --format json
[ "$(jget .processed)" = 0 ] && [ "$(jget .skipped)" = "$n_acc" ] && ok || bad "re-run processed accounts"
run 0 "$RA" orders list --db "$B" --date 2019-12-11 --format csv
cmp -s "$TMP/out" "$TMP/orders1.csv" && ok || bad "re-run changed the orders"

# account show: the figures add up
acct=$(awk -F, 'NR == 2 {print $3}' "$TMP/orders1.csv")
run 0 "$RA" account show "$acct" --db "$B" --date 2019-12-11 --format json
[ "$(jget .account)" = "$acct" ] && [ "$(jget .date)" = 2019-12-11 ] && ok || bad "account, date"
[[ $(jget .status) =~ ^(in_band|out_of_band|no_target)$ ]] && ok || bad "status"
cash=$(jget .cash); value=$(jget .value); n_h=0; sum_v=0; sum_w=$(jget .cash_weight)
while v=$("$JG" ".holdings[$n_h].value" <"$TMP/out" 2>/dev/null); do
  q=$(jget ".holdings[$n_h].qty"); p=$(jget ".holdings[$n_h].price"); w=$(jget ".holdings[$n_h].weight")
  jget ".holdings[$n_h].ticker" >/dev/null && jget ".holdings[$n_h].target" >/dev/null \
    && jget ".holdings[$n_h].drift" >/dev/null && ok
  if [ "$p" != null ]; then close "$v" "$(awk -v q="$q" -v p="$p" 'BEGIN{printf "%.2f", q*p}')" 0.005 "value of holding $n_h"; fi
  sum_v=$(awk -v a="$sum_v" -v b="$v" 'BEGIN{printf "%.2f", a+b}')
  sum_w=$(awk -v a="$sum_w" -v b="$w" 'BEGIN{printf "%.12f", a+b}')
  n_h=$((n_h + 1))
done
[ "$n_h" -gt 0 ] && ok || bad "no holdings"
close "$value" "$(awk -v a="$cash" -v b="$sum_v" 'BEGIN{printf "%.2f", a+b}')" 0.001 "value = cash + holdings"
close "$sum_w" 1 1e-9 "weights and cash sum to 1"
run 2 "$RA" account show --db "$B"
err_has "name the account"
run 1 "$RA" account show NOSUCH --db "$B"

# gains: the client's harvested losses per year, labelled, with the rates used
run 0 "$RA" gains --account "$acct" --db "$B" --format json
[ -n "$(jget .harvest.client)" ] && ok || bad "gains harvest client"
close "$(jget .harvest.tax_rate_short)" 0.35 1e-12 "default short-term rate"
close "$(jget .harvest.tax_rate_long)" 0.15 1e-12 "default long-term rate"
for k in sales losses_harvested losses_disallowed losses_allowed_short losses_allowed_long tax_value; do
  jget ".harvest.total.$k" >/dev/null && ok
done
jget .totals.losses_harvested >/dev/null && ok
run 0 "$RA" gains --account "$acct" --db "$B" --tax-rate-short 0.5
out_has "losses harvested by the engine for client"
out_has "tax value at 50 % short-term, 15 % long-term"
run 2 "$RA" gains --account "$acct" --db "$B" --tax-rate-long 1.5
err_has 'must be a fraction in [0, 1]: "1.5"'

# advisory proposals: approve once, reject needs a reason
run 0 "$RA" proposals list --db "$B" --status pending --format json
pid=$(jget '.proposals[0].id')
[[ $pid == P-2019-12-11-* ]] && ok || bad "pending proposal id $pid"
jget '.proposals[0].trades[0].reasons[0]' >/dev/null \
  && jget '.proposals[0].trades[0].price_date' >/dev/null \
  && jget '.proposals[0].trades[0].risk_level' >/dev/null && ok
run 2 "$RA" proposals reject "$pid" --db "$B"
err_has "--reason TEXT is required"
run 0 "$RA" proposals approve "$pid" --db "$B" --trades 1 --reason "client agreed"
out_has "1 order created"
run 1 "$RA" proposals approve "$pid" --db "$B"
err_has "is approved, not pending"
run 0 "$RA" proposals show "$pid" --db "$B" --format json
[ "$(jget .decided_by)" = cli-test ] && [ "$(jget '.trades[0].status')" = approved ] && ok || bad "decision"

# a whole rejection: the account is re-evaluated without those trades (a new proposal linked to
# the rejected one, or none), and the rejected one cannot be decided again
run 0 "$RA" proposals list --db "$B" --status pending --format json
pid2=$(jget '.proposals[0].id')
run 0 "$RA" proposals reject "$pid2" --db "$B" --reason "client declined"
out_has "re-evaluated without the rejected trades"
new=$(sed -n 's/.*: proposal \(P-[^,]*\), .*/\1/p' "$TMP/out")
if [ -n "$new" ]; then
  run 0 "$RA" proposals show "$new" --db "$B" --format json
  [ "$(jget .supersedes)" = "$pid2" ] && [ "$(jget .status)" = pending ] && ok || bad "re-evaluation link"
else
  ok # nothing else was worth proposing for that account
fi
run 1 "$RA" proposals reject "$pid2" --db "$B" --reason again
err_has "is rejected, not pending"

# a client's withdrawal instruction due on day 2: paid by the cycle (in the killed runs too)
run 2 "$RA" withdraw "$acct" --db "$B"
err_has "--amount X is required"
run 2 "$RA" withdraw "$acct" --db "$B" --amount 12.345
err_has 'at most 2 decimals: "12.345"'
run 1 "$RA" withdraw NOSUCH --db "$B" --amount 5
err_has "no account NOSUCH"
run 0 "$RA" withdraw "$acct" --db "$B" --amount 1500.00 --date 2019-12-12 --note tuition
out_has "withdrawal W-$acct-1 recorded: 1500.00 USD from account $acct, due 2019-12-12"

# kill -9 at random moments: the day finished by a re-run equals the day run once. One account a
# transaction (--batch 1) so that a kill can fall between any two accounts; the moments are drawn
# uniformly over the clean run's duration, before the loop.
cp "$B" "$TMP/once.db"
t0=$(date +%s%N)
run 0 "$RA" run-day --db "$TMP/once.db" --date 2019-12-12 --execute close --batch 1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# The moments are fractions of the run's duration; a run that ended before its kill (the machine
# got faster than when the clean run was timed) shortens the duration they scale, so that 20
# kills land however the shared machine's load moves.
fracs=$(awk -v seed="$RANDOM" 'BEGIN{srand(seed); for (i = 0; i < 200; i++) printf "%.4f\n", rand() * 0.7}')
killed=0 tries=0
for f in $fracs; do # until 20 runs were killed while running (the issue asks for 20)
  [ "$killed" -ge 20 ] && break
  tries=$((tries + 1))
  at=$(awk -v f="$f" -v m="$ms" 'BEGIN{printf "%.3f", f * m / 1000}')
  "$RA" run-day --db "$B" --date 2019-12-12 --execute close --batch 1 >/dev/null 2>&1 &
  pid_run=$!
  sleep "$at"
  if kill -9 "$pid_run" 2>/dev/null; then killed=$((killed + 1)); else ms=$((ms * 4 / 5 + 1)); fi
  wait "$pid_run" 2>/dev/null
done
[ "$killed" -ge 20 ] && ok || bad "only $killed of $tries runs were killed while running (a clean run takes $ms ms)"
run 0 "$RA" run-day --db "$B" --date 2019-12-12 --execute close --batch 1 --format json
for db in "$B" "$TMP/once.db"; do
  "$RA" orders list --db "$db" --date 2019-12-12 --format csv >"$db.orders"
  "$RA" proposals list --db "$db" --date 2019-12-12 --format json >"$db.proposals"
done
cmp -s "$B.orders" "$TMP/once.db.orders" && ok || bad "orders differ after the kills"
cmp -s "$B.proposals" "$TMP/once.db.proposals" && ok || bad "proposals differ after the kills"
[ "$(($(wc -l <"$B.orders")))" -gt 1 ] && ok || bad "no orders on day 2"
run 0 "$RA" check --db "$B"
run 0 "$RA" audit verify --db "$B"
run 0 "$RA" run-day --db "$B" --date 2019-12-12 --execute close --format json
[ "$(jget .processed)" = 0 ] && ok || bad "the day was not finished"
[ "$(jget .withdrawals)" = 0.00 ] && ok || bad "a finished day paid a withdrawal again"
run 0 "$RA" instructions list --db "$B" --account "$acct" --format json
[ "$(jget '.instructions[0].status')" = paid ] && [ "$(jget '.instructions[0].paid')" = 1500.00 ] \
  && [ "$(jget '.instructions[0].source')" = client ] && ok || bad "the withdrawal was not paid once"
run 1 "$RA" instructions cancel "W-$acct-1" --db "$B" --reason "too late"
err_has "is paid"

# replay: the recorded days recompute the same after later days ran; an edited trade is named
run 0 "$RA" replay --db "$B" --date 2019-12-11
out_has ": identical"
run 0 "$RA" replay --db "$B" --date 2019-12-12 --format json
[ "$(jget .identical)" = true ] && [ "$(jget .execute_close)" = true ] && ok || bad "replay json"
run 1 "$RA" replay --db "$B" --date 2019-12-13
err_has "the cycle has not run on 2019-12-13"
run 0 "$RA" audit verify --db "$B" # the replay wrote nothing
cp "$B" "$TMP/edited.db"
sqlite3 "$TMP/edited.db" "UPDATE proposal_trades SET qty_micro = qty_micro + 1000000 WHERE n = 1 AND
  proposal_id = (SELECT id FROM proposals WHERE code = (SELECT MIN(code) FROM proposals WHERE
  code LIKE 'P-2019-12-12-%'))" && ok || bad "sqlite3"
run 1 "$RA" replay --db "$TMP/edited.db" --date 2019-12-12
out_has "DIFFERENT"
out_has "trade 1"
out_has "recorded"

min_checks 110
finish
