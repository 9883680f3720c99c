# Market rules in the daily cycle (docs/methodology.md#market-rules, docs/formats.md#securities):
# the sample Chinese firm of examples/cn (CNY; A-share ETFs and stocks; illustrative prices, see
# examples/cn/README.md) run through the cycle from 2024-03-01 to 2024-03-07 on SQLite, each
# day's transactions imported before its run, every order filled at the close. Expected values,
# by hand from the example's files (the cash reserve is the mandate's default 0.02):
# - 2024-03-01 (no previous close: no band): CN-A2's 150 shares of the ST stock 605999 (an odd
#   lot: one lot of 100 and 50), excluded by its restrictions, are sold whole: one order of 150;
# - every buy is a multiple of 100 shares; CN-A1's 100,000.00 deposited on 2024-03-05 buys 510300
#   at 3.520 for 0.25 x 0.98 x 100,000.00 = 24,500.00: 6,960.2 shares -> 6,900 (whole lots);
# - 2024-03-05: 600036 closes at 35.75 = 32.50 x 1.10, its upper limit: nobody trades it; CN-A1's
#   proposal says no_trade and its 10 % of 600036 stays in cash (9,800.00): 510300 is still
#   6,900, not more; CN-A5 (a fractional mandate) buys whole lots all the same: 510300 on
#   2024-03-01 for 24,500.00 at 3.500 = 7,000 shares exactly, 511010 for 24,500.00 at 128.10 =
#   191.26 -> 100; on 2024-03-06 (35.00, inside the band) CN-A1 buys it: 9,800.00 / 35.00 =
#   280 -> 200 shares;
# - 2024-03-06: CN-A3 buys 300 600036 and 100 511010 (imported), both excluded by its
#   restrictions: the bond ETF 511010 (T+0) is sold the same day, the A-share 600036 only on
#   2024-03-07 (T+1), all 300;
# - CN-A4's withdrawal of 50,000.00 due 2024-03-05 is paid from settled cash only: 16,070.00 on
#   2024-03-05 (its cash before the day's sales: 100,000.00 - 83,930.00 bought on 2024-03-01),
#   the rest, 33,930.00, on 2024-03-06 when the sales of 2024-03-05 have settled (T+1);
# - limit prices are the close rounded to the tick (0.001 funds, 0.01 stocks);
# - the market-rule columns are read, audited, and bad values refused naming the column.
source "$(dirname "$0")/lib.sh"
min_checks 40
E="$REPO/examples/cn"
export ROBOADVISOR_DB=$TMP/book.db ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=CN
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

run 0 "$RA" init --firm CN --firm-name "Example CN advisers" --currency CNY
run 0 "$RA" import securities "$E/securities.csv"; out_has "8 new"
run 0 "$RA" models add "$E/models.csv"
run 0 "$RA" import clients "$E/clients.csv"
run 0 "$RA" import accounts "$E/accounts.csv"
run 0 "$RA" import prices "$E/prices.csv"; out_has "40 new"
run 0 "$RA" securities list --format json
out_has '"board": "st"'; out_has '"kind": "bond_etf"'

# bad market-rule cells: exit 1 naming the file, line and column; nothing written
printf 'ticker,name,asset_class,risk_level,expense_ratio,exchange,currency,board\nX1,X,cn_equity,R4,0,SSE,CNY,nasdaq\n' >"$TMP/bad1.csv"
run 1 "$RA" import securities "$TMP/bad1.csv"; err_has "bad1.csv:2:8 (board)"; err_has 'board "nasdaq" is not one of'
printf 'ticker,name,asset_class,risk_level,expense_ratio,exchange,currency,board\nX1,X,us_equity,R4,0,NYSEARCA,USD,star\n' >"$TMP/bad2.csv"
run 1 "$RA" import securities "$TMP/bad2.csv"; err_has "board star is not one of exchange NYSEARCA"
printf 'ticker,name,asset_class,risk_level,expense_ratio,exchange,currency,settlement\nX1,X,cn_equity,R4,0,SSE,CNY,T+7\n' >"$TMP/bad3.csv"
run 1 "$RA" import securities "$TMP/bad3.csv"; err_has "settlement must be T+0 .. T+5"
printf 'ticker,name,asset_class,risk_level,expense_ratio,exchange,currency,tick\nX1,X,cn_equity,R4,0,SSE,CNY,0\n' >"$TMP/bad4.csv"
run 1 "$RA" import securities "$TMP/bad4.csv"; err_has "tick must be above 0"

# the day's transactions, then its run, its orders kept in $TMP/orders_D.csv
day() {
  awk -F, -v d="$1" 'NR == 1 || $3 == d' "$E/transactions.csv" >"$TMP/tx_$1.csv"
  if [ "$(wc -l <"$TMP/tx_$1.csv")" -gt 1 ]; then run 0 "$RA" import transactions "$TMP/tx_$1.csv"; fi
  run 0 "$RA" run-day --date "$1" --execute close --format json
  cp "$TMP/out" "$TMP/run_$1.json"
  "$RA" orders list --date "$1" --format csv >"$TMP/orders_$1.csv"
}
# qty ACCOUNT TICKER SIDE DAY: the ordered quantity (empty: no order)
qty() { awk -F, -v a="$1" -v t="$2" -v s="$3" '$3 == a && $4 == t && $5 == s {print $6}' "$TMP/orders_$4.csv"; }

day 2024-03-01
[ "$(qty CN-A2 605999 sell 2024-03-01)" = 150.000000 ] && ok || bad "the odd lot of 150 was not sold whole"
run 0 "$RA" mandate show CN-A5 --format json
[ "$(jget .mandate.fractional)" = 1 ] && ok || bad "CN-A5 is not fractional"
day 2024-03-04
run 0 "$RA" withdraw CN-A4 --amount 50000.00 --date 2024-03-05 --note tuition
day 2024-03-05
# 600036 at its upper limit: no order in it on that day, the proposal states no_trade
[ -z "$(awk -F, '$4 == "600036"' "$TMP/orders_2024-03-05.csv")" ] && ok || bad "600036 traded at its limit"
cp "$TMP/run_2024-03-05.json" "$TMP/out"
[ "$(jget .held_back.no_trade)" -ge 1 ] && ok || bad "no no_trade on the limit day"
run 0 "$RA" proposals show P-2024-03-05-CN-A1 --format json; out_has '"no_trade"'
[ "$(qty CN-A1 510300 buy 2024-03-05)" = 6900.000000 ] && ok || bad "510300 buy is not 6900 (its cash went elsewhere?)"
[ "$(qty CN-A1 511010 buy 2024-03-05)" = 100.000000 ] && ok || bad "511010 buy is not 24,500 / 128.15 = 191 -> 100"
# every buy of the week in whole lots of 100 (CN-A5's mandate is fractional: A-shares and their
# ETFs allow no fractions)
[ "$(qty CN-A5 510300 buy 2024-03-01)" = 7000.000000 ] && ok || bad "CN-A5 510300 is not 24,500 / 3.500 = 7000"
[ -n "$(qty CN-A5 511010 buy 2024-03-01)" ] && ok || bad "CN-A5 bought no 511010"
nb=$(cat "$TMP"/orders_*.csv | awk -F, '$5 == "buy" {n++} END {print n + 0}')
odd=$(cat "$TMP"/orders_*.csv | awk -F, '$5 == "buy" && ($6 % 100) != 0' | wc -l)
[ "$nb" -gt 20 ] && [ "$odd" -eq 0 ] && ok || bad "$odd of $nb buys are not whole lots"
# limit prices: the close to the tick
[ "$(awk -F, '$3 == "CN-A1" && $4 == "510300" {print $7}' "$TMP/orders_2024-03-05.csv")" = 3.520000 ] && ok || bad "510300 limit price"
# the withdrawal: settled cash only on the day of the sales
cp "$TMP/run_2024-03-05.json" "$TMP/out"
[ "$(jget .withdrawals)" = 16070.00 ] && ok || bad "paid from unsettled proceeds on 2024-03-05"
[ -n "$(qty CN-A4 510300 sell 2024-03-05)" ] && ok || bad "CN-A4 sold nothing for its withdrawal"
run 0 "$RA" instructions list --account CN-A4 --format json
[ "$(jget '.instructions[0].status')" = partial ] && [ "$(jget '.instructions[0].paid')" = 16070.00 ] \
  && ok || bad "withdrawal after 2024-03-05"
day 2024-03-06
cp "$TMP/run_2024-03-06.json" "$TMP/out"
[ "$(jget .withdrawals)" = 33930.00 ] && ok || bad "the rest was not paid when settled"
run 0 "$RA" instructions list --account CN-A4 --format json
[ "$(jget '.instructions[0].status')" = paid ] && [ "$(jget '.instructions[0].paid')" = 50000.00 ] \
  && ok || bad "withdrawal not paid in full on 2024-03-06"
# 600036 inside its band again: CN-A1 buys it, 280 -> 200 shares
[ "$(qty CN-A1 600036 buy 2024-03-06)" = 200.000000 ] && ok || bad "CN-A1 did not buy 600036 on 2024-03-06"
# T+0 bond ETF sold the day it was bought; the A-share bought that day is not
[ "$(qty CN-A3 511010 sell 2024-03-06)" = 100.000000 ] && ok || bad "T+0 511010 not sold the same day"
[ -z "$(qty CN-A3 600036 sell 2024-03-06)" ] && ok || bad "600036 sold the day it was bought"
day 2024-03-07
[ "$(qty CN-A3 600036 sell 2024-03-07)" = 300.000000 ] && ok || bad "600036 not sold the next day"
run 0 "$RA" account show CN-A3 --date 2024-03-07 --format json
[ "$(held 600036)" = 0 ] && [ "$(held 511010)" = 0 ] && ok || bad "CN-A3 still holds a restricted security"
run 0 "$RA" check
run 0 "$RA" audit verify
finish
