#!/usr/bin/env bash
# Installs what building, running and testing need on Debian 12 (as root).
# Usage: deploy/install-deps.sh [build|test]   (test adds PostgreSQL, Chromium, Node, Xvfb, wrk, nginx, Caddy)
set -euo pipefail
what=${1:-build}

packages=(
    cmake ninja-build g++ pkg-config ccache git ca-certificates curl
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-charts-dev qt6-svg-dev
    libqt6sql6-sqlite libqt6sql6-psql libqt6svg6
    libsodium-dev libkainjow-mustache-dev zlib1g-dev libpq-dev libcurl4-openssl-dev
    sqlite3
)
if [ "$what" = test ]; then
    packages+=(postgresql chromium xvfb xauth wrk procps)
    packages+=(nginx caddy openssl python3 python3-yaml python3-seccomp systemd)   # tests/deploy
    command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
