# roboadvisor backup end to end (docs/cli.md#backup, issue 15): a generated SQLite book copied
# while another process writes to it, the copy verified (check and audit verify on the copy, as
# the command says, and again here by opening the copy as a book); the same on a real PostgreSQL
# (pg_dump, restored into a scratch database that is dropped after). Usage errors and a copy that
# cannot be written fail without leaving a file behind.
source "$(dirname "$0")/lib.sh"
export ROBOADVISOR_USER=backup-test ROBOADVISOR_FIRM=DEMO
min_checks 24

scenario() {
  local B=$1 D=$2
  run 0 "$RA" generate-book --db "$B" --data "$DATA" --key-file "$TMP/key" --clients 6 \
    --from 2019-09-10 --to 2019-12-10
  export ROBOADVISOR_KEY; ROBOADVISOR_KEY=$(tr -d ' \n' <"$TMP/key")
  run 2 "$RA" backup --db "$B"
  err_has "--to DIR is required"
  # writes going on while the copy is made (withdrawal instructions, each its own transaction)
  local acc=A000001-1 # generate-book's first account
  run 0 "$RA" withdraw "$acc" --db "$B" --amount 1.00 --date 2019-12-12
  ( for i in $(seq 15); do "$RA" withdraw "$acc" --db "$B" --amount "1.$i" --date 2019-12-12 \
      >/dev/null 2>&1; done ) &
  local wpid=$!
  run 0 "$RA" backup --db "$B" --to "$D" --format json
  wait "$wpid"
  [ "$(jget .verified)" = true ] && ok || bad "backup not verified"
  [ "$(jget .accounts)" -gt 6 ] && ok || bad "backup checked no accounts"
  [ "$(jget .audit_records)" -gt 10 ] && ok || bad "backup verified no audit records"
  local f; f=$(jget .file)
  [ -s "$f" ] && ok || bad "no backup file $f"
  [ "$(stat -c %a "$f")" = 600 ] || [[ $B == postgres* ]] && ok || bad "backup file mode $(stat -c %a "$f")"
  # the copy, opened here as a book: check and audit verify on it
  if [[ $B != postgres* ]]; then
    run 0 "$RA" check --db "$f"
    run 0 "$RA" audit verify --db "$f"
  else
    [[ $f == *.dump ]] && ok || bad "a PostgreSQL backup is not a pg_dump file: $f"
    run 0 "$RA" check --db "$B"
  fi
  # the original is untouched and still verifies
  run 0 "$RA" audit verify --db "$B"
}

scenario "$TMP/book.db" "$TMP/backups"
# a destination that is a file: an error, nothing written
: >"$TMP/notadir"
run 1 "$RA" backup --db "$TMP/book.db" --to "$TMP/notadir"
# PostgreSQL
pg_url=${ROBOADVISOR_TEST_PG:-}
if [ -z "$pg_url" ] && pg_url=$(bash "$REPO/tests/support/pg_server.sh" start "$TMP/pg" 2>"$TMP/pg.log" | tail -n 1); then
  trap 'bash "$REPO/tests/support/pg_server.sh" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
if [ -n "$pg_url" ]; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  PSQL=psql; command -v psql >/dev/null || PSQL="$BIN/psql"
  db="backup_$$_$RANDOM"
  "$PSQL" -q -d "$pg_url" -c "CREATE DATABASE $db" && ok || bad "create database"
  rm -f "$TMP/key"
  scenario "${pg_url%/*}/$db" "$TMP/backups-pg"
  # the scratch database is gone
  [ -z "$("$PSQL" -qtA -d "$pg_url" -c "SELECT datname FROM pg_database WHERE datname LIKE 'ra_verify_%'")" ] \
    && ok || bad "a scratch database was left behind"
else
  echo "PostgreSQL not started, its half of the test skipped: $(tail -n 1 "$TMP/pg.log")"
fi
finish
