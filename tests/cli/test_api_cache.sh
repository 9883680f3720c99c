# The API server's caches (issue 15's load; src/server/srv_main.c, bench/README.md#the-http-api-under-load)
# never answer from a book that has changed: each worker thread keeps the account summaries it
# gave and the keys it verified under the audit trail's head, so a write through the API or
# through the CLI while the server runs (an approval, a revocation, a new day of the cycle) must
# show at the next request. One thread, so that the second request of a pair is the cache's.
# Expected values come from the book itself (sqlite3, `account show`), never from the server.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=cache-test ROBOADVISOR_FIRM=DEMO
min_checks 16
B="$TMP/book.db"
run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$TMP/book.key" --clients 12 \
  --from 2019-06-10 --to 2019-12-13
export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/book.key")
run 0 "$RA" models build --db "$B" --date 2019-12-10
run 0 "$RA" onboard --db "$B" --generate 12 --seed 3 \
  --questionnaire "$REPO/examples/questionnaire/default.json" --date 2019-12-10
run 0 "$RA" run-day --db "$B" --date 2019-12-11
PEND=$(sqlite3 "$B" "SELECT code FROM proposals WHERE status = 'pending' ORDER BY code LIMIT 1")
ACC=$(sqlite3 "$B" "SELECT a.code FROM proposals p JOIN accounts a ON a.id = p.account_id WHERE p.code = '$PEND'")
[ -n "$PEND" ] && ok || bad "the book has no pending proposal"
K=$("$RA" keys create --db "$B" --role admin)
"$RA" serve --db "$B" --listen 127.0.0.1:0 --threads 1 --rate 100000 --burst 100000 2>"$TMP/serve.log" &
SPID=$!
for _ in $(seq 100); do grep -q '"port"' "$TMP/serve.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$(grep -o '"port":[0-9]*' "$TMP/serve.log" | cut -d: -f2)"
get() { # KEY PATH: the body in $TMP/out, the status in $TMP/status
  curl -s -o "$TMP/out" -w '%{http_code}' -H "Authorization: Bearer $1" "$URL$2" >"$TMP/status"
}
summary() { # the account's summary twice (the second from the cache): both equal, status 200
  get "$K" "/v1/accounts/$ACC"; cp "$TMP/out" "$TMP/first"
  get "$K" "/v1/accounts/$ACC"
  [ "$(cat "$TMP/status")" = 200 ] && cmp -s "$TMP/first" "$TMP/out" && ok || bad "summary twice: $(cat "$TMP/status")"
}
summary
[ "$(jget .open_proposal)" = "$PEND" ] && ok || bad "open_proposal is not $PEND"
[ "$(jget .date)" = 2019-12-11 ] && ok || bad "date is not the valued day"
# an approval through the API: the proposal is no longer open
curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $K" -H "Idempotency-Key: c1" \
  -H "Content-Type: application/json" -d '{"reason":"cache test"}' "$URL/v1/proposals/$PEND/approve" \
  | grep -qx 200 && ok || bad "approval refused"
summary
[ "$(jget .open_proposal)" = null ] && ok || bad "the approved proposal is still open: a stale summary"
# a new day of the cycle through the CLI while the server runs: the summary moves to it
run 0 "$RA" run-day --db "$B" --date 2019-12-12
summary
[ "$(jget .date)" = 2019-12-12 ] && ok || bad "the summary did not move to the new valued day"
cp "$TMP/out" "$TMP/api"
run 0 "$RA" account show "$ACC" --db "$B" --format json # the same figures, computed by the CLI
want=$(jget .value)
cp "$TMP/api" "$TMP/out"
[ -n "$want" ] && [ "$(jget .value)" = "$want" ] && ok || bad "value $(jget .value) is not account show's $want"
# a revocation through the CLI: the key stops working at the next request
run 0 "$RA" keys revoke --db "$B" "${K:3:16}"
get "$K" "/v1/accounts/$ACC"
[ "$(cat "$TMP/status")" = 401 ] && ok || bad "a revoked key answered $(cat "$TMP/status")"
get "$K" "/v1/firm"
[ "$(cat "$TMP/status")" = 401 ] && ok || bad "a revoked key answered $(cat "$TMP/status") on /v1/firm"
kill -TERM "$SPID"; wait "$SPID" && ok || bad "the server did not stop cleanly"
finish
