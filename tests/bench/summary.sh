#!/usr/bin/env bash
# Derived-datasets benchmark (tests/bench/run.sh summary): PARTICIPANTS
# (default 100) participants x DAYS (default 365) days of 5-minute readings
# plus treatments and device status in PostgreSQL; the analytics and derived
# datasets (participant_summary) computed for all of them from scratch, then
# incrementally after one new day each, each run in its own measured process.
# LAST line:
#   summary participants=<n> full_s=<s> incremental_s=<s> peak_rss_mb=<MB>
# Goals: incremental_s < 1, full_s < 30, peak_rss_mb < 200.
# Environment: BUILD_DIR (default build/bench-summary, a Release build),
# PARTICIPANTS, DAYS, OPENAPS_TEST_POSTGRES_URL (default: the local cluster).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/bench-summary}
participants=${PARTICIPANTS:-100}
days=${DAYS:-365}

export OPENAPS_TEST_POSTGRES_URL=${OPENAPS_TEST_POSTGRES_URL:-$(tests/start-postgres.sh | tail -1)}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
cmake --build "$build" --target openaps-bench-summary -- -j "${JOBS:-2}" >/dev/null
bench="$build/tests/bench/openaps-bench-summary"

work=$(mktemp -d)
name="openaps_bench_summary_$$"
admin=$OPENAPS_TEST_POSTGRES_URL
url="${admin%/*}/$name"
psql "$admin" -qc "CREATE DATABASE $name" >/dev/null
trap 'rm -rf "$work"; psql "$admin" -qc "DROP DATABASE IF EXISTS $name" >/dev/null' EXIT

# Runs the bench binary measured: prints "wall_s cpu_s server_cpu_s peak_mb"
# (GNU time's elapsed, user + system and %M in KB; the server's CPU is that
# of the PostgreSQL backend serving the run, as the binary reads it).
measured() {
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bench" "$@" >"$work/out"
    cat "$work/out" >&2
    read -r seconds user system kb <"$work/time"
    server=$(sed -n 's/.*PostgreSQL backend \([-0-9.e]*\) s$/\1/p' "$work/out" | tail -1)
    echo "$seconds $(awk "BEGIN { print $user + $system }") ${server:--1} $((kb / 1024))"
}

echo "seeding $participants participants x $days days ..."
"$bench" seed "$url" "$work" "$participants" "$days"
psql "$url" -qAtc "ANALYZE" >/dev/null
psql "$url" -qAtc "SELECT 'entries ' || COUNT(*) FROM entries UNION ALL SELECT 'treatments ' || COUNT(*) FROM treatments UNION ALL SELECT 'device_status ' || COUNT(*) FROM device_status"

read -r full full_cpu full_server full_mb < <(measured refresh "$url" "$participants" | tail -1)
echo "full: ${full} s wall, CPU ${full_cpu} s here and ${full_server} s in PostgreSQL, peak ${full_mb} MB"
"$bench" add-day "$url" "$work" "$participants" "$days"
read -r incremental incremental_cpu incremental_server incremental_mb < <(measured refresh "$url" "$participants" | tail -1)
echo "incremental (one new day each): ${incremental} s wall, CPU ${incremental_cpu} s here and" \
    "${incremental_server} s in PostgreSQL, peak ${incremental_mb} MB"
# The same once more for the derived datasets alone (without the analytics
# refresh that the ETL runs before them), to show where the time goes.
"$bench" add-day "$url" "$work" "$participants" "$((days + 1))"
read -r derived derived_cpu derived_server derived_mb < <(measured derived "$url" "$participants" | tail -1)
echo "incremental, derived datasets only: ${derived} s wall, CPU ${derived_cpu} s here and" \
    "${derived_server} s in PostgreSQL, peak ${derived_mb} MB"
psql "$url" -qAtc "SELECT 'participant_summary rows ' || COUNT(*) FROM participant_summary UNION ALL SELECT 'data_quality rows ' || COUNT(*) FROM data_quality"
peak=$((full_mb > incremental_mb ? full_mb : incremental_mb))
peak=$((peak > derived_mb ? peak : derived_mb))
echo "summary participants=$participants full_s=$full incremental_s=$incremental peak_rss_mb=$peak"
