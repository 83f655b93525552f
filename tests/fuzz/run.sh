#!/usr/bin/env bash
# Builds the fuzz targets (clang, ASan + UBSan + libFuzzer, in build/fuzz)
# and runs each of them: its corpus once, then SECONDS of fuzzing; two at a
# time (one per core of a 2-core machine). The CI stage of tests/run.sh
# runs it with a few seconds, `tests/bench/run.sh fuzz` with 600.
#   tests/fuzz/run.sh SECONDS [TARGET...]     (default: every target)
# Prints, last, "fuzz targets=N total_execs=N crashes=N leaks=N timeouts=N";
# exits non-zero when a target crashed, leaked or hung (the logs and the
# input are under build/fuzz/fuzz-work/TARGET/).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
build=build/fuzz
work=$build/fuzz-work
export CCACHE_DIR=${CCACHE_DIR:-$(pwd)/.cache/ccache}

cmake -S . -B "$build" -G Ninja -DOPENAPS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" >/dev/null
cmake --build "$build" --target fuzz-targets -j "$(nproc)"

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(ls tests/fuzz/corpus)
fi
# A fresh start for the fuzzing itself; inputs that crashed a target stay
# (WORK/TARGET/artifacts) until the build directory goes.
for target in "${targets[@]}"; do rm -rf "${work:?}/$target/new" "$work/$target.out"; done
mkdir -p "$work"
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} sh -c \
    'nice tests/fuzz/run-target.sh "$1/tests/fuzz/fuzz_$2" "$2" "$3" "$4" >"$4/$2.out" 2>&1 || true; tail -1 "$4/$2.out"' \
    sh "$build" {} "$seconds" "$work"

execs=0 crashes=0 leaks=0 timeouts=0 count=0
for target in "${targets[@]}"; do
    line=$(grep '^fuzz-target ' "$work/$target.out" | tail -1 || true)
    if [ -z "$line" ]; then
        echo "fuzz target $target did not report; see $work/$target.out" >&2
        crashes=$((crashes + 1))
        continue
    fi
    count=$((count + 1))
    for key in execs crashes leaks timeouts; do
        value=$(echo "$line" | grep -o "$key=[0-9]*" | cut -d= -f2)
        eval "$key=\$(($key + value))"
    done
    case "$line" in *"crashes=0 leaks=0 timeouts=0"*) ;; *) sed -n '/failed (exit/,$p' "$work/$target.out" | head -60 >&2 ;; esac
done
echo "fuzz targets=$count total_execs=$execs crashes=$crashes leaks=$leaks timeouts=$timeouts"
[ "$crashes" = 0 ] && [ "$leaks" = 0 ] && [ "$timeouts" = 0 ]
