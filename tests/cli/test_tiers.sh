# Service tiers, routing rules and behaviour alerts (docs/cli.md#tiers,
# docs/methodology.md#service-tiers, #behaviour-alerts) on a real SQLite book and on a real
# PostgreSQL (tests/support/pg_server.sh; skipped with a note when none starts): a generated book
# of 4 clients on the real prices of ../shared/data, onboarded on 2020-02-19, then the days of the
# March 2020 fall. What is checked, and where the expected values come from:
# - every client starts digital, and a book without tiers set trades exactly as before: the
#   first day run on a copy without tiers executes the discretionary proposals the tiered book
#   leaves pending for its hybrid client;
# - a hybrid client's proposals wait (pending, no orders) and the queue lists them with the tier;
# - routing rules move clients after the close, effective the next day, audited with the rule and
#   the data: a client withdrawal of 200,000.00 of A000003-1 due 2020-03-09 is W / (V + W) of its
#   value before payment (V from account show), >= 0.3 moves C000003 to hybrid from 2020-03-10;
#   a loss limit of 5 % crossed by A000002-1 (its suspension's day, suspensions list) moves
#   C000002 to advisor-led from the next day;
# - alerts: two client instructions within the window with at most 1 allowed: excessive_trading
#   raised on the second one's day and kept open (one row, not one a day); a client withdrawal of
#   100.00 from A000001-1 on 2020-03-16 after its fall: sell_after_drawdown with the drawdown
#   1 - (V + 100) / P, P its highest value before (account show, no flows since it was funded);
#   at most one open episode per account and alert; a re-run of a day changes nothing;
# - a tier cannot be set for a day the cycle ran (its replay, with the hybrid client's proposals
#   left pending, recomputes identically);
# - audit verify and check are clean.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO

count() { local n=0; while "$JG" "$1[$n]" <"$TMP/out" >/dev/null 2>&1; do n=$((n + 1)); done; echo "$n"; }
value() { # DB ACCOUNT DATE: the account's value at the close of DATE (major units)
  "$RA" account show "$2" --db "$1" --date "$3" --format json >"$TMP/acct" 2>/dev/null
  "$JG" .value <"$TMP/acct"
}

scenario() { # DB
  local B=$1
  run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$TMP/key" --clients 4 \
    --from 2019-02-20 --to 2020-02-19
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
  run 0 "$RA" models build --db "$B" --date 2020-02-19
  run 0 "$RA" onboard --db "$B" --generate 4 --seed 3 \
    --questionnaire "$REPO/examples/questionnaire/default.json" --date 2020-02-19
  run 0 "$RA" tiers list --db "$B" --format json
  [ "$(count .tiers)" = 4 ] && ok || bad "not 4 clients"
  for i in 0 1 2 3; do [ "$(jget ".tiers[$i].tier")" = digital ] && ok || bad "client $i not digital"; done
  # usage and data errors
  run 2 "$RA" tiers set C000001 --tier gold --by adv1 --note x --db "$B"
  run 2 "$RA" tiers set C000001 --tier hybrid --note x --db "$B"
  err_has "--by USER is required"
  run 1 "$RA" tiers set C999999 --tier hybrid --by adv1 --note x --db "$B"
  run 2 "$RA" tiers rules set X --metric aum --threshold 1 --tier hybrid --db "$B"
  run 2 "$RA" tiers rules set X --metric withdrawal --threshold 2 --tier hybrid --db "$B"
  # a copy without tiers: today's behaviour
  if [[ $B == *.db ]]; then
    cp "$B" "$TMP/plain.db"
    run 0 "$RA" run-day --db "$TMP/plain.db" --date 2020-02-20 --execute close
    run 0 "$RA" proposals list --db "$TMP/plain.db" --account A000001-1 --format json
    [ "$(jget .proposals[0].status)" = executed ] && ok || bad "A000001-1 not executed without tiers"
  fi
  run 0 "$RA" tiers set C000001 --tier hybrid --by adv1 --note "asked for a review" \
    --from 2020-02-20 --db "$B"
  run 0 "$RA" tiers rules set LOSS --metric loss_limit --threshold 1 --tier advisor-led \
    --note "a crossed loss limit" --db "$B"
  run 0 "$RA" tiers rules set WD --metric withdrawal --threshold 0.3 --tier hybrid --db "$B"
  run 0 "$RA" tiers rules show --db "$B" --format json
  [ "$(count .rules)" = 2 ] && [ "$(jget .rules[1].metric)" = withdrawal ] && ok || bad "rules show"
  run 0 "$RA" alerts settings set --max-instructions 1 --db "$B" --format json
  [ "$(jget .max_instructions)" = 1 ] && ok || bad "max_instructions"
  close "$(jget .concentration)" 0.4 1e-12 "the default concentration"
  run 0 "$RA" mandate set A000002-1 loss_limit=0.05 --by adv1 --reason "test" --db "$B"
  run 0 "$RA" withdraw A000003-1 --amount 200000.00 --date 2020-03-09 --db "$B"
  run 0 "$RA" withdraw A000002-1 --amount 10.00 --date 2020-03-05 --db "$B"
  run 0 "$RA" withdraw A000002-1 --amount 10.00 --date 2020-03-06 --db "$B"

  run 0 "$RA" run-day --db "$B" --date 2020-02-20 --execute close
  run 0 "$RA" proposals list --db "$B" --account A000001-1 --format json
  [ "$(jget .proposals[0].status)" = pending ] && ok || bad "hybrid A000001-1 not pending"
  run 0 "$RA" orders list --db "$B" --date 2020-02-20 --format csv
  ! grep -q ',A000001-1,' "$TMP/out" && ok || bad "orders for the hybrid client"
  run 0 "$RA" queue --db "$B" --format json
  [ "$(jget .queue[0].tier)" = hybrid ] && [ "$(jget .queue[0].client)" = C000001 ] \
    && ok || bad "queue does not list the hybrid client first"

  run 0 "$RA" run-day --db "$B" --date 2020-02-21 --to 2020-03-16 --execute close
  # the withdrawal move
  run 0 "$RA" tiers history C000003 --db "$B" --format json
  [ "$(jget .tiers[0].tier)" = hybrid ] && [ "$(jget .tiers[0].from)" = 2020-03-10 ] && \
    [ "$(jget .tiers[0].source)" = rule ] && [ "$(jget .tiers[0].rule)" = WD ] && ok || bad "WD move"
  local data v0309 want got
  data=$(jget .tiers[0].data)
  [[ $data == *"account A000003-1"* ]] && ok || bad "WD data names no account: $data"
  v0309=$(value "$B" A000003-1 2020-03-09)
  want=$(awk -v v="$v0309" 'BEGIN{printf "%.8f", 200000 / (v + 200000)}')
  got=$(echo "$data" | awk '{print $2}')
  close "$got" "$want" 1e-5 "withdrawal share"
  awk -v w="$want" 'BEGIN{exit !(w >= 0.3)}' && ok || bad "the withdrawal share $want is below 0.3"
  # the loss-limit move
  run 0 "$RA" suspensions list --db "$B" --account A000002-1 --format json
  local sday; sday=$(jget .suspensions[0].date)
  run 0 "$RA" tiers history C000002 --db "$B" --format json
  [ "$(jget .tiers[0].tier)" = advisor-led ] && [ "$(jget .tiers[0].rule)" = LOSS ] && ok || bad "LOSS move"
  [ "$(jget .tiers[0].from)" = "$(date -u -d "$sday + 1 day" +%F)" ] && ok || bad "LOSS not from the day after $sday"
  [[ $(jget .tiers[0].data) == "loss_limit 1 >= 1"*"account A000002-1" ]] && ok || bad "LOSS data"
  run 0 "$RA" audit verify --db "$B"
  # excessive trading: one row, raised on 2020-03-06, still open
  run 0 "$RA" alerts list --db "$B" --account A000002-1 --format json
  local n i k t; n=$(count .alerts); t=0
  for ((i = 0; i < n; i++)); do
    [ "$(jget ".alerts[$i].kind")" = excessive_trading ] || continue
    t=$((t + 1))
    [ "$(jget ".alerts[$i].date")" = 2020-03-06 ] && [ "$(jget ".alerts[$i].observed")" = 2 ] && \
      [ "$(jget ".alerts[$i].threshold")" = 1 ] && [ "$(jget ".alerts[$i].closed")" = null ] \
      && ok || bad "excessive_trading alert"
  done
  [ "$t" = 1 ] && ok || bad "$t excessive_trading alerts, want 1"
  # sell after a drawdown
  run 0 "$RA" withdraw A000001-1 --amount 100.00 --date 2020-03-17 --db "$B"
  run 0 "$RA" run-day --db "$B" --date 2020-03-17 --execute close
  local peak=0 d x
  for d in 2020-02-20 2020-02-21 2020-02-24 2020-02-25 2020-02-26 2020-02-27 2020-02-28 \
           2020-03-02 2020-03-03 2020-03-04 2020-03-05 2020-03-06 2020-03-09 2020-03-10 \
           2020-03-11 2020-03-12 2020-03-13 2020-03-16; do
    x=$(value "$B" A000001-1 "$d")
    peak=$(awk -v p="$peak" -v x="$x" 'BEGIN{print (x > p ? x : p)}')
  done
  x=$(value "$B" A000001-1 2020-03-17)
  want=$(awk -v p="$peak" -v v="$x" 'BEGIN{printf "%.8f", 1 - (v + 100) / p}')
  awk -v w="$want" 'BEGIN{exit !(w > 0.10)}' && ok || bad "A000001-1 fell only $want"
  run 0 "$RA" alerts list --db "$B" --account A000001-1 --format json
  n=$(count .alerts); t=0
  for ((i = 0; i < n; i++)); do
    [ "$(jget ".alerts[$i].kind")" = sell_after_drawdown ] || continue
    t=$((t + 1))
    [ "$(jget ".alerts[$i].date")" = 2020-03-17 ] && ok || bad "sell_after_drawdown date"
    close "$(jget ".alerts[$i].observed")" "$want" 1e-5 "drawdown"
  done
  [ "$t" = 1 ] && ok || bad "$t sell_after_drawdown alerts, want 1"
  # one open episode at most per account and kind; a re-run changes nothing
  run 0 "$RA" alerts list --db "$B" --format json
  cp "$TMP/out" "$TMP/alerts1.json"
  n=$(count .alerts)
  [ "$n" -ge 3 ] && ok || bad "only $n alerts"
  local keys=""
  for ((i = 0; i < n; i++)); do
    [ "$(jget ".alerts[$i].closed")" = null ] && keys+="$(jget ".alerts[$i].account")/$(jget ".alerts[$i].kind")"$'\n'
  done
  [ -z "$(printf '%s' "$keys" | sort | uniq -d)" ] && ok || bad "two open episodes of one alert"
  # a day the cycle ran keeps its tier (its replay recomputes it)
  run 1 "$RA" tiers set C000004 --tier hybrid --by adv1 --note late --from 2020-03-17 --db "$B"
  err_has "the cycle has run on 2020-03-17 already"
  run 0 "$RA" replay --db "$B" --date 2020-02-20
  run 0 "$RA" run-day --db "$B" --date 2020-03-17 --execute close
  run 0 "$RA" alerts list --db "$B" --format json
  cmp -s "$TMP/out" "$TMP/alerts1.json" && ok || bad "a re-run changed the alerts"
  run 0 "$RA" audit verify --db "$B"
  run 0 "$RA" check --db "$B"
}

scenario "$TMP/book.db"

pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
if [ -n "$pg_url" ]; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
  db="tiers_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db" && ok || bad "create database"
  scenario "${pg_url%/*}/$db"
else
  echo "PostgreSQL not started, its half of the test skipped: $(tail -n 1 "$TMP/pg.log")"
fi

min_checks 60
finish
