# The book-of-record commands end to end (docs/cli.md#init ... #valuation): init, the imports of
# examples/data and of real prices, idempotent re-imports, a bad row that writes nothing, reconcile
# with and without breaks, check and audit verify before and after tampering with the SQLite file,
# and a valuation checked against an independent awk computation from the positions file and the
# prices. Runs against SQLite, then against PostgreSQL: the server in ROBOADVISOR_TEST_PG, or one
# this script starts and stops with tests/support/pg_server.sh.
source "$(dirname "$0")/lib.sh"
min_checks 103 # the SQLite suite (97) and the tampering checks (6); PostgreSQL adds 97
E="$REPO/examples/data"
export ROBOADVISOR_USER=cli-test
unset ROBOADVISOR_FIRM
KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
OTHER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# prices from 2022-12-01 on (the example transactions are of 2023), to keep the test short
awk -F, 'NR == 1 || $1 >= "2022-12-01"' "$DATA/aa_etf_prices.csv" >"$TMP/prices.csv"
# the valuation's expected total: every position of positions.csv at the last price of the file,
# rounded to the cent half to even per holding (awk's printf rounds the exact binary value, so
# values are summed in integer micro-units first), plus the cash lines
expected_total() {
  awk -F, 'NR == FNR { if (FNR == 1) for (i = 2; i <= NF; i++) col[$i] = i; last = $0; next }
           FNR == 1 { split(last, p, ","); for (t in col) price[t] = p[col[t]]; next }
           $2 == "CASH" || $2 == "" { cash += $4 * 100; next }
           { v = $3 * price[$2] * 100; c = int(v); f = v - c;
             if (f > 0.5 + 1e-6 || (f > 0.5 - 1e-6 && c % 2 == 1)) c++; sec += c }
           END { printf "%.2f", (cash + sec) / 100 }' "$TMP/prices.csv" "$1"
}

suite() {
  local db=$1 name=$2
  export ROBOADVISOR_DB=$db ROBOADVISOR_KEY=$KEY
  echo "== $name =="
  # no book yet
  if [ "$name" = sqlite ]; then
    run 1 "$RA" check; err_has "roboadvisor init"
  fi
  run 0 "$RA" init; out_has "schema version 0 -> "; out_has "firm default: created (USD)"
  run 0 "$RA" init; out_has "up to date"; out_has "firm default: exists"
  # usage errors: exit 2, one line
  run 2 "$RA" import; err_lines 1; err_has "KIND FILE are required"
  run 2 "$RA" import positions "$E/positions.csv"; err_lines 1
  run 2 "$RA" import prices; err_lines 1; err_has "FILE is required"
  run 2 "$RA" reconcile --positions "$E/positions.csv"; err_lines 1; err_has "--date D is required"
  run 2 "$RA" valuation --date 2023-13-01; err_lines 1
  run 2 "$RA" audit; err_lines 1; err_has "verify"
  run 2 "$RA" securities list --bogus; err_lines 1
  # the examples import cleanly, and again without change
  run 0 "$RA" import securities "$E/securities.csv"; out_has "37 new, 0 unchanged"
  run 0 "$RA" import clients "$E/clients.csv"; out_has "6 new, 0 unchanged"
  run 0 "$RA" import accounts "$E/accounts.csv"; out_has "7 new, 0 unchanged"
  run 0 "$RA" import prices "$TMP/prices.csv"
  local n_prices
  n_prices=$(awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "") c++ } END { print c }' "$TMP/prices.csv")
  out_has "$n_prices new, 0 unchanged"
  run 0 "$RA" import transactions "$E/transactions.csv"; out_has "37 new, 0 unchanged"
  run 0 "$RA" import securities "$E/securities.csv"; out_has "0 new, 37 unchanged"
  run 0 "$RA" import clients "$E/clients.csv"; out_has "0 new, 6 unchanged"
  run 0 "$RA" import accounts "$E/accounts.csv"; out_has "0 new, 7 unchanged"
  run 0 "$RA" import prices "$TMP/prices.csv"; out_has "0 new, $n_prices unchanged"
  run 0 "$RA" import transactions "$E/transactions.csv"; out_has "0 new, 37 unchanged"
  # a changed row is an update
  sed 's/^C000006,,ADV02,Taylor Dummy/C000006,,ADV01,Taylor Dummy/' "$E/clients.csv" >"$TMP/clients2.csv"
  run 0 "$RA" import clients "$TMP/clients2.csv"; out_has "0 new, 1 updated, 5 unchanged"
  # clients need the firm's key; a wrong key is refused
  ROBOADVISOR_KEY= run 1 "$RA" import clients "$E/clients.csv"
  ROBOADVISOR_KEY=$OTHER_KEY run 1 "$RA" import clients "$E/clients.csv"; err_has "does not match"
  # personal data never appears in messages
  if grep -q "Avery" "$TMP/err"; then bad "personal data in a message"; else ok; fi
  # prices of an unknown ticker: an incomplete security and a warning naming it
  printf 'Date,SPY,NEWT\n2023-06-12,430.00,12.5\n' >"$TMP/newt.csv"
  run 0 "$RA" import prices "$TMP/newt.csv"; out_has "2 new, 0 unchanged"
  err_has "warning: 1 ticker is not in the securities master"; err_has "NEWT"
  run 0 "$RA" securities list --incomplete --format json
  [ "$(jget .count)" = 1 ] && ok || bad "incomplete count $(jget .count)"
  [ "$(jget '.securities[0].ticker')" = NEWT ] && ok || bad "incomplete ticker"
  run 0 "$RA" securities list; out_has "38 securities"; out_has "NEWT (incomplete)"
  # a bad row: exit 1 naming file, line and field; nothing written
  local before after
  run 0 "$RA" valuation --date 2023-06-09 --format json; before=$(jget .total)
  { cat "$E/transactions.csv"; printf 'A000006-1,T000003,2023-06-01,deposit,,,,50.00,,,,\n'
    printf 'A000006-1,T000004,2023-06-02,buy,VTI,1x,213.93,,0,,,\n'; } >"$TMP/bad.csv"
  run 1 "$RA" import transactions "$TMP/bad.csv"; err_has "bad.csv:40:6 (qty)"; err_has '"1x"'
  # a row the ledger refuses (selling more than held): the whole file is rolled back
  { cat "$E/transactions.csv"; printf 'A000006-1,T000003,2023-06-01,deposit,,,,50.00,,,,\n'
    printf 'A000006-1,T000004,2023-06-02,sell,VTI,100,213.93,,0,,,\n'; } >"$TMP/oversell.csv"
  run 1 "$RA" import transactions "$TMP/oversell.csv"; err_has "T000004"; err_has "nothing was imported"
  run 0 "$RA" valuation --date 2023-06-09 --format json; after=$(jget .total)
  [ "$before" = "$after" ] && ok || bad "a failed import changed the book: $before -> $after"
  run 0 "$RA" import transactions "$E/transactions.csv"; out_has "0 new, 37 unchanged"
  # valuation: every number labelled; the total agrees with positions.csv at the day's prices
  run 0 "$RA" valuation --date 2023-06-09 --format json
  [ "$(jget .total)" = "$(expected_total "$E/positions.csv")" ] && ok \
    || bad "valuation total $(jget .total), want $(expected_total "$E/positions.csv")"
  [ "$(jget .currency)" = USD ] && ok || bad "valuation currency"
  [ "$(jget .accounts_count)" = 7 ] && ok || bad "valuation accounts"
  [ "$(jget '.accounts[0].account')" = A000001-1 ] && ok || bad "first account"
  [ "$(jget '.accounts[0].cash')" = 10353.58 ] && ok || bad "A000001-1 cash $(jget '.accounts[0].cash')"
  run 0 "$RA" valuation --date 2023-06-09; out_has "amounts in USD"; out_has "firm total"
  # reconcile: none, then two breaks
  run 0 "$RA" reconcile --positions "$E/positions.csv" --date 2023-06-09; out_has "no breaks: 27 positions agree"
  sed -e 's/^A000001-1,SPY,115,$/A000001-1,SPY,114.5,/' -e 's/^A000004-1,CASH,,812.50$/A000004-1,CASH,,812.49/' \
      "$E/positions.csv" >"$TMP/breaks.csv"
  run 1 "$RA" reconcile --positions "$TMP/breaks.csv" --date 2023-06-09 --format json
  [ "$(jget .breaks_count)" = 2 ] && ok || bad "breaks $(jget .breaks_count)"
  [ "$(jget '.breaks[0].security')" = SPY ] && ok || bad "break 0 security"
  [ "$(jget '.breaks[0].difference')" = -0.500000 ] && ok || bad "break 0 difference"
  [ "$(jget '.breaks[1].security')" = CASH ] && ok || bad "break 1 security"
  [ "$(jget '.breaks[1].difference')" = -0.01 ] && ok || bad "break 1 difference $(jget '.breaks[1].difference')"
  run 1 "$RA" reconcile --positions "$TMP/breaks.csv" --date 2023-06-09
  out_has "A000001-1      SPY"; out_has "2 breaks"
  # on an earlier date the later transactions are not in the book: breaks
  run 1 "$RA" reconcile --positions "$E/positions.csv" --date 2023-03-01
  # check and audit verify
  run 0 "$RA" check; out_has "7 accounts and 37 transactions reconcile"
  run 0 "$RA" audit verify; out_has "hash chain intact"
}

suite "$TMP/book.db" sqlite
# tampering with the SQLite file
if command -v sqlite3 >/dev/null; then
  cp "$TMP/book.db" "$TMP/lot.db"
  sqlite3 "$TMP/lot.db" "UPDATE lots SET qty_micro = qty_micro + 1 WHERE lot_id = 1 AND account_id = (SELECT id FROM accounts WHERE code = 'A000002-1');"
  ROBOADVISOR_DB=$TMP/lot.db run 1 "$RA" check; err_has "A000002-1"
  cp "$TMP/book.db" "$TMP/audit.db"
  sqlite3 "$TMP/audit.db" "UPDATE audit_log SET user_name = 'mallory' WHERE seq = 5;"
  ROBOADVISOR_DB=$TMP/audit.db run 1 "$RA" audit verify; err_has "audit record 5"
  cp "$TMP/book.db" "$TMP/gone.db"
  sqlite3 "$TMP/gone.db" "DELETE FROM audit_log WHERE seq = 7;"
  ROBOADVISOR_DB=$TMP/gone.db run 1 "$RA" audit verify; err_has "audit record 7"
else
  echo "sqlite3 not installed: tampering tests skipped"; min_checks $((MIN_CHECKS - 6))
fi
# PostgreSQL: the server given in ROBOADVISOR_TEST_PG, else a throw-away one of our own
# (tests/support/pg_server.sh), else skipped with a note (no PostgreSQL installed)
pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
else
  [ -n "${ROBOADVISOR_TEST_PG:-}" ] || { echo "PostgreSQL not started, its suite skipped: $(tail -n 1 "$TMP/pg.log")"; pg_url=; }
fi
if [ -n "$pg_url" ]; then
  min_checks 200
  suite "$pg_url" postgresql
fi
finish
