#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store tests (CTest fixture, tests/CMakeLists.txt).
#   pg_server.sh start DIR   initdb in a temporary directory, start on a free port of 127.0.0.1
#                            (no other listener), create a database; prints the URL and writes
#                            it to DIR/url
#   pg_server.sh stop DIR    pg_ctl stop -m fast, remove the data directory and DIR
# PostgreSQL refuses to run as root: as root the server runs as the system user roboadvisor-pg
# (created if missing) through runuser. Binaries: the newest /usr/lib/postgresql/*/bin.
set -euo pipefail
cmd=${1:?usage: pg_server.sh start|stop DIR}
dir=${2:?usage: pg_server.sh start|stop DIR}
pguser=roboadvisor-pg
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg_server.sh: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$pguser" -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ "${RA_TEST_PG_HALVES:-1}" = 0 ]; then # tests/CMakeLists.txt: the sanitized build's CLI tests
    echo "pg_server.sh: not started: the CLI tests' PostgreSQL halves run in the release build" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ] && ! id "$pguser" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser" 2>/dev/null ||
      id "$pguser" >/dev/null # created meanwhile by a parallel run
  fi
  if [ -f "$dir/datadir" ]; then "$0" stop "$dir" || true; fi
  mkdir -p "$dir"
  data=$(mktemp -d /tmp/roboadvisor-pg.XXXXXX)
  echo "$data" >"$dir/datadir"
  [ "$(id -u)" = 0 ] && chown "$pguser" "$data"
  chmod 700 "$data"
  as_pg "$bin/initdb" -D "$data/db" -U postgres -A trust -E UTF8 --no-sync >"$data/initdb.log" 2>&1 ||
    { cat "$data/initdb.log" >&2; exit 1; }
  started=0
  for try in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi # in use
    if as_pg "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
         -o "-p $port -c listen_addresses=127.0.0.1 -k $data -c fsync=off -c full_page_writes=off" \
         start >/dev/null 2>&1; then
      started=1
      break
    fi
  done
  if [ "$started" != 1 ]; then
    echo "pg_server.sh: could not start the server; its log:" >&2
    cat "$data/server.log" >&2 || true
    exit 1
  fi
  echo "$port" >"$dir/port"
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres roboadvisor_test
  url="postgresql://postgres@127.0.0.1:$port/roboadvisor_test"
  echo "$url" >"$dir/url"
  echo "$url"
  ;;
stop)
  if [ -f "$dir/datadir" ]; then
    data=$(cat "$dir/datadir")
    if [ -d "$data/db" ]; then
      as_pg "$bin/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null 2>&1 || true
    fi
    case "$data" in /tmp/roboadvisor-pg.*) rm -rf "$data" ;; esac
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg_server.sh start|stop DIR" >&2
  exit 2
  ;;
esac
