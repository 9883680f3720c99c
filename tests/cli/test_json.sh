# --format json for every command that prints a result (issue 10 "Figures"): init, import, check,
# securities, reconcile, generate-book, xirr, twr, stats, optimize, plan; JSON numbers in their
# shortest exact form (0.95, not 0.94999999999999996); and, end to end, the import rules of issue 10
# (a column left out keeps the stored value, a back-dated transaction is refused naming its line).
# Counts come from examples/data (37 securities, 6 clients, 7 accounts, 37 transactions).
source "$(dirname "$0")/lib.sh"
E="$REPO/examples/data"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_DB="$TMP/book.db"
unset ROBOADVISOR_FIRM
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# jis PATH VALUE: the JSON value at PATH is VALUE
jis() { local v; v=$(jget "$1"); if [ "$v" = "$2" ]; then ok; else bad "$1 is \"$v\", want \"$2\""; fi; }

run 0 "$RA" init --format json
jis .schema_version_before 0; jis .firm default; jis .firm_state created; jis .currency USD
jis .backend sqlite
run 0 "$RA" init --format json; jis .firm_state exists
[ "$(jget .schema_version)" = "$(jget .schema_version_before)" ] && ok || bad "init again upgraded"

run 0 "$RA" import securities "$E/securities.csv" --format json
jis .kind securities; jis .new 37; jis .updated 0; jis .unchanged 0
run 0 "$RA" import clients "$E/clients.csv" --format json; jis .new 6
run 0 "$RA" import accounts "$E/accounts.csv" --format json; jis .new 7
awk -F, 'NR == 1 || $1 >= "2022-12-01"' "$DATA/aa_etf_prices.csv" >"$TMP/prices.csv"
run 0 "$RA" import prices "$TMP/prices.csv" --format json; jis '.new_incomplete_securities' '[]'
run 0 "$RA" import transactions "$E/transactions.csv" --format json; jis .new 37
run 0 "$RA" import transactions "$E/transactions.csv" --format json; jis .new 0; jis .unchanged 37
printf 'Date,SPY,NEWT\n2023-06-12,430.00,12.5\n' >"$TMP/newt.csv"
run 0 "$RA" import prices "$TMP/newt.csv" --format json
jis '.new_incomplete_securities[0]' NEWT; jis .new 2

# issue 10: a file of only code,name changes nothing else (it erased tax id, address, ...)
printf 'code,name\nC000001,Avery Example\n' >"$TMP/names.csv"
run 0 "$RA" import clients "$TMP/names.csv" --format json; jis .updated 0; jis .unchanged 1
# ... and accounts with only the required columns keep their mandate
head -2 "$E/accounts.csv" | cut -d, -f1-5 >"$TMP/acc_short.csv"
run 0 "$RA" import accounts "$TMP/acc_short.csv" --format json; jis .updated 0; jis .unchanged 1
run 0 "$RA" import clients "$E/clients.csv" --format json; jis .unchanged 6
run 0 "$RA" import accounts "$E/accounts.csv" --format json; jis .unchanged 7
# a withdrawal dated before its account was opened is refused, naming the line
printf 'account,txn_id,date,kind,amount\nA000001-1,TB1,2023-06-01,deposit,5.00\nA000001-1,TB2,2022-01-03,withdrawal,1.00\n' >"$TMP/back.csv"
run 1 "$RA" import transactions "$TMP/back.csv"; err_has "back.csv:3"
err_has "before the account was opened on 2023-01-03"; err_has "nothing was imported"

run 0 "$RA" check --format json; jis .ok true; jis .accounts 7; jis .transactions 37
jis .database_integrity ok
run 0 "$RA" securities list --format json; jis .count 38
run 0 "$RA" reconcile --positions "$E/positions.csv" --date 2023-06-09 --format json
jis .date 2023-06-09; jis .breaks_count 0; jis .positions_compared "$(tail -n +2 "$E/positions.csv" | grep -c .)"

# numbers in the shortest exact form
run 0 "$RA" stats --prices "$TMP/prices.csv" --assets SPY,AGG --format json
out_has '"level": 0.95,'; out_has '"periods_per_year": 252.0,'
if grep -qE '[0-9]\.[0-9]*9999999|[0-9]\.[0-9]*0000000[1-9]' "$TMP/out"; then
  bad "a number is not in its shortest form: $(grep -E '9999999|0000000[1-9]' "$TMP/out" | head -2)"
else ok; fi
run 0 "$RA" xirr --flows "$E/flows.csv" --format json; jis .day_count act/365; jis .flows 9
run 0 "$RA" twr --values "$E/values.csv" --format json; jis .periods 6; out_has '"twr": 0.10557124758261485,'
run 0 "$RA" optimize --prices "$TMP/prices.csv" --assets SPY,AGG,GLD --format json
jis .status optimal; jis .objective min-variance
run 0 "$RA" plan --initial 10000 --monthly 500 --years 10 --goal 100000 --paths 500 --mu 0.06 \
  --sigma 0.15 --format json
out_has '"mu": 0.06'; out_has '"sigma": 0.15'
run 0 "$RA" generate-book --db "$TMP/demo.db" --clients 2 --data "$DATA" --format json
jis .clients 2; jis .firm DEMO

# every command checks the schema the same way: an older book is refused, naming init
if command -v sqlite3 >/dev/null; then
  cp "$TMP/book.db" "$TMP/old.db"
  sqlite3 "$TMP/old.db" "DELETE FROM ra_schema WHERE version = (SELECT MAX(version) FROM ra_schema);"
  for c in check "securities list" "valuation --date 2023-06-09"; do
    run 1 "$RA" $c --db "$TMP/old.db"; err_has "this program needs"; err_has "roboadvisor init"
  done
else
  echo "sqlite3 not installed: 9 schema checks skipped"; skipped=9
fi

# every check above ran (81, less those skipped without sqlite3)
min_checks $((81 - ${skipped:-0}))
finish
