#!/bin/bash
# Health check of openaps-server on its own port (OPENAPS_HTTP_PORT); healthy
# only when the answer is 200 with "status":"ok".
#   openaps-healthcheck          liveness, GET /livez: the server process runs
#                                and answers. The image's HEALTHCHECK and the ECS
#                                container health check use this: they restart
#                                what fails, and a database outage must not get
#                                every container restarted.
#   openaps-healthcheck --ready  readiness, GET /healthz: the database answers
#                                too (compose's depends_on: service_healthy; load
#                                balancers ask /healthz themselves).
#   ... --wait SECONDS           try once a second until healthy, at most that
#                                long (the systemd units' ExecStartPost: started
#                                means ready).
# A process whose OPENAPS_ROLES has neither web nor api has no HTTP server:
# nothing to check. Bash's /dev/tcp, as debian:12-slim has no curl; the body
# is read by its Content-Length (the server may keep the connection).
set -u
path=/livez
wait=0
while [ $# -gt 0 ]; do
    case "$1" in
        --ready) path=/healthz; shift ;;
        --wait) wait=${2:-}; shift 2 || { echo "usage: openaps-healthcheck [--ready] [--wait SECONDS]" >&2; exit 2; } ;;
        *) echo "usage: openaps-healthcheck [--ready] [--wait SECONDS]" >&2; exit 2 ;;
    esac
done
case ",${OPENAPS_ROLES:-web}," in
    *,web,* | *,api,*) ;;
    *) exit 0 ;;
esac
port=${OPENAPS_HTTP_PORT:-8080}

check() {
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
    local status line length=0 body
    IFS= read -r -t 5 status <&3 || return 1
    case "$status" in
        "HTTP/1.1 200 "*) ;;
        *) return 1 ;;
    esac
    while IFS= read -r -t 5 line <&3; do
        line=${line%$'\r'}
        [ -n "$line" ] || break
        case "${line,,}" in
            content-length:*) length=${line#*:}; length=${length//[!0-9]/} ;;
        esac
    done
    [ "$length" -gt 0 ] && IFS= read -r -d '' -N "$length" -t 5 body <&3 || return 1
    exec 3>&-
    grep -Eq '"status": ?"ok"' <<<"$body"
}

for ((tries = 0; ; tries++)); do
    check && exit 0
    exec 3>&-
    [ "$tries" -lt "$wait" ] || exit 1
    sleep 1
done
