#!/usr/bin/env bash
# Desktop benchmark (tests/bench/run.sh desktop): loading a large downloaded
# entries CSV (ROWS rows, default 1,000,000, written by the benchmark in the
# API's export format) into the local view's chart/metrics model
# (metrics::analyseEntriesFile: CSV parsing, per-participant metrics and AGP),
# against a baseline measured in the same run by the same binary: reading the
# file line by line and nothing else. Each step runs in its own process, so
# peak RSS is the load's own. LAST line:
#   desktop load_rows_per_s=<load> baseline_rows_per_s=<baseline> ratio=<load/baseline> peak_rss_mb=<load>
# Environment: BUILD_DIR (default build/bench-desktop, a Release build), ROWS.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/bench-desktop}
rows=${ROWS:-1000000}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
cmake --build "$build" --target openaps-bench-desktop -- -j "${JOBS:-2}" >/dev/null
bench="$build/tests/bench/openaps-bench-desktop"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file="$work/entries.csv"
"$bench" generate "$file" "$rows"
cat "$file" >/dev/null # both runs read from the page cache

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
baseline=$("$bench" baseline "$file")
echo "$baseline"
load=$("$bench" load "$file")
echo "$load"

awk -v br="$(field rows "$baseline")" -v bs="$(field seconds "$baseline")" \
    -v lr="$(field rows "$load")" -v ls="$(field seconds "$load")" -v rss="$(field peak_rss_mb "$load")" \
    'BEGIN { b = br / bs; l = lr / ls;
             printf "desktop load_rows_per_s=%d baseline_rows_per_s=%d ratio=%.2f peak_rss_mb=%.0f\n", l, b, l / b, rss }'
