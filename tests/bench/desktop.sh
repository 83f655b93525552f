#!/usr/bin/env bash
# Desktop benchmark (tests/bench/run.sh desktop): loading a large downloaded
# entries CSV (ROWS rows, default 1,000,000, written by the benchmark in the
# API's export format) into the local view's chart/metrics model
# (metrics::analyseEntriesFile: CSV parsing, per-participant metrics and AGP),
# against a baseline measured in the same run by the same binary: reading the
# file line by line and nothing else. Each step runs in its own process, so
# peak RSS is the load's own. Then the window's part (offscreen): the local
# view (1400×900) opening the same file, loading it on its worker thread and
# drawing every chart and table (goal < 1 s for 1,000,000 rows), and the AGP
# report PDF of one participant with a year of readings, from the file on
# disk to the PDF written (goal < 2 s). The same rows as NDJSON through the
# local view's reader against the CSV through it (ndjson_vs_csv: seconds of
# NDJSON / seconds of CSV). The NDJSON file is about 1.9 times the CSV's
# size and every byte must be read (a record's nested raw_json ends only at
# its matching brace), so about 2 is the floor: per byte the two readers
# cost about the same. LAST line:
#   desktop load_rows_per_s=<load> baseline_rows_per_s=<baseline> ratio=<load/baseline> peak_rss_mb=<load>
#           localview_s=<local view> localview_cpu_s=<its CPU time> agp_report_s=<report> agp_report_cpu_s=<CPU>
#           dashboards_ms=<median> dashboards_stall_ms=<longest turn> participants_stall_ms=<longest turn>
#           ndjson_vs_csv=<ratio>
# dashboards_ms: the Dashboards tab for a cohort of 1,000 participants, median
# of 5 refreshes from the request to the charts painted, against the contract
# stand-in (goal < 1 s). dashboards_stall_ms and participants_stall_ms: the
# GUI thread's longest turn of the event loop, in CPU time, while the
# Dashboards tab and the Participants tab (the same 1,000 with their
# summaries) load and draw, over all 5 refreshes (goal < 50 ms).
# Environment: BUILD_DIR (default build/bench-desktop, a Release build), ROWS.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/bench-desktop}
rows=${ROWS:-1000000}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=ON >/dev/null
cmake --build "$build" --target openaps-bench-desktop openaps-bench-desktop-gui openaps-bench-dashboards -- -j "${JOBS:-2}" >/dev/null
bench="$build/tests/bench/openaps-bench-desktop"
gui="$build/tests/bench/openaps-bench-desktop-gui"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file="$work/entries.csv"
"$bench" generate "$file" "$rows"
cat "$file" >/dev/null # both runs read from the page cache

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; } # " name=": seconds is not cpu_seconds
baseline=$("$bench" baseline "$file")
echo "$baseline"
load=$("$bench" load "$file")
echo "$load"

csvlocal=$("$bench" local "$file")
echo "$csvlocal"
"$bench" generate "$work/entries.ndjson" "$rows"
cat "$work/entries.ndjson" >/dev/null
ndjsonlocal=$("$bench" local "$work/entries.ndjson")
echo "$ndjsonlocal"
rm -f "$work/entries.ndjson"

localview=$(QT_QPA_PLATFORM=offscreen "$gui" localview "$file")
echo "$localview"
year="$work/entries_year.csv"
"$bench" generate "$year" 105120 # one participant, a year of 5-minute readings
report=$(QT_QPA_PLATFORM=offscreen "$gui" report "$year" "$work")
echo "$report"
dashboards=$(QT_QPA_PLATFORM=offscreen "$build/tests/bench/openaps-bench-dashboards" 1000)
echo "$dashboards"

awk -v cl="$(field seconds "$csvlocal")" -v nl="$(field seconds "$ndjsonlocal")" -v dms="$(field dashboards_ms "$(tail -n 1 <<<"$dashboards")")" \
    -v dst="$(field dashboards_stall_ms "$(tail -n 1 <<<"$dashboards")")" -v pst="$(field participants_stall_ms "$(tail -n 1 <<<"$dashboards")")" -v lv="$(field seconds "$localview")" -v rp="$(field seconds "$report")" \
    -v lvc="$(field cpu_seconds "$localview")" -v rpc="$(field cpu_seconds "$report")" \
    -v br="$(field rows "$baseline")" -v bs="$(field seconds "$baseline")" \
    -v lr="$(field rows "$load")" -v ls="$(field seconds "$load")" -v rss="$(field peak_rss_mb "$load")" \
    'BEGIN { b = br / bs; l = lr / ls;
             printf "desktop load_rows_per_s=%d baseline_rows_per_s=%d ratio=%.2f peak_rss_mb=%.0f localview_s=%.2f localview_cpu_s=%.2f agp_report_s=%.2f agp_report_cpu_s=%.2f dashboards_ms=%s dashboards_stall_ms=%s participants_stall_ms=%s ndjson_vs_csv=%.2f\n", l, b, l / b, rss, lv, lvc, rp, rpc, dms, dst, pst, nl / cl }'
