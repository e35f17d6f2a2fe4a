#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests on 127.0.0.1 (trust authentication, no
# fsync, data in a temporary directory) and prints its URL on stdout.
#   Scripts/service/postgres-test-server.sh start PORT   → postgres://stclip@127.0.0.1:PORT/stclip_test?sslmode=disable
#   Scripts/service/postgres-test-server.sh stop         → stops it and removes its data
# Uses the newest /usr/lib/postgresql/*/bin (Debian's postgresql package). As root, the server
# runs as the postgres user, since PostgreSQL refuses to run as root.
# STCLIP_TEST_POSTGRES_STATE moves its directory (default /tmp/stclip-test-postgres), so that two
# servers can run side by side; `stop` must then be given the same.
set -euo pipefail

state=${STCLIP_TEST_POSTGRES_STATE:-/tmp/stclip-test-postgres}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    echo "postgres-test-server: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)" >&2
    exit 1
fi
as_owner=()
[ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)

case "${1:-}" in
start)
    port=${2:?port}
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$state"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$state"
    "${as_owner[@]}" "$bin/initdb" -D "$state/data" -A trust -U stclip --no-sync >"$state/initdb.log" 2>&1 \
        || { cat "$state/initdb.log" >&2; exit 1; }
    "${as_owner[@]}" "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $state -F" start >/dev/null \
        || { cat "$state/server.log" >&2; exit 1; }
    "${as_owner[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U stclip -d postgres -q -c "CREATE DATABASE stclip_test" >/dev/null
    echo "postgres://stclip@127.0.0.1:$port/stclip_test?sslmode=disable"
    ;;
stop)
    if [ -d "$state/data" ]; then
        "${as_owner[@]}" "$bin/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$state"
    ;;
*)
    echo "usage: $0 start PORT | stop" >&2
    exit 2
    ;;
esac
