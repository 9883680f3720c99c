# roboadvisor generate-book: a seeded demo book on the real data, written to SQLite. Counts agree
# with each other, the same seed gives the same book, running it again writes nothing new, and the
# book passes `roboadvisor check` when that command exists.
source "$(dirname "$0")/lib.sh"
min_checks 40 # the checks this script makes today; finish fails below it
DB="$TMP/book.db"

run 0 "$RA" generate-book --help; out_has "usage: roboadvisor generate-book"
run 2 "$RA" generate-book --clients 0; err_lines 1; err_has "--clients"
run 2 "$RA" generate-book --from 2019-01-01; err_lines 1; err_has "go together"
run 1 "$RA" generate-book --db "$DB" --data "$TMP/nowhere"; err_has "aa_etf_descriptions.csv"

run 0 "$RA" generate-book --db "$DB" --data "$DATA" --clients 25 --seed 7 --format json
clients=$(jget .clients); accounts=$(jget .accounts); txns=$(jget .transactions)
[ "$clients" = 25 ] && ok || bad "clients $clients, want 25"
[ "$accounts" -ge 25 ] && [ "$accounts" -le 75 ] && ok || bad "accounts $accounts not in 25..75"
[ "$(jget .transactions_written)" = "$txns" ] && ok || bad "not every transaction was written"
sum=0; for k in deposit withdrawal buy sell dividend reinvest fee; do
  sum=$((sum + $(jget .transactions_by_kind.$k))); done
[ "$sum" = "$txns" ] && ok || bad "kinds sum to $sum, want $txns"
[ "$(jget .firm)" = DEMO ] && ok || bad "firm is not DEMO"
[ -f "$DB.key" ] && ok || bad "no key file next to the database"
[ "$(stat -c %a "$DB.key")" = 600 ] && ok || bad "key file is not mode 600"
first=$(cat "$TMP/out")

# again: nothing new, the same book
run 0 "$RA" generate-book --db "$DB" --data "$DATA" --clients 25 --seed 7 --format json
[ "$(jget .transactions_written)" = 0 ] && ok || bad "a second run wrote transactions"
[ "$(jget .transactions_unchanged)" = "$txns" ] && ok || bad "a second run did not find them all"

# another database, the same seed: the same book; another seed: another one
run 0 "$RA" generate-book --db "$TMP/b2.db" --data "$DATA" --clients 25 --seed 7 --format json
for k in accounts transactions value cash dividends_paid fees; do
  a=$(printf '%s\n' "$first" | "$JG" .$k); b=$(jget .$k)
  [ "$a" = "$b" ] && ok || bad "same seed, $k differs: $a vs $b"; done
run 0 "$RA" generate-book --db "$TMP/b3.db" --data "$DATA" --clients 25 --seed 8 --format json
[ "$(jget .value)" != "$(printf '%s\n' "$first" | "$JG" .value)" ] && ok || bad "seed 8 gave seed 7's book"

# the table output names its units
run 0 "$RA" generate-book --db "$DB" --data "$DATA" --clients 25 --seed 7
out_has "USD"; out_has "history: "; out_has "transactions"

# the stored book reconciles, and the store's valuation equals the generator's own
run 0 "$RA" generate-book --db "$DB" --data "$DATA" --clients 25 --seed 7 --format json
vdate=$(jget .value_date); value=$(jget .value)
run 0 "$RA" check --db "$DB"; out_has "reconcile"
run 0 "$RA" valuation --db "$DB" --firm DEMO --date "$vdate" --format json
[ "$(jget .total)" = "$value" ] && ok || bad "valuation $(jget .total) != generated value $value"
[ "$(jget .accounts_count)" = "$accounts" ] && ok || bad "valuation counts another number of accounts"
finish
