# roboadvisor onboard and agent end to end (docs/cli.md#onboard, #agent) on SQLite: the example
# documents in English and Chinese, errors with exact JSON paths that store nothing (audit record
# count unchanged), agent versions with a required reason, a risk level above the profile refused,
# and --generate: seeded, every level present, the audit chain intact.
source "$(dirname "$0")/lib.sh"
min_checks 64 # the checks this script makes today; finish fails below it
export ROBOADVISOR_DB=$TMP/book.db ROBOADVISOR_USER=cli-test
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
unset ROBOADVISOR_FIRM
Q="$REPO/examples/questionnaire/default.json"
EX="$REPO/examples/onboard"
records() { "$RA" audit verify | sed -n 's/^ok: \([0-9]*\) audit records.*/\1/p'; }
run 0 "$RA" init
# usage errors
run 2 "$RA" onboard; err_has "give --client FILE or --generate N"
run 2 "$RA" onboard --generate 5; err_has "--questionnaire"
run 2 "$RA" agent set A1 --param tlh=off; err_has "--reason TEXT is required"
run 2 "$RA" agent; err_lines 1
# no questionnaire stored yet
run 1 "$RA" onboard --client "$EX/client_en.json" --date 2024-01-15; err_has "--questionnaire FILE"
# the English example: C5, no review, two agents
run 0 "$RA" onboard --client "$EX/client_en.json" --questionnaire "$Q" --date 2024-01-15
out_has "risk level      C5"; out_has "expires 2025-01-15"; out_has "A100001-1 \"Nest Egg\", version 1"
# the Chinese example in JSON: flagged with the reason in Chinese
run 0 "$RA" onboard --client "$EX/client_zh.json" --date 2024-01-15 --format json
[ "$(jget .profile.level)" = C3 ] && ok || bad "zh level $(jget .profile.level)"
[ "$(jget .profile.flags[0].rule)" = short-horizon-max-growth ] && ok || bad "zh flag"
out_has "两年内"
[ "$(jget .lang)" = zh-Hans ] && ok || bad "zh lang"
# the same in English on request
run 0 "$RA" onboard --client "$EX/client_zh.json" --date 2024-01-16 --lang en
out_has "short-horizon-max-growth: "
# errors: exact JSON path, exit 1, nothing stored
n0=$(records)
sed 's/"loss-buy"/"loss-bye"/' "$EX/client_en.json" >"$TMP/bad1.json"
run 1 "$RA" onboard --client "$TMP/bad1.json"; err_has '$.answers[7].choice: question "loss-reaction" has no such answer (the text given is not shown)'
sed 's/"birth_year": 1994/"birth_year": "1994"/' "$EX/client_en.json" >"$TMP/bad2.json"
run 1 "$RA" onboard --client "$TMP/bad2.json"; err_has '$.client.birth_year: expected a whole number'
sed 's/"type": "tax_free"/"type": "roth"/' "$EX/client_en.json" >"$TMP/bad3.json"
run 1 "$RA" onboard --client "$TMP/bad3.json"; err_has '$.accounts[1].type'
cat >"$TMP/bad4.json" <<'JSON'
{"client": {"code": "C7"}, "accounts": [{"code": "A7"}], "questionnaire": "ra-default", "version": 1,
 "answers": [{"question": "horizon", "choice": "h-gt10"}, {"question": "age", "value": 30.5}]}
JSON
run 1 "$RA" onboard --client "$TMP/bad4.json"; err_has '$.answers[1].value'
sed 's/"A100001-2"/"A100002-1"/' "$EX/client_en.json" | sed 's/C100001/C100009/' >"$TMP/bad5.json"
run 1 "$RA" onboard --client "$TMP/bad5.json"; err_has "belongs to another client"
[ "$(records)" = "$n0" ] && ok || bad "audit records $n0 -> $(records) after failed onboarding"
# agents: show, set with a reason, a level above the profile refused
run 0 "$RA" agent show A100002-1; out_has "risk_level    C3"; out_has "version 1"
run 0 "$RA" agent set A100002-1 --name "Safe Harbour" --param tlh=off --param cash_reserve=0.05 --reason "client call 2024-02-01"
out_has "version 2 (was 1)"
run 0 "$RA" agent show A100002-1 --format json
[ "$(jget .current.name)" = "Safe Harbour" ] && ok || bad "agent name"
[ "$(jget .history[1].reason)" = "client call 2024-02-01" ] && ok || bad "agent reason"
run 1 "$RA" agent set A100002-1 --param risk_level=C5 --reason "wants more" --date 2024-02-01
err_has "above the client's risk level C3"
run 2 "$RA" agent set A100002-1 --param colour=red --reason x; err_has 'no agent parameter "colour"'
# issue 10: re-onboarding keeps the advisor's parameters that the new profile allows, and says so
run 0 "$RA" agent set A100002-1 --param risk_level=C2 --param objective=income --reason "call 2024-02-02" --date 2024-02-02 --format json
[ "$(jget .current.risk_level)" = C2 ] && ok || bad "agent set json"
[ "$(jget .changed)" = true ] && ok || bad "agent set json changed"
run 0 "$RA" onboard --client "$EX/client_zh.json" --date 2024-02-03 --lang en
out_has "parameters kept: risk_level objective drift_band tlh loss_limit cash_reserve"
run 0 "$RA" agent show A100002-1 --format json
[ "$(jget .current.risk_level)" = C2 ] && ok || bad "risk_level reset by re-onboarding"
[ "$(jget .current.objective)" = income ] && ok || bad "objective reset by re-onboarding"
[ "$(jget .current.tlh)" = false ] && ok || bad "tlh reset by re-onboarding"
close "$(jget .current.cash_reserve)" 0.05 1e-12 "(cash_reserve kept)"
run 0 "$RA" onboard --client "$EX/client_zh.json" --date 2024-02-04 --format json
[ "$(jget '.accounts[0].agent_params.reset')" = "[]" ] || [ -z "$(jget '.accounts[0].agent_params.reset[0].param' 2>/dev/null)" ] && ok || bad "nothing to reset"
run 0 "$RA" audit verify
# the main job's step: the firm's 2 clients and 198 new ones from generated answers
run 0 "$RA" onboard --generate 200 --seed 7 --questionnaire "$Q" --date 2024-01-15
out_has "onboarded 200 clients"
# seeded, all five levels, on a new book
export ROBOADVISOR_DB=$TMP/book3.db
run 0 "$RA" init
run 0 "$RA" onboard --generate 200 --seed 7 --questionnaire "$Q" --date 2024-01-15 --format json
[ "$(jget .clients)" = 200 ] && ok || bad "generated clients $(jget .clients)"
for i in 0 1 2 3 4; do
  c=$(jget ".levels[$i].clients"); [ "$c" -gt 0 ] && ok || bad "level $i has no clients"
done
cp "$TMP/out" "$TMP/gen1.json"
export ROBOADVISOR_DB=$TMP/book2.db
run 0 "$RA" init
run 0 "$RA" onboard --generate 200 --seed 7 --questionnaire "$Q" --date 2024-01-15 --format json
cmp -s "$TMP/out" "$TMP/gen1.json" && ok || bad "the same seed gave other counts"
run 0 "$RA" onboard --generate 200 --seed 7 --questionnaire "$Q" --date 2024-01-15
out_has "level  clients  model"; out_has "C5"
run 0 "$RA" audit verify; out_has "hash chain intact"
finish
