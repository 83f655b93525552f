#!/usr/bin/env bash
# Sets up openaps-server on one Debian 12 EC2 instance (deploy/aws/single-host.yaml
# runs it from the instance's user data, as root, in a clone of this
# repository): the server with systemd (deploy/install.sh), Caddy in front
# with automatic certificates, the secrets from AWS Secrets Manager, settings
# from the private S3 bucket, and a daily SQLite backup to that bucket. A new
# instance with an empty data directory restores the newest backup first, so
# replacing the instance loses at most a day.
#
#   deploy/aws/single-host-setup.sh --bucket NAME --domain HOST --oh-client-id ID
#       [--secret NAME=ARN]... [--root DIR]
#     --bucket NAME        the stack's S3 bucket: config/openaps.env (optional
#                          extra settings, read once here), release/openaps-server
#                          (optional prebuilt binary; else it is built here),
#                          backups/ (written daily)
#     --domain HOST        the public host name (Caddy gets its certificate)
#     --secret NAME=ARN    /etc/openaps/credentials/NAME from that secret
#     --root DIR           install below DIR: no packages, no systemctl (tests)
# Needs `aws` (Debian's awscli) with the instance role's credentials.
set -euo pipefail
cd "$(dirname "$0")/../.."
bucket=""
domain=""
client_id=""
root=""
secrets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --bucket) bucket=$2; shift 2 ;;
        --domain) domain=$2; shift 2 ;;
        --oh-client-id) client_id=$2; shift 2 ;;
        --secret) secrets+=("$2"); shift 2 ;;
        --root) root=$2; shift 2 ;;
        *) echo "single-host-setup.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for required in bucket domain client_id; do
    [ -n "${!required}" ] || { echo "single-host-setup.sh: --${required//_/-} is required" >&2; exit 2; }
done
[[ "$domain" =~ ^[a-z0-9.-]+$ ]] || { echo "single-host-setup.sh: --domain $domain is not a host name" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# s3_get KEY FILE: 0 if the object exists (and is now in FILE), 1 if not.
s3_get() { aws s3 cp --only-show-errors "s3://$bucket/$1" "$2" 2>/dev/null; }

if [ -z "$root" ]; then
    deploy/install-deps.sh runtime-server
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends caddy sqlite3 >/dev/null
fi

install_args=()
[ -n "$root" ] && install_args+=(--root "$root")
if s3_get release/openaps-server "$work/openaps-server"; then
    chmod 0755 "$work/openaps-server"
    install_args+=(--binary "$work/openaps-server")
    echo "Using the prebuilt openaps-server from s3://$bucket/release/."
elif [ -n "${OPENAPS_SETUP_BINARY:-}" ]; then
    install_args+=(--binary "$OPENAPS_SETUP_BINARY")
fi
deploy/install.sh "${install_args[@]}"

# Secrets: root-only files that systemd hands to the server; never echoed.
credentials="$root/etc/openaps/credentials"
umask 077
for pair in "${secrets[@]}"; do
    name=${pair%%=*}
    arn=${pair#*=}
    [[ "$name" =~ ^[a-z_]+$ ]] || { echo "single-host-setup.sh: bad secret name $name" >&2; exit 2; }
    aws secretsmanager get-secret-value --secret-id "$arn" --query SecretString --output text \
        >"$credentials/$name.new"
    mv "$credentials/$name.new" "$credentials/$name"
    echo "Secret $name read from Secrets Manager."
done
umask 022

# Settings: this host's, then the operator's file from the bucket (later
# lines win in a systemd EnvironmentFile).
settings="$root/etc/openaps/openaps.env"
set_setting() { # set_setting NAME VALUE
    if grep -q "^$1=" "$settings"; then
        sed -i "s|^$1=.*|$1=$2|" "$settings"
    else
        echo "$1=$2" >>"$settings"
    fi
}
set_setting OPENAPS_PUBLIC_URL "https://$domain"
set_setting OPENAPS_OH_CLIENT_ID "$client_id"
set_setting OPENAPS_HTTP_ADDRESS 127.0.0.1
set_setting OPENAPS_SITE_TRUSTED_PROXIES 127.0.0.1
if s3_get config/openaps.env "$work/openaps.env"; then
    sed -i '/^# ---- from s3:/,$d' "$settings"
    { echo "# ---- from s3://$bucket/config/openaps.env (setup time)"; cat "$work/openaps.env"; } >>"$settings"
    echo "Settings from s3://$bucket/config/openaps.env added."
fi

# Caddy: the repository's Caddyfile for this host name.
install -d "$root/etc/caddy"
sed "s/data\.example\.org/$domain/g" deploy/caddy/Caddyfile >"$root/etc/caddy/Caddyfile"

# Backups: daily, and the newest one restored into an empty data directory.
install -D -m 0755 deploy/aws/openaps-backup.sh "$root/usr/local/bin/openaps-backup"
for unit in openaps-backup.service openaps-backup.timer; do
    install -D -m 0644 "deploy/aws/$unit" "$root/etc/systemd/system/$unit"
done
printf 'OPENAPS_BACKUP_BUCKET=%s\n' "$bucket" >"$root/etc/openaps/backup.env"
database="$root/var/lib/openaps/openaps.db"
if [ ! -e "$database" ] && s3_get backups/latest.db.gz "$work/latest.db.gz"; then
    gunzip -c "$work/latest.db.gz" >"$database.restore"
    chmod 0600 "$database.restore"
    [ -n "$root" ] || chown openaps:openaps "$database.restore"
    mv "$database.restore" "$database"
    echo "Restored the newest backup from s3://$bucket/backups/latest.db.gz."
fi

if [ -z "$root" ]; then
    systemctl daemon-reload
    systemctl enable --now openaps-backup.timer
    systemctl enable openaps-server.service
    systemctl restart openaps-server.service
    systemctl restart caddy.service
fi
echo "openaps-server is set up for https://$domain."
