# Risk limits and re-authorisation (docs/cli.md#risk-limits, docs/methodology.md#risk-limits), on a
# real SQLite book and on a real PostgreSQL (tests/support/pg_server.sh; skipped with a note when
# none starts): a generated book of 4 clients on the real prices of ../shared/data, onboarded on
# 2020-02-19, then the days of the March 2020 fall. What is checked, and where the expected values
# come from:
# - no account crosses its loss limit (the default 10 %) before 2020-03-12; on 2020-03-12 (the S&P
#   500 fell 9.5 %) some do: each is suspended with its figures, and they agree with the book:
#   value = the account's value at the close (account show), loss = entrusted - value,
#   loss >= 0.10 x entrusted, and the day before (same entrusted: no flows) the account's loss was
#   below 0.10 x entrusted (recomputed here with awk from account show);
# - the account's orders left open by the day before are cancelled (orders list), and the
#   client's and the advisor's notifications are due at 20:30 UTC: 16:00 in New York under
#   daylight-saving time (from 2020-03-08, second Sunday in March) plus 30 minutes;
#   --due-before is strict;
# - re-running the day changes nothing and notifies no one twice; the suspended account makes no
#   proposal on the next days; `reauthorise` (pinned interface: ACCOUNT --by USER --note TEXT)
#   is audited and resumes it: a deposit after it is put to work by a proposal;
# - rules as data (see rules_scenario below);
# - kill -9 during the crossing day (SQLite, 30 clients, one account a transaction): the day
#   finished by a re-run has the same suspensions and notifications as the day run once, none
#   twice; check and audit verify are clean.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO

# count PATH: the number of elements of the JSON array at PATH of $TMP/out
count() { local n=0; while "$JG" "$1[$n]" <"$TMP/out" >/dev/null 2>&1; do n=$((n + 1)); done; echo "$n"; }

book() { # DB CLIENTS: a generated book onboarded on 2020-02-19, ROBOADVISOR_KEY exported
  run 0 "$RA" generate-book --db "$1" --data "$DATA" --key-file "$TMP/key" --clients "$2" \
    --from 2019-02-20 --to 2020-02-19
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
  # the single stage (--stages 1): this scenario's expected trades were derived on its models
  run 0 "$RA" models build --stages 1 --db "$1" --date 2020-02-19
  run 0 "$RA" onboard --db "$1" --generate "$2" --seed 3 \
    --questionnaire "$REPO/examples/questionnaire/default.json" --date 2020-02-19
}

scenario() { # DB
  local B=$1
  book "$B" 4
  run 0 "$RA" settings show --db "$B" --format json
  [ "$(jget .market_close)" = 16:00 ] && [ "$(jget .market_zone)" = America/New_York ] && ok || bad "default close"
  run 1 "$RA" settings set --db "$B" --market-zone Mars/Olympus
  err_has 'time zone "Mars/Olympus" is not one of'
  run 1 "$RA" settings set --db "$B" --market-close 16:60
  err_has 'a close time is HH:MM from 00:00 to 23:59, not "16:60"'
  run 0 "$RA" settings set --db "$B" --market-close 16:00 --market-zone America/New_York
  run 0 "$RA" run-day --db "$B" --date 2020-02-20 --to 2020-03-10 --execute close
  run 0 "$RA" suspensions list --db "$B" --format json
  [ "$(count .suspensions)" = 0 ] && ok || bad "a suspension before the fall"
  # 2020-03-11 leaves its orders open; 2020-03-12 crosses
  run 0 "$RA" run-day --db "$B" --date 2020-03-11 --format json
  [ "$(jget .loss_limit_crossed)" = 0 ] && ok || bad "crossed on 2020-03-11"
  run 0 "$RA" orders list --db "$B" --date 2020-03-11 --format csv
  cp "$TMP/out" "$TMP/open.csv"
  run 0 "$RA" run-day --db "$B" --date 2020-03-12 --format json
  local crossed; crossed=$(jget .loss_limit_crossed)
  [ "$crossed" -ge 1 ] && ok || bad "nobody crossed the limit on 2020-03-12"
  run 0 "$RA" suspensions list --db "$B" --format json
  [ "$(count .suspensions)" = "$crossed" ] && ok || bad "suspensions list has not $crossed"
  # a suspended account keeps no proposal waiting for a decision (it would be approved later
  # against the prices of before the fall): each suspended account has none pending
  local i=0 sa pending=0 seen=0
  while sa=$("$JG" ".suspensions[$i].account" <"$TMP/out" 2>/dev/null) && [ -n "$sa" ]; do
    "$RA" proposals list --db "$B" --account "$sa" --status pending --format json >"$TMP/p.json" ||
      bad "proposals list of $sa"
    n=0; while "$JG" ".proposals[$n]" <"$TMP/p.json" >/dev/null 2>&1; do n=$((n + 1)); done
    pending=$((pending + n)); seen=$((seen + 1)); i=$((i + 1))
  done
  [ "$seen" = "$crossed" ] && [ "$pending" = 0 ] && ok ||
    bad "suspended accounts with pending proposals: $pending (of $seen accounts checked)"
  local acct; acct=$(jget '.suspensions[0].account')
  local ent val loss lim cancelled
  ent=$(jget '.suspensions[0].entrusted'); val=$(jget '.suspensions[0].value')
  loss=$(jget '.suspensions[0].loss'); lim=$(jget '.suspensions[0].loss_limit')
  cancelled=$(jget '.suspensions[0].orders_cancelled')
  [ "$(jget '.suspensions[0].status')" = suspended ] && [ "$(jget '.suspensions[0].date')" = 2020-03-12 ] \
    && ok || bad "suspension status or date"
  close "$lim" 0.10 1e-12 "default loss limit"
  close "$loss" "$(awk -v e="$ent" -v v="$val" 'BEGIN{printf "%.2f", e - v}')" 0.001 "loss = entrusted - value"
  awk -v l="$loss" -v e="$ent" 'BEGIN{exit !(l >= 0.10 * e)}' && ok || bad "loss $loss below 10 % of $ent"
  run 0 "$RA" account show "$acct" --db "$B" --date 2020-03-12 --format json
  # (the cycle rounds each lot's value to the cent, account show each holding's: a few cents apart)
  close "$(jget .value)" "$val" 0.05 "the suspension's value is the close's"
  run 0 "$RA" account show "$acct" --db "$B" --date 2020-03-11 --format json
  awk -v v="$(jget .value)" -v e="$ent" 'BEGIN{exit !(e - v < 0.10 * e)}' && ok || bad "$acct had crossed already on 2020-03-11"
  # its orders left open on 2020-03-11 are cancelled, the others' are not
  local open_n; open_n=$(awk -F, -v a="$acct" 'NR > 1 && $3 == a && $9 == "open"' "$TMP/open.csv" | wc -l)
  [ "$cancelled" = "$open_n" ] && ok || bad "cancelled $cancelled, open $open_n"
  run 0 "$RA" orders list --db "$B" --date 2020-03-11 --format csv
  awk -F, -v a="$acct" 'NR > 1 && $3 == a && $9 != "cancelled" {bad = 1} END {exit bad}' "$TMP/out" \
    && ok || bad "an order of $acct is not cancelled"
  # notifications: the client and the advisor, due 30 minutes after 16:00 EDT
  run 0 "$RA" notifications list --db "$B" --account "$acct" --format json
  [ "$(count .notifications)" = 2 ] && ok || bad "not 2 notifications for $acct"
  [ "$(jget '.notifications[0].due')" = 2020-03-12T20:30:00Z ] && ok || bad "due time"
  [ "$(jget '.notifications[0].recipient')" = advisor ] && [ "$(jget '.notifications[1].recipient')" = client ] \
    && ok || bad "recipients"
  [ "$(jget '.notifications[1].code')" = "N-2020-03-12-$acct-client" ] && ok || bad "code"
  run 0 "$RA" notifications list --db "$B" --due-before 2020-03-12T20:30Z --format json
  [ "$(count .notifications)" = 0 ] && ok || bad "--due-before is not strict"
  run 0 "$RA" notifications list --db "$B" --due-before 2020-03-12T20:30:01Z --format json
  [ "$(count .notifications)" = $((2 * crossed)) ] && ok || bad "not 2 notifications per crossing"
  run 2 "$RA" notifications list --db "$B" --due-before tomorrow
  err_has '--due-before must be YYYY-MM-DDTHH:MM[:SS]Z (UTC) or a date: "tomorrow"'
  # a re-run writes nothing
  run 0 "$RA" run-day --db "$B" --date 2020-03-12 --format json
  [ "$(jget .processed)" = 0 ] && ok || bad "re-run processed accounts"
  run 0 "$RA" notifications list --db "$B" --format json
  [ "$(count .notifications)" = $((2 * crossed)) ] && ok || bad "a re-run notified again"
  # suspended: no proposal on the next days
  run 0 "$RA" run-day --db "$B" --date 2020-03-13 --execute close --format json
  [ "$(jget .suspended)" -ge "$crossed" ] && ok || bad "suspended count on 2020-03-13"
  run 0 "$RA" proposals list --db "$B" --account "$acct" --date 2020-03-13 --format json
  [ "$(count .proposals)" = 0 ] && ok || bad "a suspended account made a proposal"
  # re-authorisation: the pinned interface, refusals, then trading resumes
  run 2 "$RA" reauthorise "$acct" --db "$B" --note "spoke with the client"
  err_has "--by USER is required"
  run 2 "$RA" reauthorise "$acct" --db "$B" --by ADV1
  err_has "--note TEXT is required"
  run 1 "$RA" reauthorise NOSUCH --db "$B" --by ADV1 --note x
  err_has "no account NOSUCH"
  run 0 "$RA" reauthorise "$acct" --db "$B" --by ADV1 --note "client re-authorised by phone"
  out_has "account $acct re-authorised by ADV1"
  run 1 "$RA" reauthorise "$acct" --db "$B" --by ADV1 --note again
  err_has "account $acct is not suspended"
  run 0 "$RA" suspensions list --db "$B" --account "$acct" --format json
  [ "$(jget '.suspensions[0].status')" = reauthorised ] && [ "$(jget '.suspensions[0].base_date')" = 2020-03-13 ] \
    && [ "$(jget '.suspensions[0].reauthorised_by')" = ADV1 ] && ok || bad "re-authorisation record"
  printf 'account,txn_id,date,kind,amount\n%s,RISK-DEP,2020-03-16,deposit,5000.00\n' "$acct" >"$TMP/dep.csv"
  run 0 "$RA" import transactions "$TMP/dep.csv" --db "$B"
  run 0 "$RA" run-day --db "$B" --date 2020-03-16 --execute close --format json
  run 0 "$RA" proposals list --db "$B" --account "$acct" --date 2020-03-16 --format json
  [ "$(count .proposals)" = 1 ] && ok || bad "no proposal for $acct after its re-authorisation"
  run 0 "$RA" audit verify --db "$B"
  run 0 "$RA" check --db "$B"
}

# sql DB QUERY: rows of a query, '|'-separated, on SQLite or PostgreSQL
sql() {
  case $1 in
    postgres*) "$PSQL" -X -q -A -t -d "$1" -c "$2" ;;
    *) sqlite3 "$1" "$2" ;;
  esac
}

# Rules as data: the library, a mandate's rules, firings with their data, risk_limit trades, an
# event. The drawdown a firing records is recomputed here with awk from the account's daily
# time-weighted returns (daily_values.twr): wealth = product of (1 + r), drawdown = 1 - wealth /
# its running peak (1 before the first return). The day's own return is the one before its trades
# (docs/methodology.md#risk-rules): equal to the stored one within the trades' costs.
rules_scenario() { # DB
  local B=$1 A=A000003-1
  book "$B" 4
  run 2 "$RA" rules set DD8 --db "$B" --when 'drawdown>>0.08' --then reduce:equity=0.30
  err_has 'no number after the comparison: "drawdown>>0.08"'
  run 2 "$RA" rules set DD8 --db "$B" --when 'drawdown>=0.08' --then reduce:equity=1.5
  err_has 'reduce and add take TARGET=W, W a weight in [0, 1]'
  run 2 "$RA" rules set DD8 --db "$B" --when 'drawdown>=0.08'
  err_has "--when CONDITION and --then ACTION are required"
  run 0 "$RA" rules set DD8 --db "$B" --when 'drawdown>=0.08' --then reduce:equity=0.30 --note "de-risk"
  out_has "rule DD8 set: when drawdown>=0.08 then reduce:equity=0.3"
  run 0 "$RA" rules set EV --db "$B" --when 'event(FOMC)' --then notify
  run 0 "$RA" rules list --db "$B" --format json
  [ "$(jget '.rules[0].code')" = DD8 ] && [ "$(jget '.rules[0].then')" = reduce:equity=0.3 ] \
    && [ "$(jget '.rules[1].when')" = 'event(FOMC)' ] && ok || bad "rules list"
  run 1 "$RA" rules show NOPE --db "$B"
  err_has "no rule NOPE"
  run 1 "$RA" mandate set "$A" rules=DD8,,EV --db "$B" --by ann --reason x
  err_has "rules are rule codes joined by ','"
  run 0 "$RA" mandate set "$A" rules=DD8,EV loss_limit=0.15 --db "$B" --by ann --reason "client chose the rules"
  run 0 "$RA" mandate show "$A" --db "$B" --format json
  out_has '"rules": "DD8,EV"'
  run 0 "$RA" rules event FOMC --db "$B" --date 2020-03-03 --account "$A" --note "emergency cut"
  run 0 "$RA" run-day --db "$B" --date 2020-02-20 --to 2020-03-20 --execute close
  run 0 "$RA" rules firings --db "$B" --account "$A" --format json
  local n; n=$(count .firings)
  [ "$n" -ge 2 ] && ok || bad "too few firings: $n"
  [ "$(jget '.firings[0].rule')" = EV ] && [ "$(jget '.firings[0].date')" = 2020-03-03 ] && ok || bad "event firing"
  local d1 obs
  d1=$(jget '.firings[1].date'); obs=$(jget '.firings[1].observed')
  [ "$(jget '.firings[1].rule')" = DD8 ] && [ "$(jget '.firings[1].then')" = reduce:equity=0.3 ] && ok || bad "drawdown firing"
  local n1; n1=$(( $(date -u -d "$d1" +%s) / 86400 ))
  sql "$B" "SELECT v.day, v.twr FROM daily_values v JOIN accounts a ON a.id = v.account_id WHERE a.code = '$A' ORDER BY v.day" >"$TMP/twr"
  local dd prev_dd
  read -r dd prev_dd < <(awk -F'|' -v d="$n1" '$2 != "" && $2 != "NaN" && $1 <= d {w *= 1 + $2; if (w > p) p = w; if ($1 < d) pd = 1 - w / p} BEGIN {w = 1; p = 1; pd = 0} END {printf "%.12f %.12f\n", 1 - w / p, pd}' "$TMP/twr")
  close "$obs" "$dd" 1e-4 "drawdown recorded on $d1"
  awk -v o="$obs" -v p="$prev_dd" 'BEGIN{exit !(o >= 0.08 && p < 0.08)}' && ok || bad "DD8 did not fire on the first day past 8 %: $prev_dd, then $obs"
  run 0 "$RA" proposals list --db "$B" --account "$A" --date "$d1" --format json
  grep -q '"risk_limit"' "$TMP/out" && ok || bad "no risk_limit trade on $d1"
  run 0 "$RA" notifications list --db "$B" --account "$A" --format json
  [ "$(jget '.notifications[0].code')" = "N-2020-03-03-$A-EV-advisor" ] && [ "$(jget '.notifications[0].kind')" = rule:EV ] \
    && ok || bad "the event's notification"
  # the rules are part of the proposal's configuration hash; the firings' table is audited
  run 0 "$RA" audit verify --db "$B"
  run 0 "$RA" check --db "$B"
}

scenario "$TMP/book.db"
rules_scenario "$TMP/rules.db"

pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
if [ -n "$pg_url" ]; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
  db="risk_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db" && ok || bad "create database"
  scenario "${pg_url%/*}/$db"
  db2="risk2_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db2" && ok || bad "create database"
  rules_scenario "${pg_url%/*}/$db2"
else
  echo "PostgreSQL not started, its half of the test skipped: $(tail -n 1 "$TMP/pg.log")"
fi

# kill -9 during the crossing day: the day finished by a re-run records what one run records
K="$TMP/kill.db"
book "$K" 30
run 0 "$RA" run-day --db "$K" --date 2020-02-20 --to 2020-03-11 --execute close
cp "$K" "$TMP/once.db"
t0=$(date +%s%N)
run 0 "$RA" run-day --db "$TMP/once.db" --date 2020-03-12 --execute close --batch 1 --format json
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(jget .loss_limit_crossed)" -ge 3 ] && ok || bad "too few crossings to test kills"
moments=$(awk -v m="$ms" -v seed="$RANDOM" 'BEGIN{srand(seed); for (i = 0; i < 40; i++) printf "%.3f\n", rand() * m * 0.7 / 1000}')
killed=0
for at in $moments; do
  [ "$killed" -ge 8 ] && break
  "$RA" run-day --db "$K" --date 2020-03-12 --execute close --batch 1 >/dev/null 2>&1 &
  pid_run=$!
  sleep "$at"
  if kill -9 "$pid_run" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid_run" 2>/dev/null
done
[ "$killed" -ge 8 ] && ok || bad "only $killed runs were killed while running (a clean run takes $ms ms)"
run 0 "$RA" run-day --db "$K" --date 2020-03-12 --execute close --batch 1
for db in "$K" "$TMP/once.db"; do
  "$RA" notifications list --db "$db" --format json | grep -v '"created"' >"$db.notes"
  "$RA" suspensions list --db "$db" --format json >"$db.susp"
  "$RA" orders list --db "$db" --format csv >"$db.orders"
done
cmp -s "$K.notes" "$TMP/once.db.notes" && ok || bad "notifications differ after the kills"
cmp -s "$K.susp" "$TMP/once.db.susp" && ok || bad "suspensions differ after the kills"
cmp -s "$K.orders" "$TMP/once.db.orders" && ok || bad "orders differ after the kills"
n_codes=$(grep -c '"code"' "$K.notes"); n_uniq=$(grep '"code"' "$K.notes" | sort -u | wc -l)
[ "$n_codes" = "$n_uniq" ] && [ "$n_codes" -ge 6 ] && ok || bad "notifications: $n_codes, $n_uniq distinct"
run 0 "$RA" check --db "$K"
run 0 "$RA" audit verify --db "$K"

min_checks 100
finish
