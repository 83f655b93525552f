#!/usr/bin/env bash
# Benchmarks (not tests; nothing here runs in CTest or tests/run.sh):
#   tests/bench/run.sh NAME [options]
# Each benchmark prints its findings and, as its LAST line, one summary of
# key=value pairs, e.g. "etl rows_per_s=41000 copy_rows_per_s=45000 ...".
#
#   etl    ETL into PostgreSQL vs COPY of the same rows, peak RSS (etl.sh)
#   ingest 5-year first pull, then hourly bytes vs the old design (ingest.sh)
#
# Adding one: write tests/bench/<name>.sh (found by name, no change here
# needed) or add a case below; build in your own build directory
# (build/bench-<name>) in Release, so benchmarks never share object files
# with the development builds.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
    echo "Usage: tests/bench/run.sh NAME [options]" >&2
    echo "Benchmarks:" >&2
    echo "  etl" >&2
    echo "  ingest" >&2
    for script in tests/bench/*.sh; do
        name=$(basename "$script" .sh)
        [ "$name" = run ] || [ "$name" = etl ] || [ "$name" = ingest ] || echo "  $name" >&2
    done
    exit 2
}

name=${1:-}
[ $# -gt 0 ] && shift
case "$name" in
    etl) exec tests/bench/etl.sh "$@" ;;
    ingest) exec tests/bench/ingest.sh "$@" ;;
    "" | -h | --help) usage ;;
    *)
        if [ -x "tests/bench/$name.sh" ]; then
            exec "tests/bench/$name.sh" "$@"
        fi
        echo "No benchmark named '$name'." >&2
        usage
        ;;
esac
