#!/usr/bin/env bash
# Makes the README's screenshots of the desktop app (docs/screenshots/) with
# the real window at 1400×900, offscreen: tests/desktop/screenshots.sh [BUILD_DIR]
# (a configured build with the desktop app; default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
cmake --build "$build" --target openaps-desktop-screenshots -- -j "${JOBS:-2}" >/dev/null
mkdir -p docs/screenshots
QT_QPA_PLATFORM=offscreen "$build/tests/desktop/openaps-desktop-screenshots" docs/screenshots
ls -l docs/screenshots
