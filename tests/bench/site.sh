#!/usr/bin/env bash
# Benchmark of the participant site (`tests/bench/run.sh site`): wrk on
# loopback against the landing page (anonymous) and the logged-in status page,
# 100 connections for 10 s each, on the site fixture (both stand-ins + the
# site on SQLite). Goal: p99 < 20 ms with 0 errors.
# Prints requests/s and p99 per page; the LAST line is the summary:
#   site rps=<requests/s over both runs> p99_ms=<worst p99> errors=<total>
# Environment: BUILD_DIR (default build/bench-site, a Release build of its
# own), DURATION (default 10s), CONNECTIONS (default 100).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/bench-site}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-100}

command -v wrk >/dev/null || { echo "wrk is missing: deploy/install-deps.sh test installs it" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
fi
work=$(mktemp -d)
if ! cmake --build "$build" --target site-fixture >"$work/build.log" 2>&1; then
    echo "building site-fixture failed:" >&2
    tail -30 "$work/build.log" >&2
    rm -rf "$work"
    exit 1
fi

fixture_pid=
cleanup() {
    [ -n "$fixture_pid" ] && kill "$fixture_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$build/tests/browser/site-fixture" >"$work/urls" 2>"$work/fixture.log" &
fixture_pid=$!
for _ in $(seq 100); do
    [ -s "$work/urls" ] && break
    sleep 0.1
done
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$2"; }
site=$(json_field site "$work/urls")
control=$(json_field control "$work/urls")
[ -n "$site" ] || { echo "the site fixture did not start:" >&2; cat "$work/fixture.log" >&2; exit 1; }

curl -fsS -X POST "$control/session" >"$work/session"
cookie="$(json_field cookieName "$work/session")=$(json_field cookie "$work/session")"
# The status page must really be the logged-in page, not a redirect.
curl -fsS -H "Cookie: $cookie" "$site/me" | grep -q 'id="status"' \
    || { echo "the logged-in status page did not answer" >&2; exit 1; }

# Runs wrk; prints "<rps> <p99 ms> <errors>" (errors: socket errors + non-2xx).
run() {
    local out
    out=$(wrk -t2 -c"$connections" -d"$duration" --latency "$@")
    echo "$out" >&2
    awk '
        /Requests\/sec/ { rps = $2 }
        /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
        /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses/ { errors += $5 }
        END { printf "%.0f %.2f %d\n", rps, p99, errors }' <<<"$out"
}

wrk_script="$work/status.lua"
printf 'wrk.headers["Cookie"] = "%s"\n' "$cookie" >"$wrk_script"

read -r landing_rps landing_p99 landing_errors < <(run "$site/" 2>"$work/landing.txt")
read -r status_rps status_p99 status_errors < <(run -s "$wrk_script" "$site/me" 2>"$work/status.txt")

echo "landing page (/):      ${landing_rps} requests/s, p99 ${landing_p99} ms, ${landing_errors} errors"
echo "status page (/me):     ${status_rps} requests/s, p99 ${status_p99} ms, ${status_errors} errors"
awk -v a="$landing_rps" -v b="$status_rps" -v pa="$landing_p99" -v pb="$status_p99" \
    -v ea="$landing_errors" -v eb="$status_errors" \
    'BEGIN { p = pa > pb ? pa : pb; printf "site rps=%d p99_ms=%g errors=%d\n", (a + b) / 2, p, ea + eb }'
