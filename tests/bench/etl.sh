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
. tests/bench/common/postgres-bench.sh
postgres_bench etl openaps-bench-etl "$@"
