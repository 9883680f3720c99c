# `roboadvisor gains` end to end (docs/cli.md#gains, docs/methodology.md#wash-sales) on real SQLite
# books built by init and the CSV imports, every figure checked key by key against a worked example:
#
# 1. IRS Publication 550 (2023), "Wash Sales", example 1: "You buy 100 shares of X stock for
#    $1,000. You sell these shares for $750 and within 30 days from the sale you buy 100 shares of
#    the same stock for $800. Because you bought substantially identical stock, you can't deduct
#    your loss of $250 on the sale. However, you add the disallowed loss of $250 to the cost of the
#    new stock, $800, to obtain your basis in the new stock, which is $1,050."
#    Dates chosen here: bought 2023-01-10, sold 2023-06-01, bought again 2023-06-15. The sold shares
#    were held 142 days (21 left in January + 28 + 31 + 30 + 31 + 1), and "your holding period for
#    the new stock includes the holding period of the stock sold", so the new lot's holding period
#    starts 142 days before 2023-06-15: 2023-01-24 (by hand: Jan 24 + 31 = Feb 24, + 28 = Mar 24,
#    + 31 = Apr 24, + 30 = May 24, + 22 = Jun 15). Sold on 2024-02-01 for $1,100, the new lot gains
#    1,100 - 1,050 = $50, long term (held from 2023-01-24: more than a year), where without the
#    wash-sale rule it would be short term (bought 2023-06-15).
# 2. The same loss sale in a taxable account, the replacement bought in the spouse's IRA (another
#    client of the same household): the loss is disallowed all the same and added to no basis
#    (Rev. Rul. 2008-5); a purchase in another household's account within the window changes
#    nothing.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cli-test
unset ROBOADVISOR_FIRM
export ROBOADVISOR_KEY
ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

# jeq PATH WANT: the JSON in $TMP/out has WANT at PATH
jeq() { local got; got=$("$JG" "$1" <"$TMP/out" 2>/dev/null) || got="(absent)"
        if [ "$got" = "$2" ]; then ok; else bad "$1 is \"$got\", want \"$2\""; fi; }
# jnone PATH: nothing at PATH (the array is no longer)
jnone() { if "$JG" "$1" <"$TMP/out" >/dev/null 2>&1; then bad "unexpected value at $1"; else ok; fi; }

cat >"$TMP/securities.csv" <<'EOF'
ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,currency,tlh_group,on_shelf
XYZ,X stock,us_equity,R4,0,1,NYSE,USD,,yes
EOF
cat >"$TMP/clients.csv" <<'EOF'
code,household,advisor,name,email,tax_id,address,birth_year
C1,H1,ADV01,Pat Example,pat@example.com,900-00-0001,1 Sample Street,1970
C2,H1,ADV01,Sam Example,sam@example.com,900-00-0002,1 Sample Street,1971
C3,H2,ADV01,Lee Other,lee@example.com,900-00-0003,2 Sample Street,1980
EOF
cat >"$TMP/accounts.csv" <<'EOF'
code,client,type,currency,opened,model,discretionary,drift_band,tlh,loss_limit,restrictions
A1,C1,taxable,USD,2023-01-02,,yes,0.05,yes,0.10,
A2,C2,tax_deferred,USD,2023-01-02,,yes,0.05,no,0.10,
A3,C3,taxable,USD,2023-01-02,,yes,0.05,yes,0.10,
EOF

book() { # book NAME TRANSACTIONS-FILE: a new SQLite book with the three files and the transactions
  export ROBOADVISOR_DB=$TMP/$1.db
  run 0 "$RA" init
  run 0 "$RA" import securities "$TMP/securities.csv"
  run 0 "$RA" import clients "$TMP/clients.csv"
  run 0 "$RA" import accounts "$TMP/accounts.csv"
  run 0 "$RA" import transactions "$2"
}

echo "== Publication 550 example 1 =="
cat >"$TMP/ex1.csv" <<'EOF'
account,txn_id,date,kind,ticker,qty,price,amount,fees,relief,lots,ratio
A1,T1,2023-01-03,deposit,,,,2000.00,,,,
A1,T2,2023-01-10,buy,XYZ,100,10.00,,0,,,
A1,T3,2023-06-01,sell,XYZ,100,7.50,,0,,,
A1,T4,2023-06-15,buy,XYZ,100,8.00,,0,,,
A1,T5,2024-02-01,sell,XYZ,100,11.00,,0,,,
EOF
book ex1 "$TMP/ex1.csv"

# the loss sale of 2023 and the new stock still open at the end of 2023
run 0 "$RA" gains --account A1 --year 2023 --format json
jeq .account A1
jeq .currency USD
jeq '.sales[0].txn_id' 3
jeq '.sales[0].date' 2023-06-01
jeq '.sales[0].ticker' XYZ
jeq '.sales[0].qty' 100.000000
jeq '.sales[0].proceeds' 750.00
jeq '.sales[0].cost' 1000.00
jeq '.sales[0].gain' -250.00
jeq '.sales[0].wash_sale_disallowed' 250.00
jeq '.sales[0].lots[0].lot_id' 1
jeq '.sales[0].lots[0].acquired' 2023-01-10
jeq '.sales[0].lots[0].holding_from' 2023-01-10
jeq '.sales[0].lots[0].qty' 100.000000
jeq '.sales[0].lots[0].proceeds' 750.00
jeq '.sales[0].lots[0].cost' 1000.00
jeq '.sales[0].lots[0].gain' -250.00
jeq '.sales[0].lots[0].term' short
jeq '.sales[0].lots[0].wash_sale_disallowed' 250.00
jnone '.sales[0].lots[1]'
jnone '.sales[1]'
jeq .totals.proceeds 750.00
jeq .totals.cost 1000.00
jeq .totals.gain -250.00
jeq .totals.wash_sale_disallowed 250.00
jeq .totals.short_term_gain 0.00   # -250 reported, 250 of it disallowed (Form 8949 column h)
jeq .totals.long_term_gain 0.00
# the book is replayed to its end: the new stock of 2023-06-15 was sold in 2024, nothing is open
jnone '.open_lots[0]'

# without the sale of 2024: the new stock is open with the basis of example 1, $1,050
head -5 "$TMP/ex1.csv" >"$TMP/ex1_open.csv"
book ex1_open "$TMP/ex1_open.csv"
run 0 "$RA" gains --account A1 --format json
jeq '.open_lots[0].lot_id' 2
jeq '.open_lots[0].ticker' XYZ
jeq '.open_lots[0].acquired' 2023-06-15
jeq '.open_lots[0].holding_from' 2023-01-24
jeq '.open_lots[0].qty' 100.000000
jeq '.open_lots[0].cost' 1050.00
jeq '.open_lots[0].wash_sale_adjustment' 250.00
jnone '.open_lots[1]'
jeq .totals.open_cost 1050.00
jeq .totals.open_wash_sale_adjustment 250.00

# the sale of the new stock in 2024: cost 1,050, gain 50, long term from 2023-01-24
export ROBOADVISOR_DB=$TMP/ex1.db
run 0 "$RA" gains --account A1 --year 2024 --format json
jeq '.sales[0].txn_id' 5
jeq '.sales[0].date' 2024-02-01
jeq '.sales[0].proceeds' 1100.00
jeq '.sales[0].cost' 1050.00
jeq '.sales[0].gain' 50.00
jeq '.sales[0].wash_sale_disallowed' 0.00
jeq '.sales[0].lots[0].lot_id' 2
jeq '.sales[0].lots[0].acquired' 2023-06-15
jeq '.sales[0].lots[0].holding_from' 2023-01-24
jeq '.sales[0].lots[0].term' long
jeq '.sales[0].lots[0].cost' 1050.00
jeq '.sales[0].lots[0].gain' 50.00
jnone '.sales[1]'
jeq .totals.long_term_gain 50.00
jeq .totals.short_term_gain 0.00
# every year: both sales, in date order
run 0 "$RA" gains --account A1 --format json
jeq '.sales[0].txn_id' 3
jeq '.sales[1].txn_id' 5
jeq .totals.gain -200.00
jeq .totals.wash_sale_disallowed 250.00
jeq .totals.long_term_gain 50.00
# the CSV: one row per lot part sold, Form 8949's columns, code W with the disallowed amount
run 0 "$RA" gains --account A1 --format csv
out_has "description,acquired,sold,proceeds,cost,code,adjustment,gain,term,account,txn_id,lot_id"
out_has "100.000000 sh XYZ,2023-01-10,2023-06-01,750.00,1000.00,W,250.00,0.00,short,A1,3,1"
out_has "100.000000 sh XYZ,2023-06-15,2024-02-01,1100.00,1050.00,,0.00,50.00,long,A1,5,2"
# the table labels its units
run 0 "$RA" gains --account A1
out_has "amounts in USD"
out_has "wash sale disallowed"
out_has "250.00"
# usage and data errors
run 2 "$RA" gains; err_has "--account A is required"
run 2 "$RA" gains --account A1 --year 20x3
run 2 "$RA" gains --account A1 --format xml
run 2 "$RA" gains --account A1 --window-days 400
run 1 "$RA" gains --account NOPE; err_has "NOPE"
# a window of 10 days: the purchase 14 days after the sale is no longer a replacement
run 0 "$RA" gains --account A1 --year 2023 --window-days 10 --format json
jeq '.sales[0].wash_sale_disallowed' 0.00
jeq .totals.short_term_gain -250.00
# the firm's window, kept in the book: gains uses it unless --window-days says otherwise
run 0 "$RA" settings show; out_has "wash-sale window 30 calendar days"
run 2 "$RA" settings set; err_has "say what to set"
run 2 "$RA" settings set --wash-window-days 400
run 0 "$RA" settings set --wash-window-days 10; out_has "wash-sale window 10 calendar days"
run 0 "$RA" gains --account A1 --year 2023 --format json
jeq .wash_sale_window_days 10
jeq '.sales[0].wash_sale_disallowed' 0.00
run 0 "$RA" gains --account A1 --year 2023 --window-days 30 --format json
jeq '.sales[0].wash_sale_disallowed' 250.00
run 0 "$RA" settings set --wash-window-days 30
run 0 "$RA" audit verify

echo "== household: the replacement in the spouse's IRA (Rev. Rul. 2008-5) =="
cat >"$TMP/hh.csv" <<'EOF'
account,txn_id,date,kind,ticker,qty,price,amount,fees,relief,lots,ratio
A1,T1,2023-01-03,deposit,,,,2000.00,,,,
A1,T2,2023-01-10,buy,XYZ,100,10.00,,0,,,
A1,T3,2023-06-01,sell,XYZ,100,7.50,,0,,,
A2,T1,2023-01-03,deposit,,,,2000.00,,,,
A2,T2,2023-06-15,buy,XYZ,100,8.00,,0,,,
A3,T1,2023-01-03,deposit,,,,2000.00,,,,
A3,T2,2023-05-20,buy,XYZ,100,7.00,,0,,,
EOF
book hh "$TMP/hh.csv"
run 0 "$RA" gains --account A1 --format json
jeq '.sales[0].gain' -250.00
jeq '.sales[0].wash_sale_disallowed' 250.00
jeq '.sales[0].lots[0].wash_sale_disallowed' 250.00
jeq .totals.short_term_gain 0.00
jnone '.open_lots[0]'
# the IRA's new shares: their own cost, no adjustment, their own holding period
run 0 "$RA" gains --account A2 --format json
jeq .account A2
jeq '.open_lots[0].lot_id' 1
jeq '.open_lots[0].cost' 800.00
jeq '.open_lots[0].wash_sale_adjustment' 0.00
jeq '.open_lots[0].holding_from' 2023-06-15
jnone '.sales[0]'
# the other household's purchase of 2023-05-20 is no replacement
run 0 "$RA" gains --account A3 --format json
jeq '.open_lots[0].cost' 700.00
jeq '.open_lots[0].wash_sale_adjustment' 0.00
jeq '.open_lots[0].holding_from' 2023-05-20

# 112 checks; the lib.sh of main after the h/io merge fails a script that states no minimum
if declare -F min_checks >/dev/null; then min_checks 124; fi
finish
