# roboadvisor plan: help, usage errors (exit 2, one line), data errors (exit 1 naming file, line
# and column), the JSON keys, and numbers that agree with each other and with closed forms.
source "$(dirname "$0")/lib.sh"
min_checks 106 # the checks this script makes today; finish fails below it
B="$DATA/smallcap_monthly_returns.csv"
L="$DATA/lpp2005_returns.csv"
base=(--initial 10000 --monthly 500 --years 10 --goal 100000)

run 0 "$RA" plan --help; out_has "usage: roboadvisor plan"; out_has "--glide-path FILE"
run 0 "$RA" --help; out_has "plan"

# usage errors: exit 2, exactly one line
run 2 "$RA" plan --monthly 1 --years 1 --goal 1 --mu 0 --sigma 0; err_lines 1; err_has "--initial AMOUNT is required"
run 2 "$RA" plan --initial 1 --monthly 1 --goal 1 --mu 0 --sigma 0; err_lines 1; err_has "--years N is required"
run 2 "$RA" plan "${base[@]}"; err_lines 1; err_has "needs --mu and --sigma"
run 2 "$RA" plan "${base[@]}" --mu 7 --sigma 0.1; err_lines 1; err_has "0.07 for 7 %"
run 2 "$RA" plan "${base[@]}" --mu 0.05 --sigma -1; err_lines 1; err_has "--sigma"
run 2 "$RA" plan --initial 10.123 --monthly 1 --years 1 --goal 5 --mu 0 --sigma 0; err_lines 1; err_has "at most 2 decimals"
run 2 "$RA" plan --initial -5 --monthly 1 --years 1 --goal 5 --mu 0 --sigma 0; err_lines 1; err_has "cannot be negative"
run 2 "$RA" plan --initial 1 --monthly 1 --years 1 --goal 0 --mu 0 --sigma 0; err_lines 1; err_has "--goal must be positive"
run 2 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --years 101; err_lines 1; err_has "--years"
run 2 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --probability 0; err_lines 1; err_has "(0, 1]"
run 2 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --paths 0; err_lines 1
run 2 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --model garch; err_lines 1; err_has 'got "garch"'
run 2 "$RA" plan "${base[@]}" --bootstrap "$B" --asset MARKET --mu 0.05; err_lines 1; err_has "lognormal model"
run 2 "$RA" plan "${base[@]}" --bootstrap "$B" --asset MARKET --model lognormal; err_lines 1
run 2 "$RA" plan "${base[@]}" --model bootstrap; err_lines 1; err_has "needs --bootstrap FILE"
run 2 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --block 3; err_lines 1; err_has "need --bootstrap"
run 2 "$RA" plan "${base[@]}" --bootstrap "$B"; err_lines 1; err_has "name one with --asset"
run 2 "$RA" plan "${base[@]}" --bootstrap "$B" --asset MARKET --block 61; err_lines 1; err_has "60 months"
run 2 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --bogus; err_lines 1; err_has "no option --bogus"

# data errors: exit 1 naming file:line:column
printf 'year,mu,sigma\n1,0.05,0.1\n5,0.05,x\n' >"$TMP/g.csv"
run 1 "$RA" plan "${base[@]}" --glide-path "$TMP/g.csv"; err_has "g.csv:3:3 (sigma)"; err_has '"x"'
printf 'year,mu,sigma\n3,0.05,0.1\n2,0.05,0.1\n' >"$TMP/g2.csv"
run 1 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --glide-path "$TMP/g2.csv"; err_has "g2.csv:3:1 (year)"
run 1 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --glide-path /nonexistent/g.csv; err_has "/nonexistent/g.csv"
printf 'Date,A\n2020-01-31,0.01\n2020-02-29,-1.5\n2020-03-31,0.02\n' >"$TMP/r.csv"
run 1 "$RA" plan "${base[@]}" --bootstrap "$TMP/r.csv"; err_has "r.csv:3:2 (A)"; err_has "below -1"
printf 'Date,A\n2020-01-31,0.01\n2020-02-29,zz\n2020-03-31,0.02\n' >"$TMP/r2.csv"
run 1 "$RA" plan "${base[@]}" --bootstrap "$TMP/r2.csv"; err_has "r2.csv:3:2 (A)"
run 1 "$RA" plan "${base[@]}" --bootstrap "$B" --asset NOPE; err_has '"NOPE"'
run 1 "$RA" plan --initial 0 --monthly 0 --years 1 --goal 10000000000000 --mu 0 --sigma 0 --probability 1
err_has "cannot be reached"

# JSON: documented keys; zero volatility gives the annuity value exactly (to print precision)
run 0 "$RA" plan --initial 1000 --monthly 100 --years 10 --goal 20000 --mu 0.06 --sigma 0 --paths 20 --format json
for k in .probability .percentiles.p5 .percentiles.p25 .percentiles.p50 .percentiles.p75 \
         .percentiles.p95 .mean '.paths_by_year[9].p95' '.paths_by_year[0].year' .inputs.seed \
         .inputs.mu .inputs.paths; do jget "$k" >/dev/null; done
want=$(awk 'BEGIN{q=1.06^(1/12); printf "%.10f", 1000*1.06^10 + 100*(1.06^10-1)/(q-1)}')
close "$(jget .percentiles.p5)" "$want" 1e-6 "(annuity)"
close "$(jget .percentiles.p95)" "$want" 1e-6 "(annuity)"
close "$(jget .probability)" 0 0 "(annuity below the goal)"

# same seed, same numbers; any thread count; another seed differs
args=("${base[@]}" --mu 0.06 --sigma 0.15 --paths 3000 --probability 0.8 --format json)
run 0 "$RA" plan "${args[@]}" --seed 5; a=$(grep -v elapsed "$TMP/out" | grep -v threads)
run 0 "$RA" plan "${args[@]}" --seed 5 --threads 3; b=$(grep -v elapsed "$TMP/out" | grep -v threads)
[ "$a" = "$b" ] && ok || bad "--threads 3 changed the numbers"
req=$(awk -v c="$(jget .required_monthly_cents)" 'BEGIN{printf "%.2f", c / 100}'); rp=$(jget .required_probability)
close "$(jget .required_monthly)" "$req" 1e-9 "(required_monthly vs its cents)"
awk -v p="$rp" 'BEGIN{exit !(p >= 0.8)}' && ok || bad "required_probability $rp < 0.8"
run 0 "$RA" plan "${args[@]}" --seed 6; c=$(grep -v elapsed "$TMP/out" | grep -v threads)
[ "$a" != "$c" ] && ok || bad "--seed 6 gave the numbers of --seed 5"
# the required contribution reaches the probability, one cent less does not
run 0 "$RA" plan --initial 10000 --monthly "$req" --years 10 --goal 100000 --mu 0.06 --sigma 0.15 --paths 3000 --seed 5 --format json
awk -v p="$(jget .probability)" 'BEGIN{exit !(p >= 0.8)}' && ok || bad "monthly $req reaches only $(jget .probability)"
less=$(awk -v r="$req" 'BEGIN{printf "%.2f", r - 0.01}')
run 0 "$RA" plan --initial 10000 --monthly "$less" --years 10 --goal 100000 --mu 0.06 --sigma 0.15 --paths 3000 --seed 5 --format json
awk -v p="$(jget .probability)" 'BEGIN{exit !(p < 0.8)}' && ok || bad "monthly $less already reaches $(jget .probability)"

# bootstrap: monthly file as is, daily file compounded to months (and said so)
run 0 "$RA" plan "${base[@]}" --bootstrap "$B" --asset MARKET --block 6 --format json
[ "$(jget .inputs.bootstrap.months)" = 60 ] && ok || bad "monthly bootstrap months $(jget .inputs.bootstrap.months)"
[ "$(jget .inputs.bootstrap.compounded_from_daily)" = false ] && ok || bad "monthly file taken as daily"
run 0 "$RA" plan "${base[@]}" --bootstrap "$L" --asset SPI --format json
[ "$(jget .inputs.bootstrap.compounded_from_daily)" = true ] && ok || bad "daily file not compounded"
[ "$(jget .inputs.bootstrap.first_month_end)" = 2005-12-30 ] && ok || bad "first kept month $(jget .inputs.bootstrap.first_month_end)"
run 0 "$RA" plan "${base[@]}" --bootstrap "$L" --asset SPI; out_has "compounded from daily returns"

# glide path: years after the plan are listed as unused; table labels units
printf 'year,mu,sigma\n1,0.08,0\n3,0,0\n50,0.5,0.5\n' >"$TMP/g3.csv"
run 0 "$RA" plan --initial 100 --monthly 0 --years 4 --goal 150 --glide-path "$TMP/g3.csv" --paths 5 --format json
close "$(jget '.paths_by_year[3].p50')" 116.64 1e-9 "(glide 1.08^2)"
[ "$(jget '.inputs.glide_path.rows[2].used')" = false ] && ok || bad "row after the plan marked used"
run 0 "$RA" plan "${base[@]}" --mu 0.05 --sigma 0.1 --probability 0.5
out_has "currency units"; out_has "Required monthly contribution for 50.00 %"; out_has "% a year"
finish
