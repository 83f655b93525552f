#!/usr/bin/env bash
# The fresh-machine check: proves the install steps on Debian 12 roots made
# only from Debian's packages (tests/debian-base.sh), not this machine's.
#   root A: a copy of the repository (the files git tracks, as they are in the
#           working tree); the README's first command, `deploy/demo.sh`, as
#           written, must install, build and bring the demo up (/healthz 200);
#           then `deploy/install-deps.sh test` must be enough to configure the
#           full build with tests.
#   root B: only the runtime package lists (deploy/install-deps.sh
#           runtime-server and runtime-desktop) and the two binaries built in
#           root A: ldd finds every library; openaps-server --version,
#           check-config, migrate and serve on SQLite (/healthz 200);
#           openaps-downloader --version and --self-check offscreen.
#
#   tests/fresh-machine.sh        (as root; .ci/run calls it)
#
# Each root is entered through `unshare` with its own mount and PID
# namespaces: its mounts (/proc, /dev, /sys, the caches) are invisible to this
# machine, and its mounts and processes end with it even if this script is
# killed. The trap still checks with findmnt that nothing is mounted below the
# roots before it removes them.
# Caches, shared with later runs: CCACHE_DIR (default .cache/ccache) is the
# ccache of root A's build; .cache/fresh-machine/apt keeps downloaded .debs.
# Logs stay in build/fresh-machine/ after the roots are gone.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if [ "$(id -u)" != 0 ] || ! unshare --mount --pid --fork true 2>/dev/null; then
    echo "fresh-machine: SKIPPED (needs root with mount namespaces for chroot; run as root)"
    exit 0
fi

logs=$repo/build/fresh-machine
ccache=${CCACHE_DIR:-$repo/.cache/ccache}
aptcache=$repo/.cache/fresh-machine/apt
mkdir -p "$logs" "$ccache" "$aptcache/partial"
rm -f "$logs"/*.log
work=$(mktemp -d "${TMPDIR:-/var/tmp}/openaps-fresh.XXXXXX")
rootA=$work/a
rootB=$work/b
src=/root/openaps   # where root A holds the repository
started=$SECONDS
pids=()             # the unshare processes of roots started in the background

# ---- entering a root --------------------------------------------------------

# Runs inside the new namespaces: mounts what apt, the compilers and Qt need,
# then chroots with a clean environment, as a fresh login would have it.
# enter_root ROOT [--bind HOSTDIR DIR_IN_ROOT]... -- COMMAND...
enter_root() {
    local root=$1
    shift
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t sysfs -o ro sysfs "$root/sys"
    while [ "$1" = --bind ]; do
        mkdir -p "$root$3"
        mount --bind "$2" "$root$3"
        shift 3
    done
    shift
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# root_command ROOT COMMAND: sets the array `command` to what runs the bash
# COMMAND in ROOT (with the caches bound).
root_command() {
    local binds=(--bind "$aptcache" /var/cache/apt/archives)
    [ "$1" = "$rootA" ] && binds+=(--bind "$ccache" "$src/.cache/ccache")
    command=(unshare --mount --pid --fork --kill-child --propagation private
        bash -c "$(declare -f enter_root); enter_root \"\$@\"" enter_root
        "$1" "${binds[@]}" -- bash -c "$2")
}
in_root() { # in_root ROOT COMMAND
    local command
    root_command "$1" "$2"
    "${command[@]}"
}
start_in_root() { # start_in_root ROOT COMMAND LOG: in the background; $! is unshare's pid
    local command
    root_command "$1" "$2"
    "${command[@]}" >"$3" 2>&1 &
    pids+=($!)
}

# A throw-away root from the cached Debian 12 tarball.
make_root() {
    mkdir -p "$1" && tar -xf "$base" -C "$1" && cat /etc/resolv.conf >"$1/etc/resolv.conf" || return 1
    # A chroot has no init: package scripts must not start services (they
    # would run on this machine's network, e.g. PostgreSQL on port 5432).
    printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d" && chmod 0755 "$1/usr/sbin/policy-rc.d"
}

# Whether the process runs (a child that ended is a zombie until waited for).
alive() {
    local state
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$state" ] && [ "$state" != Z ]
}

# Stops a root started in the background: SIGTERM to the process that runs as
# its PID 1 (the server, after demo.sh's exec), then SIGKILL to unshare,
# which takes every process of that PID namespace with it.
stop_root() {
    local pid=$1 child
    child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    [ -z "$child" ] || kill -TERM $child 2>/dev/null || true
    for _ in $(seq 50); do
        alive "$pid" || break
        sleep 0.2
    done
    if alive "$pid" && kill -KILL "$pid" 2>/dev/null; then
        echo "   (it did not stop within 10 s of SIGTERM: killed)"
    fi
    wait "$pid" 2>/dev/null || true
}

# ---- stages, logs, cleanup --------------------------------------------------

stage_name=""
stage_log=""
stage() { # stage N NAME HEADING: a heading; the output goes to build/fresh-machine/N-NAME.log
    stage_name="[$1] $3"
    stage_log=$logs/$1-$2.log
    stage_started=$SECONDS
    echo "== [$1] $3 ($(date -u +%H:%M:%S))"
}
stage_done() {
    echo "   ok, $((SECONDS - stage_started)) s"
    stage_name=""
}
fail() {
    echo "fresh-machine: stage $stage_name FAILED: $*" >&2
    if [ -s "$stage_log" ]; then
        echo "---- last 40 lines of $stage_log" >&2
        tail -n 40 "$stage_log" >&2
        echo "----" >&2
    fi
    exit 1
}
run() { # run COMMAND...: in the current stage's log, failing the stage
    "$@" >>"$stage_log" 2>&1 || fail "'$*' exited with $?"
}

cleanup() {
    local rc=$?
    for pid in "${pids[@]}"; do stop_root "$pid"; done
    # Anything still running from inside the roots (there should be none: the
    # PID namespaces ended with unshare) is ours: end it by its id.
    for proc in /proc/[0-9]*; do
        case "$(readlink "$proc/root" 2>/dev/null)" in
            "$work"/*) kill -KILL "${proc#/proc/}" 2>/dev/null || true ;;
        esac
    done
    # The mounts lived in private namespaces; if one leaked to this machine,
    # unmount it (deepest first, lazily as a last resort) before any rm.
    local mounts
    mounts=$(findmnt -rn -o TARGET | grep -F "$work/" | sort -r || true)
    for m in $mounts; do umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    if findmnt -rn -o TARGET | grep -qF "$work/"; then
        echo "fresh-machine: $work still has mounts; left in place" >&2
        [ "$rc" != 0 ] || rc=1
    else
        rm -rf --one-file-system "$work"
    fi
    # CPU time of everything that ran in the roots (builds included): on an
    # idle machine with N cores the check needs at least this divided by N.
    # (`times` in this shell: in a pipe or $(...) it would report a subshell.)
    local cpu
    times >"$logs/times"
    cpu=$(tail -n 1 "$logs/times" | awk '{ gsub(/[ms]/, " "); split($0, t, " "); print int(t[1]*60 + t[2] + t[3]*60 + t[4]) }')
    echo "   CPU time used (user + system, all processes): ${cpu} s"
    if [ "$rc" = 0 ]; then
        echo "== fresh-machine check passed in $((SECONDS - started)) s (logs: build/fresh-machine/)"
    else
        echo "== fresh-machine check FAILED after $((SECONDS - started)) s (logs: build/fresh-machine/)" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
interrupted() { # interrupted CODE
    echo "fresh-machine: interrupted${stage_name:+ during stage $stage_name}" >&2
    exit "$1"
}
trap 'interrupted 130' INT
trap 'interrupted 143' TERM

# Status code of an HTTP GET (000 when nothing answers).
http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1" || true
}

# ---- 1. the base -----------------------------------------------------------

stage 1 base "host tools and the Debian 12 base"
run deploy/install-deps.sh test   # mmdebstrap, curl on this machine
base=$(tests/debian-base.sh 2>>"$stage_log" | tail -n 1)
[ -s "$base" ] || fail "tests/debian-base.sh printed no tarball"
stage_done

# ---- 2. root A: the demo, as the README says --------------------------------

stage 2 copy "root A: a copy of the repository"
run make_root "$rootA"
mkdir -p "$rootA$src"
git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>>"$stage_log" | tar -xf - -C "$rootA$src" \
    || fail "copying the repository"
stage_done

# The README's first command as written. The demo's site listens on 8080;
# this machine shares its network with the root, so when something here
# already holds 8080 the same command gets a free port (--port P) instead.
port=8080
demo_args=""
if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
    for port in $(shuf -i 18080-18980); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
    done
    demo_args=" --port $port"
fi
stage 3 demo "root A: deploy/demo.sh$demo_args (installs, builds, runs the demo)"
echo "   (a cold build takes a while; progress in $stage_log)"
start_in_root "$rootA" "cd $src && exec deploy/demo.sh$demo_args" "$stage_log"
demo=$!
deadline=$((SECONDS + 3600))
next_note=$((SECONDS + 120))
until [ "$(http_status "http://127.0.0.1:$port/healthz")" = 200 ]; do
    alive "$demo" || fail "deploy/demo.sh exited before the demo answered /healthz"
    [ "$SECONDS" -lt "$deadline" ] || fail "no /healthz 200 within an hour"
    if [ "$SECONDS" -ge "$next_note" ]; then
        echo "   $(tail -n 1 "$stage_log" | cut -c1-100)"
        next_note=$((SECONDS + 120))
    fi
    sleep 2
done
health=$(curl -s "http://127.0.0.1:$port/healthz")
echo "   /healthz: $health"
stop_root "$demo"
pids=()
stage_done

stage 4 test-configure "root A: deploy/install-deps.sh test, configure the full build with tests"
run in_root "$rootA" "cd $src && deploy/install-deps.sh test &&
    cmake -S . -B build/fresh-tests -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DOPENAPS_BUILD_DESKTOP=ON -DOPENAPS_BUILD_TESTS=ON"
stage_done

# ---- 3. root B: runtime packages only ----------------------------------------

stage 5 runtime-packages "root B: runtime packages only (runtime-server, runtime-desktop)"
run make_root "$rootB"
mkdir -p "$rootB/opt/openaps/deploy"
cp -r deploy/install-deps.sh deploy/packages "$rootB/opt/openaps/deploy/"
install -m 0755 "$rootA$src/build/demo/server/openaps-server" \
    "$rootA$src/build/demo/desktop-downloader/openaps-downloader" "$rootB/usr/local/bin/"
run in_root "$rootB" "/opt/openaps/deploy/install-deps.sh runtime-server &&
    /opt/openaps/deploy/install-deps.sh runtime-desktop"
stage_done

stage 6 ldd "root B: ldd finds every library (binaries and the Qt plugins they load)"
run in_root "$rootB" 'plugins=/usr/lib/x86_64-linux-gnu/qt6/plugins
    for f in /usr/local/bin/openaps-server /usr/local/bin/openaps-downloader \
            $plugins/sqldrivers/libqsqlite.so $plugins/sqldrivers/libqsqlpsql.so \
            $plugins/platforms/libqoffscreen.so $plugins/platforms/libqxcb.so $plugins/tls/libqopensslbackend.so; do
        echo "# $f"
        ldd "$f" || exit 1
    done'
if grep -n "not found" "$stage_log"; then fail "libraries not found"; fi
stage_done

stage 7 server "root B: openaps-server --version, check-config, migrate, serve (SQLite)"
server_env="OPENAPS_DATA_DIR=/var/lib/openaps OPENAPS_DATABASE_URL=sqlite:///var/lib/openaps/openaps.db \
    OPENAPS_SECRET_KEY=fresh-machine-check-secret-key-0123456789abcdef OPENAPS_HTTP_PORT=0 \
    OPENAPS_OH_WEBHOOK_SECRET=fresh-machine-check-webhook-secret"
# As an unprivileged user, the way the systemd units and the image run it.
as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/var/lib/openaps $server_env"
run in_root "$rootB" "mkdir -p /var/lib/openaps && chown nobody:nogroup /var/lib/openaps &&
    openaps-server --version && $as_user openaps-server check-config &&
    $as_user openaps-server migrate"
grep -q "^openaps-server [0-9]" "$stage_log" || fail "no version printed"
if grep -q "fresh-machine-check-secret" "$stage_log"; then fail "check-config printed the secret key"; fi
start_in_root "$rootB" "exec $as_user openaps-server serve" "$logs/7-serve.log"
server=$!
deadline=$((SECONDS + 60))
until grep -qs "listening on .* port [0-9]" "$logs/7-serve.log"; do
    alive "$server" || { stage_log=$logs/7-serve.log; fail "serve exited"; }
    [ "$SECONDS" -lt "$deadline" ] || { stage_log=$logs/7-serve.log; fail "serve did not listen within 60 s"; }
    sleep 0.5
done
serve_port=$(grep -o "listening on .* port [0-9]*" "$logs/7-serve.log" | head -n 1 | awk '{print $NF}')
status=$(http_status "http://127.0.0.1:$serve_port/healthz")
health=$(curl -s "http://127.0.0.1:$serve_port/healthz" || true)
stop_root "$server"
pids=()
[ "$status" = 200 ] || { stage_log=$logs/7-serve.log; fail "/healthz answered $status: $health"; }
echo "   /healthz: $health"
stage_done

stage 8 downloader "root B: openaps-downloader --version, --self-check (offscreen)"
run in_root "$rootB" "export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp/runtime-root &&
    openaps-downloader --version && openaps-downloader --self-check"
grep -q "self-check passed" "$stage_log" || fail "the self-check did not pass"
sed 's/^/   /' "$stage_log" | grep -E "openaps-downloader [0-9]|^   (ok|FAIL) "
stage_done
