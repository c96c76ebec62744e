#!/usr/bin/env bash
# A project-local PostgreSQL cluster: start | stop | status | url.
#   --dir DIR    where the cluster lives (default: $MUSICAGENT_HOME/var or <repo>/var)
#   --port PORT  TCP port on 127.0.0.1 (default: $MUSICAGENT_PG_PORT or 55432)
#   --ephemeral  no fsync: for throwaway test clusters only (a crash can corrupt them)
# On start it creates the cluster on first use, a `musicagent` role and database, and
# writes DIR/database_url, which musicagent reads when DATABASE_URL is not set.
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
action="${1:-}"; shift || true
dir="${MUSICAGENT_HOME:-$repo}/var"
port="${MUSICAGENT_PG_PORT:-55432}"
durability="-c synchronous_commit=off"
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --ephemeral) durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"; shift ;;
    *) echo "local-postgres.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "local-postgres.sh: PostgreSQL server binaries not found; run ./scripts/install-deps.sh" >&2
  exit 1
fi

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
pgdata="$dir/pgdata"
rundir="$dir/pgrun"
logfile="$dir/postgres.log"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
superuser() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }
psql_super() {
  "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$(superuser)" -d postgres "$@"
}

case "$action" in
  start)
    if [ ! -s "$pgdata/PG_VERSION" ]; then
      mkdir -p "$pgdata" "$rundir"
      if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$pgdata" "$rundir"
        if ! runuser -u postgres -- test -x "$dir"; then
          echo "local-postgres.sh: the postgres user cannot reach $dir (a parent folder is not world-executable)." >&2
          echo "  Put the project under a readable path or set DATABASE_URL to a server of your own." >&2
          exit 1
        fi
      fi
      as_owner "$bindir/initdb" -D "$pgdata" -A trust -U "$(superuser)" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    mkdir -p "$rundir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$rundir"
    touch "$logfile"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$logfile"
    if ! as_owner "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$pgdata" -l "$logfile" -w -t 60 \
        -o "-p $port -k $rundir -c listen_addresses=127.0.0.1 $durability" \
        start >/dev/null || { tail -n 20 "$logfile" >&2; exit 1; }
    fi
    if ! psql_super -tAc "select 1 from pg_roles where rolname = 'musicagent'" | grep -q 1; then
      psql_super -c "create role musicagent login createrole createdb"
    fi
    if ! psql_super -tAc "select 1 from pg_database where datname = 'musicagent'" | grep -q 1; then
      psql_super -c "create database musicagent owner musicagent"
    fi
    echo "postgresql://musicagent@127.0.0.1:$port/musicagent" > "$dir/database_url"
    echo "PostgreSQL is running on 127.0.0.1:$port (data in $pgdata); URL in $dir/database_url" >&2
    ;;
  stop)
    if [ -s "$pgdata/PG_VERSION" ]; then
      as_owner "$bindir/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  status)
    as_owner "$bindir/pg_ctl" -D "$pgdata" status
    ;;
  url)
    cat "$dir/database_url"
    ;;
  *)
    echo "usage: local-postgres.sh start|stop|status|url [--dir DIR] [--port PORT]" >&2
    exit 2
    ;;
esac
