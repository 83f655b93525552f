#!/usr/bin/python3
"""deploy/container/, its parts one by one (test_image.py builds and runs
the whole image):
- entrypoint.sh runs `migrate`, then execs `serve` (PID 1 semantics), with
  secrets as OPENAPS_*_FILE files, against the built binary;
- healthcheck.sh reports the running server healthy and a dead one not;
  without arguments it asks /livez (liveness), with --ready /healthz;
- the Containerfile's runtime packages provide every library the built
  binary and its Qt plugins load, the build stage uses install-deps.sh, and
  the sources it copies are all the CMake files name;
- compose.yaml: roles split, secrets only as files, references resolve, a
  one-shot migrate as the owner and each server as its own LOGIN user.
"""

import http.server
import json
import os
import re
import subprocess
import threading
import unittest
import urllib.parse
import uuid

import yaml

import deploytest as dt

QT_PLUGINS = "/usr/lib/x86_64-linux-gnu/qt6/plugins"


def container_dir(*parts):
    return dt.source_path("deploy", "container", *parts)


def installed_closure(packages):
    """The packages plus everything they depend on, from dpkg's database in
    one query (offline: these are the packages this machine builds with)."""
    result = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Depends},${Pre-Depends}\t${Provides}\n"],
                            capture_output=True, text=True, check=True)
    names = lambda field: [re.sub(r"\(.*?\)|:any", "", option).strip()
                           for alternative in field.split(",") for option in alternative.split("|")]
    depends, providers = {}, {}
    for line in result.stdout.splitlines():
        name, requires, provides = line.split("\t")
        depends[name] = [d for d in names(requires) if d]
        for virtual in names(provides):  # a virtual name stands for its providers
            if virtual:
                providers.setdefault(virtual, set()).add(name)
    seen, todo = set(), list(packages)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(depends.get(name, []))
        todo.extend(p for p in providers.get(name, ()) if name not in depends)
    return seen


def packages_of(paths):
    """{path: package} for the paths dpkg knows (one query)."""
    result = subprocess.run(["dpkg-query", "-S", *paths], capture_output=True, text=True)
    owners = {}
    for line in result.stdout.splitlines():
        package, _, path = line.partition(": ")
        owners[path] = package.split(":")[0].split(",")[0]
    return owners


def shared_libraries(binary):
    result = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True)
    return sorted({m.group(1) for m in re.finditer(r"=> (/\S+)", result.stdout)})


class EntrypointTest(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.TempDir()
        self.env = dt.server_environment(self.tmp, {"OPENAPS_SERVER_BIN": dt.ARGS.server})
        self.processes = []

    def tearDown(self):
        for process in self.processes:
            dt.stop(process)
        self.tmp.cleanup()

    def start(self, *args, env=None):
        log = self.tmp.join(f"entrypoint-{len(self.processes)}.log")
        process = dt.start_logged([container_dir("entrypoint.sh"), *args], env or self.env, log)
        self.processes.append(process)
        return process, log

    def healthy(self, port, *args):
        env = dict(os.environ, OPENAPS_HTTP_PORT=str(port))
        return subprocess.run([container_dir("healthcheck.sh"), *args], env=env, timeout=30).returncode == 0

    def test_migrates_then_becomes_the_server(self):
        server, log = self.start()
        port = dt.wait_for_listening(server, log)
        text = dt.read(log)
        self.assertRegex(text, r"Applied .*schema version is now \d+")
        self.assertLess(text.index("schema version is now"), text.index("listening on"))
        self.assertIn("running roles web,ingest,etl,api", text)
        # exec: the entrypoint's process is the server (it gets SIGTERM).
        self.assertEqual(os.path.realpath(f"/proc/{server.pid}/exe"), os.path.realpath(dt.ARGS.server))
        for name in ("secret_key", "oh_client_secret", "oh_webhook_secret"):
            secret = dt.read(self.tmp.join("secrets", name)).strip()
            self.assertNotIn(secret, text)
        self.assertTrue(self.healthy(port))
        self.assertTrue(self.healthy(port, "--ready"))
        self.assertEqual(dt.stop(server), 0, dt.read(log))
        self.assertFalse(self.healthy(port))
        self.assertFalse(self.healthy(port, "--ready"))
        # A restart (an upgrade) finds the schema up to date and serves again.
        again, log = self.start("serve", "--roles", "web")
        port = dt.wait_for_listening(again, log)
        self.assertIn("is up to date at schema version", dt.read(log))
        self.assertIn("running roles web ", dt.read(log))
        self.assertTrue(self.healthy(port))

    def test_liveness_holds_while_the_database_is_down(self):
        """What the server answers during a database outage (its own test,
        http_health_restart, shows that it does): the container stays live
        and is not ready. A usage error is no health answer."""
        answers = {"/livez": (200, {"status": "ok"}),
                   "/healthz": (503, {"status": "unavailable", "failing": ["database"]})}

        class Outage(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                status, body = answers.get(self.path, (404, {}))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Outage)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            port = server.server_address[1]
            self.assertTrue(self.healthy(port))
            self.assertFalse(self.healthy(port, "--ready"))
            self.assertFalse(self.healthy(port, "--live"))
        finally:
            server.shutdown()
            server.server_close()

    def test_a_failed_migration_does_not_serve(self):
        env = dict(self.env, OPENAPS_DATABASE_URL_FILE=dt.write(
            self.tmp.join("secrets", "database_url"), "postgresql://openaps:pw@127.0.0.1:1/openaps\n"))
        process, log = self.start(env=env)
        self.assertNotEqual(process.wait(60), 0)
        self.assertNotIn("listening on", dt.read(log))
        self.assertNotIn(":pw@", dt.read(log))

    def test_other_commands_pass_through(self):
        process, log = self.start("check-config")
        self.assertEqual(process.wait(60), 0, dt.read(log))
        self.assertRegex(dt.read(log), r"OPENAPS_SECRET_KEY=\*\*\*\* \(set, \d+ characters\)")
        self.assertNotIn("schema version", dt.read(log))

    @unittest.skipUnless(os.environ.get("OPENAPS_TEST_POSTGRES_URL"), "no OPENAPS_TEST_POSTGRES_URL")
    def test_postgres_password_from_pgpassword(self):
        """What the AWS template does: the URL without a password, libpq's
        PGPASSWORD from the database secret."""
        admin = os.environ["OPENAPS_TEST_POSTGRES_URL"]
        u = urllib.parse.urlsplit(admin)
        database = "openaps_deploy_" + uuid.uuid4().hex[:12]
        psql = ["psql", "-v", "ON_ERROR_STOP=1", "-q", admin, "-c"]
        subprocess.run(psql + [f"CREATE DATABASE {database}"], check=True, capture_output=True)
        try:
            url = urllib.parse.urlunsplit(u._replace(netloc=f"{u.username}@{u.hostname}:{u.port or 5432}",
                                                     path="/" + database))
            env = dict(self.env, PGPASSWORD=urllib.parse.unquote(u.password or ""),
                       OPENAPS_DATABASE_URL_FILE=dt.write(self.tmp.join("secrets", "database_url"), url))
            server, log = self.start("serve", "--roles", "web", env=env)
            port = dt.wait_for_listening(server, log)
            status, _, body = dt.http_get(port, "/healthz")
            self.assertEqual(status, 200, body)
            self.assertIn(b"postgres", body)
            self.assertEqual(dt.stop(server), 0)
        finally:
            subprocess.run(psql + [f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
                           capture_output=True)

    @unittest.skipUnless(os.environ.get("OPENAPS_TEST_POSTGRES_URL"), "no OPENAPS_TEST_POSTGRES_URL")
    def test_migrate_login_users(self):
        """`migrate --roles --login USER=ROLES` as a non-superuser owner with
        CREATEROLE (as on RDS): the user holds exactly its roles' groups, a
        second run with fewer roles takes the others back, the password works."""
        admin = os.environ["OPENAPS_TEST_POSTGRES_URL"]
        u = urllib.parse.urlsplit(admin)
        suffix = uuid.uuid4().hex[:10]
        database, owner, user = f"openaps_login_{suffix}", f"openaps_lo_{suffix}", f"openaps_lu_{suffix}"
        owner_pw, user_pw = uuid.uuid4().hex, uuid.uuid4().hex
        psql = lambda url, sql, check=True: subprocess.run(  # noqa: E731
            ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-qAt", url, "-c", sql], capture_output=True, text=True,
            check=check, timeout=60)
        url = lambda name, pw: urllib.parse.urlunsplit(  # noqa: E731
            u._replace(netloc=f"{name}:{pw}@{u.hostname}:{u.port or 5432}", path="/" + database, query=""))
        psql(admin, f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{owner_pw}'")
        try:
            psql(admin, f"CREATE DATABASE {database} OWNER {owner}")
            env = dict(self.env, OPENAPS_DATABASE_URL=url(owner, owner_pw),
                       **{f"OPENAPS_LOGIN_PASSWORD_{user.upper()}_FILE": dt.write(self.tmp.join("pw"), user_pw)})
            groups = lambda: psql(admin, "SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) "  # noqa: E731
                                         "FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                                         f"JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '{user}'").stdout.strip()
            for roles, expected in (("web,api", "openaps_api,openaps_web"), ("web", "openaps_web")):
                result = subprocess.run([dt.ARGS.server, "migrate", "--roles", "--login", f"{user}={roles}"],
                                        env=env, capture_output=True, text=True, timeout=120)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn(f"LOGIN user {user}: member of", result.stdout)
                self.assertNotIn(user_pw, result.stdout + result.stderr)
                self.assertEqual(groups(), expected)
            self.assertEqual(psql(url(user, user_pw), "SELECT count(*) FROM participants").stdout.strip(), "0")
            self.assertIn("permission denied", psql(url(user, user_pw), "SELECT count(*) FROM researchers",
                                                    check=False).stderr)
            attributes = psql(admin, "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles "
                                     f"WHERE rolname = '{user}'").stdout.strip()
            self.assertEqual(attributes, "f|f|f|t")
        finally:
            psql(admin, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", check=False)
            psql(admin, f"DROP ROLE IF EXISTS {user}", check=False)
            psql(admin, f"DROP ROLE IF EXISTS {owner}", check=False)

    @unittest.skipUnless(os.environ.get("OPENAPS_TEST_POSTGRES_URL"), "no OPENAPS_TEST_POSTGRES_URL")
    def test_migrate_login_users_errors(self):
        """Bad --login input stops with a clear message before any change."""
        env = dict(self.env, OPENAPS_DATABASE_URL=os.environ["OPENAPS_TEST_POSTGRES_URL"])
        for args, message in ((["--login", "site=web"], "--login needs --roles"),
                              (["--roles", "--login", "Site=web"], "--login takes USER=ROLES"),
                              (["--roles", "--login", "openaps_web=web"], "one of the group roles"),
                              (["--roles", "--login", "site=web,cook"], "Unknown role 'cook'"),
                              (["--roles", "--login", "site=web"], "OPENAPS_LOGIN_PASSWORD_SITE")):
            with self.subTest(args=args):
                with_password = dict(env, OPENAPS_LOGIN_PASSWORD_SITE="a-long-enough-password")
                result = subprocess.run([dt.ARGS.server, "migrate", *args], capture_output=True, text=True,
                                        env=env if "PASSWORD" in message else with_password, timeout=60)
                self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                self.assertIn(message, result.stderr)


def containerfile_stages():
    """[(base image, [instructions])] of the Containerfile, continuation lines
    joined, ARG defaults in FROM lines filled in."""
    with open(container_dir("Containerfile"), encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())
    stages, arguments = [], {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            arguments[name.strip()] = default.strip()
        elif keyword == "FROM":
            image = re.sub(r"\$\{(\w+)\}", lambda m: arguments[m.group(1)], rest.split()[0])
            stages.append((image, []))
        else:
            stages[-1][1].append((keyword, rest.strip()))
    return stages


def package_list(name):
    """deploy/packages/NAME.txt as install-deps.sh reads it."""
    with open(dt.source_path("deploy", "packages", f"{name}.txt"), encoding="utf-8") as f:
        return [word for line in f for word in line.split("#")[0].split()]


class ContainerfileTest(unittest.TestCase):
    def test_build_stage_uses_the_project_dependencies(self):
        (base, build), _ = containerfile_stages()
        self.assertEqual(base, "debian:12")
        runs = " ".join(rest for keyword, rest in build if keyword == "RUN")
        self.assertIn("deploy/install-deps.sh build", runs)

    def test_copied_sources_are_all_the_build_reads(self):
        """A full configure takes too long for this suite: instead, every
        top-level path a CMakeLists.txt names must be one the stage copies
        (or a part its flags switch off)."""
        (_, build), _ = containerfile_stages()
        copied = {rest.split()[0].split("/")[0] for keyword, rest in build if keyword == "COPY"}
        configure = [c for k, c in build if k == "RUN" and "cmake -S" in c][0]
        self.assertIn("-DOPENAPS_BUILD_TESTS=OFF", configure)
        self.assertIn("-DOPENAPS_BUILD_DESKTOP=OFF", configure)
        switched_off = {"tests", "desktop-downloader"}
        with open(dt.source_path("CMakeLists.txt"), encoding="utf-8") as f:
            top = f.read()
        named = set(re.findall(r"add_subdirectory\((\S+?)\)", top))
        for directory in sorted(d for d in copied if os.path.isdir(dt.source_path(d))):
            for base, _, files in os.walk(dt.source_path(directory)):
                if "CMakeLists.txt" in files:
                    with open(os.path.join(base, "CMakeLists.txt"), encoding="utf-8") as f:
                        named |= set(re.findall(r"\$\{(?:PROJECT|CMAKE)_SOURCE_DIR\}/([\w.-]+)", f.read()))
        named |= set(re.findall(r"\$\{(?:PROJECT|CMAKE_CURRENT)_SOURCE_DIR\}/([\w.-]+)", top))
        # tests/fuzz (-DOPENAPS_FUZZ, off by default) lies below tests/, switched off with it.
        named = {n.split("/")[0] for n in named}
        self.assertEqual(sorted(named - copied - switched_off), [])

    def test_runtime_stage(self):
        _, (base, runtime) = containerfile_stages()
        self.assertEqual(base, "debian:12-slim")
        settings = dict((k, v) for k, v in runtime if k in ("USER", "VOLUME", "EXPOSE", "HEALTHCHECK",
                                                            "ENTRYPOINT", "CMD"))
        self.assertNotIn(settings["USER"].split(":")[0], ("root", "0"))
        self.assertIn("/var/lib/openaps", settings["VOLUME"])
        self.assertEqual(settings["EXPOSE"], "8080")
        self.assertIn("/usr/local/bin/openaps-healthcheck", settings["HEALTHCHECK"])
        self.assertNotIn("--ready", settings["HEALTHCHECK"])  # liveness: an outage restarts nothing
        self.assertIn("/usr/local/bin/openaps-entrypoint", settings["ENTRYPOINT"])
        copies = [rest for keyword, rest in runtime if keyword == "COPY"]
        for script in ("entrypoint.sh", "healthcheck.sh"):
            self.assertTrue(any(f"deploy/container/{script}" in c for c in copies), script)
        env = " ".join(rest for keyword, rest in runtime if keyword == "ENV")
        self.assertIn("OPENAPS_DATA_DIR=/var/lib/openaps", env)
        self.assertIn("OPENAPS_HTTP_PORT=8080", env)

    def test_runtime_packages_cover_what_the_binary_loads(self):
        _, (_, runtime) = containerfile_stages()
        runs = " ".join(rest for keyword, rest in runtime if keyword == "RUN")
        self.assertIn("install-deps.sh runtime-server", runs)  # the one list systemd hosts use too
        copies = " ".join(rest for keyword, rest in runtime if keyword == "COPY")
        self.assertIn("deploy/packages/runtime-server.txt", copies)
        listed = package_list("runtime-server")
        closure = installed_closure(listed)
        # What the binary links, plus what Qt loads at run time: the SQL
        # drivers and the TLS backend (which loads OpenSSL itself).
        needed = shared_libraries(dt.ARGS.server)
        needed += [os.path.join(QT_PLUGINS, "sqldrivers", p) for p in ("libqsqlite.so", "libqsqlpsql.so")]
        needed += [os.path.join(QT_PLUGINS, "tls", "libqopensslbackend.so")]
        needed += shared_libraries(os.path.join(QT_PLUGINS, "tls", "libqopensslbackend.so"))
        needed += [p for p in ("/usr/lib/x86_64-linux-gnu/libssl.so.3",) if os.path.exists(p)]
        # dpkg knows the /usr/lib path of a library that ldd may name under /lib.
        paths = sorted({os.path.realpath(p) for p in needed})
        owners = packages_of(paths)
        missing = {p: owners[p] for p in paths if p in owners and owners[p] not in closure}
        self.assertIn("libqt6core6", owners.values())  # the check looked at something
        self.assertEqual(missing, {})
        for package in ("ca-certificates", "tzdata"):
            self.assertIn(package, listed)


class ComposeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(container_dir("compose.yaml"), encoding="utf-8") as f:
            cls.compose = yaml.safe_load(f)

    def test_servers_split_by_role_share_postgres(self):
        services = self.compose["services"]
        roles = {name: s["command"][s["command"].index("--roles") + 1]
                 for name, s in services.items() if s.get("command", [None])[0] == "serve"}
        self.assertEqual(sorted(roles.values()), ["ingest,etl", "web,api"])
        for name in roles:
            self.assertIn("postgres", services[name]["depends_on"])
            self.assertEqual(services[name]["environment"]["OPENAPS_DATABASE_URL_FILE"],
                             "/run/secrets/openaps_database_url")
        self.assertIn("nginx", services)

    def secrets_of(self, service):
        """{file name in /run/secrets: secret}"""
        return {s["target"] if isinstance(s, dict) else s: s["source"] if isinstance(s, dict) else s
                for s in service.get("secrets", [])}

    def test_secrets_are_files_only(self):
        defined = self.compose["secrets"]
        for name, service in self.compose["services"].items():
            mounted = self.secrets_of(service)
            for secret in mounted.values():
                self.assertIn(secret, defined, f"{name} uses an undefined secret")
            for key, value in (service.get("environment") or {}).items():
                if re.search(r"SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL|CSV_URL", key):
                    self.assertTrue(key.endswith("_FILE"), f"{name}: {key} is a plaintext secret")
                    self.assertTrue(value.startswith("/run/secrets/"), f"{name}: {key}")
                    self.assertIn(value.rsplit("/", 1)[1], mounted, f"{name}: {key}")

    def test_each_server_connects_as_a_least_privilege_user(self):
        """The owner's URL only in the one-shot migrate service, which makes
        each server's LOGIN user a member of exactly its --roles' groups; the
        servers start after it, each with its own user's URL (as the setup
        lines at the top of the file write them)."""
        services = self.compose["services"]
        migrate = services["migrate"]
        self.assertEqual(migrate["command"][:2], ["migrate", "--roles"])
        self.assertEqual(migrate["restart"], "no")
        logins = dict(migrate["command"][i + 1].split("=") for i, a in enumerate(migrate["command"])
                      if a == "--login")
        with open(container_dir("compose.yaml"), encoding="utf-8") as f:
            header = f.read().split("\nname:")[0]
        written = dict((m.group(2), m.group(1)) for m in re.finditer(
            r'"postgresql://(\w+):\$\w+@postgres:5432/openaps" > secrets/(\w+)', header))
        owner_secret = self.secrets_of(migrate)[migrate["environment"]["OPENAPS_DATABASE_URL_FILE"].rsplit("/", 1)[1]]
        self.assertEqual(written[owner_secret], services["postgres"]["environment"]["POSTGRES_USER"])
        users = set()
        for name, service in services.items():
            if service.get("command", [None])[0] != "serve":
                continue
            with self.subTest(service=name):
                self.assertEqual(service["depends_on"]["migrate"]["condition"], "service_completed_successfully")
                secret = self.secrets_of(service)[service["environment"]["OPENAPS_DATABASE_URL_FILE"].rsplit("/", 1)[1]]
                self.assertNotEqual(secret, owner_secret)
                user = written[secret]
                roles = service["command"][service["command"].index("--roles") + 1]
                self.assertEqual(logins.get(user), roles, f"{name}: {user} must be made with --login {user}={roles}")
                password_file = migrate["environment"][f"OPENAPS_LOGIN_PASSWORD_{user.upper()}_FILE"]
                self.assertIn(f'"$pw" > secrets/{password_file.rsplit("/", 1)[1]}'.replace(
                    "$pw", f"${user.removeprefix('openaps_')}_pw"), header)
                users.add(user)
        self.assertEqual(users, set(logins))
        for name, service in services.items():  # nobody else holds the owner's URL
            if name != "migrate":
                self.assertNotIn(owner_secret, self.secrets_of(service).values(), name)

    def test_every_secret_setting_is_a_secret_file(self):
        # /metrics is not published through the proxy: no token needed.
        needed = dt.secret_settings() - {"METRICS_TOKEN"}
        for name in ("site", "jobs"):
            service = self.compose["services"][name]
            for setting in sorted(needed):
                with self.subTest(service=name, setting=setting):
                    path = service["environment"].get(f"OPENAPS_{setting}_FILE", "")
                    self.assertEqual(path, f"/run/secrets/openaps_{setting.lower()}")

    def test_mounted_files_exist(self):
        for name, service in self.compose["services"].items():
            for volume in service.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith("."):
                    path = os.path.normpath(os.path.join(container_dir(), source))
                    if not source.startswith("./tls"):
                        self.assertTrue(os.path.isfile(path), f"{name}: {source}")

    def test_trusted_proxy_is_the_nginx_address(self):
        services = self.compose["services"]
        nginx_address = services["nginx"]["networks"]["backend"]["ipv4_address"]
        self.assertEqual(services["site"]["environment"]["OPENAPS_SITE_TRUSTED_PROXIES"], nginx_address)


if __name__ == "__main__":
    dt.main()
