# The API's further resources (issue 15; docs/api.md): keys, advisors, households, clients'
# onboarding with consents, personal data and erasure (crypto-shredding), mandates, fills,
# proposal comments and audit records, on the real server over a real SQLite book and then a real
# PostgreSQL (tests/support/pg_server.sh; skipped with a note when none starts). One small setup
# per backend (a generated book of 6 clients, one day of the cycle). tests/cli/api_resources_check.py
# makes the HTTP checks (scoping, problems, idempotency, pages, shapes against docs/openapi.json);
# this script checks the book behind them: after an erasure no trace of the client's personal
# data or of its data key in the database file (or pg_dump) nor in a backup made afterwards, the
# ledger's figures unchanged, check and audit verify clean.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=api-res ROBOADVISOR_FIRM=DEMO
PY=/usr/bin/python3
min_checks 120

q() {
  case $B in
    postgres*) "$PSQL" -qtA -d "$B" -c "$1" ;;
    *) sqlite3 "$B" "$1" ;;
  esac
}

scenario() {
B=$1; K_F2=
W="$TMP/w-$(case $B in postgres*) echo pg ;; *) echo sqlite ;; esac)"; mkdir -p "$W/keys"
run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$W/book.key" --clients 6 \
  --from 2019-06-10 --to 2019-12-10
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$W/book.key")
run 0 "$RA" models build --db "$B" --date 2019-12-10
run 0 "$RA" onboard --db "$B" --generate 6 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
run 0 "$RA" run-day --db "$B" --date 2019-12-11
ACC=$(q "SELECT a.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE p.status = 'pending' ORDER BY p.code LIMIT 1")
PEND=$(q "SELECT p.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE a.code = '$ACC' AND p.status = 'pending' LIMIT 1")
ADV=$(q "SELECT v.code FROM accounts a JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE a.code = '$ACC'")
CLI=$(q "SELECT c.code FROM accounts a JOIN clients c ON c.id = a.client_id WHERE a.code = '$ACC'")
FPEND=$(q "SELECT p.code FROM proposals p JOIN accounts a ON a.id = p.account_id JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE v.code <> '$ADV' ORDER BY p.code LIMIT 1")
FACC=$(q "SELECT a.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE p.code = '$FPEND'")
FCLI=$(q "SELECT c.code FROM accounts a JOIN clients c ON c.id = a.client_id WHERE a.code = '$FACC'")
OADV=$(q "SELECT v.code FROM clients c JOIN advisors v ON v.id = c.advisor_id WHERE c.code = '$FCLI'")
ORD=$(q "SELECT o.code FROM orders o JOIN accounts a ON a.id = o.account_id JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE v.code = '$ADV' ORDER BY o.filled_micro DESC, o.code LIMIT 1")
FORD=$(q "SELECT o.code FROM orders o JOIN accounts a ON a.id = o.account_id JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE v.code <> '$ADV' ORDER BY o.code LIMIT 1")
[ -n "$PEND" ] && [ -n "$FPEND" ] && [ -n "$ORD" ] && [ -n "$FORD" ] && [ "$ADV" != "$OADV" ] && ok \
  || bad "the book lacks what the test needs: $PEND $FPEND $ORD $FORD $ADV $OADV"
key() { "$RA" keys create --db "$B" "$@"; }
K_ADMIN=$(key --role admin); K_ADV=$(key --role advisor --user "$ADV"); K_CLI=$(key --role client --user "$CLI")
K_AUD=$(key --role auditor)
# the wrapped data keys as stored before the erasures, to look for them after
wrapped() { q "SELECT $(case $B in postgres*) echo "encode(k.wrapped, 'hex')" ;; *) echo "hex(k.wrapped)" ;; esac) FROM client_keys k JOIN clients c ON c.id = k.client_id WHERE c.code = '$1'"; }
WRAP_F=$(wrapped "$FCLI")
[ ${#WRAP_F} -eq 144 ] && ok || bad "no data key for $FCLI: ${#WRAP_F}"
run 0 "$RA" valuation --db "$B" --date 2019-12-11 --format json; cp "$TMP/out" "$W/val-before.json"

# start_server LOG: the server on a free port, its URL in $URL
start_server() {
  "$RA" serve --db "$B" --listen 127.0.0.1:0 --threads 2 --key-dir "$W/keys" --rate 100000 \
    --burst 100000 2>"$1" &
  SPID=$!
  for _ in $(seq 100); do grep -q '"port"' "$1" 2>/dev/null && break; sleep 0.1; done
  URL="http://127.0.0.1:$(grep -o '"port":[0-9]*' "$1" | head -1 | cut -d: -f2)"
}
ids() {
cat >"$W/ids.json" <<JSON
{"admin": "$K_ADMIN", "adv": "$K_ADV", "client": "$K_CLI", "auditor": "$K_AUD", "f2admin": "${K_F2:-}",
 "adv_code": "$ADV", "other_adv": "$OADV", "account": "$ACC", "foreign_account": "$FACC",
 "client_code": "$CLI", "foreign_client": "$FCLI", "pending": "$PEND", "foreign_pending": "$FPEND",
 "order": "$ORD", "foreign_order": "$FORD"}
JSON
}
# a plan on the account's model (two-stage, equilibrium returns: in excess of cash) before the firm
# has a cash rate: refused by the command and by the API, naming the account and the model and
# the fix, nothing saved (docs/methodology.md#saved-goal-plans)
AMODEL=$(q "SELECT m.code FROM model_assignments x JOIN accounts a ON a.id = x.account_id JOIN models m ON m.id = x.model_id WHERE a.code = '$ACC'")
run 1 "$RA" plans save --db "$B" --client "$CLI" --account "$ACC" --goal 10 --years 5
err_lines 1; err_has "account $ACC's model $AMODEL v1 has returns in excess of cash and the firm has no cash rate to add"
err_has "set it with \`roboadvisor models settings --cash-rate R\` (0.03 for 3 % a year), or give mu and sigma"
# phase a, one firm: every resource, scoping among advisors, onboarding, an erasure by the API
start_server "$W/serve-a.log"; ids
"$PY" - "$URL" "$K_ADMIN" "$CLI" "$ACC" "$RESULTS" <<'PYEOF'
import json, sys, urllib.error, urllib.request
url, key, cli, acc, results = sys.argv[1:6]
req = urllib.request.Request(f"{url}/v1/clients/{cli}/plans", method="POST",
                             data=json.dumps({"goal": "10.00", "years": 5, "account": acc}).encode(),
                             headers={"Authorization": "Bearer " + key, "Idempotency-Key": "no-cash"})
try:
    s, b = urllib.request.urlopen(req, timeout=30).status, b""
except urllib.error.HTTPError as e:
    s, b = e.code, e.read()
errs = json.loads(b or b"{}").get("errors", [])
ok = (s == 422 and [e["path"] for e in errs] == ["$.mu"] and
      f"account {acc}'s model" in errs[0]["detail"] and "no cash rate" in errs[0]["detail"] and
      "--cash-rate" in errs[0]["detail"])
open(results, "a").write("ok\n" if ok else "bad\n")
if not ok:
    print(f"FAIL: a plan without the firm's cash rate: {s} {b[:300]!r}", file=sys.stderr)
PYEOF
[ "$(q "SELECT COUNT(*) FROM client_plans")" = 0 ] && ok || bad "a plan refused was saved"
# the firm's cash rate (the server reads it per request): api_resources_check.py's plan on the
# model then adds it (checked below, to the bit)
run 0 "$RA" models settings --db "$B" --cash-rate 0.0125
"$PY" "$REPO/tests/cli/api_resources_check.py" a "$URL" "$REPO/docs/openapi.json" "$W/ids.json" \
  "$RESULTS" "$W" && ok || bad "api_resources_check.py a stopped"
# its mu is the model's stored expected return (an excess return) + 0.0125 exactly: the same
# double addition here, on the model as `models show` prints it (JSON doubles round-trip exactly)
"$PY" - "$W/plan_model.json" >"$W/plan_model_args" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
print(j["model"], j["model_version"])
PYEOF
read -r P_MODEL P_VER <"$W/plan_model_args"
run 0 "$RA" models show "$P_MODEL" --version "$P_VER" --db "$B" --format json
"$PY" - "$W/plan_model.json" "$TMP/out" <<'PYEOF' && ok || bad "the plan's mu is not the model's expected return + the cash rate"
import json, sys
p, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
m = m.get("model", m)
ok = (m["method"].startswith("two-stage equilibrium") and p["source"] == "model+cash" and
      p["cash_rate"] == 0.0125 and p["mu"] == m["expected_return"] + 0.0125 and
      p["sigma"] == m["volatility"])
if not ok:
    print(f"FAIL: plan mu {p.get('mu')!r} cash {p.get('cash_rate')!r} source {p.get('source')}, "
          f"model {m.get('method')} {m.get('expected_return')!r} {m.get('volatility')!r}", file=sys.stderr)
sys.exit(not ok)
PYEOF
# the plan saved on the account's model (api_resources_check.py) is the plan command's
# computation on the same inputs, to the cent (src/core/plan.c; its own tests: test_plan.c)
"$PY" - "$W/plan_model.json" >"$W/plan_args" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
print(" ".join([j["initial"], j["monthly"], str(j["years"]), j["goal"], repr(j["mu"]), repr(j["sigma"]),
                str(j["paths"]), str(j["seed"])]))
PYEOF
read -r P_INI P_MON P_YRS P_GOAL P_MU P_SIG P_PATHS P_SEED <"$W/plan_args"
run 0 "$RA" plan --initial "$P_INI" --monthly "$P_MON" --years "$P_YRS" --goal "$P_GOAL" --mu "$P_MU" \
  --sigma "$P_SIG" --paths "$P_PATHS" --seed "$P_SEED" --format json
"$PY" - "$W/plan_model.json" "$TMP/out" <<'PYEOF' && ok || bad "the saved plan differs from the plan command's"
import json, sys
s, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rows = [[round(r[k] * 100) for k in ("p5", "p25", "p50", "p75", "p95")] for r in c["paths_by_year"]]
mine = [[round(float(r[k]) * 100) for k in ("p5", "p25", "p50", "p75", "p95")] for r in s["paths_by_year"]]
sys.exit(not (rows == mine and s["probability"] == c["probability"] and len(rows) == s["years"]))
PYEOF
# the plans command on the same book: usage errors, the plans the API saved, one saved here
run 2 "$RA" plans save --db "$B" --client "$CLI" --years 5; err_lines 1; err_has "--goal AMOUNT is required"
run 2 "$RA" plans save --db "$B" --client "$CLI" --goal 10 --years 5 --mu 0.05; err_lines 1; err_has "--mu and --sigma go together"
run 2 "$RA" plans save --db "$B" --client "$CLI" --goal 1.234 --years 5; err_lines 1; err_has "at most 2 decimals"
run 2 "$RA" plans show --db "$B"; err_has "name the plan"
run 1 "$RA" plans save --db "$B" --client NOPE --goal 10 --years 5; err_has "no client NOPE"
run 1 "$RA" plans show --db "$B" PL99999999; err_has "no plan PL99999999"
run 0 "$RA" plans list --db "$B" --client "$CLI" --format json
"$PY" -c 'import json,sys; p=json.load(open(sys.argv[1]))["plans"]; sys.exit(not (len(p) == 2 and p[0]["label"] == "sea house" and [x["latest"] for x in p] == [False, True]))' "$TMP/out" \
  && ok || bad "plans list: not the two plans the API saved"
run 0 "$RA" plans save --db "$B" --client "$CLI" --goal 20000 --years 10 --monthly 100 --initial 1000 \
  --mu 0.06 --sigma 0 --paths 20 --date 2019-12-11
out_has "Probability of reaching the goal: 0.00 %"
out_has "18038.19" # the annuity after 10 years (api_resources_check.py, test_plan.sh)
run 0 "$RA" plans list --db "$B" --client "$CLI"
out_has "3 plans"
NEWC=RX000001
wrapped "$NEWC" >"$W/wrapped.hex"
[ "$(wc -c <"$W/wrapped.hex")" -eq 145 ] && ok || bad "no data key for $NEWC"
"$PY" "$REPO/tests/cli/api_resources_check.py" erase "$URL" "$REPO/docs/openapi.json" "$W/ids.json" \
  "$RESULTS" "$W" && ok || bad "api_resources_check.py erase stopped"
kill -TERM "$SPID"; wait "$SPID"; [ $? -eq 0 ] && ok || bad "the server did not stop cleanly"
[ "$(q "SELECT COUNT(*) FROM client_keys k JOIN clients c ON c.id = k.client_id WHERE c.code = '$NEWC' AND LENGTH(k.wrapped) = 0 AND k.erased_by <> ''")" = 1 ] \
  && ok || bad "the erased client still has a data key"
[ "$(q "SELECT COUNT(*) FROM audit_log WHERE action = 'erase' AND entity = 'client' AND entity_id = '$NEWC'")" = 1 ] \
  && ok || bad "the erasure is not audited once"
q "SELECT after_json FROM audit_log WHERE action = 'erase' AND entity_id = '$NEWC'" >"$TMP/rec"
! grep -qi "zebulon\|quixote\|1961" "$TMP/rec" && ok || bad "the erasure's record holds personal data"
# the CLI's erasure of another client: refused without --yes, then done; a second time says so
run 2 "$RA" clients erase "$FCLI" --db "$B"
err_has "cannot be undone"
run 0 "$RA" clients erase "$FCLI" --yes --db "$B" --format json
[ "$(jget .already_erased)" = false ] && ok || bad "clients erase json"
run 0 "$RA" clients erase "$FCLI" --yes --db "$B"
out_has "was already erased"
run 1 "$RA" clients erase NOPE --yes --db "$B"
err_has "no client NOPE"
# the ledger unchanged (the onboarded client's new accounts hold nothing), book and trail verify
run 0 "$RA" valuation --db "$B" --date 2019-12-11 --format json
"$PY" - "$W/val-before.json" "$TMP/out" "$RESULTS" <<'PYEOF'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def figures(v):
    return {x["account"]: x for x in v.get("accounts", []) if x.get("account", "")[:2] != "RX"}, v.get("total", v.get("firm"))
fa, fb = figures(a), figures(b)
ok = fa == fb and len(fa[0]) > 0
open(sys.argv[3], "a").write("ok\n" if ok else "bad\n")
if not ok:
    print("FAIL: the valuation changed with the erasures", file=sys.stderr)
PYEOF
# the firm's generated onboarding passes over the erased clients
run 0 "$RA" onboard --db "$B" --generate 6 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-11
run 0 "$RA" check --db "$B"
run 0 "$RA" audit verify --db "$B"
out_has "hash chain intact"
# no trace of the plaintext nor of the wrapped keys: the database file (SQLite, and its WAL) or a
# dump of it (PostgreSQL), and a backup made afterwards
case $B in
  postgres*)
    "$PGDUMP" -d "$B" >"$W/dump.sql" && ok || bad "pg_dump"
    files="$W/dump.sql" ;;
  *) files="$B $(ls "$B"-wal 2>/dev/null)" ;;
esac
run 0 "$RA" backup --db "$B" --to "$W/backup"
files="$files $(find "$W/backup" -type f | tr '\n' ' ')"
FNAME=$(cat "$W/foreign_name.txt")
for f in $files; do
  for text in "Zebulon" "$FNAME"; do
    ! grep -qaiF "$text" "$f" && ok || bad "personal data of an erased client in $f: $text"
  done
  for w in "$(tr -d '\n' <"$W/wrapped.hex")" "$WRAP_F"; do
    "$PY" -c "import sys; d=open(sys.argv[1],'rb').read(); w=bytes.fromhex(sys.argv[2]); sys.exit((w in d) or (sys.argv[2].lower().encode() in d.lower()))" \
      "$f" "$w" && ok || bad "an erased data key is still in $f"
  done
done

# phase b, another firm: its admin gets 404 for every object of DEMO and empty lists
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$W/F2.key"
ROBOADVISOR_KEY= run 0 "$RA" init --db "$B" --firm F2 --key-file "$W/F2.key"
cp "$W/F2.key" "$W/keys/F2.key"
K_F2=$(ROBOADVISOR_KEY= "$RA" keys create --db "$B" --firm F2 --key-file "$W/F2.key" --role admin)
start_server "$W/serve-b.log"; ids
"$PY" "$REPO/tests/cli/api_resources_check.py" b "$URL" "$REPO/docs/openapi.json" "$W/ids.json" \
  "$RESULTS" "$W" && ok || bad "api_resources_check.py b stopped"
kill -TERM "$SPID"; wait "$SPID"
}

scenario "$TMP/book.db"

pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
if [ -n "$pg_url" ]; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
  PGDUMP=pg_dump; command -v pg_dump >/dev/null || PGDUMP="$BIN/pg_dump"
  db="resources_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db" && ok || bad "create database"
  scenario "${pg_url%/*}/$db"
else
  echo "PostgreSQL not started, its half of the test skipped: $(tail -n 1 "$TMP/pg.log")"
fi
finish
