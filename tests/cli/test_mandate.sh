# roboadvisor mandate show | set | history end to end (docs/cli.md#mandate) on SQLite: the
# accounts CSV's optional mandate columns, version 1 from the import, a set that writes version 2
# with who and why, an unchanged set that writes nothing, bad keys and values refused naming the
# key (exit 1, nothing written), the agent a view of the mandate, and audit verify clean after.
# PostgreSQL: the store functions run on both backends in tests/unit/test_mandate.c.
source "$(dirname "$0")/lib.sh"
min_checks 70
E="$REPO/examples/data"
export ROBOADVISOR_DB=$TMP/book.db ROBOADVISOR_USER=cli-test
export ROBOADVISOR_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
unset ROBOADVISOR_FIRM
records() { "$RA" audit verify | sed -n 's/^ok: \([0-9]*\) audit records.*/\1/p'; }
run 0 "$RA" init
run 0 "$RA" import clients "$E/clients.csv"
# two accounts with the optional columns (one left empty: the default), one without them
cat >"$TMP/acc.csv" <<'CSV'
code,client,type,currency,opened,model,discretionary,drift_band,tlh,loss_limit,restrictions,relief,buy_only,cash_reserve,min_trade_minor,fractional
M1,C000001,taxable,USD,2023-01-03,growth_80,yes,0.04,yes,0.10,,hifo,1,0.03,2500,1
M2,C000001,tax_deferred,USD,2023-01-03,growth_80,yes,0.05,no,0.10,,,,,,
CSV
run 0 "$RA" import accounts "$TMP/acc.csv"; out_has "2 new"
run 0 "$RA" import accounts "$E/accounts.csv"
# usage errors: exit 2, one line
run 2 "$RA" mandate; err_lines 1
run 2 "$RA" mandate show; err_has "ACCOUNT is required"
run 2 "$RA" mandate set M1 buy_only=0 --reason x; err_has "--by USER is required"
run 2 "$RA" mandate set M1 buy_only=0 --by ann; err_has "--reason TEXT is required"
run 2 "$RA" mandate set M1 --by ann --reason x; err_has "nothing to change"
run 2 "$RA" mandate show M1 --reason x; err_has "belong to 'mandate set'"
# version 1 from the import: the CSV's values, the defaults elsewhere
run 0 "$RA" mandate show M1 --format json
[ "$(jget .version)" = 1 ] && ok || bad "M1 version"
[ "$(jget .mandate.relief)" = hifo ] && ok || bad "M1 relief"
[ "$(jget .mandate.buy_only)" = 1 ] && ok || bad "M1 buy_only"
close "$(jget .mandate.cash_reserve)" 0.03 1e-12 "M1 cash_reserve"
[ "$(jget .mandate.min_trade_minor)" = 2500 ] && ok || bad "M1 min_trade_minor"
[ "$(jget .mandate.fractional)" = 1 ] && ok || bad "M1 fractional"
close "$(jget .mandate.drift_band)" 0.04 1e-12 "M1 drift_band"
[ "$(jget .mandate.band_rel)" = 0.25 ] && ok || bad "M1 band_rel default"
[ "$(jget .mandate.gain_budget_minor)" = -1 ] && ok || bad "M1 gain budget default"
[ "$(jget .reason)" = "account opened" ] && ok || bad "M1 reason"
run 0 "$RA" mandate show M2 --format json
[ "$(jget .mandate.relief)" = fifo ] && ok || bad "M2 relief (retirement default)"
close "$(jget .mandate.cash_reserve)" 0.02 1e-12 "M2 cash_reserve default"
run 0 "$RA" mandate show A000001-1 --format json
[ "$(jget .mandate.relief)" = tax-aware ] && ok || bad "A000001-1 relief (taxable default)"
run 0 "$RA" mandate show M1; out_has "mandate of account M1, version 1"; out_has "relief               hifo"
# a bad key or value: exit 1 naming the key, nothing written
n0=$(records)
run 1 "$RA" mandate set M1 colour=red --by ann --reason x; err_has 'no mandate field "colour"'
run 1 "$RA" mandate set M1 loss_limit=0.2 --by ann --reason x; err_has "loss_limit"; err_has "outside (0, 0.15]"
run 1 "$RA" mandate set M1 relief=lifo --by ann --reason x; err_has "relief must be fifo, hifo or tax-aware"
run 1 "$RA" mandate set M1 buy_only=maybe --by ann --reason x; err_has "buy_only must be 0 or 1"
run 2 "$RA" mandate set M1 buy_only --by ann --reason x; err_has "is not KEY=VALUE"
run 1 "$RA" mandate show NOPE; err_has "no account NOPE"
[ "$(records)" = "$n0" ] && ok || bad "audit records $n0 -> $(records) after refused sets"
# a change: version 2 with who and why; the same again writes nothing
run 0 "$RA" mandate set M1 buy_only=0 relief=tax-aware gain_budget_minor=500000 --by ann --reason "advisor review 2024-03"
out_has "version 2 (was 1)"
run 0 "$RA" mandate set M1 buy_only=0 --by ann --reason "again"; out_has "unchanged, version 2"
run 0 "$RA" mandate history M1 --format json
[ "$(jget .versions[1].user)" = ann ] && ok || bad "history user"
[ "$(jget .versions[1].reason)" = "advisor review 2024-03" ] && ok || bad "history reason"
[ "$(jget .versions[1].mandate.gain_budget_minor)" = 500000 ] && ok || bad "history budget"
[ "$(jget .versions[0].mandate.relief)" = hifo ] && ok || bad "history keeps version 1"
run 0 "$RA" mandate history M1; out_has "advisor review 2024-03"
# a dated version
run 0 "$RA" mandate set M1 drift_band=0.06 --effective 2024-06-03 --by ann --reason "from June" --format json
[ "$(jget .current.effective)" = 2024-06-03 ] && ok || bad "effective date"
run 0 "$RA" mandate set M1 buy_only=1 --by ann --reason "at once" --format json
[ "$(jget .current.effective)" = null ] && ok || bad "a version without --effective is at once"
# the agent is a view of the mandate: none yet for an imported account
run 1 "$RA" agent show M1; err_has "no agent yet"
run 0 "$RA" audit verify; out_has "book equal to its audit trail"
run 0 "$RA" check
finish
