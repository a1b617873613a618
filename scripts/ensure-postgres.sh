#!/usr/bin/env bash
# Installs (Debian package) and starts a PostgreSQL server on loopback for the tests, if it is
# not running yet. Prints nothing but the URL with --url. Idempotent.
set -euo pipefail
PORT="${PORTAL_PG_PORT:-54329}"
DATA="${PORTAL_PG_DATA:-/tmp/portal-pg}"
URL="postgresql+psycopg://portal:portal@127.0.0.1:${PORT}/portal_test"

if [[ "${1:-}" == "--url" ]]; then
  echo "$URL"
  exit 0
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "installing PostgreSQL from Debian's packages..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

run_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [[ ! -f "$DATA/PG_VERSION" ]]; then
  mkdir -p "$DATA"
  [[ $(id -u) -eq 0 ]] && { id postgres >/dev/null 2>&1 || useradd --system postgres; chown postgres "$DATA"; }
  chmod 700 "$DATA"
  run_as_pg "$bindir/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
fi

if ! run_as_pg "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  run_as_pg "$bindir/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null
fi

psql_pg() { run_as_pg "$bindir/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [[ -z "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname='portal'")" ]]; then
  psql_pg -c "CREATE ROLE portal LOGIN PASSWORD 'portal' CREATEDB"
fi
if [[ -z "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname='portal_test'")" ]]; then
  psql_pg -c "CREATE DATABASE portal_test OWNER portal"
fi
echo "PostgreSQL is running on 127.0.0.1:$PORT ($DATA)"
