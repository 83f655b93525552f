#!/usr/bin/env bash
# Release benchmark (tests/bench/run.sh release): ENTRIES entries (default
# 1,000,000), TREATMENTS treatments and DEVICE_STATUS device status rows
# (100,000 each; 100 participants) loaded into PostgreSQL; then, in the same
# run:
#   - PostgreSQL's own COPY TO of what the three exports hold (the same
#     SELECT the export runs, printed by the bench server) through psql into
#     files: the baseline;
#   - a release of the three datasets as CSV with deflate, from POST to
#     ready (over real HTTP, the real ReleaseApi), and one stored; each
#     file in the zip is checked byte for byte against COPY's output;
#   - serving the finished (stored) zip: curl from the server against curl
#     of the same file from nginx (Debian's nginx, installed if missing) on
#     loopback.
# Peak RSS (VmHWM) of the server after all of it.
# LAST line:
#   release rows_per_s=N copy_rows_per_s=N ratio=R stored_ratio=R serve_ratio=R peak_rss_mb=M zip_mb=M
# Goals: ratio >= 0.6 (deflate), stored_ratio >= 0.85, serve_ratio >= 0.8, peak RSS < 100 MB.
# Environment: ENTRIES, TREATMENTS, DEVICE_STATUS, BUILD_DIR (default
# build/bench-release, Release), OPENAPS_TEST_POSTGRES_URL (default: the
# cluster tests/start-postgres.sh starts).
set -euo pipefail
cd "$(dirname "$0")/../.."
entries=${ENTRIES:-1000000}
treatments=${TREATMENTS:-100000}
device_status=${DEVICE_STATUS:-100000}

if ! command -v nginx >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends nginx-light unzip >/dev/null 2>&1 \
        || apt-get install -y --no-install-recommends nginx unzip >/dev/null
fi
# shellcheck source=tests/bench/common/api-bench.sh
. tests/bench/common/api-bench.sh
api_bench_setup release
chmod 755 "$work" # nginx reads the releases
nginx_pid=""
api_bench_on_exit() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; }
mkdir -p "$work/releases"
api_bench_start --dir "$work/releases"
api() { curl -sS --fail -H 'Authorization: Bearer bench' "$@"; }

echo "loading $entries entries, $treatments treatments, $device_status device status rows into PostgreSQL ..."
t0=$(now)
psql "$url" -v ON_ERROR_STOP=1 -q <<SQL
$(api_bench_entries_sql "$entries")
INSERT INTO treatments (user_id, id, event_type, insulin, carbs, entered_by, source_entity, raw_json, created_at,
                        utc_offset)
SELECT 50000000 + i % 100, 't' || i, (ARRAY['Correction Bolus', 'Meal Bolus', 'Temp Basal'])[1 + i % 3],
       CASE WHEN i % 3 < 2 THEN 0.05 * (i % 97) END, CASE WHEN i % 3 = 1 THEN i % 80 END, 'openaps://bench',
       (i % 100) % 3,
       jsonb_build_object('_id', 't' || i, 'eventType', 'Meal Bolus', 'insulin', 0.05 * (i % 97),
                          'created_at', '2023-01-01T00:00:00Z'),
       timestamptz '2023-01-01 00:00:00+00' + (i / 100) * interval '50 minutes', -300
FROM generate_series(0, $treatments - 1) AS i;
INSERT INTO device_status (user_id, id, device, pump_id, pump_bolusing, pump_suspended, loop_cob, loop_iob,
                           loop_version, source_entity, raw_json, created_at, utc_offset)
SELECT 50000000 + i % 100, 'd' || i, 'openaps://edison', 'pump-' || (i % 100), i % 7 = 0, false, i % 50,
       0.01 * (i % 300), '0.7.1', (i % 100) % 3,
       jsonb_build_object('_id', 'd' || i, 'device', 'openaps://edison', 'openaps',
                          jsonb_build_object('iob', jsonb_build_object('iob', 0.01 * (i % 300)))),
       timestamptz '2023-01-01 00:00:00+00' + (i / 100) * interval '50 minutes', -300
FROM generate_series(0, $device_status - 1) AS i;
ANALYZE entries; ANALYZE treatments; ANALYZE device_status;
SQL
echo "loaded in $(since "$t0") s"
datasets="entries treatments device_status"
total_rows=$((entries + treatments + device_status))

# Baseline: COPY TO of the same SELECTs through psql, one after the other.
t0=$(now)
for d in $datasets; do
    "$server_bin" --copy-sql "$d" >"$work/$d.sql"
    psql "$url" -qAt -v ON_ERROR_STOP=1 -f "$work/$d.sql" >"$work/copy-$d.csv"
done
copy_seconds=$(since "$t0")
copy_rows=0
for d in $datasets; do copy_rows=$((copy_rows + $(wc -l <"$work/copy-$d.csv"))); done
[ "$copy_rows" = "$total_rows" ] || { echo "COPY gave $copy_rows rows, not $total_rows" >&2; exit 1; }

# A release from POST to ready; prints "seconds id".
release() {
    local t id state
    t=$(now)
    id=$(api -X POST -H 'Content-Type: application/json' \
        -d "{\"datasets\":[\"entries\",\"treatments\",\"device_status\"],\"compression\":\"$1\"}" \
        "http://127.0.0.1:$port/api/v1/releases" | sed -n 's/.*"id": *\([0-9]*\).*/\1/p')
    while :; do
        state=$(api "http://127.0.0.1:$port/api/v1/releases/$id" | sed -n 's/.*"state": *"\([a-z]*\)".*/\1/p')
        [ "$state" = ready ] && break
        case "$state" in queued | running) sleep 0.05 ;; *) echo "release $id is $state" >&2; exit 1 ;; esac
    done
    echo "$(since "$t") $id"
}
# Each file of a release is COPY's output after its header line.
check() {
    for d in $datasets; do
        unzip -p "$work/releases/release-$1.zip" "$d.csv" | tail -n +2 | cmp -s - "$work/copy-$d.csv" \
            || { echo "release $1: $d.csv differs from COPY" >&2; exit 1; }
    done
}

read -r deflate_seconds deflate_id < <(release deflate)
check "$deflate_id"
read -r store_seconds store_id < <(release store)
check "$store_id"
zip_bytes=$(stat -c %s "$work/releases/release-$deflate_id.zip")
store_bytes=$(stat -c %s "$work/releases/release-$store_id.zip")

# Serving the stored zip: the server, then nginx reading the same file.
server_seconds=$(api -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/api/v1/releases/$store_id/file")
nginx_port=$((20000 + $$ % 10000))
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    sendfile on;
    server { listen 127.0.0.1:$nginx_port; root $work/releases; }
}
CONF
chmod -R a+rX "$work/releases"
nginx -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break
    sleep 0.05
done
nginx_seconds=$(curl -sS --fail -o "$work/nginx.zip" -w '%{time_total}' "http://127.0.0.1:$nginx_port/release-$store_id.zip")
cmp -s "$work/nginx.zip" "$work/releases/release-$store_id.zip" || { echo "nginx served another file" >&2; exit 1; }
rss=$(mb "$server_pid")

rows_per_s=$(rate "$total_rows" "$deflate_seconds")
store_rows_per_s=$(rate "$total_rows" "$store_seconds")
copy_rows_per_s=$(rate "$copy_rows" "$copy_seconds")
serve_mb_s=$(awk -v b="$store_bytes" -v s="$server_seconds" 'BEGIN { printf "%.0f", b / 1048576 / s }')
nginx_mb_s=$(awk -v b="$store_bytes" -v s="$nginx_seconds" 'BEGIN { printf "%.0f", b / 1048576 / s }')
echo "COPY TO through psql:  $copy_rows rows in $copy_seconds s ($copy_rows_per_s rows/s)"
echo "release csv deflate:   $total_rows rows in $deflate_seconds s ($rows_per_s rows/s), zip $((zip_bytes / 1048576)) MB, files = COPY"
echo "release csv stored:    $total_rows rows in $store_seconds s ($store_rows_per_s rows/s), zip $((store_bytes / 1048576)) MB, files = COPY"
echo "serving the stored zip: server $server_seconds s ($serve_mb_s MB/s), nginx $nginx_seconds s ($nginx_mb_s MB/s)"
counted=$(sed -n 's/.*release '"$deflate_id"': \([0-9]*\) rows to write (counted in \([0-9.]*\) s).*/\1 rows counted in \2 s/p' "$work/server.log")
echo "row estimate (deflate): ${counted:-not logged} of the release's $deflate_seconds s"
echo "release rows_per_s=$rows_per_s copy_rows_per_s=$copy_rows_per_s ratio=$(ratio "$rows_per_s" "$copy_rows_per_s") stored_ratio=$(ratio "$store_rows_per_s" "$copy_rows_per_s") serve_ratio=$(ratio "$nginx_seconds" "$server_seconds") peak_rss_mb=$rss zip_mb=$(awk -v b="$zip_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
