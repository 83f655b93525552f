#!/usr/bin/env bash
# ETL benchmark (tests/bench/run.sh etl): 1,000,000 synthetic entries plus
# 100,000 treatments and 100,000 devicestatus into PostgreSQL through the
# real ETL path (`openaps-server import --dir`), then COPY of the same rows
# into identical tables; rows/s of both, the ratio, peak RSS for 100k and
# for all rows. LAST line:
#   etl rows_per_s=<etl> copy_rows_per_s=<copy> ratio=<etl/copy> peak_rss_mb=<all> peak_rss_100k_mb=<100k>
# Goals: ratio >= 0.8, peak_rss_mb < 100.
# Options are passed on (--entries N --treatments N --devicestatus N).
# Environment: BUILD_DIR (default build/bench-etl, a Release build),
# OPENAPS_TEST_POSTGRES_URL (default: the local cluster tests/start-postgres.sh starts).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/bench-etl}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    deploy/install-deps.sh test
fi
export OPENAPS_TEST_POSTGRES_URL=${OPENAPS_TEST_POSTGRES_URL:-$(tests/start-postgres.sh | tail -1)}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
cmake --build "$build" --target openaps-server openaps-bench-etl -- -j "${JOBS:-2}" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/tests/bench/openaps-bench-etl" --server "$build/server/openaps-server" --work "$work" "$@"
