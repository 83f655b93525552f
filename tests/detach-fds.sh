# shellcheck shell=bash
# Sourced by tests/start-postgres.sh and tests/start-postgres-replica.sh: the
# servers they start outlive them, so they must not keep open what the
# caller had open (a lock file held with flock, say). Closes every
# descriptor above 2 that the script inherited.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
done
