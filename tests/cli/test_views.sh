# views and two-stage models end to end (docs/cli.md#views, #models; docs/methodology.md
# #equilibrium-returns-and-black-litterman, #two-stage-models) on the example shelf with real prices
# (aa_etf_prices.csv, 2010..2019): the firm's views, market weights and pins as audited versions
# and their errors; `views test` against hand-derived identities (no views: mu = pi; a view held
# with confidence 1 holds exactly; a 50 % view lands between equilibrium and the view); every
# two-stage model rated at its level with its classes adding up to its holdings; the same models
# on PostgreSQL, byte for byte.
source "$(dirname "$0")/lib.sh"
min_checks 170
E="$REPO/examples/data"
export ROBOADVISOR_USER=cli-test
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
unset ROBOADVISOR_FIRM ROBOADVISOR_DB
B="$TMP/book.db"
awk -F, 'NR == 1 || ($1 >= "2010-01-01" && $1 <= "2019-12-31")' "$DATA/aa_etf_prices.csv" >"$TMP/prices.csv"
make_book() { # URL
  run 0 "$RA" init --db "$1"
  run 0 "$RA" import securities "$E/securities.csv" --db "$1"
  run 0 "$RA" import prices "$TMP/prices.csv" --db "$1"
}
make_book "$B"

# --- usage and bad input -------------------------------------------------------------------------
run 2 "$RA" views; err_lines 0
run 2 "$RA" views frobnicate --db "$B"; err_has 'unknown subcommand "frobnicate"'
printf 'view,assets,versus,return,confidence\nem,em_equity,,0.08,1\n' >"$TMP/em.csv"
run 2 "$RA" views set "$TMP/em.csv" --db "$B"; err_has "--reason TEXT is required"
run 1 "$RA" views set "$TMP/missing.csv" --db "$B" --reason r
printf 'view,assets,versus,return,confidence\nx,us_equity,nosuch,0.02,0.5\n' >"$TMP/bad1.csv"
run 1 "$RA" views set "$TMP/bad1.csv" --db "$B" --reason r
err_has "view x (line 2): no security on the shelf has asset class nosuch"
printf 'view,assets,versus,return,confidence\nx,us_equity,,5,0.5\n' >"$TMP/bad2.csv"
run 1 "$RA" views set "$TMP/bad2.csv" --db "$B" --reason r
err_has "bad2.csv:2:4 (return): return must be an annual decimal in [-1, 1]"
printf 'view,assets,versus,return,confidence\nx,us_equity,,0.05,0\n' >"$TMP/bad3.csv"
run 1 "$RA" views set "$TMP/bad3.csv" --db "$B" --reason r; err_has "(confidence): confidence must be in (0, 1]"
printf 'view,assets,versus,return,confidence\nx,us_equity,us_equity,0.05,0.5\n' >"$TMP/bad4.csv"
run 1 "$RA" views set "$TMP/bad4.csv" --db "$B" --reason r
printf 'view,assets,versus,return,confidence\nx,us_equity,,0.05,0.5\nx,us_bonds,,0.01,0.5\n' >"$TMP/bad5.csv"
run 1 "$RA" views set "$TMP/bad5.csv" --db "$B" --reason r; err_has "view x is given twice (first on line 2)"
printf 'view,assets,versus,return,confidence\nx,us_equity,,0.05,0.5\ny,us_equ' >"$TMP/half.csv" # a half-written file
run 1 "$RA" views set "$TMP/half.csv" --db "$B" --reason r
printf 'asset_class,weight\nus_equity,0.6\nus_bonds,0.3\n' >"$TMP/mbad.csv"
run 1 "$RA" views market "$TMP/mbad.csv" --db "$B" --reason r; err_has "the weights sum to 0.9, not 1"
printf 'ticker\nNOPE\n' >"$TMP/pbad.csv"
run 1 "$RA" views pins "$TMP/pbad.csv" --db "$B" --reason r; err_has "pbad.csv:2: not the ticker of a security on the firm's shelf"
run 0 "$RA" views list --db "$B" --format json # nothing was stored by the failures
for k in views market pins; do [ "$(jget ".inputs.$k.version")" = 0 ] && ok || bad "$k stored by a failed set"; done

# --- equilibrium without views: mu = pi, and the market weights are the default -------------------
run 0 "$RA" views test --db "$B" --format json
cp "$TMP/out" "$TMP/t0.json"
n=0
while c=$("$JG" ".classes[$n].asset_class" <"$TMP/t0.json" 2>/dev/null); do
  pi=$(jget ".classes[$n].equilibrium_return"); mu=$(jget ".classes[$n].expected_return")
  [ "$pi" = "$mu" ] && ok || bad "$c: mu $mu is not pi $pi without views"
  n=$((n + 1))
done
[ "$n" = 9 ] && ok || bad "$n classes, want 9"
[ "$(jget .market_version)" = 0 ] && ok || bad "market weights not the default"
# delta = Sharpe / market volatility; pi of the market portfolio = delta * its variance, so
# sum_c w_c pi_c = Sharpe^2 / delta (hand derivation: w'pi = delta w'Sigma w = S^2 / delta)
wpi=0 n2=0
while w=$("$JG" ".classes[$n2].market_weight" <"$TMP/t0.json" 2>/dev/null); do
  p=$("$JG" ".classes[$n2].equilibrium_return" <"$TMP/t0.json")
  wpi=$(awk -v s="$wpi" -v w="$w" -v p="$p" 'BEGIN{printf "%.17g", s + w * p}')
  n2=$((n2 + 1))
done
d=$(jget .delta)
close "$wpi" "$(awk -v d="$d" 'BEGIN{printf "%.17g", 0.25 * 0.25 / d}')" 1e-12 "(w'pi = S^2/delta)"

# --- views: one held with confidence 1 holds exactly -----------------------------------------------
printf 'view,assets,versus,return,confidence\nem,em_equity,,0.08,1\nintl_over_us,intl_equity,us_equity,0.02,1\n' >"$TMP/v1.csv"
run 0 "$RA" views set "$TMP/v1.csv" --db "$B" --reason "committee: certain views (test)"
out_has "views version 1 stored"
run 0 "$RA" views set "$TMP/v1.csv" --db "$B" --reason "again"; out_has "views version 1 stored"
run 0 "$RA" views test --db "$B" --format json
cls_val() { # CLASS KEY: the value of KEY for asset class CLASS in $TMP/out
  local i=0 c
  while c=$("$JG" ".classes[$i].asset_class" <"$TMP/out" 2>/dev/null); do
    if [ "$c" = "$1" ]; then jget ".classes[$i].$2"; return; fi
    i=$((i + 1))
  done
  bad "no class $1"
}
close "$(cls_val em_equity expected_return)" 0.08 1e-12 "(em view at confidence 1)"
diff=$(awk -v a="$(cls_val intl_equity expected_return)" -v b="$(cls_val us_equity expected_return)" 'BEGIN{printf "%.17g", a - b}')
close "$diff" 0.02 1e-12 "(relative view at confidence 1)"
close "$(jget '.views[0].posterior')" 0.08 1e-12 "(view 1 posterior)"
[ "$(jget '.views[0].omega')" = 0 ] && ok || bad "omega of a certain view is $(jget '.views[0].omega')"

# a view at 50 %: the posterior lies strictly between equilibrium and the view
printf 'view,assets,versus,return,confidence\nem,em_equity,,0.08,\n' >"$TMP/v2.csv"
run 0 "$RA" views set "$TMP/v2.csv" --db "$B" --reason "committee: em at the default confidence"
out_has "views version 2 stored"
run 0 "$RA" views test --db "$B" --format json
pr=$(jget '.views[0].equilibrium'); po=$(jget '.views[0].posterior')
[ "$(jget '.views[0].confidence')" = 0.5 ] && ok || bad "empty confidence is not 0.5"
awk -v a="$pr" -v b="$po" 'BEGIN{exit !(a < b && b < 0.08)}' && ok || bad "posterior $po not between $pr and 0.08"
run 0 "$RA" views test --db "$B"; out_has "equilibrium %"; out_has "em_equity"

# --- two-stage models ------------------------------------------------------------------------------
run 2 "$RA" models build --db "$B" --stages 1 --returns equilibrium; err_has "--returns needs --stages 2"
run 0 "$RA" models build --db "$B" --returns historical; err_has "noisy"
run 0 "$RA" models build --db "$B" --returns equilibrium --format json
cp "$TMP/out" "$TMP/models.json"
for l in 1 2 3 4 5; do
  i=$((l - 1))
  [ "$(jget ".models[$i].level")" = "R$l" ] && ok || bad "R$l has level $(jget ".models[$i].level")"
  case "$(jget ".models[$i].method")" in "two-stage black-litterman ledoit-wolf") ok ;; *) bad "R$l method" ;; esac
  eq=$(jget ".models[$i].equity_share")
  close "$eq" "$(awk -v l=$l 'BEGIN{print (l - 1) * 0.2 + 0.1}')" 0.1000001 "(R$l equity in its band)"
  # the classes' weights sum to 1 and each equals the sum of its funds' holdings
  sums=$(awk -v f="$TMP/models.json" -v jg="$JG" -v i=$i 'BEGIN{
    tot = 0; bad = 0
    for (c = 0; ; c++) {
      cmd = jg " .models[" i "].classes[" c "].weight < " f; if ((cmd | getline w) <= 0) break; close(cmd)
      cmd = jg " .models[" i "].classes[" c "].fund < " f; cmd | getline fund; close(cmd)
      tot += w; held = 0; n = split(fund, fs, "+")
      for (h = 0; ; h++) {
        cmd = jg " .models[" i "].weights[" h "].ticker < " f; if ((cmd | getline t) <= 0) break; close(cmd)
        cmd = jg " .models[" i "].weights[" h "].weight < " f; cmd | getline x; close(cmd)
        for (k = 1; k <= n; k++) if (fs[k] == t) held += x
      }
      if (w > 0 && (held - w > 1e-9 || w - held > 1e-9)) bad++
    }
    printf "%.12f %d %d", tot, bad, c }')
  set -- $sums
  close "$1" 1 1e-9 "(R$l class weights sum)"
  [ "$2" = 0 ] && ok || bad "R$l: $2 classes differ from their funds' holdings"
  [ "$3" = 9 ] && ok || bad "R$l explains $3 classes, want 9"
done
run 0 "$RA" models show R3 --db "$B"; out_has "asset class"; out_has "views %"; out_has "+/- %"
# every class held moves when its inputs are redrawn (its sensitivity is reported and positive)
for i in 0 4; do
  c=0
  while w=$("$JG" ".models[$i].classes[$c].weight" <"$TMP/models.json" 2>/dev/null); do
    s=$("$JG" ".models[$i].classes[$c].weight_sd" <"$TMP/models.json")
    awk -v w="$w" -v s="$s" 'BEGIN{exit !(w == 0 || s > 0)}' && ok || bad "model $i class $c: weight $w without a sensitivity ($s)"
    c=$((c + 1))
  done
done
run 0 "$RA" models build --db "$B" --returns equilibrium; out_has "unchanged"
# resampled (Michaud): the same seed, the same models; every level still rated at its level
run 2 "$RA" models build --db "$B" --resample --draws 1 --returns equilibrium; err_has "--resample needs"
run 0 "$RA" models build --db "$B" --returns equilibrium --resample --draws 40 --seed 3 --format json
for l in 1 2 3 4 5; do
  [ "$(jget ".models[$((l - 1))].level")" = "R$l" ] && ok || bad "resampled R$l level"
  case "$(jget ".models[$((l - 1))].method")" in *resampled*) ok ;; *) bad "R$l method not resampled" ;; esac
done
run 0 "$RA" models build --db "$B" --returns equilibrium --resample --draws 40 --seed 3; out_has "unchanged"
[ "$(grep -c "stored as a new version" "$TMP/out")" = 0 ] && ok || bad "the same seed changed a model"
run 0 "$RA" models build --db "$B" --returns equilibrium --resample --draws 40 --seed 4; out_has "stored as a new version"
run 0 "$RA" models build --db "$B" --returns equilibrium; out_has "stored as a new version"

# stability over the history: equilibrium models move far less from month to month than models on
# historical means (the issue's point), and a turnover bound holds at every rebuild
run 2 "$RA" models stability --db "$B"; err_has "give the period"
run 0 "$RA" models stability --db "$B" --from 2016-06-01 --to 2019-12-31 --format json
cp "$TMP/out" "$TMP/st_eq.json"
[ "$(jget '.rebuilds[42].date')" = 2019-12-31 ] && ok || bad "last rebuild $(jget '.rebuilds[42].date')"
run 0 "$RA" models stability --db "$B" --from 2016-06-01 --to 2019-12-31 --returns historical --max-turnover 0.05 --format json
cp "$TMP/out" "$TMP/st_h.json"
for i in 0 1 2 3 4; do
  e=$("$JG" ".levels[$i].mean_turnover" <"$TMP/st_eq.json"); h=$("$JG" ".levels[$i].mean_turnover" <"$TMP/st_h.json")
  awk -v e="$e" -v h="$h" 'BEGIN{exit !(e < h / 2)}' && ok || bad "level $i: equilibrium turnover $e not below half of historical $h"
  mx=$("$JG" ".levels[$i].max_turnover_bounded" <"$TMP/st_h.json")
  awk -v m="$mx" 'BEGIN{exit !(m <= 0.05 + 1e-12)}' && ok || bad "level $i: bounded turnover $mx above 0.05"
done
# the single stage (the former construction) rebuilt the same way: its models move more than
# twice as much as the two-stage ones at every level (docs/methodology.md#backtests)
run 0 "$RA" models stability --db "$B" --from 2016-06-01 --to 2019-12-31 --stages 1 --format json
[ "$(jget .method)" = single-stage ] && [ "$(jget .returns)" = historical ] && ok || bad "single stage not named"
cp "$TMP/out" "$TMP/st_1.json"
for i in 0 1 2 3 4; do
  e=$("$JG" ".levels[$i].mean_turnover" <"$TMP/st_eq.json"); h=$("$JG" ".levels[$i].mean_turnover" <"$TMP/st_1.json")
  awk -v e="$e" -v h="$h" 'BEGIN{exit !(e < h / 2)}' && ok || bad "level $i: two-stage turnover $e not below half of the single stage's $h"
done
run 2 "$RA" models stability --db "$B" --from 2016-06-01 --to 2019-12-31 --stages 1 --returns equilibrium
err_has "need two stages"
# a bounded rebuild: each model moves at most 5 % (one way) from its stored version, measured here
# from the two versions' holdings
run 0 "$RA" views set "$TMP/v1.csv" --db "$B" --reason "committee: back to certain views"
out_has "views version 3 stored"
run 0 "$RA" models build --db "$B" --returns equilibrium --max-turnover 0.05 --format json
for l in 1 3 5; do
  [ "$(jget ".models[$((l - 1))].new_version")" = true ] && ok || bad "R$l not rebuilt"
  close "$(jget ".models[$((l - 1))].turnover")" 0.05 1e-12 "(R$l turnover at the bound)"
  v=$("$JG" ".models[$((l - 1))].version" <"$TMP/out")
  [ "$v" -ge 2 ] 2>/dev/null || { bad "R$l has no earlier version ($v)"; continue; }
  "$RA" models show R$l --db "$B" --version $((v - 1)) --format json >"$TMP/old.json"
  "$RA" models show R$l --db "$B" --version "$v" --format json >"$TMP/new.json"
  t=$(awk -v jg="$JG" -v a="$TMP/old.json" -v b="$TMP/new.json" 'BEGIN{
    for (f = 0; f < 2; f++) { file = f ? b : a
      for (h = 0; ; h++) { cmd = jg " .weights[" h "].ticker < " file; if ((cmd | getline t) <= 0) break; close(cmd)
        cmd = jg " .weights[" h "].weight < " file; cmd | getline x; close(cmd); w[f, t] = x; seen[t] = 1 } }
    for (t in seen) { d = w[1, t] - w[0, t]; s += d < 0 ? -d : d }
    printf "%.12f", s / 2 }')
  awk -v t="$t" 'BEGIN{exit !(t <= 0.05 + 1e-9)}' && ok || bad "R$l moved $t one way, above 0.05"
done

# pins: the firm's own fund fills its class
printf 'ticker\nSPY\n' >"$TMP/pins.csv"
run 0 "$RA" views pins "$TMP/pins.csv" --db "$B" --reason "our own S&P fund"
run 0 "$RA" models build --db "$B" --returns equilibrium --format json
f5=$(awk -v f="$TMP/out" -v jg="$JG" 'BEGIN{for (c = 0; ; c++) { cmd = jg " .models[4].classes[" c "].asset_class < " f;
  if ((cmd | getline a) <= 0) break; close(cmd); if (a == "us_equity") { cmd = jg " .models[4].classes[" c "].fund < " f; cmd | getline x; print x; exit } } }')
case "$f5" in SPY*) ok ;; *) bad "R5 us_equity fund is $f5, not the pinned SPY" ;; esac

# market weights of the firm: classes left out get a warning and no weight in the prior
printf 'asset_class,weight\nus_equity,0.6\nus_bonds,0.4\n' >"$TMP/mk.csv"
run 0 "$RA" views market "$TMP/mk.csv" --db "$B" --reason "a US 60/40 house view"
run 0 "$RA" models build --db "$B" --returns equilibrium
err_has "asset class intl_equity has no market weight"
run 0 "$RA" views list --db "$B" --format json
[ "$(jget .inputs.market.version)" = 1 ] && ok || bad "market version"
[ "$(jget .inputs.views.version)" = 3 ] && ok || bad "views version"
[ "$(jget .inputs.pins.reason)" = "our own S&P fund" ] && ok || bad "pins reason"
run 0 "$RA" check --db "$B"
run 0 "$RA" audit verify --db "$B"
n_in=$(sqlite3 "$B" "SELECT COUNT(*) FROM audit_log WHERE entity = 'model_inputs'")
[ "$n_in" = 5 ] && ok || bad "$n_in model_inputs audit records, want 5"
# an edited stored view is caught by the audit
sqlite3 "$B" "UPDATE model_inputs SET body = replace(body, '0.08', '0.18') WHERE kind = 'views'"
run 1 "$RA" audit verify --db "$B"; err_has "model_inputs"

# --- the same on PostgreSQL ------------------------------------------------------------------------
pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
if [ -n "$pg_url" ]; then
  PSQL=psql; command -v psql >/dev/null || PSQL="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql"
  db_p="views_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db_p" && ok || bad "create database"
  P="${pg_url%/*}/$db_p"
  S="$TMP/s2.db"
  make_book "$S"
  make_book "$P"
  for u in "$S" "$P"; do
    run 0 "$RA" views set "$TMP/v1.csv" --db "$u" --reason "certain views"
    run 0 "$RA" views pins "$TMP/pins.csv" --db "$u" --reason "own fund"
    run 0 "$RA" models build --db "$u" --returns equilibrium --format json
    grep -v '"new_version"' "$TMP/out" >"$TMP/build.$(basename "$u")"
    run 0 "$RA" audit verify --db "$u"
  done
  cmp -s "$TMP/build.s2.db" "$TMP/build.$db_p" && ok || bad "PostgreSQL models differ: $(diff "$TMP/build.s2.db" "$TMP/build.$db_p" | head -4)"
else
  echo "PostgreSQL not started, its part skipped: $(tail -n 1 "$TMP/pg.log")"
fi
finish
