#!/usr/bin/env bash
# A hot standby of the test cluster (tests/start-postgres.sh, 127.0.0.1:5432)
# for the read replica tests (api_readreplica): pg_basebackup into a
# directory of its own, its own port, hot_standby=on, streaming from the
# test cluster as the openaps_test superuser. As root; the server runs as
# `postgres`. Run tests/start-postgres.sh first.
#   tests/start-postgres-replica.sh [start]   starts it (a standby that streams
#                                             already is kept, anything else is
#                                             made afresh); prints its URL
#                                             (OPENAPS_TEST_POSTGRES_REPLICA_URL)
#                                             on its last line
#   tests/start-postgres-replica.sh stop      stops it (the tests stop it and
#                                             start it again)
# OPENAPS_TEST_REPLICA_DIR (default /var/tmp/openaps-test-replica) and
# OPENAPS_TEST_REPLICA_PORT (default 5433) move it.
# The test cluster writes WAL fast (the benchmarks, other tests): the standby
# streams through a replication slot, so no segment it still needs is
# removed while it starts or is stopped, and the cluster keeps at most
# max_slot_wal_keep_size (2GB) for it, so a standby that is gone for good
# cannot fill the disk (the slot is then dropped and it is made afresh).
set -euo pipefail
# shellcheck source=tests/detach-fds.sh
. "$(dirname "$0")/detach-fds.sh"
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
bin=/usr/lib/postgresql/$version/bin
dir=${OPENAPS_TEST_REPLICA_DIR:-/var/tmp/openaps-test-replica}
port=${OPENAPS_TEST_REPLICA_PORT:-5433}
export PGPASSWORD=openaps_test
url="postgresql://openaps_test:openaps_test@127.0.0.1:$port/postgres"
slot=openaps_test_replica

as_postgres() { runuser -u postgres -- "$@"; }
pgctl() { as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 "$@"; }
running() { [ -f "$dir/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; }
ask() { # ask PORT SQL: one value
    psql -X -q -h 127.0.0.1 -p "$1" -U openaps_test -d postgres -tAc "$2"
}
# The standby replays and its WAL receiver streams from the primary.
streams() {
    [ "$(ask "$port" "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver
                      WHERE status = 'streaming')" 2>/dev/null)" = t ]
}
wait_for_streaming() { # up to a minute: on a loaded machine a standby takes its time to start
    for _ in $(seq 1 300); do
        streams && return 0
        sleep 0.2
    done
    return 1
}

case ${1:-start} in
    stop)
        if running; then pgctl stop -m fast >/dev/null; fi
        exit 0
        ;;
    start) ;;
    *) echo "usage: tests/start-postgres-replica.sh [start | stop]" >&2; exit 2 ;;
esac

pg_isready -q -h 127.0.0.1 -p 5432 || { echo "the test cluster does not run: run tests/start-postgres.sh first" >&2; exit 1; }

# Kept from before (stopped by a test, or by a reboot): start it again, and
# keep it if it catches up with the primary.
if [ -f "$dir/standby.signal" ]; then
    running || pgctl start >/dev/null 2>&1 || true
    if wait_for_streaming; then
        echo "$url"
        exit 0
    fi
    echo "the standby in $dir does not stream from the test cluster: making it afresh" >&2
fi

if running; then pgctl stop -m immediate >/dev/null || true; fi
if [ "$(ask 5432 "SHOW max_slot_wal_keep_size")" = -1 ]; then
    ask 5432 "ALTER SYSTEM SET max_slot_wal_keep_size = '2GB'" >/dev/null
    ask 5432 "SELECT pg_reload_conf()" >/dev/null
fi
# The old standby's slot, once its WAL sender has gone.
for _ in $(seq 1 50); do
    [ "$(ask 5432 "SELECT COUNT(*) FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active")" = 1 ] \
        && ask 5432 "SELECT pg_drop_replication_slot('$slot')" >/dev/null
    [ "$(ask 5432 "SELECT COUNT(*) FROM pg_replication_slots WHERE slot_name = '$slot'")" = 0 ] && break
    sleep 0.2
done
rm -rf "$dir"
mkdir -p "$dir"
chown postgres:postgres "$dir"
chmod 700 "$dir"
# -R: standby.signal, primary_conninfo and primary_slot_name; -X stream: the
# WAL of the copy itself; -C -S: the slot, made before the copy starts.
as_postgres env PGPASSWORD="$PGPASSWORD" "$bin/pg_basebackup" -h 127.0.0.1 -p 5432 -U openaps_test \
    -D "$dir" -X stream -C -S "$slot" -R -c fast
# A standby needs at least the primary's values of these (hot standby refuses to start otherwise).
limits=""
for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    limits+="$setting = $(ask 5432 "SHOW $setting")"$'\n'
done
# Debian keeps the primary's configuration in /etc: the copy has none of its own.
as_postgres tee "$dir/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
hot_standby = on
# Long exports on the standby are not cancelled by the primary's vacuum.
hot_standby_feedback = on
wal_receiver_status_interval = 1s
shared_buffers = 32MB
$limits
CONF
as_postgres tee "$dir/pg_hba.conf" >/dev/null <<'HBA'
local all postgres              peer
host  all all      127.0.0.1/32 scram-sha-256
HBA
as_postgres touch "$dir/pg_ident.conf"
pgctl start >/dev/null
wait_for_streaming || { echo "the standby does not stream (see $dir/server.log)" >&2; exit 1; }
echo "$url"
