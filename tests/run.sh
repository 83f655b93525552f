#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 as root: installs what is
# needed, builds, starts PostgreSQL, runs every test on SQLite and
# PostgreSQL, then repeats unit and integration tests under ASan/UBSan in a
# build without the desktop app (proving core and server need no Widgets).
# A stage that fails does not stop the later ones; the summary at the end
# lists every stage, and the exit status is non-zero if any failed.
#   tests/run.sh            everything
#   tests/run.sh --quick    skip the sanitizer build and the fuzz targets
#   tests/run.sh --stress   the same build, then unit and integration tests
#                           three times each, four at a time, while stress-ng
#                           loads both cores, memory and the disk: a test
#                           that depends on timing fails here
#   tests/run.sh --tidy     the same build, then clang-tidy over every C++
#                           file (tests/tidy.sh); the normal run checks only
#                           the files changed since OPENAPS_TIDY_BASE
#                           (default HEAD~1), as the whole tree takes too
#                           long for CI
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-all}
case "$mode" in
    all | --quick | --stress | --tidy) ;;
    *) echo "usage: tests/run.sh [--quick | --stress | --tidy]" >&2; exit 2 ;;
esac
jobs=$(nproc)

deploy/install-deps.sh test

export OPENAPS_TEST_POSTGRES_URL=$(tests/start-postgres.sh | tail -1)
# A hot standby of it for the read replica tests (api_readreplica); empty if
# it could not be made, which that test reports as a failure.
export OPENAPS_TEST_POSTGRES_REPLICA_URL=$(tests/start-postgres-replica.sh | tail -1)
export OPENAPS_TEST_REQUIRE_POSTGRES=1
# The compiler output is shared with deploy/demo.sh's Release build, which
# .ci/run's tests/fresh-machine.sh has just made in a root of its own: paths
# relative to the clone, the compiler judged by its contents and the locale
# as there (ccache hashes it), so only the tests compile here.
export CCACHE_DIR=${CCACHE_DIR:-$root/.cache/ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_COMPILERCHECK=${CCACHE_COMPILERCHECK:-content}

summary=()
failed=0
# stage NAME COMMAND...: runs one stage and records how it went.
stage() {
    local name=$1 started=$SECONDS
    shift
    echo "== $name"
    if "$@"; then
        summary+=("passed  $name ($((SECONDS - started)) s)")
    else
        summary+=("FAILED  $name ($((SECONDS - started)) s)")
        failed=1
        return 1
    fi
}
report() {
    echo "== summary"
    printf '   %s\n' "${summary[@]}"
    if [ "$failed" = 0 ]; then echo "== all stages passed"; else echo "== some stages FAILED"; fi
}
trap report EXIT

formatted() {
    tests/check-layers.sh && git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run --Werror
}
build() { # build DIR CMAKE-OPTIONS...
    local dir=$1
    shift
    cmake -S . -B "$dir" -G Ninja "$@" >/dev/null \
        && env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES LANG=C.UTF-8 cmake --build "$dir" -j "$jobs"
}
in_dir() { (cd "$1" && shift && "$@"); }

if [ "$mode" != --stress ]; then
    stage "include layering and C++ format" formatted || true
fi

# Under load the heaviest tests take several times as long: --stress
# allows 20 minutes per test function (QtTest's default is 5) and 30 per
# test executable; the normal run keeps 5 and 10.
timeout=600
if [ "$mode" = --stress ]; then
    timeout=1800
    export QTEST_FUNCTION_TIMEOUT=1200000
fi
if stage "build (Release, with desktop app)" \
        build build/tests -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=ON \
        -DOPENAPS_TEST_TIMEOUT=$timeout; then
    built=1
else
    built=0
fi

if [ "$mode" = --tidy ]; then
    # The benchmarks are outside the default build; clang-tidy reads them too.
    [ "$built" = 1 ] && stage "build the benchmarks" cmake --build build/tests -j "$jobs" --target openaps-benches \
        && stage "clang-tidy (every C++ file)" tests/tidy.sh build/tests || true
    [ "$failed" = 0 ]
    exit
fi
if [ "$mode" != --stress ] && [ "$built" = 1 ]; then
    stage "clang-tidy (files changed since ${OPENAPS_TIDY_BASE:-HEAD~1})" \
        tests/tidy.sh --base "${OPENAPS_TIDY_BASE:-HEAD~1}" build/tests || true
fi

if [ "$mode" = --stress ]; then
    # Own process group, so the trap ends stress-ng and all its workers.
    setsid stress-ng --cpu 2 --io 1 --vm 1 --vm-bytes 512M --timeout 0 --quiet &
    load=$!
    trap 'kill -TERM -- "-$load" 2>/dev/null || kill -TERM "$load" 2>/dev/null; wait "$load" 2>/dev/null; report' EXIT
    [ "$built" = 1 ] && stage "unit and integration tests under load (stress-ng; each 3 times, 4 at a time)" \
        in_dir build/tests ctest --repeat until-fail:3 -j 4 -L 'unit|integration' --output-on-failure || true
    [ "$failed" = 0 ]
    exit
fi

if [ -f tests/browser/package.json ]; then
    stage "browser test dependencies" in_dir tests/browser npm install --no-audit --no-fund --silent || true
fi
(cd tests/deploy && npm install --no-audit --no-fund --silent)  # cfn-lint for deploy_aws

[ "$built" = 1 ] && stage "tests" in_dir build/tests ctest -j "$jobs" --output-on-failure --label-exclude bench || true

if [ "$mode" != --quick ]; then
    # A Debug build (Q_ASSERT and our own checks on) optimised with -O1, as
    # ASan advises: unoptimised, the sanitizer stage took 15 minutes in CI.
    # ASan still runs the heaviest tests (etl_importkill on PostgreSQL)
    # several times slower: 15 minutes per test function, 20 per test
    # executable, as under --stress. -g1: line tables for the reports.
    stage "sanitizer build (ASan + UBSan, no desktop app)" \
        build build/asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DOPENAPS_SANITIZE=ON \
        -DOPENAPS_BUILD_DESKTOP=OFF -DOPENAPS_TEST_TIMEOUT=1200 \
        && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 QTEST_FUNCTION_TIMEOUT=900000 \
            stage "unit and integration tests under sanitizers" \
            in_dir build/asan ctest -j "$jobs" --output-on-failure -L 'unit|integration' || true
    # Every parser that reads outside input, under libFuzzer: each target's
    # corpus once (inputs that crashed it before), then a few seconds of
    # fuzzing (README, "Fuzzing").
    stage "fuzz targets (clang, ASan + UBSan; corpus, then 5 s each)" tests/fuzz/run.sh 5 || true
fi
[ "$failed" = 0 ]
