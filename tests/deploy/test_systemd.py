#!/usr/bin/python3
"""deploy/systemd/ and deploy/install.sh.

This machine has no systemd as PID 1, so the units cannot be started by
systemd itself. Instead:
- `systemd-analyze verify` checks every unit (with ExecStart pointed at the
  built binary) and `systemd-analyze security --offline` scores its sandbox;
- deploy/install.sh installs into a temporary root;
- the installed unit's own commands (ExecStartPre, ExecStart, ExecStartPost) run with the
  environment the unit builds (Environment=, EnvironmentFile=,
  LoadCredential= files as %d, the instance name as %i), from that root,
  inside the unit's kernel-level sandbox rebuilt by unitrunner.py: its
  SystemCallFilter= and RestrictAddressFamilies= as a seccomp filter
  (python3-seccomp, the groups as `systemd-analyze syscall-filter` lists
  them), MemoryDenyWriteExecute= as PR_SET_MDWE, and an unprivileged user.
"""

import json
import os
import socket
import subprocess
import unittest
import urllib.parse
import uuid

import deploytest as dt
from unitrunner import Sandbox, UnitRun, mdwe_supported, parse_unit

UNITS = ("openaps-server.service", "openaps-server@.service", "openaps-server.target")
BINARY = "/usr/local/bin/openaps-server"
HEALTHCHECK = "/usr/local/bin/openaps-healthcheck"


class SystemdTest(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.TempDir()

    def tearDown(self):
        self.tmp.cleanup()

    def copy_units(self):
        """The units with ExecStart pointing at the built binary and
        ExecStartPost at the health check script (verify checks that the
        programs exist)."""
        directory = self.tmp.join("units")
        os.makedirs(directory)
        for unit in UNITS:
            with open(dt.source_path("deploy", "systemd", unit), encoding="utf-8") as f:
                text = f.read().replace(BINARY, dt.ARGS.server)
                text = text.replace(HEALTHCHECK, dt.source_path("deploy", "container", "healthcheck.sh"))
            dt.write(os.path.join(directory, unit), text, 0o644)
        return directory

    def test_units_verify_without_a_warning(self):
        directory = self.copy_units()
        for unit in ("openaps-server.service", "openaps-server@web.service",
                     "openaps-server@ingest.service", "openaps-server.target"):
            with self.subTest(unit=unit):
                result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                                         os.path.join(directory, unit)],
                                        capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)
                # Unknown keys and bad values are only warnings: none allowed.
                self.assertEqual(result.stdout + result.stderr, "")

    def test_units_are_sandboxed(self):
        directory = self.copy_units()
        for unit in ("openaps-server.service", "openaps-server@web.service"):
            with self.subTest(unit=unit):
                # Exposure at most 2.0 of 10 ("OK"); threshold is in tenths.
                result = subprocess.run(["systemd-analyze", "security", "--offline=true",
                                         "--threshold=20", "--no-pager",
                                         os.path.join(directory, unit)],
                                        capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                for setting in ("NoNewPrivileges=", "ProtectSystem=", "ProtectHome=",
                                "PrivateTmp=", "CapabilityBoundingSet=", "MemoryDenyWriteExecute=",
                                "SystemCallFilter=~@"):
                    bad = [line for line in result.stdout.splitlines()
                           if setting in line and line.lstrip().startswith("✗")]
                    self.assertEqual(bad, [], f"{unit}: {setting} is not set")

    def test_template_matches_the_single_service(self):
        """The two units differ only in where the roles come from: the
        sandbox, credentials and commands must not drift apart."""
        single = parse_unit(dt.source_path("deploy", "systemd", "openaps-server.service"))
        template = parse_unit(dt.source_path("deploy", "systemd", "openaps-server@.service"))
        per_instance = {("Environment", "OPENAPS_ROLES=%i"),
                        ("EnvironmentFile", "-/etc/openaps/instances/%i.env")}
        self.assertLessEqual(per_instance, set(template))
        strip = lambda entries: [e for e in entries if e not in per_instance and e[0] != "ExecStart"]
        self.assertEqual(strip(template), strip(single))
        self.assertIn(("ExecStart", f"{BINARY} serve --roles ${{OPENAPS_ROLES}}"), template)
        self.assertIn(("ExecStart", f"{BINARY} serve --roles web,api,ingest,etl"), single)

    def test_every_secret_setting_is_a_credential(self):
        for unit in ("openaps-server.service", "openaps-server@.service"):
            entries = parse_unit(dt.source_path("deploy", "systemd", unit))
            credentials = {v.split(":")[0] for k, v in entries if k == "LoadCredential"}
            files = dict(v.split("=", 1) for k, v in entries if k == "Environment")
            for name in sorted(dt.secret_settings()):
                with self.subTest(unit=unit, setting=name):
                    self.assertIn(name.lower(), credentials)
                    self.assertEqual(files.get(f"OPENAPS_{name}_FILE"), f"%d/{name.lower()}")
        # and install.sh creates each credential file
        root = self.install()
        for name in dt.secret_settings():
            self.assertTrue(os.path.exists(os.path.join(root, "etc/openaps/credentials", name.lower())), name)

    def install(self):
        root = self.tmp.join("root")
        result = subprocess.run([dt.source_path("deploy", "install.sh"), "--root", root,
                                 "--binary", dt.ARGS.server], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return root

    def test_install_lays_out_the_files_and_keeps_secrets(self):
        root = self.install()
        for path, mode in (("usr/local/bin/openaps-server", 0o755),
                           ("usr/local/bin/openaps-healthcheck", 0o755),
                           ("etc/systemd/system/openaps-server.service", 0o644),
                           ("etc/systemd/system/openaps-server@.service", 0o644),
                           ("etc/nginx/sites-available/openaps.conf", 0o644),
                           ("etc/openaps/openaps.env", 0o640),
                           ("etc/openaps/credentials", 0o700),
                           ("etc/openaps/credentials/secret_key", 0o600),
                           ("etc/openaps/credentials/oh_client_secret", 0o600),
                           ("var/lib/openaps", 0o750)):
            with self.subTest(path=path):
                self.assertEqual(os.stat(os.path.join(root, path)).st_mode & 0o777, mode)
        key_path = os.path.join(root, "etc/openaps/credentials/secret_key")
        key = dt.read(key_path)
        self.assertGreaterEqual(len(key.strip()), 32)
        env_path = os.path.join(root, "etc/openaps/openaps.env")
        dt.write(env_path, dt.read(env_path) + "OPENAPS_ETL_INTERVAL=2h\n", 0o640)
        self.install()  # an upgrade: secrets and settings stay
        self.assertEqual(dt.read(key_path), key)
        self.assertIn("OPENAPS_ETL_INTERVAL=2h", dt.read(env_path))
        self.assertNotRegex(dt.read(env_path), r"(?m)^OPENAPS_\w*(SECRET|KEY|TOKEN|DATABASE_URL)\w*=")

    def installed_for_test(self):
        """install.sh into a temp root, settings made fit for a test run."""
        root = self.install()
        env_path = os.path.join(root, "etc/openaps/openaps.env")
        settings = dt.read(env_path).replace("OPENAPS_HTTP_PORT=8080", "OPENAPS_HTTP_PORT=0")
        dt.write(env_path, settings + "OPENAPS_OH_BASE_URL=http://127.0.0.1:9\n", 0o640)
        # The admin's step after install.sh: without it the web role refuses to start.
        dt.write(os.path.join(root, "etc/openaps/credentials/oh_webhook_secret"), "test-webhook-secret\n", 0o600)
        return root

    def prepare(self, root, unit, instance=""):
        """The unit as systemd would start it: (UnitRun, Sandbox)."""
        run = UnitRun(os.path.join(root, "etc/systemd/system", unit), root, instance,
                      self.tmp.join("run", instance or "single", "credentials"))
        self.assertEqual(run.env["QT_ENABLE_REGEXP_JIT"], "0")
        self.assertEqual([key for key, _ in run.commands], ["ExecStartPre", "ExecStart", "ExecStartPost"])
        sandbox = Sandbox(run.entries)
        self.assertTrue(sandbox.mdwe)
        self.assertEqual(sorted(sandbox.families), sorted([socket.AF_UNIX, socket.AF_INET, socket.AF_INET6]))
        sandbox.mdwe = sandbox.mdwe and mdwe_supported()
        self.hand_over(root, run, sandbox.user)
        return run, sandbox

    def run_unit(self, unit, instance=""):
        """Installs, then runs the unit's ExecStartPre, ExecStart and ExecStartPost as
        systemd would set them up; returns the serving process's log."""
        root = self.installed_for_test()
        run, sandbox = self.prepare(root, unit, instance)
        (_, migrate), (_, serve), (_, ready) = run.commands
        result = subprocess.run(migrate, env=run.env, capture_output=True, text=True,
                                preexec_fn=sandbox.preexec)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("schema version", result.stdout + result.stderr)
        log = self.tmp.join("serve.log")
        server = dt.start_logged(serve, run.env, log, preexec=sandbox.preexec)
        try:
            port = dt.wait_for_listening(server, log)
            # ExecStartPost: started means ready (the test's port is chosen at start).
            result = subprocess.run(ready, env=dict(run.env, OPENAPS_HTTP_PORT=str(port)), timeout=90,
                                    preexec_fn=sandbox.preexec)
            self.assertEqual(result.returncode, 0)
            status, _, body = dt.http_get(port, "/healthz")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body)["status"], "ok")
            self.assertTrue(os.path.exists(os.path.join(root, "var/lib/openaps/openaps.db")))
            status, _, page = dt.http_get(port, "/")
            self.assertEqual(status, 200)
        finally:
            self.assertEqual(dt.stop(server), 0, dt.read(log))
        return dt.read(log)

    def hand_over(self, root, run, user):
        """What systemd does for User=: the state directory and the
        credentials belong to the service user (as root only)."""
        if os.geteuid() != 0:
            return
        os.chmod(self.tmp.path, 0o755)
        for path in (os.path.join(root, "var/lib/openaps"), run.credentials_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
            os.chmod(path, 0o700)
            for name in os.listdir(path):
                os.chown(os.path.join(path, name), user.pw_uid, user.pw_gid)
        for directory in (os.path.dirname(run.credentials_dir), self.tmp.join("run")):
            os.chmod(directory, 0o755)

    def test_the_rebuilt_sandbox_bites(self):
        """The emulation is real: what the unit forbids fails in the child."""
        sandbox = Sandbox(parse_unit(dt.source_path("deploy", "systemd", "openaps-server.service")))
        sandbox.mdwe = sandbox.mdwe and mdwe_supported()
        probe = r"""
import errno, mmap, os, socket
def outcome(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
print("inet", outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()))
print("netlink", outcome(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW).close()))
print("setpriority", outcome(lambda: os.setpriority(os.PRIO_PROCESS, 0, 5)))
print("chroot", outcome(lambda: os.chroot("/")))
print("wx", outcome(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)))
print("user", os.geteuid())
"""
        result = subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True, text=True,
                                preexec_fn=sandbox.preexec, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        seen = dict(line.split() for line in result.stdout.splitlines())
        self.assertEqual(seen["inet"], "ok")
        self.assertEqual(seen["netlink"], "EAFNOSUPPORT")
        self.assertEqual(seen["setpriority"], "EPERM")  # @resources is denied
        self.assertEqual(seen["chroot"], "EPERM")  # @privileged is denied
        if sandbox.mdwe:
            self.assertNotEqual(seen["wx"], "ok")
        if os.geteuid() == 0:
            self.assertEqual(int(seen["user"]), sandbox.user.pw_uid)

    def test_service_runs_its_commands_in_its_sandbox(self):
        log = self.run_unit("openaps-server.service")
        self.assertIn("running roles web,ingest,etl,api", log)
        key = dt.read(self.tmp.join("root/etc/openaps/credentials/secret_key")).strip()
        self.assertNotIn(key, log)

    def test_template_instance_runs_the_role_in_its_name(self):
        log = self.run_unit("openaps-server@.service", instance="web")
        self.assertIn("running roles web ", log)

    @unittest.skipUnless(os.environ.get("OPENAPS_TEST_POSTGRES_URL"), "no OPENAPS_TEST_POSTGRES_URL")
    def test_role_instances_share_postgres(self):
        """@web, @ingest and @etl on one PostgreSQL: their migrations run at
        the same moment (each exactly once), then each serves its role."""
        admin = os.environ["OPENAPS_TEST_POSTGRES_URL"]
        database = "openaps_deploy_" + uuid.uuid4().hex[:12]
        psql = ["psql", "-v", "ON_ERROR_STOP=1", "-q", admin, "-c"]
        subprocess.run(psql + [f"CREATE DATABASE {database}"], check=True, capture_output=True)
        servers = []
        try:
            url = urllib.parse.urlunsplit(urllib.parse.urlsplit(admin)._replace(path="/" + database))
            root = self.installed_for_test()
            dt.write(os.path.join(root, "etc/openaps/credentials/database_url"), url + "\n", 0o600)
            runs = {i: self.prepare(root, "openaps-server@.service", i) for i in ("web", "ingest", "etl")}
            migrations = {i: subprocess.Popen(run.commands[0][1], env=run.env, preexec_fn=sandbox.preexec,
                                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                          for i, (run, sandbox) in runs.items()}
            outputs = {i: p.communicate(timeout=60)[0] for i, p in migrations.items()}
            for i, p in migrations.items():
                self.assertEqual(p.returncode, 0, outputs[i])
            applied = [line for out in outputs.values() for line in out.splitlines()
                       if "applied migration 0001_initial" in line]
            self.assertEqual(len(applied), 1, outputs)
            for i, (run, sandbox) in runs.items():
                log = self.tmp.join(f"{i}.log")
                servers.append((i, dt.start_logged(run.commands[1][1], run.env, log, sandbox.preexec), log))
            port = dt.wait_for_listening(servers[0][1], servers[0][2])
            status, _, body = dt.http_get(port, "/healthz")
            self.assertEqual((status, json.loads(body)["database"]), (200, "postgresql"), body)
            for i, process, log in servers:
                dt.wait_for_log(process, log, f"running roles {i} with the postgresql database")
        finally:
            for i, process, log in servers:
                self.assertEqual(dt.stop(process), 0, dt.read(log))
            subprocess.run(psql + [f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], capture_output=True)


if __name__ == "__main__":
    dt.main()
