#!/bin/bash
# HEALTHCHECK of the container: GET /healthz on the server's own port; healthy
# only when it answers 200 with "status":"ok" (the database answers and the
# schema is known). Bash's /dev/tcp, as debian:12-slim has no curl; the
# body is read by its Content-Length (the server may keep the connection).
set -u
port=${OPENAPS_HTTP_PORT:-8080}
{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || exit 1
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
case "$status" in
    "HTTP/1.1 200 "*) ;;
    *) exit 1 ;;
esac
length=0
while IFS= read -r -t 5 line <&3; do
    line=${line%$'\r'}
    [ -n "$line" ] || break
    case "${line,,}" in
        content-length:*) length=${line#*:}; length=${length//[!0-9]/} ;;
    esac
done
[ "$length" -gt 0 ] && IFS= read -r -d '' -N "$length" -t 5 body <&3 || exit 1
grep -Eq '"status": ?"ok"' <<<"$body"
