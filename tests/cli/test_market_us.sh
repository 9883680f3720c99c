# Market rules of a US book (docs/methodology.md#market-rules): a securities master with only the
# settlement column (T+1) trades as before (lot 1, fractions for a fractional mandate, market
# orders, no band) and T+1 settlement restricts one thing, withdrawals are paid from settled cash
# only. (A master without the column pays them from the day's proceeds, as before:
# tests/cli/test_cycle.sh.)
# Real closes of SPY and AGG 2023-06-05 .. 2023-06-07 from ../shared/data/aa_etf_prices.csv (Monday
# to Wednesday). Expected values, by hand:
# - US-1 (whole shares) deposits 100,000.00 on 2023-06-05: SPY 0.60 x 0.98 x 100,000.00 = 58,800.00
#   at 427.1001 = 137.67 -> 137 shares, AGG 39,200.00 at 98.08 = 399.67 -> 399 shares; its cash
#   at the close is what the account shows;
# - US-2 (fractional mandate) buys fractions of SPY (58,800.00 / 427.1001 = 137.672... shares);
# - orders are market orders (limit price empty) as before;
# - US-1 instructs a withdrawal of 20,000.00 due 2023-06-06: the cycle sells for it that day, but
#   the sales settle T+1 (2023-06-07), so only the cash the account had before them is paid on
#   2023-06-06 (its cash at the close of 2023-06-05) and the rest on 2023-06-07.
source "$(dirname "$0")/lib.sh"
min_checks 20
export ROBOADVISOR_DB=$TMP/book.db ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=US1
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

run 0 "$RA" init --firm US1 --currency USD
cat >"$TMP/sec.csv" <<'CSV'
ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,currency,tlh_group,on_shelf,settlement
SPY,SPDR S&P 500 ETF Trust,us_equity,R4,0.000945,1,NYSEARCA,USD,,yes,T+1
AGG,iShares Core US Aggregate Bond ETF,us_bonds,R2,0.0003,1,NYSEARCA,USD,,yes,T+1
CSV
run 0 "$RA" import securities "$TMP/sec.csv"
run 0 "$RA" securities list --format json
[ "$(jget '.securities[0].market.board')" = us ] && [ "$(jget '.securities[0].market.band_pct')" = 0 ] \
  && [ "$(jget '.securities[0].market.settlement')" = T+1 ] \
  && [ "$(jget '.securities[0].market.fractional')" = true ] && ok || bad "US defaults"
printf 'model,ticker,weight\nus_mix,SPY,0.6\nus_mix,AGG,0.4\n' >"$TMP/models.csv"
run 0 "$RA" models add "$TMP/models.csv"
printf 'code,household,advisor,name,email,tax_id,address,birth_year\nU1,,ADV01,Example One,one@example.com,,,1970\nU2,,ADV01,Example Two,two@example.com,,,1972\n' >"$TMP/cli.csv"
run 0 "$RA" import clients "$TMP/cli.csv"
cat >"$TMP/acc.csv" <<'CSV'
code,client,type,currency,opened,model,discretionary,drift_band,tlh,loss_limit,restrictions,fractional
US-1,U1,tax_deferred,USD,2023-06-01,us_mix,yes,0.05,no,0.10,,0
US-2,U2,tax_deferred,USD,2023-06-01,us_mix,yes,0.05,no,0.10,,1
CSV
run 0 "$RA" import accounts "$TMP/acc.csv"
awk -F, 'NR == 1 || $1 ~ /^2023-06-0[567]$/ {print $1 "," $2 "," $19}' "$DATA/aa_etf_prices.csv" >"$TMP/prices.csv"
[ "$(head -1 "$TMP/prices.csv")" = "Date,SPY,AGG" ] && [ "$(wc -l <"$TMP/prices.csv")" -eq 4 ] && ok || bad "prices extract"
run 0 "$RA" import prices "$TMP/prices.csv"
printf 'account,txn_id,date,kind,ticker,qty,price,amount,fees,relief,lots,ratio\nUS-1,D1,2023-06-05,deposit,,,,100000.00,,,,\nUS-2,D1,2023-06-05,deposit,,,,100000.00,,,,\n' >"$TMP/tx.csv"
run 0 "$RA" import transactions "$TMP/tx.csv"
run 0 "$RA" run-day --date 2023-06-05 --execute close
"$RA" orders list --date 2023-06-05 --format csv >"$TMP/o1.csv"
q() { awk -F, -v a="$1" -v t="$2" '$3 == a && $4 == t {print $6 "|" $7}' "$TMP/o1.csv"; }
[ "$(q US-1 SPY)" = "137.000000|" ] && ok || bad "US-1 SPY is not 137 whole shares at market: $(q US-1 SPY)"
[ "$(q US-1 AGG)" = "399.000000|" ] && ok || bad "US-1 AGG is not 399 whole shares at market: $(q US-1 AGG)"
case "$(q US-2 SPY)" in 137.67*"|") ok ;; *) bad "US-2 SPY is not fractional: $(q US-2 SPY)" ;; esac
run 0 "$RA" account show US-1 --date 2023-06-05 --format json
cash1=$(jget .cash)
run 0 "$RA" withdraw US-1 --amount 20000.00 --date 2023-06-06
run 0 "$RA" run-day --date 2023-06-06 --execute close --format json
[ "$(jget .withdrawals)" = "$cash1" ] && ok || bad "paid $(jget .withdrawals) on 2023-06-06, not the settled $cash1"
"$RA" orders list --date 2023-06-06 --account US-1 --format csv >"$TMP/o2.csv"
[ "$(awk -F, '$5 == "sell"' "$TMP/o2.csv" | wc -l)" -ge 1 ] && ok || bad "no sale for the withdrawal"
run 0 "$RA" instructions list --account US-1 --format json
[ "$(jget '.instructions[0].status')" = partial ] && [ "$(jget '.instructions[0].paid')" = "$cash1" ] && ok || bad "partial on 2023-06-06"
run 0 "$RA" run-day --date 2023-06-07 --execute close
run 0 "$RA" instructions list --account US-1 --format json
[ "$(jget '.instructions[0].status')" = paid ] && [ "$(jget '.instructions[0].paid')" = 20000.00 ] && ok || bad "not paid in full when settled"
run 0 "$RA" audit verify
finish
