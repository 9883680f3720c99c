# Statements end to end (docs/cli.md#report, docs/methodology.md#client-statements) on one small
# book: a generated demo book of 6 clients on the real prices in ../shared/data, onboarded on
# 2019-12-10, run-day every trading day to 2020-02-14, January's fees billed, a deposit on
# 2020-02-18 and a withdrawal instruction due 2020-03-02, run-day to 2020-03-31. What is checked,
# and where the expected values come from (the other commands of the book, never the statement):
# - usage errors and the pinned options `report statement --account ID --from D1 --to D2
#   --format pdf|html|json --lang en|zh-CN --out FILE`, `report tax --account ID --year Y
#   --format csv|pdf`, `report firm --date D --format pdf|html`;
# - JSON: the closing value equals `valuation --date D2`, the deposits and withdrawals the
#   transactions imported and paid, the fees billed `fees list`, realised gains `gains --year`,
#   the time-weighted return `twr` and the money-weighted return `xirr` on the statement's own
#   series, and the identity closing = opening + deposits - withdrawals + investment gain;
# - PDF in both languages: pdftotext shows those figures (formatted with separators) and the
#   language's labels; pdftoppm (colour, 50 dpi) finds no blank page and the charts' ink (the
#   account's blue and the model's orange pixels) on the pages that hold them;
# - HTML: the same figures, the charts as inline SVG, no outside resource;
# - the tax CSV's totals equal `gains --year`'s; the firm report's assets equal `valuation`;
# - no personal data (the client's name) on standard error.
source "$(dirname "$0")/lib.sh"
[ -n "${KEEP_TMP:-}" ] && trap - EXIT && echo "$TMP" >/tmp/st/keep
export ROBOADVISOR_USER=cli-test ROBOADVISOR_FIRM=DEMO
B="$TMP/book.db"
D1=2020-01-01; D2=2020-03-31

run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$B.key" --clients 6 \
  --from 2018-12-10 --to 2019-12-10
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$B.key")
run 0 "$RA" models build --stages 1 --db "$B" --date 2019-12-10
run 0 "$RA" onboard --db "$B" --generate 6 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
run 0 "$RA" fees schedule set STD --db "$B" --tiers "0-100000:50,100000-:25" --monthly 5 \
  --reason "the 2020 price list" --default
run 0 "$RA" run-day --db "$B" --date 2019-12-11 --to 2020-02-14 --execute close
run 0 "$RA" fees bill --db "$B" --to 2020-01-31
ACC=A000004-1 # taxable (the wash-sale rule applies), with behaviour alerts
# a deposit, and a sale of 2 SPY at a loss (bought at about 279 in 2019) bought back the same day:
# a wash sale (code W)
{ echo "account,txn_id,date,kind,ticker,qty,price,amount,fees"
  echo "$ACC,DEP1,2020-02-18,deposit,,,,2500.00,"
  echo "$ACC,WS1,2020-02-18,sell,SPY,2,250.00,,0"
  echo "$ACC,WS2,2020-02-18,buy,SPY,2,250.00,,0"; } >"$TMP/dep.csv"
run 0 "$RA" import transactions "$TMP/dep.csv" --db "$B"
run 0 "$RA" withdraw "$ACC" --amount 700.00 --date 2020-03-02 --db "$B"
run 0 "$RA" run-day --db "$B" --date 2020-02-18 --to "$D2" --execute close
run 0 "$RA" account show "$ACC" --db "$B" --format json
NAME_CLIENT=$(jget .account) # (the account code: the client's name is looked up below)

# usage errors
run 2 "$RA" report
run 2 "$RA" report card --db "$B"
err_has 'unknown subcommand "card"'
run 2 "$RA" report statement --db "$B" --from $D1 --to $D2
err_has "--account ID is required"
run 2 "$RA" report statement --db "$B" --account $ACC --from $D2 --to $D1
err_has "--from is after --to"
run 2 "$RA" report statement --db "$B" --account $ACC --from $D1 --to $D2 --lang fr
err_has "must be en or zh-CN"
run 2 "$RA" report statement --db "$B" --account $ACC --from $D1 --to $D2 --format csv
run 2 "$RA" report tax --db "$B" --account $ACC
err_has "--year Y is required"
run 2 "$RA" report firm --db "$B" --date $D2 --format json
run 1 "$RA" report statement --db "$B" --account NOSUCH --from $D1 --to $D2
err_lines 1

# --- JSON against the other commands ---
run 0 "$RA" report statement --db "$B" --account $ACC --from $D1 --to $D2 --format json
cp "$TMP/out" "$TMP/st.json"
[ -s "$TMP/err" ] && bad "stderr on success: $(head -c 200 "$TMP/err")" || ok
CLIENT_NAME=$(jget .client_name)
[ -n "$CLIENT_NAME" ] && ok || bad "no client name in the statement"
fig() { "$JG" ".figures.$1.value" <"$TMP/st.json"; }
CLOSE=$(fig closing_value); OPEN=$(fig opening_value); DEP=$(fig deposits); WD=$(fig withdrawals)
GAIN=$(fig investment_gain); FEES=$(fig fees_billed); RS=$(fig realised_short_term)
RL=$(fig realised_long_term); TWR=$(fig time_weighted_return); MWR=$(fig money_weighted_return)
[ "$("$JG" .figures.closing_value.source <"$TMP/st.json")" = ledger ] \
  && [ "$("$JG" .figures.time_weighted_return.source <"$TMP/st.json")" = daily_values ] \
  && [ "$("$JG" .figures.closing_value.as_of <"$TMP/st.json")" = $D2 ] \
  && [[ $("$JG" .figures.closing_value.risk_level <"$TMP/st.json") =~ ^R[1-5]$ ]] \
  && [ "$("$JG" .figures.deposits.unit <"$TMP/st.json")" = USD ] \
  && [ "$("$JG" .figures.time_weighted_return.unit <"$TMP/st.json")" = fraction ] \
  && ok || bad "a figure without its source, date, unit or risk level"
run 0 "$RA" valuation --db "$B" --date $D2 --format json
VCLOSE=$(python3 -c 'import json,sys; print([a["total"] for a in json.load(sys.stdin)["accounts"] if a["account"] == sys.argv[1]][0])' $ACC <"$TMP/out")
[ "$CLOSE" = "$VCLOSE" ] && ok || bad "closing $CLOSE, valuation $VCLOSE"
[ "$DEP" = 2500.00 ] && ok || bad "deposits $DEP, imported 2500.00"
run 0 "$RA" instructions list --db "$B" --account $ACC --format json
[ "$WD" = "$(jget '.instructions[0].paid')" ] && [ "$WD" = 700.00 ] && ok \
  || bad "withdrawals $WD, paid $(jget '.instructions[0].paid')"
awk -v c="$CLOSE" -v o="$OPEN" -v d="$DEP" -v w="$WD" -v g="$GAIN" \
  'BEGIN{exit !(sprintf("%.2f", o + d - w + g) == sprintf("%.2f", c))}' && ok \
  || bad "closing $CLOSE != opening $OPEN + $DEP - $WD + $GAIN"
run 0 "$RA" fees list --db "$B" --from $D1 --to $D2 --account $ACC --format json
[ "$FEES" = "$(jget .total)" ] && ok || bad "fees $FEES, fees list $(jget .total)"
run 0 "$RA" gains --db "$B" --account $ACC --year 2020 --format json
GS=$(jget .totals.short_term_gain); GL=$(jget .totals.long_term_gain)
[ "$RS" = "$GS" ] && [ "$RL" = "$GL" ] && ok || bad "realised $RS/$RL, gains $GS/$GL"
[ "$(jget .totals.losses_harvested)" = "$(fig losses_harvested)" ] && ok || bad "harvested"
GW=$(jget .totals.wash_sale_disallowed)
[ "$GW" != 0.00 ] && [ "$(fig wash_sale_disallowed)" = "$GW" ] && ok \
  || bad "wash sale disallowed $(fig wash_sale_disallowed), gains $GW"
# the returns: twr and xirr on the statement's own series (values and flows in USD)
python3 - "$TMP/st.json" "$TMP/v.csv" "$TMP/f.csv" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); pts = s["series"]
with open(sys.argv[2], "w") as v:
    v.write("date,value,flow\n")
    for p in pts: v.write("%s,%s,%s\n" % (p["date"], p["value"], p["flow"]))
with open(sys.argv[3], "w") as f:
    f.write("date,amount\n")
    f.write("%s,-%s\n" % (pts[0]["date"], pts[0]["value"]))
    for p in pts[1:]:
        if float(p["flow"]) != 0: f.write("%s,%s\n" % (p["date"], -float(p["flow"])))
    f.write("%s,%s\n" % (pts[-1]["date"], pts[-1]["value"]))
EOF
run 0 "$RA" twr --values "$TMP/v.csv" --format json
close "$TWR" "$(jget .twr)" 1e-12 "time-weighted return"
run 0 "$RA" xirr --flows "$TMP/f.csv" --format json
close "$MWR" "$(jget .rate)" 1e-9 "money-weighted return"
[ "$("$JG" '.series[0].date' <"$TMP/st.json")" = 2019-12-31 ] && ok || bad "the opening close"

# --- PDF and HTML in both languages ---
ink() { # PDF: per page "PAGE INK BLUE ORANGE" (pixels not white in the content area; chart colours; 50 dpi)
  pdftoppm -r 50 "$1" "$TMP/pg" && python3 - "$TMP"/pg-*.ppm <<'EOF'
import sys
for i, path in enumerate(sorted(sys.argv[1:]), 1):
    data = open(path, "rb").read()
    parts = data.split(maxsplit=4)          # P6 W H MAX pixels
    w, h = int(parts[1]), int(parts[2]); px = parts[4]
    ink = blue = orange = 0
    for y in range(int(h * 0.10), int(h * 0.92)):   # below the header, above the footer
        row = px[3 * w * y: 3 * w * (y + 1)]
        for x in range(0, 3 * w, 3):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if r < 235 or g < 235 or b < 235: ink += 1
            if b > 120 and r < 110 and 80 < g < 160: blue += 1       # account  (31,120,181)
            if r > 180 and r - b > 90 and 80 < g < 200: orange += 1  # model   (255,128,13)
    print(i, ink, blue, orange)
EOF
  rm -f "$TMP"/pg-*.ppm
}
money_fmt() { # 12345.60 -> 12,345.60
  printf '%s' "$1" | sed -E ':a;s/^(-?[0-9]+)([0-9]{3})/\1,\2/;ta'
}
for L in en zh-CN; do
  run 0 "$RA" report statement --db "$B" --account $ACC --from $D1 --to $D2 --format pdf \
    --lang $L --out "$TMP/st-$L.pdf"
  [ -s "$TMP/err" ] && bad "stderr on success ($L)" || ok
  pdftotext -layout "$TMP/st-$L.pdf" "$TMP/st-$L.txt"
  for v in "$CLOSE" "$OPEN" "$DEP" "$WD" "$FEES" "$RS"; do
    grep -qF -- "$(money_fmt "$v")" "$TMP/st-$L.txt" && ok || bad "$L PDF lacks $(money_fmt "$v")"
  done
  grep -qF "$CLIENT_NAME" "$TMP/st-$L.txt" && ok || bad "$L PDF lacks the client's name"
  if [ $L = en ]; then want="Closing value"; else want="期末市值"; fi
  grep -qF "$want" "$TMP/st-$L.txt" && ok || bad "$L PDF lacks \"$want\""
  if [ $L = en ]; then want="Page 1 of"; else want="第 1 页"; fi
  grep -qF "$want" "$TMP/st-$L.txt" && ok || bad "$L PDF lacks its page numbers"
  pages=$(pdfinfo "$TMP/st-$L.pdf" | awk '/^Pages:/{print $2}')
  ink "$TMP/st-$L.pdf" >"$TMP/ink"
  [ "$(wc -l <"$TMP/ink")" = "$pages" ] && [ "$pages" -ge 3 ] && ok || bad "$L: $pages pages rendered"
  awk '$2 < 40 {exit 1}' "$TMP/ink" && ok || bad "$L: a blank page: $(tr '\n' ';' <"$TMP/ink")"
  # page 1 holds the value chart (both lines; the dashed benchmark mostly under the account), page
  # 2 the allocation chart (both bars); the other pages have no orange at all
  awk 'NR==1 && !($3 > 300 && $4 > 30) {exit 1} NR==2 && !($3 > 1000 && $4 > 1000) {exit 1}' \
    "$TMP/ink" && ok || bad "$L: the charts have no ink: $(tr '\n' ';' <"$TMP/ink")"
  run 0 "$RA" report statement --db "$B" --account $ACC --from $D1 --to $D2 --format html \
    --lang $L --out "$TMP/st-$L.html"
  for v in "$CLOSE" "$DEP" "$FEES" "$RS"; do
    grep -qF -- "$(money_fmt "$v")" "$TMP/st-$L.html" && ok || bad "$L HTML lacks $v"
  done
  [ "$(grep -c '<svg' "$TMP/st-$L.html")" = 2 ] && ! grep -qE '(src|href)="?https?:' "$TMP/st-$L.html" \
    && ok || bad "$L HTML: two inline charts and no outside resource"
done

# --- the tax report against gains ---
run 0 "$RA" report tax --db "$B" --account $ACC --year 2020 --format csv
cp "$TMP/out" "$TMP/tax.csv"
[ "$(head -1 "$TMP/tax.csv")" = "part,description,acquired,sold,proceeds,cost,code,adjustment,gain,term,account,txn_id,lot_id" ] \
  && ok || bad "tax CSV header"
TS=$(awk -F, '$1=="I" && $2=="total" {print $9}' "$TMP/tax.csv")
TL=$(awk -F, '$1=="II" && $2=="total" {print $9}' "$TMP/tax.csv")
SUMH=$(awk -F, '($1=="I"||$1=="II") && $2!="total" {s += $9 * 100} END {printf "%.2f", s / 100}' "$TMP/tax.csv")
[ "$TS" = "$GS" ] && [ "$TL" = "$GL" ] && ok || bad "tax totals $TS/$TL, gains $GS/$GL"
awk -v a="$SUMH" -v s="$GS" -v l="$GL" 'BEGIN{exit !(sprintf("%.2f", s + l) == a)}' && ok \
  || bad "the rows' (h) sum $SUMH, gains $GS + $GL"
TW=$(awk -F, '$7=="W" {s += $8 * 100; n++} END {printf "%d %.2f", n, s / 100}' "$TMP/tax.csv")
[ "${TW%% *}" -ge 1 ] && [ "${TW#* }" = "$GW" ] && ok || bad "code W rows' (g) $TW, gains $GW"
run 0 "$RA" report tax --db "$B" --account $ACC --year 2020 --format pdf --out "$TMP/tax.pdf"
pdftotext -layout "$TMP/tax.pdf" "$TMP/tax.txt"
grep -qF "Part I" "$TMP/tax.txt" && grep -qF "(h) Gain or loss" "$TMP/tax.txt" && ok \
  || bad "tax PDF lacks Form 8949's parts and columns"
ink "$TMP/tax.pdf" >"$TMP/ink"
awk '$2 < 500 {exit 1}' "$TMP/ink" && ok || bad "tax PDF: a blank page"

# --- the firm report ---
run 0 "$RA" valuation --db "$B" --date $D2 --format json
FIRM_TOTAL=$(jget .total)
for f in pdf html; do
  run 0 "$RA" report firm --db "$B" --date $D2 --format $f --lang zh-CN --out "$TMP/firm.$f"
done
pdftotext -layout "$TMP/firm.pdf" "$TMP/firm.txt"
grep -qF "$(money_fmt "$FIRM_TOTAL")" "$TMP/firm.txt" && grep -qF "管理资产" "$TMP/firm.txt" \
  && grep -qF "$(money_fmt "$FIRM_TOTAL")" "$TMP/firm.html" && ok || bad "firm assets $FIRM_TOTAL"
ink "$TMP/firm.pdf" >"$TMP/ink"
awk '$2 < 500 {exit 1}' "$TMP/ink" && ok || bad "firm PDF: a blank page"

# no personal data on standard error, whatever failed
run 1 "$RA" report tax --db "$B" --account NOSUCH --year 2020
grep -qF "$CLIENT_NAME" "$TMP/err" && bad "a client's name on stderr" || ok
[ -n "$NAME_CLIENT" ] && ok || bad "account show"

min_checks 70
finish
