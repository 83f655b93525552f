#!/usr/bin/env bash
# Installs what building, testing or running needs on Debian 12 (as root),
# from the package lists in deploy/packages/ (each line says what it is for):
#   deploy/install-deps.sh [build|test|runtime-server|runtime-desktop]
#     build            build.txt                 (the default)
#     test             build.txt + test.txt
#     runtime-server   runtime-server.txt        (container image, systemd host)
#     runtime-desktop  runtime-desktop.txt       (openaps-downloader)
set -euo pipefail
cd "$(dirname "$0")/packages"
what=${1:-build}
case "$what" in
    build) lists=(build.txt) ;;
    test) lists=(build.txt test.txt) ;;
    runtime-server|runtime-desktop) lists=("$what.txt") ;;
    *) echo "install-deps.sh: unknown set '$what' (build, test, runtime-server, runtime-desktop)" >&2; exit 2 ;;
esac

read -r -a packages <<<"$(sed 's/#.*//' "${lists[@]}" | tr -s ' \n' '  ')"
# A machine with NodeSource's node already has npm inside the nodejs package.
if command -v node >/dev/null 2>&1; then
    packages=("${packages[@]/#npm/}")
    packages=("${packages[@]/#nodejs/}")
fi

missing=()
for p in "${packages[@]}"; do
    [ -n "$p" ] || continue
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
