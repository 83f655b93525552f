#!/usr/bin/env bash
# A consistent copy of the SQLite database (sqlite3's online backup: safe
# while the server writes), checked, gzipped and put into the stack's S3
# bucket as backups/openaps-TIME.db.gz and backups/latest.db.gz (which a new
# instance restores). The bucket's lifecycle rule removes old ones.
# Installed as /usr/local/bin/openaps-backup by deploy/aws/single-host-setup.sh,
# run daily by openaps-backup.timer; settings in /etc/openaps/backup.env:
#   OPENAPS_BACKUP_BUCKET    the bucket (required)
#   OPENAPS_BACKUP_DATABASE  the database file (default /var/lib/openaps/openaps.db)
set -euo pipefail
bucket=${OPENAPS_BACKUP_BUCKET:?OPENAPS_BACKUP_BUCKET is not set}
database=${OPENAPS_BACKUP_DATABASE:-/var/lib/openaps/openaps.db}
[ -f "$database" ] || { echo "openaps-backup: no database at $database" >&2; exit 1; }

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sqlite3 "$database" ".backup '$work/openaps.db'"
check=$(sqlite3 "$work/openaps.db" "PRAGMA integrity_check")
[ "$check" = ok ] || { echo "openaps-backup: the copy fails its integrity check: $check" >&2; exit 1; }
gzip -9 "$work/openaps.db"
name="openaps-$(date -u +%Y%m%dT%H%M%SZ).db.gz"
aws s3 cp --only-show-errors "$work/openaps.db.gz" "s3://$bucket/backups/$name"
aws s3 cp --only-show-errors "$work/openaps.db.gz" "s3://$bucket/backups/latest.db.gz"
echo "openaps-backup: s3://$bucket/backups/$name ($(stat -c %s "$work/openaps.db.gz") bytes)"
