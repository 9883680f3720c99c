# optimize --objective cvar / --cvar-limit / --max-assets / --min-weight end to end
# (docs/cli.md#optimize, docs/methodology.md#cvar and #cardinality) on the Dow Jones 30's last
# 1261 prices (1996-01-05..2001-01-02, 1260 daily returns). The CVaR answers are GLPK's on the
# primal LP (tests/golden/cvar/golden.txt, tests/golden/cvar/make_golden.R): the command must
# reproduce them to 1e-8 from the raw prices. The cardinality answers are checked for their limits
# and against the exact search's own proof (held <= K, each held >= m, proven optimal, gap 0).
source "$(dirname "$0")/lib.sh"
min_checks 80
D="$DATA/dowjones30_prices.csv"
G="$REPO/tests/golden/cvar/golden.txt"
gold() { awk -v k="$1" -v i="$2" '$1 == k { print $(i + 3) }' "$G"; }
printf 'group,min,max,members\nfirst ten,0.2,0.6,AA;AXP;T;BA;CAT;C;KO;DD;EK;XOM\n' >"$TMP/g.csv"
COMMON=(--prices "$D" --from 1996-01-05 --bounds 0,0.25 --groups "$TMP/g.csv")
TICK=(AA AXP T BA CAT C KO DD EK XOM GE GM HWP HD HON INTC IBM IP JPM JNJ MCD MRK MSFT MMM MO PG SBC UTX WMT DIS)

# --- usage ---------------------------------------------------------------------------------------
run 2 "$RA" optimize --prices "$D" --objective max-return; err_has "--objective max-return needs --cvar-limit"
run 2 "$RA" optimize --prices "$D" --beta 0.9; err_has "--beta applies to --objective cvar and --cvar-limit"
run 2 "$RA" optimize --prices "$D" --objective cvar --beta 1; err_has "--beta"
run 2 "$RA" optimize --prices "$D" --objective max-sharpe --cvar-limit 0.02
err_has "--cvar-limit applies to min-variance and max-return"
run 2 "$RA" optimize --prices "$D" --objective risk-parity --max-assets 3
err_has "--max-assets and --min-weight apply to min-variance, max-sharpe and target-return"
run 2 "$RA" optimize --prices "$D" --objective cvar --max-assets 3
err_has "--max-assets and --min-weight do not combine with cvar"
run 2 "$RA" optimize --prices "$D" --max-assets 0; err_has "--max-assets"
run 2 "$RA" optimize --prices "$D" --min-weight 1.5; err_has "--min-weight must be between 0 and 1"

# --- minimum CVaR: GLPK's answer ------------------------------------------------------------------
run 0 "$RA" optimize "${COMMON[@]}" --objective cvar --beta 0.95 --format json
close "$(jget .cvar.cvar)" "$(gold dj_min_cvar 0)" 1e-10 "min cvar"
close "$(jget .cvar.scenarios)" 1260 0
close "$(jget .cvar.beta)" 0.95 0
for i in 0 3 9 11 20 29; do
  close "$(jget ".weights.${TICK[$i]}")" "$(gold dj_min_w "$i")" 1e-8 "min cvar ${TICK[$i]}"
done
run 0 "$RA" optimize "${COMMON[@]}" --objective cvar
out_has "CVaR 95.0 %"; out_has "scenarios (historical returns)"

# --- highest return with CVaR <= limit -----------------------------------------------------------
LIM=$(gold dj_maxret_limit 0)
run 0 "$RA" optimize "${COMMON[@]}" --objective max-return --cvar-limit "$LIM" --format json
close "$(jget .cvar.cvar)" "$(gold dj_maxret_cvar 0)" 1e-10 "max return's cvar"
close "$(jget .cvar.limit)" "$LIM" 0
for i in 0 5 9 15 21; do
  close "$(jget ".weights.${TICK[$i]}")" "$(gold dj_maxret_w "$i")" 1e-8 "max return ${TICK[$i]}"
done
# the expected return is annualised from the same data: GLPK's mu'w to 1e-10
close "$(jget .expected_return)" "$(gold dj_maxret_ret 0)" 1e-10 "max return"

# --- lowest variance with CVaR <= limit: the limit binds, the variance rises ---------------------
run 0 "$RA" optimize "${COMMON[@]}" --format json
V0=$(jget .volatility)
run 0 "$RA" optimize "${COMMON[@]}" --cvar-limit 0.0212 --format json
close "$(jget .cvar.cvar)" 0.0212 1e-12 "the limit binds"
V1=$(jget .volatility)
if awk -v a="$V1" -v b="$V0" 'BEGIN{exit !(a >= b)}'; then ok; else bad "volatility $V1 below the unconstrained $V0"; fi
run 1 "$RA" optimize "${COMMON[@]}" --cvar-limit 0.01; err_has "cvar limit 0.01 is below the lowest attainable"

# --- cardinality ------------------------------------------------------------------------------------
SUB=(--prices "$D" --from 1996-01-05 --assets AA,AXP,T,BA,CAT,C,KO,DD,EK,XOM,GE,GM)
for obj in min-variance max-sharpe; do
  run 0 "$RA" optimize "${SUB[@]}" --objective "$obj" --max-assets 3 --min-weight 0.1 --format json
  [ "$(jget .cardinality.proven_optimal)" = true ] && ok || bad "$obj not proven optimal"
  [ "$(jget .cardinality.method)" = branch-and-bound ] && ok || bad "$obj method"
  [ "$(jget .status)" = optimal ] && ok || bad "$obj status"
  close "$(jget .cardinality.gap)" 0 1e-12
  H=$(jget .cardinality.held)
  [ "$H" -le 3 ] && ok || bad "$obj holds $H > 3"
  n=0
  for t in AA AXP T BA CAT C KO DD EK XOM GE GM; do
    w=$(jget ".weights.$t")
    if awk -v w="$w" 'BEGIN{exit !(w == 0 || w >= 0.1 - 1e-9)}'; then n=$((n + 1)); else bad "$t weight $w"; fi
  done
  close "$n" 12 0 "$obj: every weight 0 or >= 0.1"
done
run 0 "$RA" optimize "${SUB[@]}" --objective target-return --target 0.25 --max-assets 4 --min-weight 0.05
out_has "branch-and-bound"; out_has "proven optimal"
run 1 "$RA" optimize "${SUB[@]}" --bounds 0,0.5 --max-assets 1 --min-weight 0.3
err_has "no portfolio of at most 1 asset(s) of at least 0.3 each meets the limits"
# the whole 30 with the exact search's default limit of 25 assets: the heuristic, with its gap
run 0 "$RA" optimize --prices "$D" --from 1996-01-05 --max-assets 5 --min-weight 0.05 --format json
[ "$(jget .cardinality.method)" = heuristic ] && ok || bad "30 assets: heuristic expected"
[ "$(jget .status)" = feasible ] && ok || bad "heuristic status"
is_number "$(jget .cardinality.gap)" && ok || bad "gap"

# --- models build --max-funds --min-position: the class stage holds at most K classes -----------
E="$REPO/examples/data"
export ROBOADVISOR_USER=cli-test
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
unset ROBOADVISOR_FIRM ROBOADVISOR_DB
awk -F, 'NR == 1 || ($1 >= "2010-01-01" && $1 <= "2019-12-31")' "$DATA/aa_etf_prices.csv" >"$TMP/prices.csv"
run 0 "$RA" init --db "$TMP/b.db"
run 0 "$RA" import securities "$E/securities.csv" --db "$TMP/b.db"
run 0 "$RA" import prices "$TMP/prices.csv" --db "$TMP/b.db"
run 2 "$RA" models build --db "$TMP/b.db" --min-position 0.6; err_has "--min-position"
run 0 "$RA" models build --db "$TMP/b.db" --stages 2 --draws 0 --max-funds 4 --min-position 0.03 --format json
for i in 0 1 2 3 4; do
  j=0; held=0
  while w=$("$JG" ".models[$i].classes[$j].weight" <"$TMP/out" 2>/dev/null); do
    if awk -v w="$w" 'BEGIN{exit !(w > 0)}'; then
      held=$((held + 1))
      awk -v w="$w" 'BEGIN{exit !(w >= 0.03 - 1e-9)}' && ok || bad "model $i class $j weight $w < 0.03"
    fi
    j=$((j + 1))
  done
  [ "$held" -ge 1 ] && [ "$held" -le 4 ] && ok || bad "model $i holds $held classes, want 1..4"
done
run 1 "$RA" models build --db "$TMP/b.db" --stages 2 --draws 0 --max-funds 3
err_has "no portfolio of at most 3 asset(s) meets the limits"
finish
