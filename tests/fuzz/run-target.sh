#!/usr/bin/env bash
# Runs one fuzz target: first over its corpus (tests/fuzz/corpus/NAME, each
# input once: the regression test), then SECONDS of fuzzing from it with its
# dictionary. New inputs go to WORK/NAME/new, crashing ones to
# WORK/NAME/artifacts; the corpus in git is never written.
#   tests/fuzz/run-target.sh BINARY NAME SECONDS WORK [libFuzzer options...]
# Prints, last, "fuzz-target NAME execs=N crashes=N leaks=N timeouts=N"
# and exits non-zero when the target crashed, leaked or hung.
set -uo pipefail
[ $# -ge 4 ] || { echo "usage: $0 BINARY NAME SECONDS WORK [libFuzzer options...]" >&2; exit 2; }
binary=$1 name=$2 seconds=$3 work=$4
shift 4
extra=("$@")
source_dir=$(cd "$(dirname "$0")" && pwd)
corpus=$source_dir/corpus/$name
dict=$source_dir/dict/$name.dict
out=$work/$name
mkdir -p "$out/new" "$out/artifacts"
options=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/")
[ -f "$dict" ] && options+=(-dict="$dict")
# Leaks are checked by libFuzzer per input; Qt's own caches at exit are not ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$symbolizer}

execs=0 crashes=0 leaks=0 timeouts=0
# run LOG ARGS...: one libFuzzer run; adds its executions and findings.
run() {
    local log=$1 status
    shift
    "$binary" "${options[@]}" "${extra[@]}" "$@" >"$log" 2>&1 </dev/null
    status=$?
    local n
    n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    execs=$((execs + ${n:-0}))
    [ "$status" = 0 ] && return 0
    if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
        timeouts=$((timeouts + 1))
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then
        leaks=$((leaks + 1))
    else
        crashes=$((crashes + 1))
    fi
    echo "fuzz target $name failed (exit $status); the end of $log:" >&2
    tail -40 "$log" >&2
    return 1
}

status=0
if [ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ]; then
    # Each seed once, by name: a seed that crashes is named in the log.
    run "$out/corpus.log" "$corpus"/* || status=1
    execs=$((execs + $(ls "$corpus" | wc -l)))
fi
if [ "$status" = 0 ] && [ "$seconds" -gt 0 ]; then
    run "$out/fuzz.log" -max_total_time="$seconds" "$out/new" "$corpus" || status=1
fi
echo "fuzz-target $name execs=$execs crashes=$crashes leaks=$leaks timeouts=$timeouts"
exit "$status"
