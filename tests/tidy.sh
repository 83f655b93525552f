#!/usr/bin/env bash
# clang-tidy (checks: .clang-tidy) over the project's C++ files, with the
# compile commands of a configured and BUILT build directory (the moc
# output it includes must exist). Exits non-zero on any warning.
#   tests/tidy.sh [--base REV] [BUILD_DIR]
#     without --base  every .cpp file in BUILD_DIR/compile_commands.json
#                     (tests/run.sh --tidy; ~10 minutes on 2 idle cores)
#     --base REV      only the .cpp files changed since REV, and those beside
#                     a changed header (tests/run.sh does this with
#                     OPENAPS_TIDY_BASE, default HEAD~1)
# BUILD_DIR defaults to build/tests (tests/run.sh's build).
set -euo pipefail
cd "$(dirname "$0")/.."
base=
if [ "${1:-}" = --base ]; then
    base=$2
    shift 2
fi
build=${1:-build/tests}
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json (configure and build first)" >&2; exit 2; }

# The project's own sources in the compile commands (not moc/rcc output).
compiled=$(python3 -c '
import json, os, sys
root = os.getcwd() + "/"
for entry in json.load(open(sys.argv[1])):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    rel = path[len(root):]
    if path.startswith(root) and not rel.startswith("build/") and "_autogen/" not in rel and "/.rcc/" not in rel:
        print(rel)' "$build/compile_commands.json" | sort -u)

if [ -n "$base" ]; then
    if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
        echo "tidy: base $base not found; nothing checked"
        exit 0
    fi
    changed=$(git diff --name-only --diff-filter=d "$base" -- '*.cpp' '*.h')
    # a changed header: the .cpp beside it
    wanted=$(for f in $changed; do echo "${f%.*}.cpp"; done | sort -u)
    files=$(comm -12 <(echo "$compiled") <(echo "$wanted"))
else
    files=$compiled
fi
if [ -z "$files" ]; then
    echo "tidy: no C++ file to check"
    exit 0
fi
count=$(echo "$files" | wc -l)
echo "tidy: $count files${base:+ (changed since $base)}"
# One clang-tidy per file, as many at a time as there are cores; any
# warning fails (.clang-tidy's WarningsAsErrors).
# ("N warnings generated" counts the system headers' warnings, which are not shown.)
echo "$files" | xargs -P "${JOBS:-$(nproc)}" -n 1 clang-tidy -p "$build" --quiet 2> >(grep -v ' warnings\? generated\.$' >&2)
