# models and screen end to end (docs/cli.md#models, #screen): build the models of the example shelf
# (examples/data/securities.csv with real prices of aa_etf_prices.csv) on SQLite, list and show
# them, rebuild without change, hand-authored models and their errors, suitability refusal and an
# audited override, targets with anti-crowding, and screening the Dow Jones 30.
source "$(dirname "$0")/lib.sh"
min_checks 74 # the checks this script makes today; finish fails below it
E="$REPO/examples/data"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_DB="$TMP/book.db"
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
unset ROBOADVISOR_FIRM
awk -F, 'NR == 1 || $1 >= "2021-06-01"' "$DATA/aa_etf_prices.csv" >"$TMP/prices.csv"
run 0 "$RA" init
run 0 "$RA" import securities "$E/securities.csv"
run 0 "$RA" import clients "$E/clients.csv"
run 0 "$RA" import accounts "$E/accounts.csv"
run 0 "$RA" import prices "$TMP/prices.csv"
run 2 "$RA" models; err_lines 1
run 2 "$RA" models frobnicate; err_lines 1
run 2 "$RA" models build --cov median; err_lines 1
run 0 "$RA" models build --format json
for l in 1 2 3 4 5; do
  i=$((l - 1))
  code=$(jget ".models[$i].code"); [ "$code" = "R$l" ] && ok || bad "model $i is $code"
  eq=$(jget ".models[$i].equity_share")
  close "$eq" "$(awk -v l=$l 'BEGIN{print (l - 1) * 0.2 + 0.1}')" 0.1000001 "(R$l equity in its band)"
  lv=$(jget ".models[$i].level"); [ "${lv#R}" -le "$l" ] && ok || bad "R$l has level $lv"
done
run 0 "$RA" models build; out_has "unchanged"
run 0 "$RA" models list; out_has "R5"
run 0 "$RA" models show R3 --version 1 --format json
[ "$(jget .version)" = 1 ] && ok || bad "version"
run 1 "$RA" models show R9; err_has "no model R9"
# hand-authored
printf 'model,ticker,weight\nCORE,VTI,0.6\nCORE,BND,0.4\n' >"$TMP/m.csv"
run 0 "$RA" models add "$TMP/m.csv"; out_has "model CORE: version 1 (new), level R3"
printf 'model,ticker,weight\nCORE,VTI,0.7\nCORE,BND,0.3\n' >"$TMP/m2.csv"
run 0 "$RA" models add "$TMP/m2.csv"; out_has "version 2 (new), level R4"
printf 'model,ticker,weight\nX,VTI,0.7\nX,BND,0.2\n' >"$TMP/bad.csv"
run 1 "$RA" models add "$TMP/bad.csv"; err_has "bad.csv:2:3 (weight)"; err_has "sum to 0.9"
printf 'model,ticker,weight\nX,IWD,1\n' >"$TMP/off.csv"
run 1 "$RA" models add "$TMP/off.csv"; err_has "not on the shelf"
run 0 "$RA" models settings --shelf-only no; out_has "any security"
run 0 "$RA" models add "$TMP/off.csv"
# suitability
run 0 "$RA" models suitable --level C4; out_has "CORE"
run 0 "$RA" models suitable --level C3 --format json
[ "$(jget ".models[0].code")" = R1 ] && ok || bad "suitable R1"
if grep -q CORE "$TMP/out"; then bad "CORE (R4) offered to C3"; else ok; fi
run 1 "$RA" models assign A000001-1 R5 --level C2; err_has "above the client's risk level C2"
run 0 "$RA" models assign A000001-1 R5 --level C2 --override "client's written request"
out_has "OVERRIDE"
run 0 "$RA" models show-account A000001-1 --format json
[ "$(jget .overridden)" = true ] && ok || bad "override not shown"
for a in A000002-1 A000003-1 A000004-1 A000005-1 A000006-1; do
  run 0 "$RA" models assign $a R3 --level C3
done
run 0 "$RA" models targets --max-identical 2 --te-budget 0.005 --format json
[ "$(jget .drift.variants)" -ge 3 ] && ok || bad "variants"
close "$(jget .drift.te_max)" 0 0.0050001 "(TE within budget)"
run 0 "$RA" audit verify; out_has "hash chain intact"
# screening
run 2 "$RA" screen --prices "$DATA/dowjones30_prices.csv"; err_lines 1
run 0 "$RA" screen --prices "$DATA/dowjones30_prices.csv" --cardinality 5 --min-weight 0.05 \
  --level C4 --tries 500 --count 3 --seed 7 --format json
[ "$(jget .tried)" = 500 ] && ok || bad "tried"
q1=$(jget .qualified); w1=$(jget ".portfolios[0].weights[0].weight")
run 0 "$RA" screen --prices "$DATA/dowjones30_prices.csv" --cardinality 5 --min-weight 0.05 \
  --level C4 --tries 500 --count 3 --seed 7 --format json
[ "$(jget .qualified)" = "$q1" ] && [ "$(jget ".portfolios[0].weights[0].weight")" = "$w1" ] && ok || bad "not deterministic"
finish
