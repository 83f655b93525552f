"""Shared pieces of the deployment tests: command line, temp dirs, ports,
processes, and the real openaps-server started with secrets given as files.

The tests run the real binaries (openaps-server, nginx, openssl) on loopback
addresses and high ports, in a temporary directory that is removed at exit.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None  # parsed by main()


def main():
    """Runs the unittest module with --server BIN --source DIR taken off argv."""
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", help="the built openaps-server")
    parser.add_argument("--source", required=True, help="the source tree")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


def source_path(*parts):
    return os.path.join(ARGS.source, *parts)


def require_tool(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not path:
        raise RuntimeError(f"{name} is not installed: run deploy/install-deps.sh test")
    return path


def free_port(address="127.0.0.1"):
    """A port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def wait_for_port(port, process, log_path, address="127.0.0.1", deadline_s=15):
    """Waits until something accepts on the port; fails early if the process died."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}:\n{read(log_path)}")
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {address}:{port}:\n{read(log_path)}")


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def write(path, text, mode=0o600):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


class TempDir:
    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="openaps-deploy-")

    def join(self, *parts):
        return os.path.join(self.path, *parts)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def stop(process, timeout_s=10):
    """SIGTERM, then SIGKILL; returns the exit code."""
    if process is None or process.poll() is not None:
        return None if process is None else process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def secret_files(tmp):
    """Secrets as the deployments give them: one file each, trailing newline
    included (systemd credentials, /run/secrets). Returns OPENAPS_*_FILE vars."""
    os.makedirs(tmp.join("secrets"), mode=0o700, exist_ok=True)
    secrets = {
        "SECRET_KEY": "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "OH_CLIENT_SECRET": "test-oh-client-secret",
        "OH_WEBHOOK_SECRET": "test-webhook-secret",
    }
    return {f"OPENAPS_{name}_FILE": write(tmp.join("secrets", name.lower()), value + "\n")
            for name, value in secrets.items()}


def server_environment(tmp, extra=None):
    """A clean environment for openaps-server: no OPENAPS_* from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAPS_")}
    env.update({
        "OPENAPS_DATA_DIR": tmp.join("data"),
        "OPENAPS_HTTP_ADDRESS": "127.0.0.1",
        "OPENAPS_HTTP_PORT": "0",
        "OPENAPS_OH_BASE_URL": "http://127.0.0.1:9",
        "OPENAPS_OH_CLIENT_ID": "test-client",
    })
    env.update(secret_files(tmp))
    env.update(extra or {})
    os.makedirs(env["OPENAPS_DATA_DIR"], exist_ok=True)
    return env


def secret_settings():
    """The OPENAPS_* settings the server treats as secrets, from its own
    `check-config` (masked or `(not set)`), plus the database URL (its
    password is masked inside the value): every deployment must hand these
    over as secrets."""
    tmp = TempDir()
    try:
        env = {"PATH": "/usr/bin:/bin", "OPENAPS_DATA_DIR": tmp.path}
        out = subprocess.run([ARGS.server, "check-config", "--no-secret"], env=env,
                             capture_output=True, text=True, check=True).stdout
    finally:
        tmp.cleanup()
    names = {m.group(1) for m in re.finditer(r"^OPENAPS_(\w+)=(?:\(not set\)|\*\*\*\*)", out, re.M)}
    return names | {"DATABASE_URL"}


LISTENING = re.compile(r"listening on \S+ port (\d+)")


def start_logged(command, env, log_path, preexec=None):
    """Starts a process with stdout+stderr into log_path."""
    log = open(log_path, "wb")
    try:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=preexec)
    finally:
        log.close()


def wait_for_log(process, log_path, text, deadline_s=30):
    """Waits until the process has logged text."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if text in read(log_path):
            return
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}:\n{read(log_path)}")
        time.sleep(0.05)
    raise AssertionError(f"no {text!r} in the log:\n{read(log_path)}")


def wait_for_listening(process, log_path, deadline_s=30):
    """The port the server reports in its log line `listening on ADDRESS port N`."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        match = LISTENING.search(read(log_path))
        if match:
            return int(match.group(1))
        if process.poll() is not None:
            raise AssertionError(f"openaps-server exited with {process.returncode}:\n{read(log_path)}")
        time.sleep(0.05)
    raise AssertionError(f"openaps-server did not start listening:\n{read(log_path)}")


def http_get(port, path, address="127.0.0.1", headers=None):
    conn = http.client.HTTPConnection(address, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()
