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
