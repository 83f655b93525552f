#!/usr/bin/env bash
# Installs openaps-server as a systemd service on Debian 12 (as root): the
# runtime packages (deploy/packages/runtime-server.txt, the list the
# container image installs too), the binary, the `openaps` system user,
# /etc/openaps (settings and credentials), /var/lib/openaps, the units and
# the nginx site (not enabled).
# Run it again after `git pull` to upgrade: the binary and units are
# replaced, settings and secrets are kept, and the restarted service
# migrates the database before it serves.
#
#   deploy/install.sh [--binary PATH] [--enable] [--root DIR]
#     --binary PATH  install this openaps-server (default: build a Release one)
#     --enable       enable and (re)start openaps-server.service
#     --root DIR     install below DIR instead of / (no user, no systemctl;
#                    used by tests/deploy/test_systemd.py)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=""
enable=0
root=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --enable) enable=1; shift ;;
        --root) root=$2; shift 2 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

# What the binary needs to run: the same list the container image installs.
[ -n "$root" ] || deploy/install-deps.sh runtime-server
if [ -z "$binary" ]; then
    deploy/install-deps.sh build
    export CCACHE_DIR=${CCACHE_DIR:-$(pwd)/.cache/ccache}
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENAPS_BUILD_TESTS=OFF \
        -DOPENAPS_BUILD_DESKTOP=OFF >/dev/null
    cmake --build build/release --target openaps-server -j "$(nproc)"
    binary=build/release/server/openaps-server
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

# Ownership only when installing for real (a --root tree belongs to its caller).
owned() { # owned USER:GROUP MODE PATH
    chmod "$2" "$3"
    [ -n "$root" ] || chown "$1" "$3"
}

if [ -z "$root" ] && ! id openaps >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/openaps --no-create-home \
        --shell /usr/sbin/nologin --comment "OpenAPS Data Commons" openaps
fi

install -D -m 0755 "$binary" "$root/usr/local/bin/openaps-server"
install -D -m 0755 deploy/container/healthcheck.sh "$root/usr/local/bin/openaps-healthcheck"
for unit in openaps-server.service openaps-server@.service openaps-server.target; do
    install -D -m 0644 "deploy/systemd/$unit" "$root/etc/systemd/system/$unit"
done
install -D -m 0644 deploy/nginx/openaps.conf "$root/etc/nginx/sites-available/openaps.conf"
install -D -m 0644 deploy/nginx/openaps-upstreams.conf "$root/etc/nginx/conf.d/openaps-upstreams.conf"
install -D -m 0644 README.md "$root/usr/local/share/doc/openaps-server/README.md"

install -d -m 0755 "$root/etc/openaps"
install -d -m 0755 "$root/etc/openaps/instances"
install -d -m 0700 "$root/etc/openaps/credentials"
install -d -m 0750 "$root/var/lib/openaps"
owned openaps:openaps 0750 "$root/var/lib/openaps"

# Settings: created once from the example, never overwritten.
if [ ! -e "$root/etc/openaps/openaps.env" ]; then
    install -m 0640 deploy/systemd/openaps.env.example "$root/etc/openaps/openaps.env"
    owned root:openaps 0640 "$root/etc/openaps/openaps.env"
fi
cp deploy/systemd/instances/site.env.example "$root/etc/openaps/instances/site.env.example"

# Credentials: root only (systemd hands copies to the service). A fresh
# secret key; the others start empty (= unset) until the admin fills them
# (an empty pseudonym_key keeps the pseudonyms derived from the secret key).
credentials="$root/etc/openaps/credentials"
umask 077
if [ ! -s "$credentials/secret_key" ]; then
    openssl rand -base64 48 >"$credentials/secret_key"
fi
for name in pseudonym_key database_url oh_client_secret oh_webhook_secret oh_master_token metrics_token smtp_password \
        demographics_openaps_csv_url demographics_nightscout_csv_url; do
    [ -e "$credentials/$name" ] || : >"$credentials/$name"
done
for file in "$credentials"/*; do owned root:root 0600 "$file"; done

if [ -n "$root" ]; then
    echo "Installed below $root."
    exit 0
fi
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if [ "$enable" = 1 ]; then
        systemctl enable openaps-server.service
        systemctl restart openaps-server.service
    fi
fi
cat <<EOF
Installed openaps-server $(/usr/local/bin/openaps-server --version | cut -d' ' -f2).
Next:
  1. Settings:  /etc/openaps/openaps.env (public URL, Open Humans client id)
  2. Secrets:   /etc/openaps/credentials/ (one file each: database_url, oh_client_secret,
                oh_webhook_secret, smtp_password, ...; empty = not set)
  3. Start:     systemctl enable --now openaps-server   (or the @web/@ingest/@etl instances);
                a missing or malformed setting is named in journalctl -u openaps-server
  4. Proxy:     /etc/nginx/sites-available/openaps.conf (host name, certificate), then enable it
EOF
