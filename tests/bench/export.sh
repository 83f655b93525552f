#!/usr/bin/env bash
# Export benchmark (tests/bench/run.sh export): ENTRIES synthetic entries
# (default 1,000,000; 100 participants, one reading every 5 minutes each)
# loaded into PostgreSQL, then downloaded as CSV over real HTTP with curl
# from the export API (bench server: WebServer + ExportApi, fixed token), and
# PostgreSQL's own `COPY (SELECT same columns) TO STDOUT` through psql into a
# file as the baseline, in the same run. Peak RSS (VmHWM) of the server is
# read for a small export (a tenth: 10 participants) and for all rows, each
# from a fresh server process, to show it does not grow with the size.
# Also reported (not in the summary): NDJSON and gzip CSV of all rows.
# LAST line:
#   export rows_per_s=N copy_rows_per_s=N ratio=R peak_rss_mb=M peak_rss_small_mb=M
# Goals: ratio >= 0.5, peak RSS < 100 MB regardless of size.
# Environment: ENTRIES, BUILD_DIR (default build/bench-export, Release),
# OPENAPS_TEST_POSTGRES_URL (default: the cluster tests/start-postgres.sh starts).
set -euo pipefail
cd "$(dirname "$0")/../.."
entries=${ENTRIES:-1000000}
# shellcheck source=tests/bench/common/api-bench.sh
. tests/bench/common/api-bench.sh
api_bench_setup export

# Downloads a path; prints "seconds bytes".
download() {
    curl -sS --fail -o "$2" -w '%{time_total} %{size_download}\n' \
        -H 'Authorization: Bearer bench' "http://127.0.0.1:$port$1"
}

api_bench_start # creates the schema
echo "loading $entries entries into PostgreSQL ..."
t0=$(now)
psql "$url" -v ON_ERROR_STOP=1 -q <<SQL
$(api_bench_entries_sql "$entries")
ANALYZE entries;
SQL
echo "loaded in $(since "$t0") s"

# Baseline: the same rows and columns, rendered by PostgreSQL, through psql.
columns="t.user_id, t.id, t.sgv, t.direction, t.device, t.type, t.rssi, t.rawbg, t.trend, t.glucose, t.mbg,
 t.delta, t.filtered, t.unfiltered, t.noise, t.scale, t.slope, t.intercept, t.system_time, t.source_entity,
 t.raw_json::text, to_char(t.date AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), t.utc_offset"
t0=$(now)
psql "$url" -Atc "COPY (SELECT $columns FROM entries t WHERE t.source_entity = ANY ('{0,1,2}')
                        ORDER BY t.user_id, t.date NULLS LAST, t.seq_id) TO STDOUT WITH (FORMAT csv)" >"$work/copy.csv"
copy_seconds=$(since "$t0")
copy_rows=$(wc -l <"$work/copy.csv")

# Small export (10 of 100 participants) on a fresh server.
members=$(seq -s, 50000000 50000009)
api_bench_start
read -r small_seconds small_bytes < <(download "/api/v1/export/entries?format=csv&participants=$members" "$work/small.csv")
small_rows=$(($(wc -l <"$work/small.csv") - 1))
rss_small=$(mb "$server_pid")

# All rows on a fresh server.
api_bench_start
read -r seconds bytes < <(download "/api/v1/export/entries?format=csv" "$work/all.csv")
rows=$(($(wc -l <"$work/all.csv") - 1))
rss=$(mb "$server_pid")
if [ "$rows" != "$copy_rows" ] || [ "$(tail -n +2 "$work/all.csv" | cmp - "$work/copy.csv" >/dev/null && echo same)" != same ]; then
    echo "the export differs from COPY: $rows rows vs $copy_rows" >&2
    exit 1
fi
read -r nd_seconds nd_bytes < <(download "/api/v1/export/entries?format=ndjson" "$work/all.ndjson")
read -r gz_seconds gz_bytes < <(download "/api/v1/export/entries?format=csv&gzip=1" "$work/all.csv.gz")
rss_formats=$(mb "$server_pid")
[ "$(gzip -dc "$work/all.csv.gz" | cmp - "$work/all.csv" >/dev/null && echo same)" = same ] || { echo "gzip differs" >&2; exit 1; }

rows_per_s=$(rate "$rows" "$seconds")
copy_rows_per_s=$(rate "$copy_rows" "$copy_seconds")
ratio=$(ratio "$rows_per_s" "$copy_rows_per_s")
echo "COPY through psql: $copy_rows rows in $copy_seconds s ($copy_rows_per_s rows/s)"
echo "export csv:        $rows rows, $((bytes / 1048576)) MB in $seconds s ($rows_per_s rows/s), byte-identical to COPY; peak RSS $rss MB"
echo "export csv small:  $small_rows rows, $((small_bytes / 1048576)) MB in $small_seconds s; peak RSS $rss_small MB"
echo "export ndjson:     $rows rows, $((nd_bytes / 1048576)) MB in $nd_seconds s ($(rate "$rows" "$nd_seconds") rows/s)"
echo "export csv gzip:   $rows rows, $((gz_bytes / 1048576)) MB in $gz_seconds s ($(rate "$rows" "$gz_seconds") rows/s); peak RSS after all three $rss_formats MB"
echo "export rows_per_s=$rows_per_s copy_rows_per_s=$copy_rows_per_s ratio=$ratio peak_rss_mb=$rss peak_rss_small_mb=$rss_small"
