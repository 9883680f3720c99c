# The advisor console (issue 15) end to end, on one small book and one server: its files as the
# server answers them (Content-Type, ETag and 304, a strict Content-Security-Policy), the two
# reads it needs (GET /v1/queue, GET /v1/accounts/{id}/values) against the book read directly
# with sqlite3 and python (the queue's clients and proposals, the account's cumulative return and
# the model's recomputed from the prices), and the console itself in a real headless Chromium
# (tests/browser/console.test.js: sign in, queue, approve with one trade left out, reject,
# account, the client's goal plan against the API, Chinese, another advisor), whose decisions
# are then checked through the API.
# Screenshots: BUILD/browser/screenshots/*.png (named in the output).
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=console-test ROBOADVISOR_FIRM=DEMO
PY=/usr/bin/python3
min_checks 60
B="$TMP/book.db"
q() { sqlite3 "$B" "$1"; }

# the book: 12 clients, models and onboarding on 2019-11-22, the daily cycle on each weekday to
# 2019-12-11 (a value series for the chart, and proposals waiting for advisors at the end)
run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$TMP/book.key" --clients 12 \
  --from 2019-06-10 --to 2019-12-10
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/book.key")
run 0 "$RA" models build --db "$B" --date 2019-11-22
run 0 "$RA" onboard --db "$B" --generate 12 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-11-22
for d in 25 26 27 28 29; do run 0 "$RA" run-day --db "$B" --date "2019-11-$d"; done
for d in 02 03 04 05 06 09 10 11; do run 0 "$RA" run-day --db "$B" --date "2019-12-$d"; done

# the advisor with the most proposals waiting (two at least: one approved, one rejected), and
# another advisor with clients
ADV=$(q "SELECT v.code FROM proposals p JOIN accounts a ON a.id = p.account_id JOIN clients c ON c.id = a.client_id
  JOIN advisors v ON v.id = c.advisor_id WHERE p.status = 'pending' GROUP BY v.code ORDER BY COUNT(*) DESC, v.code LIMIT 1")
mapfile -t P < <(q "SELECT p.code FROM proposals p JOIN accounts a ON a.id = p.account_id JOIN clients c ON c.id = a.client_id
  JOIN advisors v ON v.id = c.advisor_id WHERE p.status = 'pending' AND v.code = '$ADV' ORDER BY p.code")
OADV=$(q "SELECT v.code FROM advisors v JOIN clients c ON c.advisor_id = v.id WHERE v.code <> '$ADV' GROUP BY v.code ORDER BY COUNT(*) DESC, v.code LIMIT 1")
[ "${#P[@]}" -ge 2 ] && [ -n "$OADV" ] && ok || bad "the book has no advisor with two proposals waiting (${#P[@]}) or no other advisor"
APPROVE=${P[0]}; REJECT=${P[1]}
ACC=$(q "SELECT a.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE p.code = '$APPROVE'")
OWN=$(q "SELECT c.code FROM clients c JOIN advisors v ON v.id = c.advisor_id WHERE v.code = '$ADV' ORDER BY 1" | tr '\n' ' ')
OTHER=$(q "SELECT c.code FROM clients c JOIN advisors v ON v.id = c.advisor_id WHERE v.code <> '$ADV' ORDER BY 1" | tr '\n' ' ')
CLI=$(q "SELECT c.code FROM accounts a JOIN clients c ON c.id = a.client_id WHERE a.code = '$ACC'")
# a saved goal plan of the account's client on the account's model (shown on the account's page
# and on its own; the browser checks its figures against GET /v1/plans/{id}); the model's returns
# are equilibrium returns, in excess of cash: the plan adds the firm's cash rate
run 0 "$RA" models settings --db "$B" --cash-rate 0.0125
run 0 "$RA" plans save --db "$B" --client "$CLI" --account "$ACC" --goal 450000 --years 15 \
  --monthly 2500 --paths 2000 --label "retirement at 60" --date 2019-12-11 --format json
PLAN=$(jget .id)
[[ $PLAN =~ ^PL[0-9]{8}$ ]] && [ "$(jget .source)" = model+cash ] && ok || bad "no plan saved on the model: $PLAN"
K_ADMIN=$("$RA" keys create --db "$B" --role admin)
K_ADV=$("$RA" keys create --db "$B" --role advisor --user "$ADV")
K_ADV2=$("$RA" keys create --db "$B" --role advisor --user "$OADV")
K_CLI=$("$RA" keys create --db "$B" --role client --user "$CLI")

"$RA" serve --db "$B" --listen 127.0.0.1:0 --threads 2 --rate 100000 --burst 100000 2>"$TMP/serve.log" &
SPID=$!
for _ in $(seq 100); do grep -q '"port"' "$TMP/serve.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$(grep -o '"port":[0-9]*' "$TMP/serve.log" | head -1 | cut -d: -f2)"
get() { rm -f "$TMP/out"; curl -s -D "$TMP/h" -o "$TMP/out" -w '%{http_code}' "$@"; }
hdr() { grep -i "^$1:" "$TMP/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# --- the console's files ---------------------------------------------------------------------
[ "$(get "$URL/")" = 200 ] && ok || bad "GET / is not 200"
[ "$(hdr Content-Type)" = "text/html; charset=utf-8" ] && ok || bad "/ Content-Type: $(hdr Content-Type)"
cmp -s "$TMP/out" "$REPO/web/index.html" && ok || bad "/ is not web/index.html"
CSP=$(hdr Content-Security-Policy)
[[ $CSP == *"script-src 'self'"* && $CSP == *"default-src 'none'"* && $CSP != *unsafe* ]] && ok || bad "CSP: $CSP"
[ "$(hdr X-Content-Type-Options)" = nosniff ] && ok || bad "no nosniff"
ETAG=$(hdr ETag)
[[ $ETAG =~ ^\"[0-9a-f]{16}\"$ ]] && ok || bad "ETag: $ETAG"
[ "$(get -H "If-None-Match: $ETAG" "$URL/")" = 304 ] && ok || bad "a matching If-None-Match is not 304"
[ ! -s "$TMP/out" ] && ok || bad "a 304 with a body"
[ "$(get -H 'If-None-Match: "0000000000000000"' "$URL/")" = 200 ] && ok || bad "a stale ETag is not 200"
for f in app.js i18n.js style.css; do
  [ "$(get "$URL/console/$f")" = 200 ] && cmp -s "$TMP/out" "$REPO/web/$f" && ok || bad "/console/$f"
done
get "$URL/console/app.js" >/dev/null
[ "$(hdr Content-Type)" = "text/javascript; charset=utf-8" ] && ok || bad "app.js Content-Type"
get "$URL/console/style.css" >/dev/null
[ "$(hdr Content-Type)" = "text/css; charset=utf-8" ] && ok || bad "style.css Content-Type"
[[ $(hdr Cache-Control) == *max-age=* ]] && ok || bad "no Cache-Control on a file"
[ "$(get "$URL/console/nothing.js")" = 404 ] && ok || bad "a missing file is not 404"
[ "$(get "$URL/console/../docs/api.md")" = 404 ] && ok || bad "a path out of web/ is answered"
# no inline script or style attribute anywhere in the console (the CSP would refuse them)
! grep -Eq '<script>|<script [^>]*>[^<]|style="| on[a-z]+="' "$REPO"/web/*.html && ok || bad "inline script or style"
! grep -q "innerHTML" "$REPO"/web/*.js && ok || bad "innerHTML in the console"
# the two catalogues have the same keys, and every key the console names is in them
node -e '
global.window = {}; require(process.argv[1]); const C = window.RA_I18N, fs = require("fs");
const en = Object.keys(C.en), zh = Object.keys(C.zh);
const src = fs.readFileSync(process.argv[2], "utf8") + fs.readFileSync(process.argv[3], "utf8");
const used = [...src.matchAll(/(?:t\(|data-i18n=)"([a-z][a-z_.-]*[a-z])"/g)].map((m) => m[1]);
const bad = en.filter((k) => !zh.includes(k)).concat(zh.filter((k) => !en.includes(k)), used.filter((k) => !en.includes(k)));
if (bad.length) { console.error("catalogue keys: " + bad.join(" ")); process.exit(1); }' \
  "$REPO/web/i18n.js" "$REPO/web/app.js" "$REPO/web/index.html" && ok || bad "the catalogues differ"

# --- GET /v1/queue -----------------------------------------------------------------------------
auth() { echo "Authorization: Bearer $1"; }
[ "$(get -H "$(auth "$K_ADV")" "$URL/v1/queue")" = 200 ] && ok || bad "queue: not 200"
cp "$TMP/out" "$TMP/queue.json"
# pages: two clients a page, the cursor continues where the page stopped
get -H "$(auth "$K_ADV")" "$URL/v1/queue?limit=2" >/dev/null
N1=$(jget '.items[1].client'); CUR=$(jget .next)
get -H "$(auth "$K_ADV")" "$URL/v1/queue?limit=2&cursor=$CUR" >/dev/null
[[ "$(jget '.items[0].client')" > "$N1" ]] && ok || bad "queue: the second page does not follow the first"
[ "$(get -H "$(auth "$K_ADMIN")" "$URL/v1/queue?limit=500")" = 200 ] &&
  [ "$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$TMP/out")" = 12 ] \
  && ok || bad "the admin's queue is not the firm's 12 clients"
[ "$(get -H "$(auth "$K_CLI")" "$URL/v1/queue")" = 403 ] && ok || bad "a client may read the queue"
[ "$(get "$URL/v1/queue")" = 401 ] && ok || bad "the queue without a key"

# --- GET /v1/accounts/{id}/values ----------------------------------------------------------------
[ "$(get -H "$(auth "$K_ADV")" "$URL/v1/accounts/$ACC/values")" = 200 ] && ok || bad "values: not 200"
"$PY" - "$TMP/queue.json" "$TMP/out" "$B" "$ADV" "$ACC" "$RESULTS" <<'PYEOF'
import json, sqlite3, sys
q, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
db = sqlite3.connect(sys.argv[3]); adv, acc = sys.argv[4], sys.argv[5]
res = open(sys.argv[6], "a")
def check(cond, why):
    res.write("ok\n" if cond else "bad\n")
    if not cond: print("FAIL:", why, file=sys.stderr)
# the advisor's queue against the book: the same clients, their proposals waiting counted from
# the tables, the drift of each account its latest daily value's, a client's its largest
clients = [r[0] for r in db.execute("SELECT c.code FROM clients c JOIN advisors v ON v.id = c.advisor_id "
                                     "WHERE v.code = ? ORDER BY 1", (adv,))]
check([i["client"] for i in q["items"]] == clients and q["next"] is None, "clients differ")
for i in q["items"]:
    pend = db.execute("SELECT COUNT(*) FROM proposals p JOIN accounts a ON a.id = p.account_id JOIN clients c "
                      "ON c.id = a.client_id WHERE c.code = ? AND p.status IN ('pending','confirming')",
                      (i["client"],)).fetchone()[0]
    check(i["pending"] == pend, i["client"] + " pending %d, book %d" % (i["pending"], pend))
    for a in i["accounts"]:
        d = db.execute("SELECT dv.drift FROM daily_values dv JOIN accounts a ON a.id = dv.account_id "
                       "WHERE a.code = ? ORDER BY dv.day DESC LIMIT 1", (a["code"],)).fetchone()
        check(d is not None and abs(a["drift"] - d[0]) < 1e-12, a["code"] + " drift")
    check(i["drift"] == max(a["drift"] for a in i["accounts"]), i["client"] + " drift is not its accounts' largest")
    check(i["risk_level"] in range(1, 6) and i["tier"] in ("digital", "hybrid", "advisor-led"), "tier or level")
# the series against the book: a point per daily value, the account's cumulative return the
# product of its daily time-weighted returns, the model's recomputed here from the prices of the
# model's securities (weights held each day, the rest in cash earning nothing; docs/api.md)
rows = db.execute("SELECT dv.day, dv.twr, dv.value_minor FROM daily_values dv JOIN accounts a ON a.id = "
                  "dv.account_id WHERE a.code = ? ORDER BY dv.day", (acc,)).fetchall()
check(len(v["items"]) == len(rows) >= 10, "%d points, book %d" % (len(v["items"]), len(rows)))
model = db.execute("SELECT m.model FROM mandates m JOIN accounts a ON a.id = m.account_id WHERE a.code = ? "
                   "ORDER BY m.version DESC LIMIT 1", (acc,)).fetchone()[0]
check(v["model"] == model and model != "", "model " + v["model"])
mid = db.execute("SELECT id FROM models WHERE code = ? ORDER BY version DESC LIMIT 1", (model,)).fetchone()[0]
w = db.execute("SELECT security_id, weight FROM model_weights WHERE model_id = ?", (mid,)).fetchall()
def price(sec, day):
    r = db.execute("SELECT price FROM prices WHERE security_id = ? AND day <= ? ORDER BY day DESC LIMIT 1",
                   (sec, day)).fetchone()
    return r[0] if r else None
c_acc = c_mod = 1.0
worst = 0.0
for k, (day, twr, value) in enumerate(rows):
    if k:
        c_acc *= 1 + (twr or 0)
        r = 0.0
        for sec, wt in w:
            p0, p1 = price(sec, rows[k - 1][0]), price(sec, day)
            if p0 and p1:
                r += wt * (p1 / p0 - 1)
        c_mod *= 1 + r
    it = v["items"][k]
    worst = max(worst, abs(it["cumulative"] - (c_acc - 1)), abs(it["model_cumulative"] - (c_mod - 1)))
    check(it["value"] == "%d.%02d" % divmod(value, 100), "value on day %d" % k) if k in (0, len(rows) - 1) else None
check(worst < 1e-12, "cumulative returns off by %g" % worst)
check(v["items"][0]["cumulative"] == 0 and v["items"][0]["model_cumulative"] == 0, "the first point is not 0")
PYEOF
# another advisor's account, a missing one: the same 404, body and all
[ "$(get -H "$(auth "$K_ADV2")" "$URL/v1/accounts/$ACC/values")" = 404 ] && ok || bad "another advisor reads values"
cp "$TMP/out" "$TMP/foreign"
[ "$(get -H "$(auth "$K_ADV2")" "$URL/v1/accounts/NOPE-1/values")" = 404 ] && cmp -s "$TMP/out" "$TMP/foreign" \
  && ok || bad "a foreign account and a missing one answer differently"
[ "$(get -H "$(auth "$K_CLI")" "$URL/v1/accounts/$ACC/values")" = 200 ] && ok || bad "the client cannot read their values"

# a proposal's trades carry their data and tax effect
get -H "$(auth "$K_ADV")" "$URL/v1/proposals/$APPROVE" >/dev/null
jget '.trades[0].price_date' | grep -Eq '^2019-12-11$' && ok || bad "a trade's price date"
jget '.trades[0].risk_level' | grep -Eq '^[1-5]$' && ok || bad "a trade's risk level"
jget '.trades[0].gain_short' | grep -Eq '^-?[0-9]+\.[0-9]{2}$' && ok || bad "a trade's gain"
# the trade the browser leaves out of the approval: the last buy (sales fund the buys)
LEAVE=$("$PY" -c 'import json,sys; print([t["n"] for t in json.load(open(sys.argv[1]))["trades"] if t["side"] == "buy"][-1])' "$TMP/out")
NTRADES=$(jget .n_trades)
# the plan as the API gives it, for the browser to compare the page with
[ "$(get -H "$(auth "$K_ADV")" "$URL/v1/plans/$PLAN")" = 200 ] && cp "$TMP/out" "$TMP/plan.json" && ok || bad "GET /v1/plans/$PLAN"
[ "$(get -H "$(auth "$K_ADV2")" "$URL/v1/plans/$PLAN")" = 404 ] && ok || bad "another advisor reads the plan"

# --- the console in Chromium -------------------------------------------------------------------
BR="$(dirname "$RA")/browser"; mkdir -p "$BR"
cp "$REPO/tests/browser/package.json" "$REPO/tests/browser/package-lock.json" "$REPO/tests/browser/console.test.js" "$BR/"
if ! cmp -s "$BR/package-lock.json" "$BR/node_modules/.installed-lock.json" 2>/dev/null; then
  (cd "$BR" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1) &&
    cp "$BR/package-lock.json" "$BR/node_modules/.installed-lock.json" && ok || { bad "npm ci"; cat "$TMP/npm.log"; }
fi
"$PY" - "$TMP/case.json" <<PYEOF
import json, sys
json.dump({"adv": "$K_ADV", "adv_other": "$K_ADV2", "approve": "$APPROVE", "reject": "$REJECT",
           "account": "$ACC", "own_clients": "$OWN".split(), "other_clients": "$OTHER".split()[:3],
           "leave_out": int("$LEAVE"), "plan": "$PLAN", "plan_file": "$TMP/plan.json"},
          open(sys.argv[1], "w"))
PYEOF
rm -rf "$BR/screenshots"
(cd "$BR" && node console.test.js "$URL" "$TMP/case.json" "$BR/screenshots") >"$TMP/browser.out" 2>&1
cat "$TMP/browser.out"
nb=$(grep -c '^ok ' "$TMP/browser.out"); nbad=$(grep -c '^bad ' "$TMP/browser.out")
for _ in $(seq "$nb"); do ok; done
for _ in $(seq "$nbad"); do bad "browser (above)"; done
[ "$nb" -ge 31 ] && ok || bad "the browser made $nb checks, want 31"
[ "$(ls "$BR/screenshots"/*.png 2>/dev/null | wc -l)" -ge 10 ] && ok || bad "screenshots missing"

# --- the decisions, through the API ------------------------------------------------------------
get -H "$(auth "$K_ADMIN")" "$URL/v1/proposals/$APPROVE" >/dev/null
[ "$(jget .status)" = approved ] && ok || bad "$APPROVE is $(jget .status)"
[ "$(jget .decided_by)" = "$ADV" ] && ok || bad "decided by $(jget .decided_by)"
[ "$(jget ".trades[$((LEAVE - 1))].status")" = rejected ] && ok || bad "the left-out trade is not rejected"
"$PY" -c 'import json,sys; t=json.load(open(sys.argv[1]))["trades"]; sys.exit(sum(x["status"]=="approved" for x in t) != len(t)-1)' "$TMP/out" \
  && ok || bad "the other trades are not approved"
[ "$(q "SELECT COUNT(*) FROM orders o JOIN proposals p ON p.id = o.proposal_id WHERE p.code = '$APPROVE'")" -eq $((NTRADES - 1)) ] \
  && ok || bad "orders of $APPROVE"
get -H "$(auth "$K_ADMIN")" "$URL/v1/proposals/$REJECT" >/dev/null
[ "$(jget .status)" = rejected ] && [ "$(jget .decided_reason)" = "the client wants to wait" ] && ok || bad "$REJECT not rejected"
[ "$(q "SELECT COUNT(*) FROM audit_log WHERE entity = 'proposal' AND user_name = '$ADV' AND entity_id IN ('$APPROVE', '$REJECT')")" -ge 2 ] && ok || bad "decisions not audited"
kill -TERM "$SPID"; wait "$SPID"; [ $? -eq 0 ] && ok || bad "the server did not stop cleanly"
run 0 "$RA" audit verify --db "$B"
finish
