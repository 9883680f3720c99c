# Helpers for the command-line tests: run with  bash test_x.sh ROBOADVISOR DATA_DIR REPO JSON_GET
set -u
RA=$1; DATA=$2; REPO=$3; JG=$4
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
bad()  { failed=$((failed + 1)); echo "FAIL: $*"; }
# run EXPECTED_EXIT CMD...: runs the command, keeps stdout in $TMP/out and stderr in $TMP/err
run() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"; local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "exit $got, want $want: $*"; sed 's/^/  stderr: /' "$TMP/err" | head -5; fi
}
# err_has TEXT: stderr contains TEXT;  out_has TEXT: stdout contains TEXT
err_has() { if grep -qF -- "$1" "$TMP/err"; then ok; else bad "stderr lacks \"$1\": $(head -c 300 "$TMP/err")"; fi; }
out_has() { if grep -qF -- "$1" "$TMP/out"; then ok; else bad "stdout lacks \"$1\""; fi; }
err_lines() { local n; n=$(wc -l <"$TMP/err"); if [ "$n" -eq "$1" ]; then ok; else bad "stderr has $n lines, want $1"; fi; }
# jget PATH: value at PATH of the JSON in $TMP/out (fails the test if absent)
jget() { "$JG" "$1" <"$TMP/out" || { bad "no JSON value at $1"; echo NaN; }; }
# close A B TOL: |A - B| <= TOL
close() { if awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if(d<0)d=-d; exit !(d<=t)}'; then ok; else bad "$1 is not within $3 of $2 ${4:-}"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
