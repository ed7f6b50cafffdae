#!/usr/bin/env bash
# Start a local PostgreSQL server for the audit-store tests and print the URL to use.
#
#   eval "$(bash scripts/start-postgres.sh)"      # sets PRIORAUTH_TEST_PG_URL
#
# Run as root on Debian/Ubuntu. Installs the server when it is missing (apt-get install -y
# postgresql; set PRIORAUTH_PG_NO_INSTALL=1 to refuse), starts the newest cluster, creates the
# role and database, and prints one line on stdout:
#
#   export PRIORAUTH_TEST_PG_URL=postgresql+psycopg://priorauth:...@127.0.0.1:5432/priorauth_test
#
# Everything else goes to stderr. Safe to run twice (it reuses a running cluster and existing
# role/database). Settings: PRIORAUTH_PG_USER (priorauth), PRIORAUTH_PG_PASSWORD (priorauth),
# PRIORAUTH_PG_DB (priorauth_test), PRIORAUTH_PG_PORT (5432).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"

user=${PRIORAUTH_PG_USER:-priorauth}
password=${PRIORAUTH_PG_PASSWORD:-priorauth}
db=${PRIORAUTH_PG_DB:-priorauth_test}
port=${PRIORAUTH_PG_PORT:-5432}

say() { echo "start-postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  say "must run as root (it installs and starts the system PostgreSQL server)."
  say "Otherwise start a server yourself and set PRIORAUTH_TEST_PG_URL=postgresql+psycopg://USER:PASS@HOST:PORT/DB"
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "${PRIORAUTH_PG_NO_INSTALL:-0}" = 1 ]; then
    say "PostgreSQL is not installed (and PRIORAUTH_PG_NO_INSTALL=1). Run: apt-get install -y postgresql"
    exit 1
  fi
  say "installing postgresql"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  say "creating cluster $version/main on port $port"
  pg_createcluster --port "$port" "$version" main >&2
fi
cluster_port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  say "starting cluster $version/main (port $cluster_port)"
  pg_ctlcluster "$version" main start >&2
fi

for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$cluster_port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$cluster_port" || { say "server did not become ready"; exit 1; }

psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt -p "$cluster_port" "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]; then
  say "creating role $user"
  psql_admin -c "CREATE ROLE \"$user\" LOGIN PASSWORD '$password'" >&2
else
  psql_admin -c "ALTER ROLE \"$user\" LOGIN PASSWORD '$password'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
  say "creating database $db"
  psql_admin -c "CREATE DATABASE \"$db\" OWNER \"$user\"" >&2
fi

echo "export PRIORAUTH_TEST_PG_URL=postgresql+psycopg://$user:$password@127.0.0.1:$cluster_port/$db"
