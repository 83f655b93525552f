#!/usr/bin/python3
"""deploy/container/Containerfile built for real with podman (on a Debian 12
base made locally with mmdebstrap: tests/debian-base.sh, `podman import`),
then run as compose.yaml runs it, against PostgreSQL: the one-shot
`migrate --roles --login ...` as the database owner, then servers as
least-privilege LOGIN users, /healthz, the image's health check, and one
researcher export (account made with the CLI inside the image).

Where `podman run` cannot start containers (crun: setrlimit ... Operation
not permitted, as on the CI machines), the image is run the way it can be:
its root is `podman mount`ed and its entrypoint started with chroot in a
private mount namespace (/dev, /proc, /run/secrets bound in) with the user,
environment, working directory and command the image declares.

The build stage compiles through a ccache (OPENAPS_IMAGE_CCACHE_DIR, else
CCACHE_DIR, else .cache/ccache) mounted at /ccache.
"""

import http.client
import json
import os
import secrets
import shutil
import subprocess
import time
import unittest
import urllib.parse

import yaml

import deploytest as dt

BASE_TAG = "localhost/openaps-test-debian:12"
BUNDLE = "/usr/local/share/openaps/rds-ca-bundle.pem"
ADMIN_URL = os.environ.get("OPENAPS_TEST_POSTGRES_URL", "")


def podman(*args, check=True, timeout=120, **kwargs):
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


def psql(url, sql, check=True):
    result = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-qAt", url, "-c", sql],
                            capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"psql: {result.stderr}")
    return result


def with_user(url, user, password, database):
    u = urllib.parse.urlsplit(url)
    netloc = f"{user}:{urllib.parse.quote(password, safe='')}@{u.hostname}:{u.port or 5432}"
    return urllib.parse.urlunsplit(u._replace(netloc=netloc, path="/" + database, query=""))


def compose_migrate_command():
    with open(dt.source_path("deploy", "container", "compose.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)["services"]["migrate"]["command"]


class ChrootRunner:
    """Runs the image's processes in its mounted root (podman run cannot here)."""
    name = "podman mount + chroot"

    def __init__(self, image, config, secrets_dir):
        self.container = podman("create", "--pull=never", image).stdout.strip()
        self.root = podman("mount", self.container).stdout.strip()
        self.config, self.secrets_dir = config, secrets_dir
        user, _, group = config["User"].partition(":")
        self.uid, self.gid = self.lookup("passwd", user), self.lookup("group", group or user)

    def lookup(self, database, name):
        if name.isdigit():
            return name
        with open(os.path.join(self.root, "etc", database), encoding="utf-8") as f:
            return next(line.split(":")[2] for line in f if line.split(":")[0] == name)

    def command(self, args):
        script = ('root=$1 uid=$2 gid=$3 dir=$4 secrets=$5; shift 5; '
                  'mkdir -p "$root/run/secrets" '
                  '&& mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc" '
                  '&& mount --bind "$secrets" "$root/run/secrets" || exit 125; '
                  'exec chroot --userspec="$uid:$gid" --groups="$gid" "$root" '
                  '/bin/sh -c \'cd "$0" && exec "$@"\' "$dir" "$@"')
        return ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh",
                self.root, self.uid, self.gid, self.config.get("WorkingDir") or "/", self.secrets_dir,
                *args]

    def environment(self, extra):
        env = dict(item.split("=", 1) for item in self.config.get("Env") or [])
        env.update(extra)
        return env

    def cleanup(self):
        podman("umount", self.container, check=False)
        podman("rm", "--force", "--volumes", self.container, check=False)


class PodmanRunner:
    """`podman run`, where the OCI runtime can start containers."""
    name = "podman run"

    def __init__(self, image, config, secrets_dir):
        self.image, self.config, self.secrets_dir = image, config, secrets_dir

    def command(self, args, env_names=()):
        return ["podman", "run", "--rm", "--pull=never", "--network=host",
                "-v", f"{self.secrets_dir}:/run/secrets:ro", *[f"--env={n}" for n in env_names],
                "--entrypoint", args[0], self.image, *args[1:]]

    def environment(self, extra):
        return dict(os.environ, **extra)

    def cleanup(self):
        pass


@unittest.skipUnless(shutil.which("podman"), "podman is not installed: the container image is not built here")
@unittest.skipUnless(ADMIN_URL, "no OPENAPS_TEST_POSTGRES_URL")
class ImageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = dt.TempDir()
        cls.image = f"localhost/openaps-server:deploy-test-{os.getpid()}"
        cls.runner = None
        cls.database = None
        cls.processes = []
        try:
            cls.build()
            inspected = json.loads(podman("image", "inspect", cls.image).stdout)[0]
            cls.config = inspected["Config"]
            # podman names it apart from Config (only the docker format keeps it)
            cls.config["Healthcheck"] = (inspected.get("Healthcheck") or inspected.get("HealthCheck")
                                      or cls.config.get("Healthcheck") or {})
            cls.start_runner()
            cls.make_database()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def build(cls):
        base = subprocess.run([dt.source_path("tests", "debian-base.sh")], capture_output=True, text=True,
                              check=True, timeout=900).stdout.strip()
        if podman("image", "exists", BASE_TAG, check=False).returncode != 0:
            podman("import", "--quiet", base, BASE_TAG, timeout=300)
        ccache = (os.environ.get("OPENAPS_IMAGE_CCACHE_DIR") or os.environ.get("CCACHE_DIR")
                  or dt.source_path(".cache", "ccache"))
        os.makedirs(ccache, exist_ok=True)
        started = time.monotonic()
        result = podman("build", "--isolation", "chroot", "--format", "docker", "--pull=never",
                        "-f", "deploy/container/Containerfile",
                        "--ignorefile", "deploy/container/Containerfile.dockerignore",
                        "--build-arg", f"BASE_IMAGE={BASE_TAG}", "--build-arg", f"RUNTIME_IMAGE={BASE_TAG}",
                        "-v", f"{os.path.realpath(ccache)}:/ccache:z", "-t", cls.image, ".",
                        cwd=dt.ARGS.source, timeout=3600, check=False)
        log = dt.write(cls.tmp.join("build.log"), result.stdout + result.stderr, 0o644)
        if result.returncode != 0:
            raise AssertionError(f"podman build failed:\n{dt.read(log)[-6000:]}")
        hits = [line.strip() for line in result.stdout.splitlines()
                if line.strip().startswith(("Cacheable", "Hits", "Misses"))]
        print(f"image built in {time.monotonic() - started:.0f} s; ccache: {'; '.join(hits) or 'not used'}")

    @classmethod
    def start_runner(cls):
        os.makedirs(cls.tmp.join("secrets"), mode=0o755)
        probe = subprocess.run(["podman", "run", "--rm", "--pull=never", cls.image, "--version"],
                               capture_output=True, text=True, timeout=120)
        kind = PodmanRunner if probe.returncode == 0 else ChrootRunner
        cls.runner = kind(cls.image, cls.config, cls.tmp.join("secrets"))
        print(f"running the image with {cls.runner.name}")

    @classmethod
    def make_database(cls):
        """A database owned by a non-superuser with CREATEROLE (as on RDS), and
        the secrets compose.yaml's setup writes."""
        suffix = secrets.token_hex(5)
        cls.database = f"openaps_image_{suffix}"
        cls.users = {name: f"openaps_{name}_{suffix}" for name in ("owner", "site", "jobs", "web")}
        cls.passwords = {name: secrets.token_hex(20) for name in cls.users}
        psql(ADMIN_URL, f"CREATE ROLE {cls.users['owner']} LOGIN CREATEROLE PASSWORD '{cls.passwords['owner']}'")
        psql(ADMIN_URL, f"CREATE DATABASE {cls.database} OWNER {cls.users['owner']}")
        cls.urls = {name: with_user(ADMIN_URL, user, cls.passwords[name], cls.database)
                    for name, user in cls.users.items()}
        cls.secret_files = {}
        values = {f"{name}_database_url": url for name, url in cls.urls.items()}
        values.update({f"{name}_db_password": cls.passwords[name] for name in cls.users})
        values.update({"secret_key": secrets.token_hex(32), "oh_client_secret": "test-oh-client-secret",
                       "oh_webhook_secret": "test-webhook-secret"})
        # Readable by the image's user alone (podman run: by anyone in the container).
        uid = int(getattr(cls.runner, "uid", -1))
        for name, value in values.items():
            path = dt.write(cls.tmp.join("secrets", name), value + "\n", 0o400 if uid >= 0 else 0o444)
            if uid >= 0:
                os.chown(path, uid, uid)
            cls.secret_files[name] = f"/run/secrets/{name}"

    @classmethod
    def tearDownClass(cls):
        for process in cls.processes:
            dt.stop(process)
        if cls.runner:
            cls.runner.cleanup()
        podman("rmi", "--force", cls.image, check=False)
        if cls.database:
            psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {cls.database} WITH (FORCE)", check=False)
            for name in ("site", "jobs", "web", "owner"):
                psql(ADMIN_URL, f"DROP ROLE IF EXISTS {cls.users[name]}", check=False)
        cls.tmp.cleanup()

    # ---- running the image

    @classmethod
    def env(cls, user, extra=None):
        """What compose.yaml gives a server: secrets as files, its own database URL."""
        env = {
            "OPENAPS_DATABASE_URL_FILE": cls.secret_files[f"{user}_database_url"],
            "OPENAPS_SECRET_KEY_FILE": cls.secret_files["secret_key"],
            "OPENAPS_OH_CLIENT_SECRET_FILE": cls.secret_files["oh_client_secret"],
            "OPENAPS_OH_WEBHOOK_SECRET_FILE": cls.secret_files["oh_webhook_secret"],
            "OPENAPS_OH_CLIENT_ID": "test-client",
            "OPENAPS_OH_BASE_URL": "http://127.0.0.1:9",
            "OPENAPS_PUBLIC_URL": "http://127.0.0.1",
            "OPENAPS_HTTP_ADDRESS": "127.0.0.1",
            "OPENAPS_HTTP_PORT": str(dt.free_port()),
        }
        env.update(extra or {})
        return env

    @classmethod
    def command(cls, args, env):
        """The image's ENTRYPOINT with args as its CMD (the image's CMD when None)."""
        argv = list(cls.config["Entrypoint"]) + list(cls.config["Cmd"] if args is None else args)
        if isinstance(cls.runner, PodmanRunner):
            return cls.runner.command(argv, env_names=env)
        return cls.runner.command(argv)

    def run_image(self, args, env, stdin=None):
        result = subprocess.run(self.command(args, env), env=self.runner.environment(env), input=stdin,
                                capture_output=True, text=True, timeout=120)
        return result

    def start_image(self, args, env, name):
        log = self.tmp.join(f"{name}.log")
        process = dt.start_logged(self.command(args, env), self.runner.environment(env), log)
        self.processes.append(process)
        return process, log

    def serve(self, user, roles, name):
        env = self.env(user)
        process, log = self.start_image(["serve", "--roles", roles], env, name)
        port = dt.wait_for_listening(process, log, deadline_s=60)
        self.assertEqual(port, int(env["OPENAPS_HTTP_PORT"]))
        return process, log, env

    def migrate(self):
        """compose.yaml's migrate service, its user names made unique here."""
        args = []
        for arg in compose_migrate_command():
            if "=" in arg and arg.startswith("openaps_"):
                name, roles = arg.split("=")
                arg = f"{self.users[name.removeprefix('openaps_')]}={roles}"
            args.append(arg)
        args += ["--login", f"{self.users['web']}=web"]
        env = self.env("owner")
        for name in ("site", "jobs", "web"):
            env[f"OPENAPS_LOGIN_PASSWORD_{self.users[name].upper()}_FILE"] = self.secret_files[f"{name}_db_password"]
        return self.run_image(args, env)

    def healthcheck(self, port):
        """The image's HEALTHCHECK command, run as the image declares it."""
        check = self.config["Healthcheck"]["Test"]
        self.assertEqual(check[0], "CMD")
        env = {"OPENAPS_HTTP_PORT": port}
        argv = check[1:]
        command = (self.runner.command(argv) if isinstance(self.runner, ChrootRunner)
                   else self.runner.command(argv, env_names=env))
        return subprocess.run(command, env=self.runner.environment(env), capture_output=True,
                              timeout=60).returncode

    def memberships(self, user):
        return psql(ADMIN_URL, "SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m "
                               "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
                               f"WHERE u.rolname = '{user}'").stdout.strip()

    # ---- the tests (in name order: migrate first)

    def test_0_image_declares_a_user_health_check_and_entrypoint(self):
        self.assertNotIn(self.config["User"].split(":")[0], ("", "root", "0"))
        self.assertIn("/usr/local/bin/openaps-healthcheck", self.config["Healthcheck"].get("Test", []))
        self.assertEqual(self.config["Entrypoint"], ["/usr/local/bin/openaps-entrypoint"])
        self.assertEqual(self.config["Cmd"], ["serve"])
        version = self.run_image(["--version"], {})
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertIn("openaps-server", version.stdout)
        if isinstance(self.runner, ChrootRunner):  # the RDS CA bundle for verify-full
            with open(os.path.join(self.runner.root, BUNDLE.lstrip("/")), encoding="ascii") as shipped, \
                    open(dt.source_path("deploy", "aws", "rds-ca-bundle.pem"), encoding="ascii") as source:
                self.assertEqual(shipped.read(), source.read())

    def test_1_migrate_as_owner_makes_least_privilege_users(self):
        result = self.migrate()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("Applied the PostgreSQL roles and grants", result.stdout)
        for name in ("site", "jobs", "web", "owner"):
            self.assertNotIn(self.passwords[name], result.stdout + result.stderr)
        self.assertEqual(self.memberships(self.users["site"]), "openaps_api,openaps_web")
        self.assertEqual(self.memberships(self.users["jobs"]), "openaps_etl,openaps_ingest")
        self.assertEqual(self.memberships(self.users["web"]), "openaps_web")
        # Stored as a SCRAM verifier, never the password.
        stored = psql(ADMIN_URL, f"SELECT rolpassword FROM pg_authid WHERE rolname = '{self.users['site']}'")
        self.assertTrue(stored.stdout.startswith("SCRAM-SHA-256$"), stored.stdout[:20])
        # Again (an upgrade): idempotent.
        again = self.migrate()
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertIn("is up to date", again.stdout)

    def test_2_web_user_serves_but_cannot_read_researcher_tables(self):
        process, log, env = self.serve("web", "web", "web")
        status, _, body = dt.http_get(int(env["OPENAPS_HTTP_PORT"]), "/healthz")
        self.assertEqual(status, 200, body)
        self.assertIn(b"postgres", body)
        self.assertEqual(self.healthcheck(env["OPENAPS_HTTP_PORT"]), 0, "the image's HEALTHCHECK says unhealthy")
        web = self.urls["web"]
        for table in ("researchers", "api_tokens", "download_audit"):
            denied = psql(web, f"SELECT count(*) FROM {table}", check=False)
            self.assertIn("permission denied", denied.stderr, table)
        self.assertIn("permission denied", psql(web, "CREATE TABLE t (x int)", check=False).stderr)
        self.assertEqual(psql(web, "SELECT count(*) FROM participants").stdout.strip(), "0")
        self.assertEqual(dt.stop(process), 0, dt.read(log))

    def test_3_jobs_user_runs_ingest_and_etl_only(self):
        process, log = self.start_image(["serve", "--roles", "ingest,etl"], self.env("jobs"), "jobs")
        dt.wait_for_log(process, log, "running roles ingest,etl", deadline_s=60)
        jobs = self.urls["jobs"]
        for sql in ("SELECT count(*) FROM researchers", "SELECT count(*) FROM site_sessions",
                    "DROP TABLE entries"):
            self.assertRegex(psql(jobs, sql, check=False).stderr, "permission denied|must be owner", sql)
        self.assertEqual(dt.stop(process), 0, dt.read(log))

    def test_4_site_user_serves_a_researcher_export(self):
        owner = self.urls["owner"]
        psql(owner, 'INSERT INTO entries (user_id, id, sgv, type, source_entity, "date") VALUES '
                    "(4242424242424242, 'image-1', 123, 'sgv', 0, now() - interval '2 hours'), "
                    "(4242424242424242, 'image-2', 187, 'sgv', 1, now() - interval '1 hour')")
        process, log, env = self.serve("site", "web,api", "site")
        port = int(env["OPENAPS_HTTP_PORT"])
        email, password = "image-researcher@example.org", "a long test password"
        created = self.run_image(["admin", "create", email, "--name", "Image Researcher", "--scope", "all"],
                                 self.env("site"), stdin=password + "\n")
        self.assertEqual(created.returncode, 0, created.stdout + created.stderr)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        try:
            conn.request("POST", "/api/v1/login", json.dumps({"email": email, "password": password}),
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            body = response.read()
            self.assertEqual(response.status, 200, body)
            token = json.loads(body)["token"]
        finally:
            conn.close()
        status, headers, body = dt.http_get(port, "/api/v1/export/entries?format=csv",
                                            headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(status, 200, body)
        lines = body.decode().splitlines()
        self.assertEqual(len(lines), 3, body)  # the header and the two seeded rows
        self.assertTrue(any("123" in line for line in lines[1:]) and any("187" in line for line in lines[1:]), body)
        self.assertNotIn(self.passwords["site"], dt.read(log))
        self.assertEqual(dt.stop(process), 0, dt.read(log))


if __name__ == "__main__":
    dt.main()
