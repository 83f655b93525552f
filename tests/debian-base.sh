#!/usr/bin/env bash
# Prints the path of a minimal Debian 12 root as a tarball (mmdebstrap
# --variant=apt, from Debian's mirror, nothing of this machine's packages),
# made once and kept in the cache directory. Used by tests/fresh-machine.sh
# (extracted into throw-away roots) and the container test (podman import).
#   tests/debian-base.sh [--refresh]
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${OPENAPS_CACHE_DIR:-$(pwd)/.cache}/debian
tarball=$cache/bookworm-apt.tar
if [ "${1:-}" = --refresh ] || [ ! -s "$tarball" ]; then
    command -v mmdebstrap >/dev/null || {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
    }
    mkdir -p "$cache"
    # The sources a new Debian 12 machine has: the release, its updates and security.
    mmdebstrap --quiet --variant=apt bookworm "$tarball.part" --format=tar \
        "deb http://deb.debian.org/debian bookworm main" \
        "deb http://deb.debian.org/debian bookworm-updates main" \
        "deb http://deb.debian.org/debian-security bookworm-security main" >&2
    mv "$tarball.part" "$tarball"
fi
echo "$tarball"
