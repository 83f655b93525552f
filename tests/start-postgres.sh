#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster (installed by deploy/install-deps.sh)
# and makes a superuser for tests. Prints the admin URL for
# OPENAPS_TEST_POSTGRES_URL on its last line.
set -euo pipefail
# shellcheck source=tests/detach-fds.sh
. "$(dirname "$0")/detach-fds.sh"
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
    pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.2
done
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'openaps_test') THEN
        CREATE ROLE openaps_test LOGIN SUPERUSER PASSWORD 'openaps_test';
    END IF;
END $$;
SQL
echo "postgresql://openaps_test:openaps_test@127.0.0.1:5432/postgres"
