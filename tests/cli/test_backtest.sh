# roboadvisor backtest end to end (docs/cli.md#backtest, docs/methodology.md#backtests): a small
# run of 20 clients from 2019-12-11 to 2020-03-31 on the real prices in ../shared/data, so that
# the March 2020 crash is harvested. What is checked:
# - usage errors (missing dates, --to before --from, an existing --db);
# - every documented JSON key present, every figure a finite number, max drawdown in [0, 1],
#   losses harvested > 0 with a positive tax value, the reference tax alpha printed;
# - the same seed twice gives identical JSON (the book is generated, onboarded and run the same
#   way), and the temporary book is removed while --db keeps one;
# - the table names the published reference next to the measured tax alpha.
source "$(dirname "$0")/lib.sh"
min_checks 80
Q="$REPO/examples/questionnaire/default.json"
BT=("$RA" backtest --from 2019-12-11 --to 2020-03-31 --clients 20 --seed 3 --data "$DATA"
    --questionnaire "$Q")

run 2 "$RA" backtest --to 2020-03-31
err_has "--from D1 and --to D2 are required"
run 2 "$RA" backtest --from 2020-03-31 --to 2020-03-01
err_has "--to must be after --from"
: >"$TMP/exists.db"
run 2 "${BT[@]}" --db "$TMP/exists.db"
err_has "exists"

export TMPDIR="$TMP/tmpdir"; mkdir -p "$TMPDIR"
run 0 "${BT[@]}" --format json
cp "$TMP/out" "$TMP/first.json"
n_tmp=$(find "$TMPDIR" -type f | wc -l)
if [ "$n_tmp" -eq 0 ]; then ok; else bad "the temporary book was left behind ($n_tmp files)"; fi

for k in from to first_day last_day days_run clients accounts seed firm currency trades \
         reference_tax_alpha reference; do
  jget ".$k" >/dev/null && ok
done
[ "$(jget .days_run)" -ge 70 ] && ok || bad "days_run $(jget .days_run) < 70"
[ "$(jget .clients)" -eq 20 ] && ok || bad "clients $(jget .clients), want 20"
close "$(jget .reference_tax_alpha)" 0.01 0

# every figure of the total and of each level: finite numbers
keys="accounts days average_value return_before_fees return_after_fees return_after_taxes
      volatility max_drawdown transition turnover tracking_error fees estimated_taxes harvested
      harvest_tax_value tax_alpha"
for k in $keys; do
  v=$(jget ".total.$k") && { is_number "$v" && ok || bad "total.$k = \"$v\" is not a finite number"; }
done
n_levels=$("$JG" .levels <"$TMP/out" | grep -o '"level"' | wc -l)
[ "$n_levels" -ge 2 ] && ok || bad "only $n_levels levels"
for ((i = 0; i < n_levels; i++)); do
  for k in level return_after_fees volatility max_drawdown turnover; do
    jget ".levels[$i].$k" >/dev/null && ok
  done
  dd=$(jget ".levels[$i].max_drawdown")
  awk -v x="$dd" 'BEGIN{exit !(x >= 0 && x <= 1)}' && ok || bad "levels[$i].max_drawdown $dd not in [0,1]"
done
dd=$(jget .total.max_drawdown)
awk -v x="$dd" 'BEGIN{exit !(x > 0 && x <= 1)}' && ok || bad "total.max_drawdown $dd not in (0,1]"
h=$(jget .total.harvested); htv=$(jget .total.harvest_tax_value)
awk -v x="$h" 'BEGIN{exit !(x > 0)}' && ok || bad "nothing harvested in the March 2020 crash: $h"
awk -v x="$htv" -v h="$h" 'BEGIN{exit !(x > 0 && x <= 0.35 * h + 0.01)}' && ok ||
  bad "harvest tax value $htv not in (0, 0.35 x $h]"
# a loss year: after fees below before fees or equal (the run has no fee transactions), after
# taxes below after fees whenever estimated taxes are positive
rb=$(jget .total.return_before_fees); ra=$(jget .total.return_after_fees)
awk -v b="$rb" -v a="$ra" 'BEGIN{exit !(a <= b)}' && ok || bad "after fees $ra above before fees $rb"
tx=$(jget .total.estimated_taxes); rt=$(jget .total.return_after_taxes)
awk -v t="$tx" -v a="$ra" -v r="$rt" 'BEGIN{exit !(t <= 0 || r < a)}' && ok ||
  bad "estimated taxes $tx but after taxes $rt not below after fees $ra"

# the same seed twice: identical JSON
run 0 "${BT[@]}" --format json
if cmp -s "$TMP/out" "$TMP/first.json"; then ok; else bad "the same seed gave different JSON"; fi

# the table with the reference, and --db keeps the book
run 0 "${BT[@]}" --db "$TMP/kept.db"
out_has "tax alpha measured"
out_has "Chaudhuri, Burnham and Lo 2020"
out_has "R4"
[ -s "$TMP/kept.db" ] && ok || bad "--db did not keep the book"
[ -s "$TMP/kept.db.key" ] && ok || bad "--db did not keep the book's key"
finish
