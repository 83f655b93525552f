# Sourced by the benchmarks that load PostgreSQL through the real binary
# (etl.sh, migrate.sh):
#   postgres_bench NAME TARGET [options passed on]
# builds openaps-server and the benchmark TARGET in their own Release build
# directory (BUILD_DIR, default build/bench-NAME), starts the local
# PostgreSQL cluster unless OPENAPS_TEST_POSTGRES_URL names one, and runs
# TARGET with --server and a scratch --work directory. JOBS: build jobs (2).
postgres_bench() {
    local name=$1 target=$2
    shift 2
    local build=${BUILD_DIR:-build/bench-$name}
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        deploy/install-deps.sh test
    fi
    export OPENAPS_TEST_POSTGRES_URL=${OPENAPS_TEST_POSTGRES_URL:-$(tests/start-postgres.sh | tail -1)}
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
    cmake --build "$build" --target openaps-server "$target" -- -j "${JOBS:-2}" >/dev/null
    local work
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # the directory is known now
    trap "rm -rf '$work'" EXIT
    "$build/tests/bench/$target" --server "$build/server/openaps-server" --work "$work" "$@"
}
