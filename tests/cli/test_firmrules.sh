# Firm rules checked on every proposal (docs/cli.md#firm-rules, docs/methodology.md#firm-rules),
# on a real SQLite book and, for the scale-out, a real PostgreSQL (tests/support/pg_server.sh;
# that part skipped with a note when none starts). A generated book of 6 clients onboarded on
# 2020-02-19 is copied; 2020-02-20 is run on one copy without firm rules (the reference: the
# proposals as the rebalancer makes them) and on others with them. What is checked, and where
# the expected values come from:
# - firm-rules show/set: every rule off before a version is set; a set is a new version that keeps
#   what is not given; values out of range are usage errors; each set is audited (audit verify);
# - off: run-day's summary has no firm_rules key (the document is unchanged);
# - on (max weight 0.20 with money_market exempt, minimum holding 30 days, turnover 0.5): every
#   trade's quantity plus the quantities its cuts name equals its quantity without the rules,
#   exactly in micro-shares (tests/cli/firmcuts.py); the weight cap's cuts leave the fund at
#   0.20 of the account after the fills (account show: within a micro-share's value, at most it);
# - the firm share cap: a fund with 1 share outstanding leaves the firm no room (5 % of one
#   share is less than the holdings): every discretionary buy of it is cut whole, an advisory
#   proposal's is not (the cap is on discretionary holdings);
# - a re-run of the day changes nothing; check and audit verify are clean;
# - PostgreSQL: three `run-day --worker` processes with the rules on give the proposals (their
#   cuts included), the day's firm figures and the anti-crowding variants of one ordinary run,
#   exactly.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
FC="$(dirname "$0")/firmcuts.py"

book() { # DB CLIENTS DAY
  run 0 "$RA" generate-book --db "$1" --data "$DATA" --key-file "$TMP/key" --clients "$2" \
    --from 2019-02-20 --to "$3"
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
  # the single stage (--stages 1): this scenario's expected trades were derived on its models
  run 0 "$RA" models build --stages 1 --db "$1" --date "$3"
  run 0 "$RA" onboard --db "$1" --generate "$2" --seed 3 \
    --questionnaire "$REPO/examples/questionnaire/default.json" --date "$3"
}

B="$TMP/base.db"
book "$B" 6 2020-02-19
for c in off on share; do cp "$B" "$TMP/$c.db"; done

run 0 "$RA" firm-rules show --db "$B" --format json
[ "$(jget .version)" = 0 ] && [ "$(jget .max_weight)" = 0 ] && [ "$(jget .min_hold_days)" = 0 ] \
  && ok || bad "rules on before any version"
run 2 "$RA" firm-rules set --db "$B" --max-weight 1.5
err_has 'must be in [0, 1]'
run 2 "$RA" firm-rules set --db "$B"
err_has 'say what to set'
run 2 "$RA" firm-rules set --db "$B" --min-hold-days 4000
# a list separated by commas exempts nothing: refused, naming the separator
run 1 "$RA" firm-rules set --db "$B" --max-weight 0.3 --exempt "us_bonds,cash"
err_has "item 1 is not a ticker or asset class (items are separated by ';')"
run 2 "$RA" firm-rules shares --db "$B" --ticker SPY --shares 10
err_has 'needs --ticker, --date and --shares'

# off: the reference
run 0 "$RA" run-day --db "$TMP/off.db" --date 2020-02-20 --execute close --format json
if "$JG" .firm_rules <"$TMP/out" >/dev/null 2>&1; then bad "firm_rules in the summary with the rules off"; else ok; fi
"$RA" proposals list --db "$TMP/off.db" --format json >"$TMP/off.json" && ok || bad "proposals off"

# on
O="$TMP/on.db"
run 0 "$RA" firm-rules set --db "$O" --max-weight 0.2 --exempt money_market --format json
[ "$(jget .version)" = 1 ] && ok || bad "first version is not 1"
run 0 "$RA" firm-rules set --db "$O" --min-hold-days 30 --max-turnover 0.5 --format json
[ "$(jget .version)" = 2 ] && close "$(jget .max_weight)" 0.2 1e-12 "max_weight kept"
[ "$(jget .version)" = 2 ] && [ "$(jget .exempt)" = money_market ] \
  && [ "$(jget .min_hold_days)" = 30 ] && ok || bad "a set did not keep the rules not given"
run 0 "$RA" run-day --db "$O" --date 2020-02-20 --execute close --format json
cuts=$(jget .firm_rules.cuts)
[ "$cuts" -gt 0 ] && ok || bad "no cuts with the rules on"
crowd=$(jget .firm_rules.largest_crowd)
[ "$crowd" -ge 1 ] && [ "$crowd" -le "$(jget .accounts)" ] && [ -n "$(jget .firm_rules.crowd_account)" ] \
  && ok || bad "largest crowd $crowd"
"$RA" proposals list --db "$O" --format json >"$TMP/on.json" && ok || bad "proposals on"
run 0 python3 "$FC" "$TMP/off.json" "$TMP/on.json"
out_has "cuts $cuts rules"
for r in max_weight min_hold turnover; do out_has " $r"; done
# the weight cap: the funds it cut (and no later cut reduced further) are at 0.20 of their
# accounts after the fills, less than one share (whole shares) or a micro-share below it
python3 - "$TMP/on.json" >"$TMP/capped" <<'PY'
import json, sys
for p in json.load(open(sys.argv[1]))["proposals"]:
    if p["discretionary"]:
        cuts = p.get("firm_cuts", [])
        for c in cuts:
            if c["rule"] == "max_weight" and not any(x["ticker"] == c["ticker"] and x["rule"] == "cash" for x in cuts):
                print(p["account"], c["ticker"])
PY
n=0
while read -r acc tic <&3; do
  run 0 "$RA" account show "$acc" --db "$O" --date 2020-02-20 --format json
  python3 - "$TMP/out" "$tic" <<'PY' && ok || bad "$acc $tic is not at the cap of 0.20 after the fills"
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]))
h = [x for x in d["holdings"] if x["ticker"] == sys.argv[2]][0]
w = Decimal(h["value"]) / Decimal(d["value"])
step = Decimal(h["price"]) / Decimal(d["value"]) + Decimal("0.000001")  # a share, and a cent
sys.exit(0 if Decimal("0.2") - step <= w <= Decimal("0.2") + Decimal("0.000001") else 1)
PY
  n=$((n + 1))
done 3<"$TMP/capped"
[ "$n" -gt 0 ] && ok || bad "no weight cap cut to check"
run 0 "$RA" proposals show P-2020-02-20-A000001-1 --db "$O"
out_has "cut by the firm rules:"
# a re-run changes nothing
run 0 "$RA" run-day --db "$O" --date 2020-02-20 --execute close --format json
[ "$(jget .processed)" = 0 ] && ok || bad "the re-run processed accounts"
"$RA" proposals list --db "$O" --format json >"$TMP/on2.json"
cmp -s "$TMP/on.json" "$TMP/on2.json" && ok || bad "the re-run changed the proposals"
run 0 "$RA" check --db "$O"
run 0 "$RA" audit verify --db "$O"

# the firm share cap: no room in GLD (1 share outstanding)
S="$TMP/share.db"
run 0 "$RA" firm-rules set --db "$S" --max-firm-share 0.05
run 0 "$RA" firm-rules shares --db "$S" --ticker GLD --date 2020-01-31 --shares 1 --format json
[ "$(jget .funds[0].ticker)" = GLD ] && [ "$(jget .funds[0].shares)" = 1.000000 ] && ok || bad "shares not recorded"
run 0 "$RA" run-day --db "$S" --date 2020-02-20 --execute close --format json
"$RA" proposals list --db "$S" --format json >"$TMP/share.json"
run 0 python3 "$FC" "$TMP/off.json" "$TMP/share.json"
out_has "rules firm_share"
python3 - "$TMP/share.json" <<'PY' && ok || bad "a discretionary GLD buy left, or an advisory one cut"
import json, sys
disc = adv = 0
for p in json.load(open(sys.argv[1]))["proposals"]:
    for t in p["trades"]:
        if t["ticker"] == "GLD" and t["side"] == "buy":
            if p["discretionary"]: sys.exit(1)
            adv += 1
    disc += sum(1 for c in p.get("firm_cuts", []) if c["ticker"] == "GLD")
sys.exit(0 if disc > 0 else 1)
PY
run 0 "$RA" audit verify --db "$S"

# PostgreSQL: three workers equal one run
pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
elif [ -z "$pg_url" ]; then
  echo "PostgreSQL not started, the workers' part skipped: $(tail -n 1 "$TMP/pg.log")"
  min_checks 40; finish; exit $?
fi
base=${pg_url%/*}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
db_w="fw_$$_$RANDOM"; db_s="fs_$$_$RANDOM"
"$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_w" && ok || bad "create database"
W="$base/$db_w"; S1="$base/$db_s"
book "$W" 24 2020-02-19
run 0 "$RA" firm-rules set --db "$W" --max-weight 0.2 --exempt money_market --min-hold-days 30 \
  --max-turnover 0.5 --max-firm-share 0.0001
run 0 "$RA" firm-rules shares --db "$W" --ticker GLD --date 2020-01-31 --shares 3000000
"$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_s TEMPLATE $db_w" && ok || bad "copy the book"
for d in 2020-02-20 2020-02-21; do
  for i in 1 2 3; do
    "$RA" run-day --db "$W" --date "$d" --execute close --worker --batch 3 >/dev/null 2>"$TMP/w$i.err" &
    eval "pid$i=$!"
  done
  for i in 1 2 3; do eval "wait \$pid$i" && ok || bad "worker $i failed: $(cat "$TMP/w$i.err")"; done
  run 0 "$RA" run-day --db "$S1" --date "$d" --execute close --batch 3 --format json
  [ "$(jget .firm_rules.cuts)" -gt 0 ] && ok || bad "$d: no cuts in the single run"
  for u in W S1; do
    "$RA" proposals list --db "${!u}" --format json >"$TMP/$u.p"
    "$PSQL" -X -q -A -t -d "${!u}" -c "SELECT day, rules_version, total_minor, crowd, crowd_account,
        crowd_base, varied, unmet FROM firm_days ORDER BY day" -c "SELECT x.day, c.ticker,
        x.shares_micro, x.held_micro FROM firm_day_funds x JOIN securities c ON c.id =
        x.security_id ORDER BY 1, 2" >"$TMP/$u.f"
    "$RA" firm-rules variants --db "${!u}" --date "$d" --format json >>"$TMP/$u.f"
  done
  cmp -s "$TMP/W.p" "$TMP/S1.p" && ok || bad "$d: the workers' proposals differ from one run's"
  cmp -s "$TMP/W.f" "$TMP/S1.f" && ok || bad "$d: the firm figures differ: $(diff "$TMP/W.f" "$TMP/S1.f" | head -3)"
  grep -q firm_share "$TMP/W.p" && ok || bad "$d: no firm share cut to compare"
  grep -q '"variant": ' "$TMP/W.f" && ok || bad "$d: no anti-crowding variant to compare"
done
run 0 "$RA" audit verify --db "$W"
"$PSQL" -q -d "$pg_url" -c "DROP DATABASE $db_s" -c "DROP DATABASE $db_w" >/dev/null 2>&1
min_checks 60
finish
