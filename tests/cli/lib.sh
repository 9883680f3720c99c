# Helpers for the command-line tests: run with  bash test_x.sh ROBOADVISOR DATA_DIR REPO JSON_GET
#
# Every check ends in ok or bad, and both write to a results file rather than to shell
# variables: a check made inside $(...), a pipeline or ( ... ) runs in a subshell whose variables
# are lost, and a failure there (jget of a missing key, typically) used to vanish and leave "NaN"
# behind, which awk compares as 0. Each script states the least number of checks it makes
# (min_checks N, before finish): finish fails when fewer ran, so a loop over an empty list or a
# script that stops early cannot pass.
set -u
RA=$1; DATA=$2; REPO=$3; JG=$4
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
RESULTS="$TMP/.results"; : >"$RESULTS"
MIN_CHECKS=
ok()   { echo ok >>"$RESULTS"; }
bad()  { echo bad >>"$RESULTS"; echo "FAIL: $*" >&2; }  # stderr: a bad inside $(...) must not become the value
# min_checks N: the script makes at least N checks (ok or bad); finish fails otherwise
min_checks() { MIN_CHECKS=$1; }
# run EXPECTED_EXIT CMD...: runs the command, keeps stdout in $TMP/out and stderr in $TMP/err
run() {
  local want=$1; shift
  local t0=${EPOCHREALTIME:-0}
  "$@" >"$TMP/out" 2>"$TMP/err"; local got=$?
  # RA_TEST_TIMES=FILE: each command's wall seconds, to find what makes a test slow
  [ -z "${RA_TEST_TIMES:-}" ] || echo "$(awk -v a="$t0" -v b="${EPOCHREALTIME:-0}" 'BEGIN{printf "%.2f", b-a}') $*" >>"$RA_TEST_TIMES"
  if [ "$got" -eq "$want" ]; then ok; else bad "exit $got, want $want: $*"; sed 's/^/  stderr: /' "$TMP/err" | head -5; fi
}
# err_has TEXT: stderr contains TEXT;  out_has TEXT: stdout contains TEXT
err_has() { if grep -qF -- "$1" "$TMP/err"; then ok; else bad "stderr lacks \"$1\": $(head -c 300 "$TMP/err")"; fi; }
out_has() { if grep -qF -- "$1" "$TMP/out"; then ok; else bad "stdout lacks \"$1\""; fi; }
err_lines() { local n; n=$(wc -l <"$TMP/err"); if [ "$n" -eq "$1" ]; then ok; else bad "stderr has $n lines, want $1"; fi; }
# jget PATH: prints the value at PATH of the JSON in $TMP/out. A missing value is a failed check
# (recorded even inside $(...)), prints nothing and returns 1.
jget() {
  local v
  if v=$("$JG" "$1" <"$TMP/out"); then printf '%s\n' "$v"; else bad "no JSON value at $1"; return 1; fi
}
# is_number X: X is a finite decimal number (not empty, not NaN)
is_number() { [[ $1 =~ ^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$ ]]; }
# close A B TOL [NOTE]: A and B are numbers and |A - B| <= TOL
close() {
  if ! is_number "$1" || ! is_number "$2" || ! is_number "$3"; then
    bad "close: not numbers: \"$1\" \"$2\" \"$3\" ${4:-}"; return
  fi
  if awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if(d<0)d=-d; exit !(d<=t)}'; then ok; else bad "$1 is not within $3 of $2 ${4:-}"; fi
}
# qty of ticker $1 in the account show JSON in $TMP/out (0 when not held)
held() {
  local i=0 t
  while t=$("$JG" ".holdings[$i].ticker" <"$TMP/out" 2>/dev/null); do
    if [ "$t" = "$1" ]; then jget ".holdings[$i].qty"; return; fi
    i=$((i + 1))
  done
  echo 0
}
finish() {
  local passed failed
  passed=$(grep -c '^ok$' "$RESULTS"); failed=$(grep -c '^bad$' "$RESULTS")
  echo "$passed passed, $failed failed"
  if [ -z "$MIN_CHECKS" ]; then
    echo "FAIL: the script states no minimum number of checks (min_checks N)"; return 1
  fi
  if [ $((passed + failed)) -lt "$MIN_CHECKS" ]; then
    echo "FAIL: $((passed + failed)) checks ran, the script expects at least $MIN_CHECKS"; return 1
  fi
  [ "$failed" -eq 0 ]
}
