#!/usr/bin/env bash
# The main job, end to end on the real data in ../shared/data with the embedded defaults:
# builds roboadvisor (release), then reports on ten US ETFs (total-return indices 2007-2023):
# performance statistics against SPY, the risk-free rate, portfolios from the optimiser
# (minimum variance, maximum Sharpe, a 10 % volatility target, risk parity, an efficient frontier)
# under asset-class limits, money- and time-weighted returns of an example account; then a demo
# firm's book of record, its model portfolios and onboarding, and a year of its daily cycle.
# Installs missing Debian packages first (idempotent).
# Usage: scripts/demo.sh [--serve] [DATA_DIR]     (default: ../shared/data next to the repository)
# --serve: afterwards, serve the API and the advisor console on 127.0.0.1 (a free port) over the
# demo book, print its address and a sign-in key for an advisor and for an admin, until Ctrl-C.
set -euo pipefail
serve=0
if [ "${1:-}" = --serve ]; then serve=1; shift; fi
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-"$root/../shared/data"}
cd "$root"
data=$(cd "$data" 2>/dev/null && pwd || echo "$data")
if [ ! -f "$data/aa_etf_totalreturn_index.csv" ]; then
  echo "demo: cannot find the market data: $data/aa_etf_totalreturn_index.csv" >&2
  echo "demo: give the data directory as the first argument" >&2
  exit 1
fi
scripts/install-deps.sh build
echo "== building roboadvisor (release) =="
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DRA_BUILD_TESTS=OFF -DRA_BUILD_BENCH=OFF >/dev/null
cmake --build build/demo -j "$(nproc 2>/dev/null || echo 2)" --target roboadvisor_cli >/dev/null
ra=build/demo/roboadvisor

prices="$data/aa_etf_totalreturn_index.csv"
etfs=SPY,EFA,EEM,AGG,TLT,TIP,LQD,HYG,VNQ,GLD
groups=examples/data/groups.csv
section() { printf '\n== %s ==\n' "$1"; }

section "1. Risk-free rate: US 3-month T-bill (aa_riskfree_daily.csv)"
# The ten ETFs below all have prices from 2007-04-11 (HYG's first day): the same window.
rf_json=$($ra stats --returns "$data/aa_riskfree_daily.csv" --from 2007-04-12 --to 2023-06-09 --format json)
rf=$(printf '%s\n' "$rf_json" | sed -n 's/.*"annualized_return": \([-0-9.eE+]*\).*/\1/p' | head -n 1)
printf 'Annualised T-bill return, 2007-04-12 to 2023-06-09: %.4f %% a year (the risk-free rate below)\n' "$(awk -v r="$rf" 'BEGIN{print 100*r}')"

section "2. Ten ETFs, daily total returns (AssetAllocation total-return indices), benchmark SPY"
$ra stats --prices "$prices" --assets "$etfs" --drop-missing --benchmark SPY --rf "$rf"

section "3. Asset-class limits used below ($groups)"
cat "$groups"

common=(--prices "$prices" --assets "$etfs" --drop-missing --groups "$groups" --bounds 0,0.4)
section "4. Minimum variance (long-only, at most 40 % per ETF, asset-class limits)"
$ra optimize "${common[@]}" --objective min-variance --rf "$rf"
section "5. Maximum Sharpe ratio (rf = T-bill average)"
$ra optimize "${common[@]}" --objective max-sharpe --rf "$rf"
section "6. Highest expected return for 10 % annual volatility"
$ra optimize "${common[@]}" --objective target-volatility --target 0.10 --rf "$rf"
section "7. Risk parity (equal risk contributions, Ledoit-Wolf covariance)"
$ra optimize --prices "$prices" --assets "$etfs" --drop-missing --objective risk-parity \
  --cov ledoit-wolf --rf "$rf"
section "8. Efficient frontier, 8 points"
$ra optimize "${common[@]}" --objective frontier --points 8 --rf "$rf"

section "9. An example account: money-weighted (XIRR) and time-weighted return"
$ra xirr --flows examples/data/flows.csv
$ra twr --values examples/data/values.csv

# The book of record: a demo firm on the embedded SQLite default, its clients' personal data
# encrypted with a key kept next to the file (never in it). Made anew on every run.
book=build/demo/book.db
rm -f "$book" "$book-wal" "$book-shm" "$book.key"
section "10. The book of record: a demo firm with generated clients on real prices (SQLite: $book)"
# Five years of history to 2019-12-10; the daily cycle then runs the year after it (section 15).
$ra generate-book --db "$book" --data "$data" --key-file "$book.key" --from 2014-12-10 --to 2019-12-10
# The commands below act for the demo firm with its key (every write is audited with a key
# derived from it, and verifying the trail needs it too).
export ROBOADVISOR_FIRM=DEMO ROBOADVISOR_KEY="$(tr -d ' \n' < "$book.key")"
section "11. Every account reconciled with its transactions, the audit trail verified, a checkpoint kept"
$ra check --db "$book"
$ra audit verify --db "$book"
$ra audit checkpoint --db "$book" --out build/demo/checkpoint.json
echo "signed checkpoint of the audit trail: build/demo/checkpoint.json (keep a copy outside the book)"
section "12. Model portfolios R1-R5: asset classes first (equilibrium returns, the market's weights), then the cheapest fund per class"
# Two stages (docs/methodology.md#two-stage-models): each model ends with its classes' market
# weight, equilibrium return (pi), the views' effect, the return used, the weight, how far the
# weight moves when the inputs are redrawn within their estimation error (+/-) and the fund(s).
$ra models build --db "$book" --firm DEMO --date 2019-12-10 --returns equilibrium > build/demo/models.txt
sed -n '1,2p;/^model R3/,/^model R4/p' build/demo/models.txt | sed '$d'
echo "... (all five: build/demo/models.txt)"
# The firm's cash rate (docs/methodology.md#the-firms-cash-rate): equilibrium returns are in excess
# of cash, so a goal plan on these models adds it to their expected return. Here: the mean of the
# daily 3-month T-bill rate over the models' estimation window, times 252.
window=$($ra models list --db "$book" --format json | python3 -c 'import json, sys
w = {(m["from"], m["to"]) for m in json.load(sys.stdin)["models"]}
if len(w) != 1:
    sys.exit("demo: the models have different estimation windows: %s" % sorted(w))
print(*w.pop())')
read -r wfrom wto <<<"$window"
read -r cash ndays < <(awk -F, -v a="$wfrom" -v b="$wto" 'NR > 1 && $1 >= a && $1 <= b && $2 != "" { s += $2; n++ }
  END { if (n) printf "%.17g %d\n", 252 * s / n, n }' "$data/aa_riskfree_daily.csv")
[ -n "${cash:-}" ] || { echo "demo: no T-bill rate in $data/aa_riskfree_daily.csv from $wfrom to $wto" >&2; exit 1; }
printf 'cash rate for goal plans: mean daily 3-month T-bill rate (aa_riskfree_daily.csv, DGS3MO_daily) over the models'"'"' window %s to %s (%s days) x 252 = %.4f %% a year\n' \
  "$wfrom" "$wto" "$ndays" "$(awk -v r="$cash" 'BEGIN { printf "%.17g", 100 * r }')"
$ra models settings --db "$book" --cash-rate "$cash"
echo; echo "how much the models would have moved month to month over 2018-2019 (rebuilt on 36 months each):"
$ra models stability --db "$book" --firm DEMO --from 2018-01-01 --to 2019-11-30
section "13. Onboarding: 300 clients answer the default risk questionnaire (generated, seeded)"
$ra onboard --db "$book" --key-file "$book.key" --firm DEMO --generate 300 --seed 7 \
  --questionnaire examples/questionnaire/default.json --date 2019-12-10
$ra audit verify --db "$book" --checkpoint build/demo/checkpoint.json
section "14. Valuation of the book at market before the cycle"
$ra valuation --db "$book" --firm DEMO --date 2019-12-10 > build/demo/valuation-2019-12-10.txt
head -n 6 build/demo/valuation-2019-12-10.txt
echo "... ($(grep -c '^A' build/demo/valuation-2019-12-10.txt) accounts: build/demo/valuation-2019-12-10.txt)"
tail -n 2 build/demo/valuation-2019-12-10.txt

section "15. The daily cycle: every account marked, rebalanced, harvested and traded at the close, 2019-12-11 to 2020-12-10"
# the firm's fee schedule (marginal tiers, billed quarterly), the default of every mandate
$ra fees schedule set STD --db "$book" --tiers "0-100000:50,100000-1000000:35,1000000-:25" \
  --billing quarterly --default --reason "demo: the firm's standard advisory fee"
cycle=build/demo/cycle.txt
# a client's withdrawal instruction, due mid-year: the cycle raises the cash and pays it
wacct=$(awk '/^A/ {print $1; exit}' build/demo/valuation-2019-12-10.txt)
$ra withdraw "$wacct" --db "$book" --amount 2000.00 --date 2020-06-15 --note "a client's withdrawal"
# the firm's own limits on every proposal, and its routing of clients to an advisor
$ra firm-rules set --db "$book" --max-weight 0.45 --exempt "us_bonds;intl_bonds;cash" --min-hold-days 7
# a holding above 75 % of an account is worth the advisor's look (the R1 model itself holds
# T-bills at about 70 %: its rating leaves it little else)
$ra alerts settings set --db "$book" --concentration 0.75
$ra tiers rules set BIGWD --db "$book" --metric withdrawal --threshold 0.3 --tier hybrid \
  --note "a withdrawal of 30 % or more of an account: an advisor reviews the client's proposals"
$ra tiers rules set LOSS --db "$book" --metric loss_limit --threshold 1 --tier advisor-led \
  --note "a crossed loss limit: the advisor leads"
$ra run-day --db "$book" --date 2019-12-11 --to 2020-12-10 --execute close --batch 1000 > "$cycle"
head -n 4 "$cycle"
echo "..."
tail -n 12 "$cycle"
echo "every day's line: $cycle; proposals, orders and accounts: roboadvisor proposals list, orders list, account show"
echo; echo "anti-crowding (at most 3 accounts on one identical target, every day's proposals): the accounts on a variant of their target on the last day"
$ra firm-rules variants --db "$book" --date 2020-12-10 > build/demo/variants.txt
head -n 6 build/demo/variants.txt
echo "... (build/demo/variants.txt)"
acct=$($ra orders list --db "$book" --date 2020-03-16 --format csv | awk -F, 'NR == 2 {print $3}')
if [ -n "$acct" ]; then
  echo; echo "an account that traded on 2020-03-16, as of the last day:"
  $ra account show "$acct" --db "$book" --date 2020-12-10
fi
echo; echo "withdrawal instructions after the cycle (amounts in USD):"
$ra instructions list --db "$book"
if [ -n "$acct" ]; then
  echo; echo "losses the engine harvested for that account's client, per year:"
  $ra gains --account "$acct" --db "$book" | sed -n '/^losses harvested by the engine/,$p'
fi

section "16. Loss limits: accounts whose losses on the money entrusted crossed their mandate's limit (the 2020 fall)"
$ra suspensions list --db "$book" > build/demo/suspensions.txt
head -n 4 build/demo/suspensions.txt
echo "... (build/demo/suspensions.txt); each has a notification for its client and its advisor, due 30 minutes after the close:"
$ra notifications list --db "$book" > build/demo/notifications.txt
head -n 4 build/demo/notifications.txt
echo "... ($(grep -c '^N-' build/demo/notifications.txt) notifications: build/demo/notifications.txt)"
sacct=$(awk 'NR == 1 {print $1}' build/demo/suspensions.txt)
if [ -n "$sacct" ]; then
  $ra reauthorise "$sacct" --db "$book" --by advisor1 --note "demo: client called, risk explained, trading resumes"
fi

echo; echo "behaviour alerts the cycle raised for the advisors (one per episode):"
$ra alerts list --db "$book" > build/demo/alerts.txt
head -n 4 build/demo/alerts.txt
echo "... ($(($(wc -l < build/demo/alerts.txt) - 1)) alerts: build/demo/alerts.txt)"
echo; echo "the advisors' queue (proposals waiting for a decision, by the client's service tier):"
$ra queue --db "$book" > build/demo/queue.txt
head -n 5 build/demo/queue.txt
echo "... ($(wc -l < build/demo/queue.txt) proposals waiting: build/demo/queue.txt)"

section "16b. The intraday monitor: a snapshot at 11:00 on 2020-12-11 with every price 25 % below the last close"
snap=build/demo/snapshot-2020-12-11.csv
awk -F, 'NR == 1 { for (i = 2; i <= NF; i++) t[i] = $i; next }
         $1 == "2020-12-10" { print "ticker,price,time";
           for (i = 2; i <= NF; i++) if ($i != "" && t[i] != "") printf "%s,%.6f,11:00\n", t[i], 0.75 * $i }' \
  "$data/av_etf_close.csv" > "$snap"
$ra monitor --db "$book" --date 2020-12-11 --snapshot "$snap"

section "17. Advisory fees billed for the first three quarters (tiers accrued daily on each close, rounded once a bill)"
$ra fees bill --db "$book" --to 2020-09-30 > build/demo/fees.txt
head -n 3 build/demo/fees.txt
echo "..."
tail -n 1 build/demo/fees.txt

$ra audit verify --db "$book" --checkpoint build/demo/checkpoint.json
$ra check --db "$book" | tail -n 1

section "17b. Client statements for the third quarter, one account per client risk level, in English and Chinese"
# The first account of each level C1..C5 (the level in the statement's JSON), then its PDFs.
mkdir -p build/demo/statements
found=""
for acc in $($ra valuation --db "$book" --date 2020-09-30 --format json \
             | python3 -c 'import json,sys; print(" ".join(a["account"] for a in json.load(sys.stdin)["accounts"]))'); do
  lvl=$($ra report statement --db "$book" --account "$acc" --from 2020-07-01 --to 2020-09-30 --format json \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["risk"]["client_level"] or "")')
  case " $found " in *" $lvl "*) continue ;; esac
  [ -n "$lvl" ] || continue
  found="$found $lvl"
  for lang in en zh-CN; do
    out="build/demo/statements/$lvl-$acc-2020Q3-$lang.pdf"
    $ra report statement --db "$book" --account "$acc" --from 2020-07-01 --to 2020-09-30 \
      --format pdf --lang "$lang" --out "$out"
    echo "$out"
  done
  [ "$(echo $found | wc -w)" -ge 5 ] && break
done
$ra report firm --db "$book" --date 2020-09-30 --out build/demo/statements/firm-2020-09-30.pdf
echo build/demo/statements/firm-2020-09-30.pdf

section "18. A Chinese firm (CNY, A-share ETFs and stocks; illustrative prices, examples/cn/README.md): lots of 100, price limits, T+1"
cn=build/demo/cn.db
rm -f "$cn" "$cn-wal" "$cn-shm" "$cn.key"
(
  export ROBOADVISOR_FIRM=CN ROBOADVISOR_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  $ra init --db "$cn" --firm CN --firm-name "Example CN advisers" --currency CNY >/dev/null
  for f in securities clients accounts prices; do
    $ra import $f examples/cn/$f.csv --db "$cn" >/dev/null
  done
  $ra models add examples/cn/models.csv --db "$cn" >/dev/null
  $ra securities list --db "$cn"
  for d in 2024-03-01 2024-03-04 2024-03-05 2024-03-06 2024-03-07; do
    awk -F, -v d="$d" 'NR == 1 || $3 == d' examples/cn/transactions.csv > build/demo/cn-tx.csv
    if [ "$(wc -l < build/demo/cn-tx.csv)" -gt 1 ]; then $ra import transactions build/demo/cn-tx.csv --db "$cn" >/dev/null; fi
    $ra run-day --db "$cn" --date "$d" --execute close > build/demo/cn-day.txt
    head -n 1 build/demo/cn-day.txt
  done
  echo "orders of 2024-03-01 (buys in whole lots of 100 at limit prices on the tick; CNY):"
  $ra orders list --db "$cn" --date 2024-03-01 > build/demo/cn-orders.txt
  head -n 8 build/demo/cn-orders.txt
  $ra audit verify --db "$cn"
)
printf '\ndemo: done. Commands and formats: docs/cli.md, docs/formats.md; methods: docs/methodology.md\n'

if [ "$serve" = 1 ]; then
  section "The advisor console on the demo book (docs/api.md; Ctrl-C stops the server)"
  # the advisor with the most proposals waiting, else the first advisor
  adv=$($ra queue --db "$book" --format json | sed -n 's/.*"advisor": *"\([^"]*\)".*/\1/p' | sort | uniq -c |
        sort -rn | awk 'NR == 1 {print $2}')
  [ -n "$adv" ] || adv=ADV001
  # a saved goal plan for one of the advisor's waiting clients, shown on its account's page
  pcli=$($ra queue --db "$book" --format json | tr -d '\n' | sed -n "s/.*\"client\": *\"\([^\"]*\)\", *\"advisor\": *\"$adv\".*/\1/p")
  # (mu: the model's expected return, in excess of cash, plus the firm's cash rate of section 12)
  if [ -n "$pcli" ] && $ra plans save --db "$book" --client "$pcli" --goal 320000 --years 15 --monthly 1500 \
    --label "retirement" --date 2020-12-10 > build/demo/plan.txt; then
    sed -n '1,4p' build/demo/plan.txt
  fi
  k_adv=$($ra keys create --db "$book" --role advisor --user "$adv")
  k_admin=$($ra keys create --db "$book" --role admin)
  $ra serve --db "$book" --listen 127.0.0.1:0 --threads 2 2>build/demo/serve.log &
  spid=$!
  trap 'kill -TERM "$spid" 2>/dev/null || true' INT TERM # Ctrl-C: the server stops gracefully
  for _ in $(seq 100); do grep -q '"port"' build/demo/serve.log 2>/dev/null && break; sleep 0.1; done
  port=$(grep -o '"port":[0-9]*' build/demo/serve.log | head -n 1 | cut -d: -f2)
  printf 'console:        http://127.0.0.1:%s/\n' "$port"
  printf 'advisor %-6s  %s\n' "$adv" "$k_adv"
  printf 'admin           %s\n' "$k_admin"
  printf 'API:            curl -H "Authorization: Bearer KEY" http://127.0.0.1:%s/v1/queue\n' "$port"
  printf 'request log:    build/demo/serve.log\n'
  wait "$spid" || true
  wait "$spid" 2>/dev/null || true # the first wait returns when the trap runs; the server's end
  tail -n 1 build/demo/serve.log
fi
