# Anti-crowding in every proposal of the daily cycle (docs/methodology.md#anti-crowding-in-the-
# cycle, docs/cli.md#firm-rules), on a real SQLite book: 40 generated clients onboarded on
# 2020-02-19 on five models, so that many accounts share one personalised target. What is
# checked, and where the expected values come from:
# - the default is on: at most 3 accounts on one identical target (the seed's limit), a
#   variant's tracking error at most 0.005 a year (firm-rules show);
# - run-day reports the crowds before and after: before, more than 3 (40 clients, 5 models: by
#   pigeonhole some target is shared by more than 3); after, at most 3, none unmet; the number
#   of varied accounts equals the accounts 'firm-rules variants' lists for the day;
# - the variants themselves: no (base target, variant) pair is held by more than 3 accounts,
#   every move is between two different funds, at least 0.1 % of the account, at most 1;
# - stability: on the next days an account whose base target is unchanged keeps its variant
#   exactly (same number, move and start day), so that variants do not churn trades;
# - a re-run of a day changes nothing; check and audit verify stay clean (the setting is
#   audited and imaged);
# - limit 1 with a budget too small for any move of 0.1 %: the accounts are reported over the
#   limit (unmet), none on a variant; turned off (0): no crowding figures and the variants end.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
B="$TMP/b.db"
run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$TMP/key" --clients 40 \
  --from 2019-02-20 --to 2020-02-19
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
run 0 "$RA" models build --db "$B" --date 2020-02-19
run 0 "$RA" onboard --db "$B" --generate 40 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2020-02-19

run 0 "$RA" firm-rules show --db "$B" --format json
[ "$(jget .max_identical)" = 3 ] && ok || bad "default limit is not 3"
close "$(jget .crowd_te_budget)" 0.005 0 "default budget"
run 2 "$RA" firm-rules set --db "$B" --crowd-te-budget 0.2
err_has 'must be in (0, 0.05]'
run 2 "$RA" firm-rules set --db "$B" --max-identical -1

# checks the day's variants: VARIANTS_JSON LIMIT
variants_ok() {
  python3 - "$1" "$2" <<'PY'
import json, sys
from collections import Counter
v = json.load(open(sys.argv[1]))["variants"]
lim = int(sys.argv[2])
pairs = Counter((x["base"], x["variant"]) for x in v)
worst = max(pairs.values()) if pairs else 0
assert worst <= lim, f"{worst} accounts on one variant"
for x in v:
    assert x["from"] != x["to"], x
    assert 0.001 <= float(x["weight"]) <= 1, x
    assert x["variant"] >= 1, x
print(len(v))
PY
}

day() { # DATE: runs it and keeps the summary and the variants
  run 0 "$RA" run-day --db "$B" --date "$1" --execute close --format json
  cp "$TMP/out" "$TMP/run-$1.json"
  "$RA" firm-rules variants --db "$B" --date "$1" --format json >"$TMP/var-$1.json" && ok \
    || bad "variants $1"
}
day 2020-02-20
cp "$TMP/run-2020-02-20.json" "$TMP/out"
[ "$(jget .crowding.max_identical)" = 3 ] && ok || bad "limit in the summary"
[ "$(jget .crowding.largest_before)" -gt 3 ] && ok || bad "no crowd over 3 before the variants"
[ "$(jget .crowding.largest_crowd)" -le 3 ] && ok || bad "a crowd over 3 after the variants"
[ "$(jget .crowding.unmet)" = 0 ] && ok || bad "unmet accounts"
varied=$(jget .crowding.varied)
n=$(variants_ok "$TMP/var-2020-02-20.json" 3) && ok || bad "variants of 2020-02-20"
[ "$n" = "$varied" ] && [ "$n" -gt 0 ] && ok || bad "varied $varied, listed $n"

for d in 2020-02-21 2020-02-24; do
  day "$d"
  cp "$TMP/run-$d.json" "$TMP/out"
  [ "$(jget .crowding.largest_crowd)" -le 3 ] && ok || bad "$d: a crowd over 3"
  n=$(variants_ok "$TMP/var-$d.json" 3) && ok || bad "variants of $d"
  [ "$n" = "$(jget .crowding.varied)" ] && ok || bad "$d: varied differs from the list"
done
# stability: an account listed on both days with the same base keeps its variant exactly
python3 - "$TMP/var-2020-02-20.json" "$TMP/var-2020-02-24.json" >"$TMP/stable" <<'PY' && ok || bad "variants churned: $(cat "$TMP/stable")"
import json, sys
a = {x["account"]: x for x in json.load(open(sys.argv[1]))["variants"]}
b = {x["account"]: x for x in json.load(open(sys.argv[2]))["variants"]}
same = [k for k in b if k in a and a[k]["base"] == b[k]["base"]]
assert same, "no account kept its base target"
for k in same:
    assert a[k] == b[k], (a[k], b[k])
print(len(same))
PY
[ "$(cat "$TMP/stable")" -gt 0 ] && ok || bad "no account to compare"

# a re-run of the day changes nothing
run 0 "$RA" run-day --db "$B" --date 2020-02-24 --execute close --format json
"$RA" firm-rules variants --db "$B" --date 2020-02-24 --format json >"$TMP/again.json"
cmp -s "$TMP/again.json" "$TMP/var-2020-02-24.json" && ok || bad "a re-run changed the variants"
run 0 "$RA" check --db "$B"
run 0 "$RA" audit verify --db "$B"

# limit 1, budget too small for any move: over the limit, reported
run 0 "$RA" firm-rules set --db "$B" --max-identical 1 --crowd-te-budget 0.000001
run 0 "$RA" audit verify --db "$B"
day 2020-02-25
cp "$TMP/run-2020-02-25.json" "$TMP/out"
[ "$(jget .crowding.unmet)" -gt 0 ] && [ "$(jget .crowding.varied)" = 0 ] \
  && [ "$(jget .crowding.largest_crowd)" -gt 1 ] && ok || bad "unmet not reported"
run 0 "$RA" run-day --db "$B" --date 2020-02-26 --execute close
out_has "over the limit (no variant within the tracking-error budget)"
# off: no figures, the variants end
run 0 "$RA" firm-rules set --db "$B" --max-identical 0 --format json
[ "$(jget .max_identical)" = 0 ] && ok || bad "not off"
run 0 "$RA" run-day --db "$B" --date 2020-02-27 --execute close --format json
if "$JG" .crowding <"$TMP/out" >/dev/null 2>&1; then bad "crowding figures when off"; else ok; fi
run 0 "$RA" firm-rules variants --db "$B" --date 2020-02-27
out_has "on 2020-02-27: 0"
run 0 "$RA" audit verify --db "$B"
min_checks 35
finish
