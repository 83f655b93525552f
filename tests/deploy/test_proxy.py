#!/usr/bin/python3
"""The TLS proxies of deploy/ in front of the real openaps-server.

Starts openaps-server (role web, SQLite in a temp dir, secrets as files),
a small streaming upstream standing in for the researcher export, and the
proxy as a non-root process with a config derived from the shipped one
(test ports, a self-signed certificate made with openssl now, the upstreams
pointed at those processes): Debian's nginx with deploy/nginx/*.conf, and
Debian's Caddy with deploy/caddy/Caddyfile. Clients use several loopback
source addresses (127.0.0.2, .4, ...) so that the server's view of the
client address can be checked; the proxy talks to the server from the only
trusted proxy address.
"""

import http.client
import http.server
import json
import os
import pwd
import re
import socket
import ssl
import subprocess
import threading
import unittest

import deploytest as dt

class Derived:
    """A shipped config being turned into the test's. Every substitution must
    apply exactly as often as expected, so a reshaped config fails here
    instead of testing something else."""

    def __init__(self, name, text):
        self.name, self.text = name, text

    def sub(self, pattern, replacement, count):
        self.text, n = re.subn(pattern, replacement, self.text, flags=re.M)
        if n != count:
            raise AssertionError(f"{self.name}: pattern {pattern!r} matched {n} times, not {count}")


def derive_nginx_config(text, tmp, ports, proxy_address):
    """deploy/nginx/openaps-upstreams.conf + openaps.conf for the test."""
    config = Derived("deploy/nginx", text)
    sub = config.sub

    sub(r"^\s*listen \[::\]:.*\n", "", 2)  # the test machine may have no IPv6
    sub(r"listen 80;", f"listen 127.0.0.1:{ports['http']};", 1)
    sub(r"listen 443 ssl", f"listen 127.0.0.1:{ports['https']} ssl", 1)
    sub(r"ssl_certificate \s*\S+;", f"ssl_certificate {tmp.join('tls', 'cert.pem')};", 1)
    sub(r"ssl_certificate_key \S+;", f"ssl_certificate_key {tmp.join('tls', 'key.pem')};", 1)
    sub(r"root /var/www/letsencrypt;", f"root {tmp.join('nginx', 'acme')};", 1)
    sub(r"(upstream openaps_site \{\s*server )127\.0\.0\.1:8080;", rf"\g<1>127.0.0.1:{ports['server']};", 1)
    sub(r"(upstream openaps_api \{\s*server )127\.0\.0\.1:8080;", rf"\g<1>127.0.0.1:{ports['api']};", 1)
    sub(r"(proxy_http_version 1\.1;)", rf"\1\n    proxy_bind {proxy_address};", 1)
    return config.text


def derive_caddyfile(text, tmp, ports):
    """deploy/caddy/Caddyfile for the test: its own ports, no admin
    endpoint, storage in the temp dir, the test certificate."""
    config = Derived("deploy/caddy/Caddyfile", text)
    config.sub(r"^\{\n", "{\n\tadmin off\n\tskip_install_trust\n"
               f"\thttp_port {ports['http']}\n\thttps_port {ports['https']}\n"
               f"\tstorage file_system {tmp.join('caddy', 'data')}\n", 1)
    config.sub(r"^data\.example\.org \{", "localhost {", 1)
    config.sub(r"^\ttls \{", f"\ttls {tmp.join('tls', 'cert.pem')} {tmp.join('tls', 'key.pem')} {{", 1)
    config.sub(r"(reverse_proxy /api/v1/export/\* )127\.0\.0\.1:8080", rf"\g<1>127.0.0.1:{ports['api']}", 1)
    config.sub(r"(reverse_proxy )127\.0\.0\.1:8080", rf"\g<1>127.0.0.1:{ports['server']}", 1)
    return config.text


def nginx_main_config(tmp, site_config_path):
    """Like Debian's /etc/nginx/nginx.conf, but every path in the temp dir,
    and gzip on for the types exports use (to prove the export location
    turns it off)."""
    n = tmp.join("nginx")
    return f"""worker_processes 1;
pid {n}/nginx.pid;
error_log {n}/error.log info;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {n}/access.log;
    client_body_temp_path {n}/body;
    proxy_temp_path {n}/proxy;
    fastcgi_temp_path {n}/fastcgi;
    uwsgi_temp_path {n}/uwsgi;
    scgi_temp_path {n}/scgi;
    gzip on;
    gzip_min_length 1;
    gzip_types text/csv application/x-ndjson application/json;
    include {site_config_path};
}}
"""


class ExportStandIn(http.server.BaseHTTPRequestHandler):
    """Answers /api/v1/export/... with one chunk, then waits until the test
    has received that chunk (release event) before sending the last one. A
    buffering proxy would hold the first chunk back until the end, so the
    client would only see `timed-out`."""
    protocol_version = "HTTP/1.1"
    release = threading.Event()

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.chunk(b"first,row\n")
        released = self.release.wait(10)
        self.chunk(b"released\n" if released else b"timed-out\n")
        self.chunk(b"")

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def log_message(self, *args):
        pass


def run_unprivileged(command, owned_dirs, tmp):
    """As root, the proxy runs as `nobody`: it owns its directories and the
    test key, nothing else."""
    if os.geteuid() != 0:
        return command
    nobody = pwd.getpwnam("nobody")
    os.chmod(tmp.path, 0o755)
    os.chmod(tmp.join("tls"), 0o755)
    for directory in owned_dirs:
        for root, dirs, files in os.walk(directory):
            for name in dirs + files + [""]:
                os.chown(os.path.join(root, name), nobody.pw_uid, nobody.pw_gid)
    os.chown(tmp.join("tls", "key.pem"), nobody.pw_uid, nobody.pw_gid)
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"] + command


class LocalhostHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with the name `localhost` (SNI, Host, certificate),
    from a chosen loopback source address."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname="localhost")


class ProxyFixture:
    """The server, the export stand-in and a proxy (start_proxy) in front."""
    PROXY_ADDRESS = None  # the address the proxy connects to the server from
    SITE_HOST = "localhost"
    ROLES = "web"
    API_UPSTREAM = "export"  # where openaps_api points: the stand-in or the "server"

    @classmethod
    def setUpClass(cls):
        cls.tmp = dt.TempDir()
        cls.processes = []
        cls.export = None
        try:
            cls.start_all()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_all(cls):
        tmp = cls.tmp
        openssl = dt.require_tool("openssl")
        os.makedirs(tmp.join("tls"))
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", tmp.join("tls", "key.pem"), "-out", tmp.join("tls", "cert.pem")],
                       check=True, capture_output=True)

        env = dt.server_environment(tmp, {
            "OPENAPS_PUBLIC_URL": "https://localhost",
            "OPENAPS_SITE_TRUSTED_PROXIES": cls.PROXY_ADDRESS,
            "OPENAPS_SITE_POST_LIMIT": "2",
        })
        server_log = tmp.join("server.log")
        cls.env = env
        cls.server = dt.start_logged([dt.ARGS.server, "serve", "--roles", cls.ROLES], env, server_log)
        cls.processes.append(cls.server)
        cls.server_port = dt.wait_for_listening(cls.server, server_log)

        cls.export = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ExportStandIn)
        threading.Thread(target=cls.export.serve_forever, daemon=True).start()

        cls.ports = {"http": dt.free_port(), "https": dt.free_port(), "server": cls.server_port,
                     "export": cls.export.server_address[1]}
        cls.ports["api"] = cls.ports[cls.API_UPSTREAM]
        proxy, log = cls.start_proxy()
        cls.processes.append(proxy)
        dt.wait_for_port(cls.ports["https"], proxy, log)
        cls.tls = ssl.create_default_context(cafile=tmp.join("tls", "cert.pem"))

    @classmethod
    def tearDownClass(cls):
        if cls.export:
            ExportStandIn.release.set()
            cls.export.shutdown()
            cls.export.server_close()
        for process in reversed(cls.processes):
            dt.stop(process)
        cls.tmp.cleanup()

    def https(self, method, path, body=None, headers=None, source="127.0.0.2", context=None):
        conn = LocalhostHTTPSConnection("localhost", self.ports["https"], timeout=15,
                                        context=context or self.tls, source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def post_direct(self, source, headers):
        """A POST straight to the server port, bypassing the proxy."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server_port, timeout=15,
                                          source_address=(source, 0))
        try:
            conn.request("POST", "/logout", body=b"csrf=x", headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()



class ProxyTests(ProxyFixture):
    """What every shipped proxy must do; subclasses start one."""

    def test_healthz_through_the_proxy(self):
        status, headers, body = self.https("GET", "/healthz")
        self.assertEqual(status, 200, body)
        self.assertIn(b'"status":"ok"', body.replace(b" ", b""))
        self.assertIn(b'"database":"sqlite"', body.replace(b" ", b""))

    def test_tls_1_2_and_1_3_are_offered(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=version.name):
                context = ssl.create_default_context(cafile=self.tmp.join("tls", "cert.pem"))
                context.minimum_version = context.maximum_version = version
                status, _, _ = self.https("GET", "/healthz", context=context)
                self.assertEqual(status, 200)

    def test_http_redirects_to_https(self):
        status, headers, _ = dt.http_get(self.ports["http"], "/me?x=1", headers={"Host": self.SITE_HOST})
        self.assertIn(status, (301, 308))
        self.assertRegex(headers.get("Location", ""), rf"^https://{self.SITE_HOST}(:\d+)?/me\?x=1$")

    def test_exactly_one_hsts_header(self):
        # The landing page: the server adds its own HSTS (PUBLIC_URL is
        # https); the proxy must replace it, not add a second one.
        for path in ("/", "/healthz", "/no-such-page"):
            with self.subTest(path=path):
                _, headers, _ = self.https("GET", path)
                self.assertEqual(headers.get_all("Strict-Transport-Security"), ["max-age=31536000"])
        _, headers, _ = self.https("GET", "/")
        self.assertIn("default-src 'none'", headers.get("Content-Security-Policy", ""))

    def test_oversized_post_is_refused_by_the_proxy(self):
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, _ = self.https("POST", "/logout", b"x" * (64 * 1024 + 1), form, source="127.0.0.6")
        self.assertEqual(status, 413)
        # Every answer of the server carries its CSP: this one is the proxy's own.
        self.assertIsNone(headers.get("Content-Security-Policy"))
        # Just below the cap the server answers (no session, so 403).
        status, headers, _ = self.https("POST", "/logout", b"x" * (60 * 1024), form, source="127.0.0.7")
        self.assertEqual(status, 403)
        self.assertIsNotNone(headers.get("Content-Security-Policy"))

    def test_client_address_comes_from_the_trusted_proxy_only(self):
        # The server allows 2 posts per client address (SITE_POST_LIMIT=2);
        # every post here lacks a session, so an allowed one gets 403.
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        statuses = [self.https("POST", "/logout", b"csrf=x", form, source="127.0.0.2")[0]
                    for _ in range(3)]
        self.assertEqual(statuses, [403, 403, 429])
        # Another client through the same proxy connection address is counted apart.
        self.assertEqual(self.https("POST", "/logout", b"csrf=x", form, source="127.0.0.4")[0], 403)
        # A client cannot pose as someone else: the proxy adds the address it saw.
        spoof = dict(form, **{"X-Forwarded-For": "127.0.0.99"})
        self.assertEqual(self.https("POST", "/logout", b"csrf=x", spoof, source="127.0.0.2")[0], 429)
        # Straight to the server, X-Forwarded-For from an untrusted peer is ignored.
        self.assertEqual(self.post_direct("127.0.0.2", spoof)[0], 429)
        self.assertEqual(self.post_direct("127.0.0.5", form)[0], 403)

    def test_metrics_are_not_public(self):
        status, _, _ = self.https("GET", "/metrics")
        self.assertEqual(status, 404)

    def test_export_streams_unbuffered_and_is_not_gzipped_again(self):
        ExportStandIn.release.clear()
        conn = LocalhostHTTPSConnection("localhost", self.ports["https"], timeout=15, context=self.tls)
        try:
            conn.request("GET", "/api/v1/export/entries?format=csv", headers={"Accept-Encoding": "gzip"})
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            self.assertIsNone(response.getheader("Content-Encoding"))
            # The first chunk arrives while the upstream is still waiting.
            self.assertEqual(response.readline(), b"first,row\n")
            ExportStandIn.release.set()
            self.assertEqual(response.read(), b"released\n")
        finally:
            conn.close()


class NginxProxy:
    PROXY_ADDRESS = "127.0.0.3"  # proxy_bind: clients come from other loopback addresses

    @classmethod
    def start_proxy(cls):
        tmp = cls.tmp
        nginx = dt.require_tool("nginx")
        shipped = ""
        for name in ("openaps-upstreams.conf", "openaps.conf"):  # as Debian includes them
            with open(dt.source_path("deploy", "nginx", name), encoding="utf-8") as f:
                shipped += f.read()
        site = derive_nginx_config(shipped, tmp, cls.ports, cls.PROXY_ADDRESS)
        os.makedirs(tmp.join("nginx", "acme"))
        site_path = dt.write(tmp.join("nginx", "openaps.conf"), site, 0o644)
        main_path = dt.write(tmp.join("nginx", "nginx.conf"), nginx_main_config(tmp, site_path), 0o644)
        log = tmp.join("nginx", "error.log")
        command = run_unprivileged([nginx, "-p", tmp.join("nginx"), "-c", main_path, "-e", log,
                                    "-g", "daemon off;"], [tmp.join("nginx")], tmp)
        return dt.start_logged(command, None, tmp.join("nginx.out")), log



class NginxTest(NginxProxy, ProxyTests, unittest.TestCase):
    pass


class NginxRealExportTest(NginxProxy, ProxyFixture, unittest.TestCase):
    """The real researcher export (role api) through nginx's export location."""
    ROLES = "web,api"
    API_UPSTREAM = "server"

    def test_real_export_streams_through_the_proxy(self):
        email, password = "researcher@example.org", "a long test password"
        created = subprocess.run([dt.ARGS.server, "admin", "create", email, "--name", "Test Researcher",
                                  "--scope", "all"], env=self.env, input=password + "\n",
                                 capture_output=True, text=True)
        self.assertEqual(created.returncode, 0, created.stdout + created.stderr)
        status, _, body = self.https("POST", "/api/v1/login",
                                     json.dumps({"email": email, "password": password}),
                                     {"Content-Type": "application/json"})
        self.assertEqual(status, 200, body)
        token = json.loads(body)["token"]
        conn = LocalhostHTTPSConnection("localhost", self.ports["https"], timeout=15, context=self.tls)
        try:
            conn.request("GET", "/api/v1/export/entries?format=csv",
                         headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
            response = conn.getresponse()
            body = response.read()  # a cut-off chunked body raises IncompleteRead
            self.assertEqual(response.status, 200, body)
            self.assertEqual(response.getheader("Transfer-Encoding"), "chunked")
            self.assertIsNone(response.getheader("Content-Encoding"))
            self.assertTrue(response.getheader("Content-Type", "").startswith("text/csv"))
            self.assertIn("attachment", response.getheader("Content-Disposition", ""))
            self.assertEqual(response.getheader("Strict-Transport-Security"), "max-age=31536000")
            self.assertTrue(body.decode().splitlines()[0].strip(), "a CSV header row")
        finally:
            conn.close()


class CaddyTest(ProxyTests, unittest.TestCase):
    PROXY_ADDRESS = "127.0.0.1"  # Caddy 2.6 cannot bind; clients use other addresses

    @classmethod
    def start_proxy(cls):
        tmp = cls.tmp
        caddy = dt.require_tool("caddy")
        with open(dt.source_path("deploy", "caddy", "Caddyfile"), encoding="utf-8") as f:
            text = derive_caddyfile(f.read(), tmp, cls.ports)
        os.makedirs(tmp.join("caddy", "data"))
        path = dt.write(tmp.join("caddy", "Caddyfile"), text, 0o644)
        log = tmp.join("caddy.out")
        env = dict(os.environ, HOME=tmp.join("caddy"), XDG_DATA_HOME=tmp.join("caddy", "data"),
                   XDG_CONFIG_HOME=tmp.join("caddy", "config"))
        command = run_unprivileged([caddy, "run", "--config", path, "--adapter", "caddyfile"],
                                   [tmp.join("caddy")], tmp)
        return dt.start_logged(command, env, log), log


if __name__ == "__main__":
    dt.main()
