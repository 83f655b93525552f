#!/usr/bin/env bash
# Migration benchmark (tests/bench/run.sh migrate): an old Data Commons
# database built from tests/fixtures/legacy/schema.sql with ENTRIES old
# entries (default 1,000,000; 100 members), migrated by the real binary
# (`openaps-server migrate-legacy`) into PostgreSQL, against COPY of the same
# rows into identical tables in the same run. LAST line:
#   migrate rows_per_s=N copy_rows_per_s=N ratio=R peak_rss_mb=N
# Goals: ratio >= 0.7, peak RSS < 100 MB.
# Environment: ENTRIES, BUILD_DIR (default build/bench-migrate, a Release
# build), OPENAPS_TEST_POSTGRES_URL (default: the cluster tests/start-postgres.sh starts).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/common/postgres-bench.sh
postgres_bench migrate openaps-bench-migrate --schema tests/fixtures/legacy/schema.sql --entries "${ENTRIES:-1000000}"
