#!/usr/bin/env bash
# The production binary carries no stand-in (issue 12 item 5): the loopback
# Nightscout, Open Humans and SMTP servers live only in openaps-demo.
#   tests/integration/app/no-standins.sh PATH/TO/openaps-server
set -euo pipefail
server=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

symbols=$(nm -C "$server" | grep -c 'openaps::standins::' || true)
[ "$symbols" -eq 0 ] || fail "openaps-server links $symbols symbols of openaps::standins"

# (timeout: a binary that still had the demo would start it and never return)
status=0
output=$(timeout 20 "$server" demo 2>&1) || status=$?
[ "$status" -eq 2 ] || fail "openaps-server demo exited with $status, not 2 (unknown command)"
grep -q "unknown command 'demo'" <<<"$output" || fail "openaps-server demo: $output"
echo "openaps-server: no demo command, no stand-in symbols"
