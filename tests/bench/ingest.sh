#!/usr/bin/env bash
# Ingest benchmark (tests/bench/run.sh ingest): one synthetic participant with
# 5 years of history; the first full pull (records/s, peak RSS of the
# `openaps-server ingest --once` process), then a cycle with one hour of new
# data: bytes up and down on the wire against the old design (whole history
# down and up every hour). LAST line:
#   ingest first_pull_records_per_s=<n> peak_rss_mb=<mb> hourly_bytes=<n> old_design_bytes=<n> ratio=<hourly/old>
# Goals: ratio <= 0.01, peak_rss_mb < 150.
# Options are passed on (--years N).
# Environment: BUILD_DIR (default build/bench-ingest, a Release build), JOBS.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/bench-ingest}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
cmake --build "$build" --target openaps-server openaps-bench-ingest -- -j "${JOBS:-2}" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/tests/bench/openaps-bench-ingest" --server "$build/server/openaps-server" --work "$work" "$@"
