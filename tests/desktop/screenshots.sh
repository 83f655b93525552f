#!/usr/bin/env bash
# Makes the README's screenshots of the desktop app (resources/screenshots/) with
# the real window at 1400×900 under Xvfb (offscreen where xvfb-run is missing):
# tests/desktop/screenshots.sh [BUILD_DIR] (a configured build with the desktop
# app; default build). The local view's come from openaps-desktop-screenshots;
# the Dashboards and Participants tabs from desktop_standin (a cohort of
# 1,000); the Download and Releases tabs (a release being built, the library)
# and the withdrawal dialog from desktop_releases and the Admin tab from desktop_workbench (the real server
# on SQLite), run with OPENAPS_SCREENSHOT_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
cmake --build "$build" --target openaps-desktop-screenshots desktop_standin desktop_releases desktop_workbench \
    -- -j "${JOBS:-2}" >/dev/null
mkdir -p resources/screenshots
export OPENAPS_SCREENSHOT_DIR=$PWD/resources/screenshots
if command -v xvfb-run >/dev/null; then
    display=(xvfb-run -a -s "-screen 0 1600x1000x24")
    export QT_QPA_PLATFORM=xcb
else
    display=()
    export QT_QPA_PLATFORM=offscreen
fi
"${display[@]}" "$build/tests/desktop/openaps-desktop-screenshots" resources/screenshots
"${display[@]}" "$build/tests/desktop/desktop_standin" dashboardsAndParticipantsOfAThousand >/dev/null
sqlite=(env -u OPENAPS_TEST_POSTGRES_URL -u OPENAPS_TEST_REQUIRE_POSTGRES)
"${sqlite[@]}" "${display[@]}" "$build/tests/desktop/desktop_releases" withdrawnParticipantsOfferedForDeletion \
    progressWhileTheServerBuildsIt >/dev/null
"${sqlite[@]}" "${display[@]}" "$build/tests/desktop/desktop_workbench" adminApprovesAfterConfirmingWithFullDetails >/dev/null
ls -l resources/screenshots
