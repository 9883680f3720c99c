# audit verify and audit checkpoint end to end (docs/cli.md#audit): a book from the examples, a
# signed checkpoint to a file (mode 600) and on stdout, verify with and without it in both
# formats, then the attacks of issue 10 on copies of the SQLite file: the log wiped and its head
# reset, the tail truncated with the head rewritten, a business row changed (prices times ten),
# an altered checkpoint; and a verify without the key. Needs sqlite3 for the attacks.
source "$(dirname "$0")/lib.sh"
E="$REPO/examples/data"
export ROBOADVISOR_USER=cli-test ROBOADVISOR_DB="$TMP/book.db"
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
unset ROBOADVISOR_FIRM
awk -F, 'NR == 1 || $1 >= "2023-05-01"' "$DATA/aa_etf_prices.csv" >"$TMP/prices.csv"
run 0 "$RA" init
run 0 "$RA" import securities "$E/securities.csv"
run 0 "$RA" import clients "$E/clients.csv"
run 0 "$RA" import accounts "$E/accounts.csv"
run 0 "$RA" import prices "$TMP/prices.csv"
run 0 "$RA" import transactions "$E/transactions.csv"
# usage errors: exit 2, one line
run 2 "$RA" audit; err_lines 1
run 2 "$RA" audit frobnicate; err_lines 1; err_has "verify, checkpoint or seal"
run 2 "$RA" audit verify --out x; err_lines 1
run 2 "$RA" audit checkpoint --checkpoint x; err_lines 1
run 0 "$RA" audit --help; out_has "checkpoint"
# verify, checkpoint
run 0 "$RA" audit verify; out_has "hash chain intact, book equal to its audit trail"
run 0 "$RA" audit verify --format json
[ "$(jget .ok)" = true ] && ok || bad "verify ok"
n=$(jget .records); [ "$n" -gt 50 ] && ok || bad "records $n"
run 0 "$RA" audit checkpoint; out_has '"format":"roboadvisor audit checkpoint 1"'
[ "$(jget .seq)" = "$n" ] && ok || bad "checkpoint seq"
run 0 "$RA" audit checkpoint --out "$TMP/cp.json"; out_has "written to $TMP/cp.json"
[ "$(stat -c %a "$TMP/cp.json")" = 600 ] && ok || bad "checkpoint file mode $(stat -c %a "$TMP/cp.json")"
[ "$(stat -c %a "$TMP/book.db")" = 600 ] && ok || bad "book file mode $(stat -c %a "$TMP/book.db")"
run 0 "$RA" audit checkpoint --out "$TMP/cp2.json" --format json
[ "$(jget .seq)" = "$n" ] && ok || bad "checkpoint json seq"
run 0 "$RA" audit verify --checkpoint "$TMP/cp.json"; out_has "nothing at or before record $n"
run 0 "$RA" audit verify --checkpoint "$TMP/cp.json" --format json
[ "$(jget .checkpoint.seq)" = "$n" ] && ok || bad "verify checkpoint json"
# a later write keeps the checkpoint valid
run 0 "$RA" import securities "$E/securities.csv"
run 0 "$RA" audit verify --checkpoint "$TMP/cp.json"
# a seal records the current state once more: the book still verifies, the checkpoint too
run 0 "$RA" audit seal; out_has "sealed firm default"
run 0 "$RA" audit verify --checkpoint "$TMP/cp.json"
# without the key nothing can be verified
ROBOADVISOR_KEY= run 1 "$RA" audit verify; err_has "key"
# an altered checkpoint
sed 's/"seq":[0-9]*/"seq":3/' "$TMP/cp.json" >"$TMP/cp_bad.json"
run 1 "$RA" audit verify --checkpoint "$TMP/cp_bad.json"; err_has "does not verify"
echo '{"seq":' >"$TMP/cp_broken.json"
run 1 "$RA" audit verify --checkpoint "$TMP/cp_broken.json"; err_has "cp_broken.json"
if command -v sqlite3 >/dev/null; then
  attack() { # name sql: the attack on a copy must fail verify, with and without the checkpoint
    cp "$TMP/book.db" "$TMP/a.db"
    sqlite3 "$TMP/a.db" "$2"
    ROBOADVISOR_DB=$TMP/a.db run 1 "$RA" audit verify
    ROBOADVISOR_DB=$TMP/a.db run 1 "$RA" audit verify --checkpoint "$TMP/cp.json" --format json
    [ "$(jget .ok)" = false ] && ok || bad "$1 not detected"
  }
  zero=0000000000000000000000000000000000000000000000000000000000000000
  attack wipe "DELETE FROM audit_log; UPDATE audit_head SET seq = 0, hash = '$zero';"
  attack truncate "DELETE FROM audit_log WHERE seq > $n - 2; UPDATE audit_head SET seq = $n - 2, hash = (SELECT hash FROM audit_log WHERE seq = $n - 2);"
  attack prices "UPDATE prices SET price = price * 10;"
  cp "$TMP/book.db" "$TMP/a.db"
  sqlite3 "$TMP/a.db" "UPDATE accounts SET loss_limit = 0.15 WHERE code = 'A000001-1';"
  ROBOADVISOR_DB=$TMP/a.db run 1 "$RA" audit verify; err_has "table accounts, A000001-1"
else
  echo "sqlite3 not installed: attacks skipped"; skipped=11
fi
min_checks $((57 - ${skipped:-0}))
finish
