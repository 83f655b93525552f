#!/usr/bin/env bash
# The include rules between folders (issue 16), checked on the #include lines
# of the tracked C++ files; prints each wrong-way include and exits 1 if any.
#   server/ingest   never includes server/etl or server/site
#   server/etl      never includes server/site
#   server/api      never includes server/site
#   server/app      is included by server/main.cpp and server/demo only
#   server/standins is included by server/demo only (and the tests)
#   shared/         never includes server/ or desktop-downloader/
#   tests/check-layers.sh --graph   prints the folder-to-folder arrows instead
set -euo pipefail
cd "$(dirname "$0")/.."

# "from-folder to-folder file" for every include that resolves to a tracked
# file in another folder (looked up beside the file, then under server/,
# shared/ and desktop-downloader/, as the compiler's include path does).
arrows() {
    local files
    files=$(git ls-files 'server/*.cpp' 'server/*.h' 'shared/*.cpp' 'shared/*.h' \
        'desktop-downloader/*.cpp' 'desktop-downloader/*.h')
    # shellcheck disable=SC2086
    { echo "$files"; grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' $files; } | awk '
        !/:/ { tracked[$0] = 1; next }
        {
            file = substr($0, 1, index($0, ":") - 1)
            inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
            dir = file; sub(/\/[^\/]*$/, "", dir)
            split(dir " server shared desktop-downloader", roots, " ")
            for (i = 1; i <= 4; i++) {
                path = roots[i] "/" inc
                if (path in tracked) {
                    target = path; sub(/\/[^\/]*$/, "", target)
                    if (target != dir) print dir, target, file
                    break
                }
            }
        }'
}

if [ "${1:-}" = --graph ]; then
    arrows | awk '{ print $1 " -> " $2 }' | sort | uniq -c
    exit 0
fi

bad=$(arrows | awk '
    $1 ~ /^server\/ingest/ && $2 ~ /^server\/(etl|site)/ { print; next }
    $1 ~ /^server\/etl/ && $2 ~ /^server\/site/ { print; next }
    $1 ~ /^server\/api/ && $2 ~ /^server\/site/ { print; next }
    $2 ~ /^server\/app/ && $1 !~ /^server\/(app|demo)/ && $3 != "server/main.cpp" { print; next }
    $2 ~ /^server\/standins/ && $1 !~ /^server\/(standins|demo)/ { print; next }
    $1 ~ /^shared/ && $2 ~ /^(server|desktop-downloader)/ { print; next }')
if [ -n "$bad" ]; then
    echo "Includes that break the layering (from to file):" >&2
    echo "$bad" >&2
    exit 1
fi
echo "layers: no wrong-way include"
