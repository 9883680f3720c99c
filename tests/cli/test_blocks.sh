# Block orders, `orders export` and FIX ExecutionReports in `import fills` end to end
# (docs/cli.md#orders-export, docs/formats.md#fix, docs/methodology.md#block-orders), on a real
# SQLite book and on PostgreSQL (tests/support/pg_server.sh; that half is skipped with a note when
# no server starts). A generated book of 8 clients on the real prices in ../shared/data, models
# built, the clients onboarded, one run-day without --execute (orders stay open). Then:
# - orders export --format fix pools the open market orders of discretionary accounts into
#   blocks and writes NewOrderSingle messages that tests/fix/fix_check.py (an independent reader
#   written from the FIX 4.4 spec) parses, recomputing BodyLength and CheckSum; exporting again
#   writes the same bytes and makes no new block; csv has one row per order or block;
# - a FIX ExecutionReport file (written by fix_check.py) fills part of the whole-share QUAL buy
#   block and one order: each member gets floor(1000 * ordered / total) shares plus one for the
#   largest remainders (computed here with awk, independently of src/core/blocks.c); the
#   allocation sums to the fill, the holdings rise by the share, check and audit verify are clean;
# - the same file again changes nothing (ExecIDs seen); the rest of the block fills every member;
# - a message with a wrong CheckSum is refused naming the file, the message and tag 10.
source "$(dirname "$0")/lib.sh"
min_checks 65
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
FC="$REPO/tests/fix/fix_check.py"
D=2019-12-11


scenario() { # DB-URL KEY-FILE
  local B=$1
  run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$2" --clients 8 \
    --from 2018-12-10 --to 2019-12-10
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$2")
  # the single stage (--stages 1): this scenario's expected trades were derived on its models
  run 0 "$RA" models build --stages 1 --db "$B" --date 2019-12-10
  run 0 "$RA" onboard --db "$B" --generate 8 --seed 3 \
    --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
  run 0 "$RA" run-day --db "$B" --date $D --execute none --format json
  [ "$(jget .orders)" -gt 0 ] && [ "$(jget .fills)" = 0 ] && ok || bad "run-day left no open orders"

  # export: blocks formed, the file read by the independent decoder
  run 0 "$RA" orders export --db "$B" --date $D --format fix --out "$TMP/o.fix"
  out_has "new blocks)"
  run 0 python3 "$FC" orders "$TMP/o.fix"
  cp "$TMP/out" "$TMP/o.txt"
  grep -q '^B-2019-12-11-QUAL-BUY QUAL 1 2023 1 6 ' "$TMP/o.txt" && ok || bad "no QUAL buy block of 2023 in 6 orders"
  grep -q '^P-2019-12-11-A000003-1-4 SPY 2 404 1$' "$TMP/o.txt" && ok || bad "no single SPY sale"
  [ "$(grep -c '^B-' "$TMP/o.txt")" -ge 2 ] && ok || bad "fewer than 2 blocks"
  # every message frames as the spec says (the decoder exits 1 otherwise) and counts
  [ "$(wc -l <"$TMP/o.txt")" = "$(wc -l <"$TMP/o.fix")" ] && ok || bad "messages and lines differ"
  run 0 "$RA" orders export --db "$B" --date $D --format fix --out "$TMP/o2.fix"
  out_has "(fix; 0 new blocks)"
  cmp -s "$TMP/o.fix" "$TMP/o2.fix" && ok || bad "a second export differs"
  run 0 "$RA" orders export --db "$B" --date $D --format fix --pipe
  grep -q '|11=B-2019-12-11-QUAL-BUY|21=1|78=6|' "$TMP/out" && ok || bad "pipe display"
  run 0 "$RA" orders export --db "$B" --date $D --format csv
  head -n 1 "$TMP/out" | grep -qx 'cl_ord_id,kind,date,account,ticker,side,qty,ord_type,limit_price,allocations' \
    && ok || bad "csv header"
  grep -q '^B-2019-12-11-QUAL-BUY,block,2019-12-11,,QUAL,buy,2023.000000,market,,' "$TMP/out" && ok || bad "csv block row"
  [ "$(grep -c ',block,' "$TMP/out")" = "$(grep -c '^B-' "$TMP/o.txt")" ] && ok || bad "csv and fix blocks differ"

  # the QUAL block's members and the expected allocation of a 1000-share fill
  run 0 "$RA" orders blocks --db "$B" --date $D --format json
  local k=0 i=-1 id
  while id=$("$JG" ".blocks[$k].id" <"$TMP/out" 2>/dev/null); do
    [ "$id" = B-2019-12-11-QUAL-BUY ] && i=$k
    k=$((k + 1))
  done
  [ "$i" -ge 0 ] && ok || bad "orders blocks lacks the QUAL block"
  : >"$TMP/members"
  for j in 0 1 2 3 4 5; do
    printf '%s %s %s\n' "$(jget ".blocks[$i].orders[$j].order")" "$(jget ".blocks[$i].orders[$j].account")" \
      "$(jget ".blocks[$i].orders[$j].qty")" >>"$TMP/members"
  done
  # largest remainder by hand: 1000 * q / 2023, floors, then one share each to the largest fractions
  awk '{q[NR]=$3+0; o[NR]=$1; t+=q[NR]} END {
         for (i=1;i<=NR;i++) {f[i]=int(1000*q[i]/t); fr[i]=1000*q[i]/t-f[i]; s+=f[i]}
         for (r=1000-s; r>0; r--) {b=0; for (i=1;i<=NR;i++) if (!u[i] && (b==0 || fr[i]>fr[b])) b=i; u[b]=1; f[b]++}
         for (i=1;i<=NR;i++) print o[i], f[i]}' "$TMP/members" >"$TMP/want"
  [ "$(awk '{s+=$2} END {print s}' "$TMP/want")" = 1000 ] && ok || bad "the hand allocation does not sum to 1000"
  # the account of the 8-share member (A000006-1): its QUAL holding before
  local acct; acct=$(awk '$3 == "8.000000" {print $2}' "$TMP/members")
  [ -n "$acct" ] && ok || bad "no 8-share member"
  run 0 "$RA" account show "$acct" --db "$B" --date $D --format json
  local q0; q0=$(held QUAL)

  # the broker's executions: part of the block, all of one order
  python3 "$FC" exec "$TMP/e1.fix" "B-2019-12-11-QUAL-BUY,E1,QUAL,1,1000,1.25,1000,20191211" \
    "P-2019-12-11-A000003-1-4,E2,SPY,2,404,2.5,404,20191211" && ok || bad "writing executions"
  run 0 "$RA" import fills "$TMP/e1.fix" --db "$B" --format json
  [ "$(jget .rows)" = 2 ] && [ "$(jget .new)" = 2 ] && [ "$(jget .unchanged)" = 0 ] && ok || bad "rows, new"
  run 0 "$RA" orders blocks --db "$B" --date $D --format json
  [ "$(jget ".blocks[$i].filled")" = 1000.000000 ] && [ "$(jget ".blocks[$i].status")" = partial ] \
    && [ "$(jget ".blocks[$i].fills")" = 1 ] && ok || bad "the block after a partial fill"
  local sum=0 got
  for j in 0 1 2 3 4 5; do
    got=$(jget ".blocks[$i].orders[$j].filled")
    want=$(awk -v o="$(jget ".blocks[$i].orders[$j].order")" '$1 == o {printf "%d.000000", $2}' "$TMP/want")
    [ "$got" = "$want" ] && ok || bad "member $j filled $got, by hand $want"
    sum=$(awk -v s="$sum" -v g="$got" 'BEGIN {printf "%.6f", s + g}')
  done
  [ "$sum" = 1000.000000 ] && ok || bad "the allocation sums to $sum, not the fill"
  run 0 "$RA" account show "$acct" --db "$B" --date $D --format json
  close "$(held QUAL)" "$(awk -v q="$q0" -v a="$(awk -v a="$acct" '$1 ~ a {print $2}' "$TMP/want")" 'BEGIN{printf "%.6f", q + a}')" \
    0.0000001 "the 8-share member's QUAL holding"
  run 0 "$RA" orders list --db "$B" --format csv
  grep -q '^P-2019-12-11-A000003-1-4,.*,404.000000,filled,' "$TMP/out" && ok || bad "the SPY order is not filled"

  # the same file again: nothing new
  cp "$TMP/out" "$TMP/orders1.csv"
  run 0 "$RA" import fills "$TMP/e1.fix" --db "$B"
  out_has "2 rows, 0 new, 2 unchanged"
  run 0 "$RA" orders list --db "$B" --format csv
  cmp -s "$TMP/out" "$TMP/orders1.csv" && ok || bad "a re-import changed the orders"

  # a wrong checksum in message 2: refused, named, nothing written
  python3 "$FC" exec "$TMP/e2.fix" "B-2019-12-11-QUAL-BUY,E3,QUAL,1,1023,1.25,2023,20191211" \
    "P-2019-12-11-A000003-1-3,E4,EFA,2,709,2.5,709,20191211" && ok || bad "writing executions"
  sed '2s/10=\([0-9]*\)/10=999/' "$TMP/e2.fix" >"$TMP/bad.fix"
  run 1 "$RA" import fills "$TMP/bad.fix" --db "$B"
  err_has "bad.fix:2:10 (CheckSum)"
  run 0 "$RA" orders list --db "$B" --format csv
  cmp -s "$TMP/out" "$TMP/orders1.csv" && ok || bad "a refused file changed the orders"
  # CumQty that does not follow what was filled
  python3 "$FC" exec "$TMP/cum.fix" "B-2019-12-11-QUAL-BUY,E5,QUAL,1,1023,1.25,1023,20191211"
  run 1 "$RA" import fills "$TMP/cum.fix" --db "$B"
  err_has "cum.fix:1:14 (CumQty)"

  # the rest of the block: every member filled, the block too
  run 0 "$RA" import fills "$TMP/e2.fix" --db "$B" --format json
  [ "$(jget .new)" = 2 ] && ok || bad "the rest of the block"
  run 0 "$RA" orders blocks --db "$B" --date $D --format json
  [ "$(jget ".blocks[$i].status")" = filled ] && [ "$(jget ".blocks[$i].filled")" = 2023.000000 ] \
    && [ "$(jget ".blocks[$i].fills")" = 2 ] && ok || bad "the block is not filled"
  for j in 0 1 2 3 4 5; do
    [ "$(jget ".blocks[$i].orders[$j].status")" = filled ] && ok || bad "member $j not filled"
  done
  run 0 "$RA" orders export --db "$B" --date $D --format csv
  grep -q '^B-2019-12-11-QUAL-BUY,' "$TMP/out" && bad "a filled block is exported" || ok

  # a CSV fills row naming a block: the BIL buy block of 57 + 1 shares, 29 filled: exact 28.5 and
  # 0.5, floors 28 and 0, the share left to one of two equal fractions, by the seeded order
  grep -q '^B-2019-12-11-BIL-BUY,block,2019-12-11,,BIL,buy,58.000000,market,,A000006-1:57.000000;A000008-1:1.000000$' \
    "$TMP/out" && ok || bad "the BIL block is not 57 + 1"
  printf 'order_id,date,qty,price\nB-2019-12-11-BIL-BUY,2019-12-11,29,1.5\n' >"$TMP/b.csv"
  run 0 "$RA" import fills "$TMP/b.csv" --db "$B"
  out_has "1 row, 1 new, 0 unchanged"
  run 0 "$RA" orders blocks --db "$B" --date $D --format json
  k=0; i=-1
  while id=$("$JG" ".blocks[$k].id" <"$TMP/out" 2>/dev/null); do
    [ "$id" = B-2019-12-11-BIL-BUY ] && i=$k
    k=$((k + 1))
  done
  local f0 f1; f0=$(jget ".blocks[$i].orders[0].filled"); f1=$(jget ".blocks[$i].orders[1].filled")
  { [ "$f0 $f1" = "28.000000 1.000000" ] || [ "$f0 $f1" = "29.000000 0.000000" ]; } && ok \
    || bad "BIL block allocated $f0 and $f1"
  [ "$(jget ".blocks[$i].filled")" = 29.000000 ] && ok || bad "BIL block filled"
  # a fill of a block's order on its own is refused: it comes as the block's
  local mo; mo=$(jget ".blocks[$i].orders[0].order")
  printf 'order_id,date,qty,price\n%s,2019-12-11,1,1.5\n' "$mo" >"$TMP/m.csv"
  run 1 "$RA" import fills "$TMP/m.csv" --db "$B"
  err_has "m.csv:2: order $mo is in block B-2019-12-11-BIL-BUY"
  python3 "$FC" exec "$TMP/m.fix" "$mo,E9,BIL,1,1,1.5,29,20191211"
  run 1 "$RA" import fills "$TMP/m.fix" --db "$B"
  err_has "m.fix:1:11 (ClOrdID): order $mo is in block B-2019-12-11-BIL-BUY"
  run 0 "$RA" import fills "$TMP/b.csv" --db "$B"
  out_has "1 row, 0 new, 1 unchanged"
  printf 'order_id,date,qty,price\nB-2019-12-11-BIL-BUY,2019-12-11,30,1.5\n' >"$TMP/b2.csv"
  run 1 "$RA" import fills "$TMP/b2.csv" --db "$B"
  err_has "b2.csv:2"
  err_has "more than the 29.000000 left open"
  run 0 "$RA" check --db "$B"
  run 0 "$RA" audit verify --db "$B"
  out_has "book equal to its audit trail"
}

scenario "$TMP/book.db" "$TMP/book.key"

pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
elif [ -z "$pg_url" ]; then
  echo "PostgreSQL not started, the PostgreSQL half skipped: $(tail -n 1 "$TMP/pg.log")"
fi
if [ -n "$pg_url" ]; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
  db="blk_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db" && ok || bad "create database"
  min_checks 130
  scenario "${pg_url%/*}/$db" "$TMP/pg.key"
  "$PSQL" -q -d "$pg_url" -c "DROP DATABASE $db" >/dev/null 2>&1
fi
finish
