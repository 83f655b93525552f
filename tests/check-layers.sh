#!/usr/bin/env bash
# The include rules between folders (issue 16), checked on the #include lines
# of the tracked C++ files; prints each wrong-way include and exits 1 if any.
# A server folder includes, besides shared/ and itself, only these server
# folders (what two stages share lives in shared/ or server/http):
#   http, jobs, mail, survey, standins   none
#   ingest   http, jobs
#   etl      jobs, survey
#   api      http, mail (api/export: api too)
#   site     http
#   legacy   ingest, etl, survey
#   app      every folder but demo and standins
#   demo     every folder (openaps-demo, the stand-ins' only user)
#   server/main.cpp   app
# and shared/ never includes server/ or desktop-downloader/.
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
    BEGIN {
        allowed["http"] = ""; allowed["jobs"] = ""; allowed["mail"] = ""; allowed["survey"] = ""
        allowed["standins"] = ""
        allowed["ingest"] = " http jobs "
        allowed["etl"] = " jobs survey "
        allowed["api"] = " http mail api "
        allowed["site"] = " http "
        allowed["legacy"] = " ingest etl survey "
        allowed["app"] = " http jobs mail survey ingest etl api site legacy "
        allowed["demo"] = " http jobs mail survey ingest etl api site legacy app standins "
        allowed["server"] = " app " # server/main.cpp
    }
    $1 ~ /^shared/ && $2 ~ /^(server|desktop-downloader)/ { print; next }
    $1 ~ /^server/ && $2 ~ /^server\// {
        split($1, f, "/"); split($2, t, "/")
        from = f[2] == "" ? "server" : f[2]
        if (from == t[2]) next
        if (!(from in allowed) || index(allowed[from], " " t[2] " ") == 0) print
    }')
if [ -n "$bad" ]; then
    echo "Includes that break the layering (from to file):" >&2
    echo "$bad" >&2
    exit 1
fi
echo "layers: no wrong-way include"
