# Fees end to end (docs/cli.md#fees, docs/methodology.md#fees) on a real SQLite book and on a
# real PostgreSQL: a generated demo book of 12 clients on the real prices in ../shared/data,
# onboarded on 2019-12-10, then run-day every trading day to 2020-07-10. What is checked, and
# where the expected values come from:
# - the pinned interface `fees list|bill [--from D1 --to D2] [--firm CODE] [--db URL]
#   [--format table|json]`, its JSON keys, usage errors, and the schedule commands;
# - by hand from `valuation` (docs/methodology.md#fees, "recomputing a fee"): January 2020's
#   asset fee of an account is the sum over the 31 calendar days of the annual fee on that day's
#   `valuation --date` total (marginal tiers, computed here with awk in integers) / 365, rounded
#   once, ties to even; its subscription and service fees; a performance fee's P, hurdle and fee
#   from the valuations at the period's ends;
# - bill: one fee transaction per account and period, the cash down by exactly what was paid,
#   nothing billed twice; a bill larger than the cash leaves a firm withdrawal instruction for the
#   rest, which the next run-day pays; check and audit verify are clean;
# - kill -9 at random moments during billing (at least 10 runs killed while running), each then
#   finished by a re-run: the bills, fee transactions and instructions equal one clean run's;
# - PostgreSQL: the same book gives the same `fees list` JSON byte for byte, and bills the same
#   (skipped with a note when no server can be started).
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
B="$TMP/book.db"

make_book() { # URL KEYFILE
  run 0 "$RA" generate-book --db "$1" --data "$DATA" --key-file "$2" --clients 12 \
    --from 2018-12-10 --to 2019-12-10
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$2")
  # the single stage (--stages 1): this scenario's expected trades were derived on its models
  run 0 "$RA" models build --stages 1 --db "$1" --date 2019-12-10
  run 0 "$RA" onboard --db "$1" --generate 12 --seed 3 \
    --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
  run 0 "$RA" run-day --db "$1" --date 2019-12-11 --to 2020-07-10 --execute close
}
make_book "$B" "$B.key"

# usage errors, and a book without schedules bills nothing
run 2 "$RA" fees
run 2 "$RA" fees charge --db "$B"
err_has 'no subcommand "charge"'
run 2 "$RA" fees list --db "$B" --from 2020-03-01 --to 2020-02-01
err_has "--from is after --to"
run 2 "$RA" fees list --db "$B" --format xml
run 0 "$RA" fees list --db "$B" --format json
[ "$(jget .count)" = 0 ] && ok || bad "bills without any schedule"
run 2 "$RA" fees schedule set STD --db "$B" --reason x
err_has "--tiers is required"
run 2 "$RA" fees schedule set STD --db "$B" --tiers "0-1000:50,2000-:25" --reason x
err_has "tier 2 lower bound"
run 2 "$RA" fees schedule set STD --db "$B" --tiers "0-:50" --reason x --perf-rate 20
err_has "--perf-rate needs --perf-months 6 or 12"
run 2 "$RA" fees schedule set STD --db "$B" --tiers "0-:50" --reason x --services "a:1:weekly"
err_has "when is bill, first or annual"
run 1 "$RA" fees schedule default NOPE --db "$B"
err_has "no fee schedule NOPE"

schedules() { # URL: the firm's schedules, STD the default, and two accounts on others
  run 0 "$RA" fees schedule set STD --db "$1" --tiers "0-100000:50,100000-:25" --monthly 5 \
    --services "report:10:annual,setup:25:first" --reason "the 2020 price list" --default
  out_has "fee schedule STD: version 1, the firm's default"
  run 0 "$RA" fees schedule set PERF --db "$1" --tiers "0-:10" --billing quarterly \
    --perf-rate 20 --perf-months 6 --hurdle 1 --reason "performance mandate"
  run 0 "$RA" fees schedule set BIG --db "$1" --tiers "0-:10000" --reason "more than the cash"
  run 0 "$RA" mandate set "$PACC" fee_schedule=PERF --db "$1" --by cli-test --reason "fees agreed"
  run 0 "$RA" mandate set "$SACC" fee_schedule=BIG --db "$1" --by cli-test --reason "fees agreed"
}
run 0 "$RA" valuation --db "$B" --date 2020-01-31 --format json
ACC=$(jget '.accounts[0].account'); PACC=$(jget '.accounts[1].account'); SACC=$(jget '.accounts[2].account')
schedules "$B"
run 0 "$RA" fees schedule set STD --db "$B" --tiers "0-100000:50,100000-:25" --monthly 5 \
  --services "report:10:annual,setup:25:first" --reason "the same again"
out_has "fee schedule STD: version 1"
run 0 "$RA" fees schedule list --db "$B" --format json
[ "$(jget .default)" = STD ] && [ "$(jget '.schedules[2].code')" = STD ] \
  && [ "$(jget '.schedules[2].tiers')" = "0.00-100000.00:50.00,100000.00-:25.00" ] \
  && [ "$(jget '.schedules[1].performance_fee.rate_ppm')" = 200000 ] \
  && [ "$(jget '.schedules[1].billing')" = quarterly ] && ok || bad "schedule list json"
run 0 "$RA" fees schedule show STD --db "$B"
out_has "the firm's default"
run 0 "$RA" mandate show "$PACC" --db "$B" --format json
[ "$(jget .mandate.fee_schedule)" = PERF ] && ok || bad "the mandate's fee_schedule"

# fees list: the interface and its JSON
run 0 "$RA" fees list --db "$B" --firm DEMO --from 2019-12-01 --to 2020-06-30 --format json
cp "$TMP/out" "$TMP/list.json"
n_bills=$(jget .count)
[ "$n_bills" -gt 40 ] && ok || bad "only $n_bills bills"
for k in firm currency unit from to total count 'bills[0].account' 'bills[0].period_start' \
         'bills[0].period_end' 'bills[0].schedule' 'bills[0].schedule_version' 'bills[0].days' \
         'bills[0].average_value' 'bills[0].value_sum' 'bills[0].asset_fee' \
         'bills[0].subscription' 'bills[0].service_fees' 'bills[0].performance_fee' \
         'bills[0].total' 'bills[0].billed' 'bills[0].paid' 'bills[0].shortfall' \
         'bills[0].instruction' 'bills[0].transaction' 'bills[0].transaction_date'; do
  jget ".$k" >/dev/null && ok
done
run 0 "$RA" fees list --db "$B" --to 2020-06-30
out_has "avg value"
out_has "performance 2020-01-01..2020-06-30: P"

# by hand from valuation: January 2020 of ACC (STD: 0.50 % to 100,000, 0.25 % above)
bill_of() { # ACCOUNT PERIOD_END FIELD (from list.json)
  python3 -c "import json,sys; b=[x for x in json.load(open('$TMP/list.json'))['bills'] if x['account']=='$1' and x['period_end']=='$2']; print(b[0]$3 if b else 'none')"
}
: >"$TMP/jan"
for d in $(seq -w 1 31); do
  "$RA" valuation --db "$B" --date "2020-01-$d" --format json >"$TMP/out"
  python3 -c "import json; print([a['total'] for a in json.load(open('$TMP/out'))['accounts'] if a['account']=='$ACC'][0])" >>"$TMP/jan"
done
want=$(awk '{ split($1, p, "."); v = p[1] * 100 + p[2];   # cents, exact
              t1 = v < 10000000 ? v : 10000000; t2 = v > 10000000 ? v - 10000000 : 0;
              s += t1 * 5000 + t2 * 2500 }                  # hundredths of a bp
            END { den = 1000000 * 365; q = int(s / den); r = s - q * den;
                  if (2 * r > den || (2 * r == den && q % 2 == 1)) q++;
                  printf "%d.%02d\n", q / 100, q % 100 }' "$TMP/jan")
[ "$(wc -l <"$TMP/jan")" = 31 ] && ok || bad "31 valuations"
got=$(bill_of "$ACC" 2020-01-31 "['asset_fee']")
[ "$got" = "$want" ] && ok || bad "January asset fee of $ACC: $got, by hand from valuation $want"
[ "$(bill_of "$ACC" 2020-01-31 "['days']")" = 31 ] && ok || bad "January days"
[ "$(bill_of "$ACC" 2020-01-31 "['subscription']")" = 5.00 ] && ok || bad "January subscription"
[ "$(bill_of "$ACC" 2020-01-31 "['service_fees']")" = 0.00 ] && ok || bad "January services"
# December 2019 from the first daily value (12-11): 21 of 31 days of 5.00 = 3.3871 -> 3.39; the
# first bill's setup 25.00 and December's annual report 10.00
[ "$(bill_of "$ACC" 2019-12-31 "['days']")" = 21 ] && ok || bad "December days"
[ "$(bill_of "$ACC" 2019-12-31 "['subscription']")" = 3.39 ] && ok || bad "December subscription"
[ "$(bill_of "$ACC" 2019-12-31 "['service_fees']")" = 35.00 ] && ok || bad "December services"

# by hand: PACC's performance fee of 2020 H1 (20 % above a 1 % hurdle, after the loss carried)
vstart=$("$RA" valuation --db "$B" --date 2019-12-31 --format json | python3 -c "import json,sys; print([a['total'] for a in json.load(sys.stdin)['accounts'] if a['account']=='$PACC'][0])")
vend=$("$RA" valuation --db "$B" --date 2020-06-30 --format json | python3 -c "import json,sys; print([a['total'] for a in json.load(sys.stdin)['accounts'] if a['account']=='$PACC'][0])")
perf() { bill_of "$PACC" 2020-06-30 "['performance']['$1']"; }
[ "$(perf value_start)" = "$vstart" ] && [ "$(perf value_end)" = "$vend" ] && ok \
  || bad "performance values $(perf value_start) $(perf value_end), valuation $vstart $vend"
carried=$(bill_of "$PACC" 2019-12-31 "['performance']['carried_loss_after']")
[ "$(perf carried_loss)" = "$carried" ] && ok || bad "the loss carried from 2019 H2"
want=$(awk -v a="$vstart" -v b="$vend" -v f="$(perf net_flows)" -v l="$carried" 'function c(x,  p, n, s) {
         s = x ~ /^-/; if (s) x = substr(x, 2); n = split(x, p, "."); x = p[1] * 100 + p[2]; return s ? -x : x }
       function rnd(n, d,  q, r) { q = int(n / d); r = n - q * d; if (2 * r > d || (2 * r == d && q % 2 == 1)) q++; return q }
       BEGIN { P = c(b) - c(a) - c(f); H = rnd(c(a) * 10000, 1000000); base = P - c(l) - H;
               if (base < 0) base = 0; fee = rnd(base * 200000, 1000000);
               printf "%.2f %.2f %.2f\n", P / 100, H / 100, fee / 100 }')
got="$(perf profit) $(perf hurdle) $(perf fee)"
[ "$got" = "$want" ] && ok || bad "2020 H1 performance (P, hurdle, fee): $got, by hand $want"

# the same book on PostgreSQL: the same fees, byte for byte
pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
if [ -n "$pg_url" ]; then
  PSQL=psql; command -v psql >/dev/null || PSQL="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql"
  db_p="fees_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_p" && ok || bad "create database"
  P="${pg_url%/*}/$db_p"
  make_book "$P" "$TMP/pg.key"
  schedules "$P"
  run 0 "$RA" fees list --db "$P" --firm DEMO --from 2019-12-01 --to 2020-06-30 --format json
  cmp -s "$TMP/out" "$TMP/list.json" && ok || bad "PostgreSQL fees differ: $(diff "$TMP/out" "$TMP/list.json" | head -4)"
  run 0 "$RA" fees bill --db "$P" --to 2020-06-30 --format json
  [ "$(jget .written)" = "$n_bills" ] && ok || bad "PostgreSQL billed $(jget .written) of $n_bills"
  run 0 "$RA" fees bill --db "$P" --to 2020-06-30 --format json
  [ "$(jget .written)" = 0 ] && ok || bad "PostgreSQL billed twice"
  "$RA" fees list --db "$P" --to 2020-06-30 --format json >"$TMP/pg.billed"
  run 0 "$RA" check --db "$P"
  run 0 "$RA" audit verify --db "$P"
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$B.key")
else
  echo "PostgreSQL not started, its part skipped: $(tail -n 1 "$TMP/pg.log")"
  pg_skipped=1 # its 15 checks are not counted below
fi

# kill -9 during billing: each run killed at a random moment, then finished by a re-run, bills
# what one clean run bills. The moments are drawn uniformly over the clean run's duration.
cp "$B" "$TMP/pre.db"
cp "$B" "$TMP/once.db"
t0=$(date +%s%N)
run 0 "$RA" fees bill --db "$TMP/once.db" --to 2020-06-30 --format json
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(jget .written)" = "$n_bills" ] && ok || bad "billed $(jget .written) of $n_bills"
fee_rows() { # DB: the fee transactions and the instructions, every column that matters
  sqlite3 "$1" "SELECT a.code, t.seq, t.external_id, t.kind, t.day, t.amount_minor FROM txns t
    JOIN accounts a ON a.id = t.account_id WHERE t.kind = 7 ORDER BY a.code, t.seq;
    SELECT a.code, x.code, x.amount_minor, x.due, x.source, x.note FROM instructions x
    JOIN accounts a ON a.id = x.account_id ORDER BY a.code, x.n;
    SELECT a.code, f.period_end, f.total_minor, f.txn_day, f.paid_minor, f.shortfall_minor,
    f.instruction, f.carried_loss_after_minor FROM fee_bills f JOIN accounts a ON
    a.id = f.account_id ORDER BY a.code, f.period_end"
}
fee_rows "$TMP/once.db" >"$TMP/once.rows"
"$RA" fees list --db "$TMP/once.db" --to 2020-06-30 --format json >"$TMP/once.list"
[ "$(grep -c . "$TMP/once.rows")" -gt "$n_bills" ] && ok || bad "too few fee rows to compare"
if [ -n "$pg_url" ]; then
  cmp -s "$TMP/pg.billed" "$TMP/once.list" && ok || bad "PostgreSQL bills differ from SQLite's"
fi
moments=$(awk -v m="$ms" -v seed="$RANDOM" 'BEGIN{srand(seed); for (i = 0; i < 40; i++) printf "%.3f\n", rand() * m * 0.9 / 1000}')
killed=0 tries=0 same=0
for at in $moments; do # until 12 runs were killed while running (at least 10 asked)
  [ "$killed" -ge 12 ] && break
  tries=$((tries + 1))
  cp "$TMP/pre.db" "$TMP/k.db"; rm -f "$TMP/k.db-wal" "$TMP/k.db-shm"
  "$RA" fees bill --db "$TMP/k.db" --to 2020-06-30 >/dev/null 2>&1 &
  pid_run=$!
  sleep "$at"
  if kill -9 "$pid_run" 2>/dev/null; then killed=$((killed + 1)); else continue; fi
  wait "$pid_run" 2>/dev/null
  "$RA" fees bill --db "$TMP/k.db" --to 2020-06-30 >/dev/null 2>"$TMP/err" || bad "re-run after kill $killed: $(cat "$TMP/err")"
  fee_rows "$TMP/k.db" >"$TMP/k.rows"
  "$RA" fees list --db "$TMP/k.db" --to 2020-06-30 --format json >"$TMP/k.list"
  cmp -s "$TMP/k.rows" "$TMP/once.rows" && cmp -s "$TMP/k.list" "$TMP/once.list" \
    && same=$((same + 1)) || bad "kill $killed at ${at}s: bills differ: $(diff "$TMP/k.rows" "$TMP/once.rows" | head -3)"
done
echo "kill -9: $killed of $tries runs killed while running (a clean run: $ms ms)"
[ "$killed" -ge 10 ] && ok || bad "only $killed of $tries runs were killed while running (a clean run takes $ms ms)"
[ "$same" = "$killed" ] && ok || bad "$same of $killed killed runs finished equal to the clean run"
run 0 "$RA" check --db "$TMP/k.db"
run 0 "$RA" audit verify --db "$TMP/k.db"

# bill: the book itself; the cash of ACC falls by what its bills paid, nothing twice
run 0 "$RA" valuation --db "$B" --date 2020-07-10 --format json
cash_before=$(python3 -c "import json; print([a['cash'] for a in json.load(open('$TMP/out'))['accounts'] if a['account']=='$ACC'][0])")
run 0 "$RA" fees bill --db "$B" --from 2019-12-01 --to 2020-06-30 --firm DEMO --format json
[ "$(jget .written)" = "$n_bills" ] && ok || bad "billed $(jget .written) of $n_bills"
paid=$(python3 -c "import json; print('%.2f' % (sum(int(b['paid'].replace('.', '')) for b in json.load(open('$TMP/out'))['bills'] if b['account']=='$ACC') / 100))")
[ "$(jget '.bills[0].billed')" = true ] && [ "$(jget '.bills[0].transaction')" = fee-2019-12-31 ] && ok \
  || bad "the first bill's transaction"
run 0 "$RA" valuation --db "$B" --date 2020-07-10 --format json
cash_after=$(python3 -c "import json; print([a['cash'] for a in json.load(open('$TMP/out'))['accounts'] if a['account']=='$ACC'][0])")
close "$(awk -v a="$cash_before" -v b="$cash_after" 'BEGIN{printf "%.2f", a - b}')" "$paid" 0.001 "cash paid by $ACC's fees"
run 0 "$RA" fees bill --db "$B" --to 2020-06-30
out_has "; 0 billed now"
run 0 "$RA" fees list --db "$B" --to 2020-06-30 --format json
cp "$TMP/out" "$TMP/fees.json"
python3 -c "import json; b=json.load(open('$TMP/out'))['bills']; exit(not all(x['billed'] for x in b))" \
  && ok || bad "a bill is not marked billed"
# SACC's bills (100 % a year: 21/365 of it in December, more than its 2 % of cash) are more than
# its cash: the rest of each is the firm's withdrawal instruction, which run-day pays
short=$(python3 -c "import json; b=[x for x in json.load(open('$TMP/out'))['bills'] if x['account']=='$SACC' and x['period_end']=='2019-12-31'][0]; print(b['shortfall'], b['instruction'])")
# every bill with a shortfall has its instruction (counted from the bills, not assumed)
n_short=$(python3 -c "import json; print(sum(1 for x in json.load(open('$TMP/out'))['bills'] if x['instruction']))")
[ "$n_short" -gt 0 ] && ok || bad "no shortfall to pay"
[ "${short#* }" = "W-$SACC-1" ] && ok || bad "no instruction for the shortfall: $short"
run 0 "$RA" instructions list --db "$B" --account "$SACC" --format json
[ "$(jget '.instructions[0].amount')" = "${short% *}" ] && [ "$(jget '.instructions[0].source')" = firm ] \
  && ok || bad "the shortfall's instruction"
run 0 "$RA" run-day --db "$B" --date 2020-07-13 --execute close
run 0 "$RA" instructions list --db "$B" --account "$SACC" --format json
n_sacc=$(python3 -c "import json; print(sum(1 for x in json.load(open('$TMP/fees.json'))['bills'] if x['instruction'] and x['account']=='$SACC'))")
python3 -c "import json; v=json.load(open('$TMP/out'))['instructions']; exit(not (len(v) == $n_sacc and all(x['status'] == 'paid' for x in v)))" \
  && ok || bad "run-day did not pay the fees' shortfalls: $(grep -c '"paid"' "$TMP/out") of $n_sacc"
run 0 "$RA" check --db "$B"
run 0 "$RA" audit verify --db "$B"

min_checks $(( ${pg_skipped:-0} ? 105 : 120 ))
finish
