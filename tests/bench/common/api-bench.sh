# shellcheck shell=bash
# Sourced by the researcher API benchmarks that drive a bench server over
# real HTTP (export.sh, release.sh):
#   api_bench_setup NAME   builds openaps-bench-NAME-server in its own
#                          Release build directory (BUILD_DIR, default
#                          build/bench-NAME; configured only if new), starts
#                          the local PostgreSQL cluster unless
#                          OPENAPS_TEST_POSTGRES_URL names one, and creates a
#                          throw-away database. Sets admin (the cluster's
#                          URL), url (the database's), server_bin and work (a
#                          scratch directory).
#   api_bench_start [OPTIONS]
#                          (re)starts the server on the database with
#                          OPTIONS, its log in $work/server.log; sets
#                          server_pid and port. It migrates the database.
# On exit the server is stopped, the database dropped and $work removed;
# a script's own api_bench_on_exit function, if any, runs first.
#   api_bench_entries_sql N
#                          prints the INSERT of N synthetic entries (100
#                          participants, one reading every 5 minutes each
#                          from 2023-01-01) for a script's psql.
# Helpers: now; since T (seconds since T); mb PID (peak RSS in MB); rate
# ROWS SECONDS; ratio A B.

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
rate() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%d", r / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

api_bench_setup() {
    local bench=$1
    local build=${BUILD_DIR:-build/bench-$bench}
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        deploy/install-deps.sh test
    fi
    admin=${OPENAPS_TEST_POSTGRES_URL:-$(tests/start-postgres.sh | tail -1)}
    if [ ! -f "$build/CMakeCache.txt" ]; then
        cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
    fi
    cmake --build "$build" --target "openaps-bench-$bench-server" -- -j "${JOBS:-2}" >/dev/null
    server_bin="$build/tests/bench/openaps-bench-$bench-server"
    work=$(mktemp -d)
    api_bench_name="bench_${bench}_$$"
    url="${admin%/*}/$api_bench_name"
    server_pid=""
    trap api_bench_cleanup EXIT
    psql "$admin" -qc "CREATE DATABASE $api_bench_name" >/dev/null
}

api_bench_cleanup() {
    if declare -F api_bench_on_exit >/dev/null; then api_bench_on_exit || true; fi
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    psql "$admin" -qc "DROP DATABASE IF EXISTS $api_bench_name WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}

api_bench_start() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    fi
    "$server_bin" --database "$url" --token bench "$@" >"$work/server.log" 2>&1 &
    server_pid=$!
    port=""
    for _ in $(seq 1 200); do
        port=$(awk '/^port / { print $2 }' "$work/server.log")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "the bench server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

api_bench_entries_sql() {
    local entries=$1
    cat <<SQL
INSERT INTO entries (user_id, id, sgv, direction, device, type, delta, filtered, unfiltered, rssi, noise,
                     source_entity, raw_json, "date", utc_offset)
SELECT 50000000 + i % 100, 'e' || i, 40 + (i::bigint * 7919) % 360,
       (ARRAY['Flat', 'FortyFiveUp', 'SingleDown', 'FortyFiveDown'])[1 + i % 4], 'xDrip-DexcomG6', 'sgv',
       ((i % 11) - 5) * 1.5, 150000 + i % 1000, 151000 + i % 997, 100, 1, (i % 100) % 3,
       jsonb_build_object('_id', 'e' || i, 'sgv', 40 + (i::bigint * 7919) % 360, 'direction', 'Flat',
                          'device', 'xDrip-DexcomG6', 'type', 'sgv',
                          'date', 1672531200000 + (i / 100) * 300000::bigint, 'utcOffset', -300),
       timestamptz '2023-01-01 00:00:00+00' + (i / 100) * interval '5 minutes', -300
FROM generate_series(0, $entries - 1) AS i;
SQL
}
