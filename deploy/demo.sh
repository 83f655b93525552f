#!/usr/bin/env bash
# The demo, from a fresh Debian 12 as root: installs what is needed, builds
# (Release), and runs the whole system on this machine with SQLite and
# loopback stand-ins for Nightscout and Open Humans. Extra arguments go to
# `openaps-demo` (e.g. --port 8080 --participants 5), the demo's own
# executable (the production openaps-server carries no stand-in). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh build
export CCACHE_DIR=${CCACHE_DIR:-$(pwd)/.cache/ccache}
# Paths relative to the clone and the compiler judged by its contents, so a
# clone elsewhere (the container image's build stage, tests/fresh-machine.sh)
# reuses the same compiler output.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)} CCACHE_COMPILERCHECK=${CCACHE_COMPILERCHECK:-content}
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo -j "$(nproc)"
exec build/demo/server/openaps-demo --data-dir "${OPENAPS_DEMO_DIR:-/tmp/openaps-demo}" "$@"
