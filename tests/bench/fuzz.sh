#!/usr/bin/env bash
# tests/bench/run.sh fuzz [SECONDS]: every fuzz target for SECONDS (default
# 600) after its corpus, two at a time (tests/fuzz/run.sh). The last line:
# "fuzz targets=N total_execs=N crashes=N leaks=N timeouts=N".
set -euo pipefail
cd "$(dirname "$0")/../.."
exec tests/fuzz/run.sh "${1:-600}"
