#!/bin/sh
# Container entrypoint. `serve` (the default command) first migrates the
# database (idempotent; instances starting together take turns under a
# lock), then becomes the server with exec, so that it is PID 1 and gets the
# container's SIGTERM. Any other command runs as given:
#   docker run IMAGE serve --roles web,api
#   docker run IMAGE migrate --roles       (PostgreSQL roles, as the database owner)
#   docker run IMAGE check-config
# Secrets come as files: OPENAPS_<NAME>_FILE=/run/secrets/<name>.
set -eu
server=${OPENAPS_SERVER_BIN:-/usr/local/bin/openaps-server}

if [ "${1:-serve}" = serve ]; then
    [ $# -eq 0 ] || shift
    "$server" migrate
    exec "$server" serve "$@"
fi
exec "$server" "$@"
