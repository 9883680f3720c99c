# roboadvisor diagnose end to end (docs/cli.md#diagnose, docs/formats.md#holdings,
# docs/methodology.md#diagnosis) on a real SQLite book and on a real PostgreSQL: a generated demo
# book of 6 clients on the real prices in ../shared/data, models built and clients onboarded on
# 2019-12-10, the securities' expense ratios set (the generated book has none). What is checked,
# and where the expected values come from:
# - usage errors (exit 2) and bad holdings files (exit 1) naming file, line and column and never
#   the quantity or weight given;
# - an account on 2019-12-10: its value is `valuation --date`'s total; weights and cash add to 1;
#   the client level is the stored profile's; the model is the highest built level
#   at or below it; every holding above the client's level is listed unsuitable and no other; the
#   weighted expense ratio and the yearly cost recomputed here from `securities list` and the
#   holdings' values; HHI and 1/HHI from the weights; the trades sell every unsuitable holding
#   first, whole;
# - the same holdings as a quantity file (no cash): the expected return and volatility scale by
#   the invested share (cash earns 0 with no risk), the drawdown is that of the same securities;
#   as a weight file with --value: the value within a cent a holding of it; a security off the
#   shelf with prices in the book is diagnosed;
# - PostgreSQL: the same book gives the same JSON byte for byte.
source "$(dirname "$0")/lib.sh"
min_checks 60
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
B="$TMP/book.db"

make_book() { # URL KEYFILE
  run 0 "$RA" generate-book --db "$1" --data "$DATA" --key-file "$2" --clients 6 \
    --from 2018-12-10 --to 2019-12-10
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$2")
  run 0 "$RA" models build --db "$1" --date 2019-12-10
  run 0 "$RA" onboard --db "$1" --generate 6 --seed 3 \
    --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
  # expense ratios (k + 1) bp by ticker order; GLD off the shelf
  run 0 "$RA" securities list --db "$1" --format json
  python3 - "$TMP/out" >"$TMP/secs.csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,currency,tlh_group,on_shelf")
for k, s in enumerate(d["securities"]):
    shelf = "no" if s["ticker"] == "GLD" else "yes"
    print(f'{s["ticker"]},"{s["name"]}",{s["asset_class"]},{s["risk_level"]},{(k + 1) / 10000:.4f},'
          f'{s["lot_size"]},{s["exchange"]},{s["currency"]},{s["tlh_group"]},{shelf}')
PY
  run 0 "$RA" import securities "$TMP/secs.csv" --db "$1"
}
make_book "$B" "$B.key"
D=2019-12-10

# --- usage ------------------------------------------------------------------------------------------
run 2 "$RA" diagnose --db "$B"; err_has "give --account A or --holdings FILE, one of them"
run 2 "$RA" diagnose --db "$B" --account A000001-1 --holdings x.csv; err_has "one of them"
run 2 "$RA" diagnose --db "$B" --account A000001-1 --value 100; err_has "go with --holdings"
run 2 "$RA" diagnose --db "$B" --account A000001-1 --level C9
run 2 "$RA" diagnose --db "$B" --account A000001-1 --format xml
run 2 "$RA" diagnose --db "$B" --account A000001-1 --overlap-correlation 2
run 0 "$RA" diagnose --help; out_has "usage: roboadvisor diagnose"
run 1 "$RA" diagnose --db "$B" --account NOPE --date $D

# --- an account ----------------------------------------------------------------------------------
A=A000002-1
run 0 "$RA" valuation --db "$B" --date $D --format json; cp "$TMP/out" "$TMP/val.json"
run 0 "$RA" securities list --db "$B" --format json; cp "$TMP/out" "$TMP/secs.json"
run 0 "$RA" diagnose --db "$B" --account $A --date $D --format json; cp "$TMP/out" "$TMP/acct.json"
[ "$(jget .date)" = $D ] && ok || bad "date"
[ "$(jget .data.to)" = $D ] && ok || bad "window ends on the date"
[ "$(jget .data.returns)" -ge 150 ] && ok || bad "a window of daily returns"
[[ "$(jget .data.from)" > 2016-12-10 ]] && ok || bad "the window is at most 3 years"
for k in .return_risk.expected_return .return_risk.volatility .return_risk.max_drawdown \
  .return_risk.cvar_1d_95 .return_risk.cvar_annual_95 .concentration.hhi .costs.expense_ratio_bps \
  .model.tracking_error .model.l1_distance .frontier.volatility_saved .fix.drift_before; do
  is_number "$(jget $k)" && ok || bad "$k is not a number"
done
for k in '"units"' '"overlap"' '"correlation_threshold": 0.9' '"suitability"' '"trades"' '"source": "account A000002-1"' '"method": "historical'; do
  grep -qF "$k" "$TMP/acct.json" && ok || bad "JSON lacks $k"
done
python3 - "$TMP/acct.json" "$TMP/val.json" "$TMP/secs.json" $A >"$TMP/py" 2>&1 <<'PY'
import json, sys
d, val, secs = (json.load(open(f)) for f in sys.argv[1:4])
acct = sys.argv[4]
def check(c, what):
    print("ok" if c else "bad " + what)
v = next(a for a in val["accounts"] if a["account"] == acct)
check(d["value"] == v["total"], f'value {d["value"]} != valuation {v["total"]}')
held = [h for h in d["holdings"] if float(h["quantity"]) > 0]
check(abs(sum(h["weight"] for h in d["holdings"]) + d["cash"]["weight"] - 1) < 1e-12, "weights sum")
er = {s["ticker"]: s["expense_ratio"] for s in secs["securities"]}
lvl = {s["ticker"]: int(s["risk_level"][1]) for s in secs["securities"]}
value = float(d["value"])
vals = {h["ticker"]: float(h["value"]) for h in held}
wer = sum(vals[t] * er[t] for t in vals) / value
check(abs(d["costs"]["expense_ratio_bps"] - wer * 1e4) < 1e-9, f'expense ratio {d["costs"]["expense_ratio_bps"]} vs {wer * 1e4}')
check(abs(float(d["costs"]["yearly_cost"]) - value * wer) <= 0.005 + 1e-9, f'yearly cost {d["costs"]["yearly_cost"]} vs {value * wer}')
inv = value - float(d["cash"]["value"])
hhi = sum((vals[t] / inv) ** 2 for t in vals)
check(abs(d["concentration"]["hhi"] - hhi) < 1e-6, f'hhi {d["concentration"]["hhi"]} vs {hhi}')
check(abs(d["concentration"]["effective_holdings"] - 1 / hhi) < 1e-5, "effective holdings")
level = int(d["client"]["level"][1])
check(d["client"]["source"].startswith("profile of client"), "level source " + d["client"]["source"])
un = sorted(u["ticker"] for u in d["suitability"]["unsuitable"])
check(un == sorted(t for t in vals if lvl[t] > level), f"unsuitable {un} at C{level}")
check(int(d["model"]["level"][1]) <= level, "model above the client's level")
sells = [t for t in d["trades"] if t["side"] == "sell"]
first = [t["ticker"] for t in d["trades"][:len(un)]]
check(sorted(first) == un, f"unsuitable sales first: {first}")
n_whole = 0
for t in d["trades"]:
    if t["ticker"] in un:
        h = next(x for x in held if x["ticker"] == t["ticker"])
        if h["model_weight"] == 0:  # the model holds it not: sold whole
            check(t["quantity"] == h["quantity"], "an unsuitable holding sold whole")
            n_whole += 1
        else:  # the model's own (rated suitable as a whole): trimmed like any holding, to the
            # upper edge of its band around the model's weight (5 points or 25 % of it, the
            # smaller: the defaults of a diagnosis), within a share's value
            left = float(h["value"]) - float(t["value"])
            mw = h["model_weight"]
            edge = mw + min(0.05, 0.25 * mw)
            check(mw - 0.001 <= left / value <= edge + 0.001, f'{t["ticker"]} left at {left / value}, band edge {edge}')
check(n_whole >= 1, "no unsuitable holding sold whole")
print("level", level)
PY
while read -r w rest; do case $w in ok) ok ;; bad) bad "$rest" ;; level) LVL=$rest ;; *) bad "python: $w $rest" ;; esac; done <"$TMP/py"
run 0 "$RA" diagnose --db "$B" --account $A --date $D
for k in "diagnosis of account $A on $D" "expected return" "max drawdown" "CVaR 95 %" "effective number of holdings" "weighted expense ratio" "suitability against client level C$LVL" "suitable model R" "efficient frontier" "trades that fix it"; do
  out_has "$k"
done
# the level as given replaces the profile's
run 0 "$RA" diagnose --db "$B" --account $A --date $D --level C1 --format json
[ "$(jget .client.level)" = C1 ] && ok || bad "--level C1"
[ "$(jget .model.level)" = R1 ] && ok || bad "a C1 client's model is R1"

# --- the same holdings as files --------------------------------------------------------------------
python3 - "$TMP/acct.json" >"$TMP/h.csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("ticker,quantity")
for h in d["holdings"]:
    if float(h["quantity"]) > 0:
        print(f'{h["ticker"]},{h["quantity"]}')
PY
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/h.csv" --date $D
err_has "a holdings file has no client: give --level C1..C5 or --client"
run 0 "$RA" diagnose --db "$B" --holdings "$TMP/h.csv" --date $D --level C$LVL --format json
cp "$TMP/out" "$TMP/file.json"
python3 - "$TMP/acct.json" "$TMP/file.json" >"$TMP/py" <<'PY'
import json, sys
a, f = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
inv = 1 - a["cash"]["weight"]
def close(x, y, t, what):
    print("ok" if abs(x - y) <= t else f"bad {what}: {x} vs {y}")
close(f["return_risk"]["expected_return"] * inv, a["return_risk"]["expected_return"], 1e-12, "return scales by the invested share")
close(f["return_risk"]["volatility"] * inv, a["return_risk"]["volatility"], 1e-12, "volatility scales")
close(f["concentration"]["hhi"], a["concentration"]["hhi"], 1e-12, "hhi of the invested value")
close(float(f["value"]), float(a["value"]) - float(a["cash"]["value"]), 0.001, "value without the cash")
PY
while read -r w rest; do case $w in ok) ok ;; *) bad "$rest" ;; esac; done <"$TMP/py"
# by weight, with the value
python3 - "$TMP/file.json" >"$TMP/w.csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
hs = [h for h in d["holdings"] if float(h["quantity"]) > 0]
ws = [round(h["weight"], 9) for h in hs]
ws[-1] = round(1 - sum(ws[:-1]), 9)
print("ticker,weight")
for h, w in zip(hs, ws):
    print(f'{h["ticker"]},{w:.9f}')
PY
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/w.csv" --date $D --level C3
err_has "needs the portfolio's value: give --value"
run 2 "$RA" diagnose --db "$B" --holdings "$TMP/w.csv" --date $D --level C3 --value -5
run 0 "$RA" diagnose --db "$B" --holdings "$TMP/w.csv" --date $D --level C3 --value 250000 --format json
n_h=$(grep -c , "$TMP/w.csv")
close "$(jget .value)" 250000 "0.0$n_h" "the value of a weight file"
# a security off the shelf with prices in the book
printf 'ticker,quantity\nGLD,10\nSPY,5\n' >"$TMP/off.csv"
run 0 "$RA" diagnose --db "$B" --holdings "$TMP/off.csv" --date $D --level C4 --format json
grep -A4 '"ticker": "GLD"' "$TMP/out" | grep -q '"on_shelf": false' && ok || bad "GLD off the shelf"

# --- bad holdings files: file, line, column; never the value ---------------------------------------
printf 'ticker,quantity\nSPY,10\nNOPE,3\n' >"$TMP/b1.csv"
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/b1.csv" --level C3
err_has "b1.csv:3 (NOPE): no such security in the book"
printf 'ticker,quantity\nSPY,98765.4x\n' >"$TMP/b2.csv"
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/b2.csv" --level C3
err_has "b2.csv:2:2 (quantity): the quantity of SPY is not a number of shares"
grep -q 98765 "$TMP/err" && bad "the quantity is quoted" || ok
printf 'ticker,weight\nSPY,0.61234\nAGG,0.3\n' >"$TMP/b3.csv"
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/b3.csv" --level C3 --value 100
err_has "the weights do not sum to 1"
grep -q 61234 "$TMP/err" && bad "the weight is quoted" || ok
printf 'ticker,quantity,weight\nSPY,1,1\n' >"$TMP/b4.csv"
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/b4.csv" --level C3; err_has "b4.csv:1"
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/missing.csv" --level C3
printf 'ticker,quantity\n' >"$TMP/b5.csv"
run 1 "$RA" diagnose --db "$B" --holdings "$TMP/b5.csv" --level C3; err_has "no holdings"

# --- PostgreSQL: the same JSON ---------------------------------------------------------------------
pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
if [ -n "$pg_url" ]; then
  PSQL=psql; command -v psql >/dev/null || PSQL="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql"
  db_p="diag_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_p" && ok || bad "create database"
  P="${pg_url%/*}/$db_p"
  S="$TMP/s2.db"
  make_book "$S" "$S.key"
  run 0 "$RA" diagnose --db "$S" --account $A --date $D --format json; cp "$TMP/out" "$TMP/s.json"
  make_book "$P" "$TMP/pg.key"
  run 0 "$RA" diagnose --db "$P" --account $A --date $D --format json
  cmp -s "$TMP/s.json" "$TMP/out" && ok || bad "PostgreSQL diagnosis differs: $(diff "$TMP/s.json" "$TMP/out" | head -4)"
  run 0 "$RA" diagnose --db "$P" --holdings "$TMP/h.csv" --date $D --level C$LVL --format json
  cmp -s "$TMP/file.json" "$TMP/out" && ok || bad "PostgreSQL file diagnosis differs"
else
  echo "PostgreSQL not started, its part skipped: $(tail -n 1 "$TMP/pg.log")"
fi
finish
