# `roboadvisor import fills FILE` end to end (docs/cli.md#import, docs/formats.md#fills) on a real
# SQLite book: a generated book of 8 clients on the real prices in ../shared/data, models built,
# the clients onboarded, and one run-day without --execute, which leaves its orders open. Then:
# - a partial fill of a buy and of a sell: cash and the holding move by the hand-derived amounts
#   (a buy of 1 share at 1.005 is worth 1.005 -> 1.00 rounded once to the cent, ties to even,
#   docs/methodology.md#rounding; with 0.25 of fees cash falls by 1.25; the sale of 1 share at
#   1.005 with 0.25 of fees brings 1.00 - 0.25 = 0.75), the orders become "partial";
# - re-importing the same file changes nothing;
# - an overfill, an unknown order, a malformed cell: refused naming the line (and the column),
#   exit 1, and nothing written (orders list and the account byte for byte as before);
# - check and audit verify clean after.
source "$(dirname "$0")/lib.sh"
min_checks 45
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
B="$TMP/book.db"

run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$B.key" --clients 8 \
  --from 2018-12-10 --to 2019-12-10
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$B.key")
run 0 "$RA" models build --db "$B" --date 2019-12-10
run 0 "$RA" onboard --db "$B" --generate 8 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
run 0 "$RA" run-day --db "$B" --date 2019-12-11 --format json
[ "$(jget .orders)" -gt 0 ] && [ "$(jget .fills)" = 0 ] && ok || bad "run-day left no open orders"
run 0 "$RA" orders list --db "$B" --format csv
cp "$TMP/out" "$TMP/orders0.csv"
awk -F, 'NR > 1 && $9 != "open" {bad = 1} END {exit bad}' "$TMP/orders0.csv" && ok \
  || bad "an order is not open after run-day without --execute"
# a buy and a sale of one account, each of at least 2 shares (so 1 leaves it partial)
buy=$(awk -F, 'NR > 1 && $5 == "buy" && $6 >= 2 {print $1; exit}' "$TMP/orders0.csv")
acct=$(awk -F, -v id="$buy" '$1 == id {print $3}' "$TMP/orders0.csv")
sell=$(awk -F, -v a="$acct" 'NR > 1 && $3 == a && $5 == "sell" && $6 >= 2 {print $1; exit}' "$TMP/orders0.csv")
bt=$(awk -F, -v id="$buy" '$1 == id {print $4}' "$TMP/orders0.csv")
st=$(awk -F, -v id="$sell" '$1 == id {print $4}' "$TMP/orders0.csv")
bq=$(awk -F, -v id="$buy" '$1 == id {print $6}' "$TMP/orders0.csv")
[ -n "$buy" ] && [ -n "$sell" ] && ok || bad "no buy and sell of one account: '$buy' '$sell'"

run 0 "$RA" account show "$acct" --db "$B" --date 2019-12-11 --format json
cash0=$(jget .cash); b0=$(held "$bt"); s0=$(held "$st")
cp "$TMP/out" "$TMP/account0.json"

# partial fills
printf 'order_id,date,qty,price,fees\n%s,2019-12-11,1,1.005,0.25\n%s,2019-12-11,1,1.005,0.25\n' \
  "$buy" "$sell" >"$TMP/fills1.csv"
run 0 "$RA" import fills "$TMP/fills1.csv" --db "$B" --format json
[ "$(jget .kind)" = fills ] && [ "$(jget .rows)" = 2 ] && [ "$(jget .new)" = 2 ] && ok || bad "rows, new"
[ "$(jget .unchanged)" = 0 ] && [ "$(jget .orders_partial)" = 2 ] && [ "$(jget .orders_filled)" = 0 ] \
  && ok || bad "unchanged, orders_partial, orders_filled"
[ "$(jget '.orders[0].id')" = "$buy" ] && [ "$(jget '.orders[0].status')" = partial ] && ok || bad "orders[0]"
[ "$(jget '.orders[0].filled')" = 1.000000 ] && [ "$(jget '.orders[0].qty')" = "$bq" ] && ok || bad "filled, qty"
[ "$(jget '.orders[1].side')" = sell ] && [ "$(jget '.orders[1].rows_new')" = 1 ] && ok || bad "orders[1]"
out_has '"orders.qty": "shares"'
run 0 "$RA" account show "$acct" --db "$B" --date 2019-12-11 --format json
close "$(jget .cash)" "$(awk -v c="$cash0" 'BEGIN{printf "%.2f", c - 1.25 + 0.75}')" 0.001 "cash after the fills"
close "$(held "$bt")" "$(awk -v q="$b0" 'BEGIN{printf "%.6f", q + 1}')" 0.0000001 "bought $bt"
close "$(held "$st")" "$(awk -v q="$s0" 'BEGIN{printf "%.6f", q - 1}')" 0.0000001 "sold $st"
cp "$TMP/out" "$TMP/account1.json"
run 0 "$RA" orders list --db "$B" --format csv
grep -q "^$buy,.*,1.000000,partial," "$TMP/out" && ok || bad "$buy is not partial with 1 filled"
grep -q "^$sell,.*,1.000000,partial," "$TMP/out" && ok || bad "$sell is not partial with 1 filled"
cp "$TMP/out" "$TMP/orders1.csv"

# the same file again: nothing new
run 0 "$RA" import fills "$TMP/fills1.csv" --db "$B"
out_has "2 rows, 0 new, 2 unchanged"
out_has "partial"

# refusals: nothing written, the line named
unchanged() {
  run 0 "$RA" orders list --db "$B" --format csv
  cmp -s "$TMP/out" "$TMP/orders1.csv" && ok || bad "orders changed by a refused file ($1)"
  run 0 "$RA" account show "$acct" --db "$B" --date 2019-12-11 --format json
  cmp -s "$TMP/out" "$TMP/account1.json" && ok || bad "the account changed by a refused file ($1)"
}
printf 'order_id,date,qty,price,fees\n%s,2019-12-11,1,1.005,0\n%s,2019-12-11,%s,1.005,0\n' \
  "$sell" "$buy" "$bq" >"$TMP/over.csv"
run 1 "$RA" import fills "$TMP/over.csv" --db "$B"
err_has "$TMP/over.csv:3: order $buy: a fill of $bq shares is more than the"
err_has "nothing was imported from $TMP/over.csv"
unchanged overfill
printf 'order_id,date,qty,price\n%s,2019-12-11,1,1.005\nP-2019-12-11-NOBODY-1,2019-12-11,1,2\n' \
  "$buy" >"$TMP/unknown.csv"
run 1 "$RA" import fills "$TMP/unknown.csv" --db "$B"
err_has "$TMP/unknown.csv:3: no order P-2019-12-11-NOBODY-1"
unchanged "unknown order"
printf 'order_id,date,qty,price\n%s,2019-12-11,1,1.0000001\n' "$buy" >"$TMP/digits.csv"
run 1 "$RA" import fills "$TMP/digits.csv" --db "$B"
err_has "$TMP/digits.csv:2:4 (price): price:"
unchanged "malformed price"
run 2 "$RA" import fill "$TMP/fills1.csv" --db "$B"
err_has "transactions or fills"
run 1 "$RA" import fills "$TMP/missing.csv" --db "$B"

# a day's sales are recorded before its purchases: the buy on line 2 (1 share at the account's
# cash + 10.00) is paid by the sale on line 3 (1 share at 20.00): cash ends at 10.00
cash1=$(awk -v c="$cash0" 'BEGIN{printf "%.2f", c - 0.5}')
px=$(awk -v c="$cash1" 'BEGIN{printf "%.2f", c + 10}')
printf 'order_id,date,qty,price\n%s,2019-12-12,1,%s\n%s,2019-12-12,1,20\n' "$buy" "$px" "$sell" \
  >"$TMP/pay.csv"
run 0 "$RA" import fills "$TMP/pay.csv" --db "$B"
out_has "2 rows, 2 new, 0 unchanged"
run 0 "$RA" account show "$acct" --db "$B" --date 2019-12-12 --format json
close "$(jget .cash)" 10.00 0.001 "cash after a sale paid for a purchase"

# the book is sound
run 0 "$RA" check --db "$B"
run 0 "$RA" audit verify --db "$B"
finish
