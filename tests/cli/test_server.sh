# The HTTP API (docs/api.md, issue 15) end to end: the real server on a free loopback port over a
# real SQLite book (a generated demo book of 12 clients on the real prices in ../shared/data, one
# day of the cycle run so that proposals and orders exist), then the same on a real PostgreSQL
# (tests/support/pg_server.sh; skipped with a note when none starts). tests/cli/server_check.py makes the
# client-side checks (auth, roles, the walk of every route with another firm's and another
# advisor's ids, problem details, idempotency, pagination, metrics, every answer validated
# against docs/openapi.json); this script adds keys, the route table against the document, rate
# limits and a SIGTERM in the middle of writes (every acknowledged write is in the book after).
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=api-test ROBOADVISOR_FIRM=DEMO
PY=/usr/bin/python3
min_checks 400

# q SQL: one query on the book under test, rows as text
q() {
  case $B in
    postgres*) "$PSQL" -qtA -d "$B" -c "$1" ;;
    *) sqlite3 "$B" "$1" ;;
  esac
}

# scenario URL: everything below on the book at URL (work files in $TMP/<backend>)
scenario() {
B=$1
W="$TMP/w-$(case $B in postgres*) echo pg ;; *) echo sqlite ;; esac)"; mkdir -p "$W"
run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$W/book.key" --clients 12 \
  --from 2019-06-10 --to 2019-12-10
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$W/book.key")
run 0 "$RA" models build --db "$B" --date 2019-12-10
run 0 "$RA" onboard --db "$B" --generate 12 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
run 0 "$RA" run-day --db "$B" --date 2019-12-11
# a second firm with its own key, and nothing else
"$RA" generate-book --help >/dev/null
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$W/F2.key"
ROBOADVISOR_KEY= run 0 "$RA" init --db "$B" --firm F2 --key-file "$W/F2.key"
mkdir -p "$W/keys"; cp "$W/F2.key" "$W/keys/F2.key"

# keys: usage errors, then one per role; list and revoke; the key is printed once, only hashed
run 2 "$RA" keys create --db "$B"
err_has "--role is required"
run 2 "$RA" keys create --db "$B" --role boss
run 1 "$RA" keys create --db "$B" --role advisor
err_has "needs --user"
run 1 "$RA" keys create --db "$B" --role advisor --user NOBODY
err_has "has no advisor NOBODY"
ACC=$(q "SELECT a.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE p.status = 'pending' ORDER BY p.code LIMIT 1")
PEND=$(q "SELECT p.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE a.code = '$ACC' AND p.status = 'pending' LIMIT 1")
ADV=$(q "SELECT v.code FROM accounts a JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE a.code = '$ACC'")
CLI=$(q "SELECT c.code FROM accounts a JOIN clients c ON c.id = a.client_id WHERE a.code = '$ACC'")
FACC=$(q "SELECT a.code FROM proposals p JOIN accounts a ON a.id = p.account_id JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE v.code <> '$ADV' ORDER BY p.status = 'pending' DESC, p.code LIMIT 1")
FPEND=$(q "SELECT p.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE a.code = '$FACC' ORDER BY p.status = 'pending' DESC LIMIT 1")
FCLI=$(q "SELECT c.code FROM accounts a JOIN clients c ON c.id = a.client_id WHERE a.code = '$FACC'")
OADV=$(q "SELECT code FROM advisors WHERE code <> '$ADV' ORDER BY code LIMIT 1")
[ -n "$ACC" ] && [ -n "$PEND" ] && [ -n "$FACC" ] && [ -n "$FPEND" ] && ok || bad "the book has no pending proposal for the test"
# the further resources' ids (srv_routes_resources.c): households, orders
HH=$(q "SELECT h.code FROM clients c JOIN households h ON h.id = c.household_id WHERE c.code = '$CLI'")
FHH=$(q "SELECT h.code FROM clients c JOIN households h ON h.id = c.household_id WHERE c.code = '$FCLI'")
ORD=$(q "SELECT o.code FROM orders o JOIN accounts a ON a.id = o.account_id WHERE a.code = '$ACC' ORDER BY o.code LIMIT 1")
[ -n "$ORD" ] || ORD=$(q "SELECT o.code FROM orders o JOIN accounts a ON a.id = o.account_id JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE v.code = '$ADV' ORDER BY o.code LIMIT 1")
FORD=$(q "SELECT o.code FROM orders o JOIN accounts a ON a.id = o.account_id JOIN clients c ON c.id = a.client_id JOIN advisors v ON v.id = c.advisor_id WHERE v.code <> '$ADV' ORDER BY o.code LIMIT 1")
[ -n "$HH" ] && [ "$HH" != "$FHH" ] && [ -n "$ORD" ] && [ -n "$FORD" ] && ok || bad "no household or order for the walk"
# a saved goal plan of each client for the walk (srv_routes_plans.c; tests/cli/test_api_resources.sh checks them)
for c in "$CLI" "$FCLI"; do
  run 0 "$RA" plans save --db "$B" --client "$c" --goal 100000 --years 2 --mu 0.05 --sigma 0.1 --paths 50 --date 2019-12-11
done
PLAN=$(q "SELECT x.code FROM client_plans x JOIN clients c ON c.id = x.client_id WHERE c.code = '$CLI'")
FPLAN=$(q "SELECT x.code FROM client_plans x JOIN clients c ON c.id = x.client_id WHERE c.code = '$FCLI'")
[ -n "$PLAN" ] && [ -n "$FPLAN" ] && ok || bad "no plans for the walk"
key() { "$RA" keys create --db "$B" "$@"; }
K_ADMIN=$(key --role admin); K_ADV=$(key --role advisor --user "$ADV"); K_ADV2=$(key --role advisor --user "$OADV")
K_CLI=$(key --role client --user "$CLI"); K_AUD=$(key --role auditor)
K_F2=$(ROBOADVISOR_KEY= "$RA" keys create --db "$B" --firm F2 --key-file "$W/F2.key" --role admin)
K_REV=$(key --role admin); K_EXP=$(key --role admin --expires 2999-01-01)
[[ $K_ADMIN =~ ^ra_[0-9a-f]{16}_[0-9a-f]{64}$ ]] && ok || bad "key format: $K_ADMIN"
run 0 "$RA" keys revoke --db "$B" "${K_REV:3:16}"
run 1 "$RA" keys revoke --db "$B" "${K_REV:3:16}"
err_has "revoked already"
# an expired key: its expiry moved into the past in the book (no clock to wind)
q "UPDATE api_keys SET expires_at = 1 WHERE code = '${K_EXP:3:16}'"
run 0 "$RA" keys list --db "$B" --format json
[ "$(grep -c '"code"' "$TMP/out")" -eq 7 ] && ok || bad "keys list: not 7 keys"
! grep -q "${K_ADMIN:20}" "$TMP/out" && ok || bad "keys list shows a secret"
[ "$(q "SELECT COUNT(*) FROM api_keys WHERE hash LIKE '%${K_ADMIN:20:16}%'")" = 0 ] && ok || bad "secret stored"
q "SELECT COUNT(*) FROM audit_log WHERE entity = 'api_key'" | grep -qx 9 && ok || bad "key changes not audited"
# restore the expiry for audit verify at the end: the book must stay equal to its trail
q "UPDATE api_keys SET expires_at = $(( $(date -u -d 2999-01-01 +%s) )) WHERE code = '${K_EXP:3:16}'"

# start_server LOG [options]: the server on a free port (port 0: the kernel picks), its URL in $URL
start_server() {
  local log=$1; shift
  "$RA" serve --db "$B" --listen 127.0.0.1:0 --threads 2 --key-dir "$W/keys" "$@" 2>"$log" &
  SPID=$!
  for _ in $(seq 100); do grep -q '"port"' "$log" 2>/dev/null && break; sleep 0.1; done
  URL="http://127.0.0.1:$(grep -o '"port":[0-9]*' "$log" | head -1 | cut -d: -f2)"
}

# an expired key, really expired: the check is made against the server's clock
q "UPDATE api_keys SET expires_at = 1 WHERE code = '${K_EXP:3:16}'"
start_server "$W/serve.log" --rate 100000 --burst 100000
cat >"$W/keys.json" <<JSON
{"admin": "$K_ADMIN", "adv": "$K_ADV", "adv_other": "$K_ADV2", "client": "$K_CLI",
 "auditor": "$K_AUD", "f2admin": "$K_F2", "revoked": "$K_REV", "expired": "$K_EXP",
 "own_account": "$ACC", "foreign_account": "$FACC", "own_client": "$CLI",
 "foreign_client": "$FCLI", "pending": "$PEND", "foreign_pending": "$FPEND",
 "own_advisor": "$ADV", "foreign_advisor": "$OADV", "own_household": "$HH", "foreign_household": "$FHH",
 "own_order": "$ORD", "foreign_order": "$FORD", "foreign_key": "${K_F2:3:16}",
 "own_plan": "$PLAN", "foreign_plan": "$FPLAN"}
JSON
"$PY" "$REPO/tests/cli/server_check.py" "$URL" "$REPO/docs/openapi.json" "$W/keys.json" "$RESULTS" \
  && ok || bad "server_check.py stopped"

# the server's route table and the document list the same routes: the patterns the server logged
# are all in the document, and every documented route was asked (server_check.py asks them all)
"$PY" - "$REPO/docs/openapi.json" "$W/serve.log" "$RESULTS" <<'PYEOF'
import json, sys
doc = json.load(open(sys.argv[1]))
documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
served = set()
for line in open(sys.argv[2]):
    j = json.loads(line)
    if "route" in j and j["route"] != "-":
        served.add((j["method"], j["route"]))
r = open(sys.argv[3], "a")
r.write("ok\n" if served == documented else "bad\n")
if served != documented:
    print("FAIL: served-only", served - documented, "documented-only", documented - served, file=sys.stderr)
PYEOF
# every log line is JSON and names no personal data: no key secret, no client or account code
# in a route (the pattern is logged, not the path)
"$PY" -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$W/serve.log" && ok || bad "a log line is not JSON"
! grep -q "${K_ADMIN:20}" "$W/serve.log" && ok || bad "a key secret in the log"
! grep -q "\"route\":\"[^\"]*$ACC" "$W/serve.log" && ok || bad "an account code in a logged route"
kill -TERM "$SPID"; wait "$SPID"; [ $? -eq 0 ] && ok || bad "the server did not stop cleanly"
grep -q '"event":"stopped"' "$W/serve.log" && ok || bad "no stopped event"

# rate limits: a bucket of 3 refilled at one request per 100 s (so that a slow machine cannot
# refill it between requests) answers the 4th of a burst with 429 and Retry-After
start_server "$W/rate.log" --rate 0.01 --burst 3
codes=""
for i in 1 2 3 4 5; do
  codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $K_ADMIN" "$URL/v1/firm")"
done
[ "$codes" = " 200 200 200 429 429" ] && ok || bad "rate limit: $codes"
curl -s -D "$TMP/h" -o /dev/null -H "Authorization: Bearer $K_ADMIN" "$URL/v1/firm"
grep -qi '^Retry-After: [1-9]' "$TMP/h" && ok || bad "no Retry-After"
# another key has its own bucket
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $K_AUD" "$URL/v1/firm")" = 200 ] \
  && ok || bad "the buckets are not per key"
kill -TERM "$SPID"; wait "$SPID"

# SIGTERM in the middle of writes: 40 withdrawals sent at once, the signal among them; every one
# answered 201 is in the book, the server exits 0, and check and audit verify are clean
start_server "$W/term.log" --rate 10000 --burst 10000
rm -f "$TMP"/c[0-9]*
for i in $(seq 40); do
  curl -s -o "$TMP/w$i" -w '%{http_code}' -X POST -H "Authorization: Bearer $K_ADMIN" \
    -H "Idempotency-Key: term-$i" -d "{\"amount\": \"1.$(printf %02d "$i")\", \"note\": \"term\"}" \
    "$URL/v1/accounts/$ACC/withdrawals" >"$TMP/c$i" &
done
# the signal once some writes are acknowledged and others are still in flight (a slow machine
# may not have answered any yet when the last curl starts)
for _ in $(seq 200); do
  [ "$(cat "$TMP"/c* 2>/dev/null | grep -c 201)" -ge 3 ] && break
  sleep 0.05
done
kill -TERM "$SPID"
wait $(jobs -p | grep -v "^$SPID$") 2>/dev/null
wait "$SPID"; [ $? -eq 0 ] && ok || bad "the server did not stop cleanly under writes"
acked=0; missing=0
"$RA" instructions list --db "$B" --account "$ACC" --format json >"$TMP/instr.json"
for i in $(seq 40); do
  if [ "$(cat "$TMP/c$i")" = 201 ]; then
    acked=$((acked + 1))
    grep -q "\"1\\.$(printf %02d "$i")\"" "$TMP/instr.json" || missing=$((missing + 1))
  fi
done
[ "$acked" -ge 1 ] && [ "$missing" = 0 ] && ok || bad "acknowledged $acked, missing $missing"
q "UPDATE api_keys SET expires_at = $(date -u -d 2999-01-01 +%s) WHERE code = '${K_EXP:3:16}'"
run 0 "$RA" check --db "$B"
# audit verify needs every firm's key: the server has them (--key-dir), the auditor asks it
start_server "$W/audit.log"
curl -s -H "Authorization: Bearer $K_AUD" "$URL/v1/audit" >"$TMP/out"
[ "$(jget .intact)" = true ] && [ "$(jget .records)" -gt 100 ] && ok || bad "audit: $(cat "$TMP/out")"
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
  db="server_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db" && ok || bad "create database"
  scenario "${pg_url%/*}/$db"
else
  echo "PostgreSQL not started, its half of the test skipped: $(tail -n 1 "$TMP/pg.log")"
fi
finish
