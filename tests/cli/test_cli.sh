# The roboadvisor command as a user meets it: help, usage errors (exit 2, one line), data errors
# (exit 1 naming file, line and column), JSON documents with the documented keys, and numbers that
# agree with each other (weights sum to 1, frontier ordered, XIRR of a known example).
source "$(dirname "$0")/lib.sh"
min_checks 114 # the checks this script makes today; finish fails below it
P="$DATA/aa_etf_totalreturn_index.csv"

# --help on every command, exit 0
for c in optimize stats xirr twr; do run 0 "$RA" $c --help; out_has "usage: roboadvisor $c"; done
run 0 "$RA" --help; out_has "commands:"
run 0 "$RA" --version; out_has "roboadvisor "

# usage errors: exit 2 and exactly one line on stderr
run 2 "$RA"; run 2 "$RA" frobnicate; err_has 'no command named "frobnicate"'
run 2 "$RA" optimize --returns x.csv --prices y.csv; err_lines 1; err_has "exactly one of"
run 2 "$RA" optimize --prices "$P" --objective nope; err_lines 1; err_has 'got "nope"'
run 2 "$RA" optimize --prices "$P" --objective target-return; err_lines 1; err_has "needs --target"
run 2 "$RA" optimize --prices "$P" --bounds 0.5; err_lines 1; err_has "LO,HI"
run 2 "$RA" optimize --prices "$P" --points 1 --objective frontier; err_lines 1
run 2 "$RA" stats --returns "$P" --level 1.5; err_lines 1; err_has "--level"
run 2 "$RA" stats --returns "$P" --bogus; err_lines 1; err_has "no option --bogus"
run 2 "$RA" xirr; err_lines 1; err_has "--flows FILE is required"
run 2 "$RA" twr --values x.csv --flow-timing noon; err_lines 1; err_has "start or end"

# option values as each command's declared table takes them (src/cli/cli.h, cli_parse_opts): the
# messages are those the commands gave before their options were declared in one table
run 2 "$RA" optimize --prices "$P" --return-kind=; err_lines 1; err_has 'is simple or log, got ""'
run 2 "$RA" optimize --prices "$P" --periods-per-year 0; err_has 'must be positive, got "0"'
run 2 "$RA" screen --prices "$P" --cardinality 3 --min-weight 1.50; err_lines 1
err_has "--min-weight 1.5 is not in [0, 1)"
run 2 "$RA" screen --prices "$P" --objective best; err_has "--objective must be min-variance or max-sharpe"
run 2 "$RA" gains --account A --format xml; err_has 'must be table, json or csv: "xml"'
run 2 "$RA" models build --shelf-only maybe; err_has '--shelf-only must be yes or no, not "maybe"'
run 2 "$RA" onboard --param a=1 --param b=2; err_has "--param and --reason belong to 'roboadvisor agent set'"
run 2 "$RA" xirr --flows x.csv --periods-per-year 12; err_lines 1; err_has "no option --periods-per-year"
run 2 "$RA" check --firm X; err_lines 1; err_has "no option --firm ("
run 2 "$RA" init --currency usd; err_has 'needs 3 capital letters (ISO 4217), got "usd"'

# data errors: exit 1, naming file, line, column
printf 'Date,A,B\n2020-01-01,1,2\n2020-01-02,1.5,x\n2020-01-03,1,2\n' >"$TMP/bad.csv"
run 1 "$RA" optimize --returns "$TMP/bad.csv"; err_has "bad.csv:3:3 (B)"; err_has '"x"'
printf 'Date,A,B\n2020-01-01,1,2\n2020-01-02,,2\n2020-01-03,1,2\n2020-01-06,2,1\n' >"$TMP/gap.csv"
run 1 "$RA" stats --returns "$TMP/gap.csv"; err_has "gap.csv:3:2 (A)"; err_has "--drop-missing"
run 0 "$RA" stats --returns "$TMP/gap.csv" --drop-missing --periods-per-year 252; err_has "dropped 1"
run 1 "$RA" optimize --prices "$P" --assets SPY,NOPE; err_has '"NOPE"'
run 1 "$RA" optimize --prices /nonexistent/prices.csv; err_has "/nonexistent/prices.csv"

# a window of dates
run 0 "$RA" stats --prices "$P" --assets SPY --from 2010-01-04 --to 2010-12-31 --format json
[ "$(jget .inputs.first_date)" = 2010-01-05 ] && ok || bad "--from: first return date $(jget .inputs.first_date)"
[ "$(jget .inputs.last_date)" = 2010-12-31 ] && ok || bad "--to: last return date"
run 2 "$RA" stats --prices "$P" --from 2010-13-01; err_lines 1; err_has "--from needs a date"
run 1 "$RA" stats --prices "$P" --from 2030-01-01; err_has "holds 0 rows"

# optimize JSON: documented keys, weights sum to 1, bounds hold
run 0 "$RA" optimize --prices "$P" --assets SPY,AGG,GLD,VNQ --drop-missing --format json
for k in .weights.SPY .expected_return .volatility .sharpe .status .solver.iterations \
         .solver.setup_ms .solver.solve_ms .solver.kkt_residuals.stationarity; do jget "$k" >/dev/null; done
sum=$(awk -v a="$(jget .weights.SPY)" -v b="$(jget .weights.AGG)" -v c="$(jget .weights.GLD)" \
          -v d="$(jget .weights.VNQ)" 'BEGIN{printf "%.17g", a+b+c+d}')
close "$sum" 1 1e-9 "(weights sum)"
[ "$(jget .status)" = optimal ] && ok || bad "status not optimal"

# the frontier: K points, volatility rising with return
run 0 "$RA" optimize --prices "$P" --assets SPY,AGG,GLD,VNQ,EFA --drop-missing --objective frontier --points 6 --format json
prev=-1
for i in 0 1 2 3 4 5; do
  v=$(jget ".points[$i].volatility")
  awk -v a="$prev" -v b="$v" 'BEGIN{exit !(b >= a - 1e-12)}' && ok || bad "frontier volatility falls at point $i"
  prev=$v
done

# max Sharpe beats min variance on Sharpe; target volatility is met
run 0 "$RA" optimize --prices "$P" --assets SPY,AGG,GLD,VNQ --drop-missing --objective max-sharpe --rf 0.01 --format json
ms=$(jget .sharpe)
run 0 "$RA" optimize --prices "$P" --assets SPY,AGG,GLD,VNQ --drop-missing --objective min-variance --rf 0.01 --format json
mv=$(jget .sharpe)
awk -v a="$ms" -v b="$mv" 'BEGIN{exit !(a >= b)}' && ok || bad "max-sharpe $ms below min-variance $mv"
run 0 "$RA" optimize --prices "$P" --assets SPY,AGG,GLD,VNQ --drop-missing --objective target-volatility --target 0.08 --format json
close "$(jget .volatility)" 0.08 1e-8 "(target volatility)"
run 1 "$RA" optimize --prices "$P" --assets SPY,AGG --drop-missing --objective target-return --target 5
err_has "target return"

# stats JSON
run 0 "$RA" stats --prices "$P" --assets SPY,AGG --drop-missing --benchmark SPY --format json
for k in cumulative_return annualized_return annualized_volatility sharpe sortino downside_deviation \
         max_drawdown.depth max_drawdown.peak max_drawdown.trough var cvar beta alpha correlation \
         tracking_error information_ratio; do jget ".series.AGG.$k" >/dev/null; done
close "$(jget .series.SPY.beta)" 1 1e-12 "(beta of the benchmark)"

# xirr: Microsoft's documented example, 0.373362535
printf 'date,amount\n2008-01-01,-10000\n2008-03-01,2750\n2008-10-30,4250\n2009-02-15,3250\n2009-04-01,2750\n' >"$TMP/f.csv"
run 0 "$RA" xirr --flows "$TMP/f.csv" --format json
# Excel shows 0.373362535; it stops at 0.000001 % accuracy, the exact root is 0.37336253352
close "$(jget .rate)" 0.373362535 1e-8 "(XIRR)"
printf 'date,amount\n2008-01-01,100\n2009-01-01,100\n' >"$TMP/f2.csv"
run 1 "$RA" xirr --flows "$TMP/f2.csv"; err_has "sign change"

# twr: two periods, +10 % then a deposit and +0 %: 10 %
printf 'date,value,flow\n2020-01-31,100,\n2020-02-29,110,\n2020-03-31,160,50\n' >"$TMP/v.csv"
run 0 "$RA" twr --values "$TMP/v.csv" --format json
close "$(jget .twr)" 0.1 1e-12 "(TWR)"

# issue 10: what cannot be right is refused, naming file, line and column (it was -100 % and a
# min-variance portfolio on a return of -500 %)
printf 'date,value,flow\n2020-01-31,100,\n2020-02-29,1e308,\n2020-03-31,100,\n' >"$TMP/v2.csv"
run 1 "$RA" twr --values "$TMP/v2.csv"; err_has "v2.csv:3:2 (value): value 1e+308 cannot be an amount of money"
printf 'Date,A,B\n2020-01-31,0.01,0.02\n2020-02-29,-5,0.01\n2020-03-31,0.02,0.01\n' >"$TMP/r5.csv"
run 1 "$RA" optimize --returns "$TMP/r5.csv"; err_has "r5.csv:3:2 (A): a return cannot be -100 % or below: -5"

finish
