"""systemd units without systemd: the [Service] settings of a unit file, the
environment and command lines systemd would build from them, and the
unit's kernel-level sandbox rebuilt for a child process (seccomp from
SystemCallFilter= and RestrictAddressFamilies=, PR_SET_MDWE for
MemoryDenyWriteExecute=, an unprivileged user for User=).
"""

import ctypes
import errno
import os
import pwd
import re
import shlex
import socket
import subprocess

import seccomp

import deploytest as dt

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_MDWE, PR_GET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 66, 1


def deny_write_execute():
    """What MemoryDenyWriteExecute=yes enforces: no memory both writable and
    executable, no page made executable later. Runs in the child before exec."""
    if _libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_MDWE)")


def mdwe_supported():
    return _libc.prctl(PR_GET_MDWE, 0, 0, 0, 0) >= 0


def syscall_groups():
    """{"@name": [members]} as this systemd defines them."""
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"],
                         capture_output=True, text=True, check=True).stdout
    groups, current = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.append(line.strip())
    return groups


def expand(names, groups):
    result = set()
    for name in names:
        if name.startswith("@"):
            result |= expand(groups[name], groups)
        else:
            result.add(name)
    return result


FAMILIES = {"AF_UNIX": socket.AF_UNIX, "AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6,
            "AF_NETLINK": socket.AF_NETLINK, "AF_PACKET": socket.AF_PACKET}


class Sandbox:
    """The unit's seccomp settings as a filter for a child process, as
    systemd builds them: the allow-list always includes @default, denied
    calls fail with SystemCallErrorNumber=, other address families with
    EAFNOSUPPORT."""

    def __init__(self, entries):
        groups = syscall_groups()
        allowed, denied = set(), set()
        self.families, self.error = None, errno.EPERM
        self.mdwe = False
        for key, value in entries:
            if key == "SystemCallFilter":
                if value.startswith("~"):
                    denied |= expand(value[1:].split(), groups)
                else:
                    allowed |= expand(value.split() + ["@default"], groups)
            elif key == "SystemCallErrorNumber":
                self.error = getattr(errno, value)
            elif key == "RestrictAddressFamilies":
                self.families = [FAMILIES[f] for f in value.split()]
            elif key == "MemoryDenyWriteExecute":
                self.mdwe = value == "yes"
        self.allowed = allowed - denied
        self.user = pwd.getpwnam("nobody")

    def filter(self):
        f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(self.error))
        for name in sorted(self.allowed - {"socket"}):
            try:
                f.add_rule(seccomp.ALLOW, name)
            except (RuntimeError, ValueError):
                pass  # a name this architecture or libseccomp does not have
        for family in range(0, 64):
            action = seccomp.ALLOW if family in self.families else seccomp.ERRNO(errno.EAFNOSUPPORT)
            f.add_rule(action, "socket", seccomp.Arg(0, seccomp.EQ, family))
        return f

    def preexec(self):
        """Runs in the child before exec: drop to `nobody`, then seccomp and MDWE."""
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(self.user.pw_gid)
            os.setuid(self.user.pw_uid)
        self.filter().load()
        if self.mdwe:
            deny_write_execute()


def parse_unit(path):
    """[Service] assignments in order, as (key, value) pairs."""
    entries, section = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "Service":
                key, _, value = line.partition("=")
                entries.append((key, value))
    return entries


def read_env_file(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
    return env


class UnitRun:
    """The environment and command lines systemd would give the service,
    with every absolute path moved below `root`."""

    def __init__(self, unit_path, root, instance, credentials_dir):
        self.env = {"PATH": "/usr/bin:/bin"}
        self.commands = []
        self.entries = parse_unit(unit_path)
        self.credentials_dir = credentials_dir
        rebase = lambda p: root + p if p.startswith("/") else p
        spec = lambda s: s.replace("%i", instance).replace("%d", credentials_dir)
        os.makedirs(credentials_dir, mode=0o700, exist_ok=True)
        for key, value in self.entries:
            value = spec(value)
            if key == "Environment":
                name, _, v = value.partition("=")
                self.env[name] = rebase(v) if v.startswith("/var/") else v
            elif key == "EnvironmentFile":
                optional = value.startswith("-")
                path = rebase(value.lstrip("-"))
                if os.path.exists(path):
                    self.env.update(read_env_file(path))
                elif not optional:
                    raise AssertionError(f"{unit_path}: EnvironmentFile {path} was not installed")
            elif key == "LoadCredential":
                name, _, source = value.partition(":")
                with open(rebase(source), "rb") as src:  # systemd fails to start without it
                    dt.write(os.path.join(credentials_dir, name), src.read().decode(), 0o400)
            elif key in ("ExecStartPre", "ExecStart", "ExecStartPost"):
                words = [re.sub(r"\$\{(\w+)\}", lambda m: self.env[m.group(1)], w)
                         for w in shlex.split(value)]
                self.commands.append((key, [rebase(words[0])] + words[1:]))
