#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: initdb in a temporary folder, a free
# port, CIVIC_DATABASE_URL pointing at it; stopped and removed when the command ends.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "PostgreSQL server not installed (scripts/system-packages.sh test)" >&2; exit 1; }

dir=$(mktemp -d /tmp/civic-pg.XXXXXX)
chown postgres: "$dir"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

as_pg "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres civic

export CIVIC_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/civic"
export CIVIC_TEST_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL on port $port (removed afterwards)"
"$@"
