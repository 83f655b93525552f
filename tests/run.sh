#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 as root: installs what is
# needed, builds, starts PostgreSQL, runs every test on SQLite and
# PostgreSQL, then repeats unit and integration tests under ASan/UBSan in a
# build without the desktop app (proving core and server need no Widgets).
#   tests/run.sh            everything
#   tests/run.sh --quick    skip the sanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
jobs=$(nproc)

deploy/install-deps.sh test

export OPENAPS_TEST_POSTGRES_URL=$(tests/start-postgres.sh | tail -1)
export OPENAPS_TEST_REQUIRE_POSTGRES=1
export CCACHE_DIR=${CCACHE_DIR:-$root/.cache/ccache}

echo "== include layering and C++ format"
tests/check-layers.sh
git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run --Werror

echo "== build (RelWithDebInfo, with desktop app)"
cmake -S . -B build/tests -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOPENAPS_BUILD_DESKTOP=ON >/dev/null
cmake --build build/tests -j "$jobs"

if [ -f tests/browser/package.json ]; then
    echo "== browser test dependencies"
    (cd tests/browser && npm install --no-audit --no-fund --silent)
fi
(cd tests/deploy && npm install --no-audit --no-fund --silent)  # cfn-lint for deploy_aws

echo "== tests"
(cd build/tests && ctest -j "$jobs" --output-on-failure --label-exclude bench)

if [ "$quick" = 0 ]; then
    echo "== sanitizer build (ASan + UBSan, no desktop app)"
    cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOPENAPS_SANITIZE=ON \
        -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
    cmake --build build/asan -j "$jobs"
    echo "== tests under sanitizers"
    (cd build/asan && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest -j "$jobs" --output-on-failure -L 'unit|integration')
fi
echo "== all tests passed"
