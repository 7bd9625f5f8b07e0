#!/usr/bin/python3
"""A studio on the internet behind nginx: the shipped deploy/nginx/yishiting.conf.

The file an admin installs is the one under test: each class renders it into
a throw-away nginx (its placeholders replaced by a free port, a test
certificate and the studio's address; nothing else of it copied) and puts
it in front of a real `yishiting serve`. A test CA and a server certificate
for localhost/127.0.0.1 are made with openssl in the class's temp dir.

- ProxiedStudio: TLS with the test CA (and HTTP redirected to HTTPS); the
  viewer page in headless Chromium over https:// and wss:// (page, question
  acknowledged, HLS playlist and segments, the player playing:
  tests/e2e/proxy.test.mjs); HLS cached briefly by the proxy; /api/status
  and /metrics through the proxy with the staff token; the commented
  LAN-only example for staff paths, switched on; a client that never
  finishes its request head is cut off.
- ProxyHeaders: what nginx tells the upstream (Host, X-Forwarded-For,
  X-Forwarded-Proto, X-Real-IP, the WebSocket upgrade on /ws only), read by
  a small recording HTTP server put where the studio would be, and the
  per-address connection limit.
- ProxiedViewerLimits: 24 viewers from 24 client addresses (127.0.0.2…25,
  the client sockets bound to them) through nginx. Without
  [audience] trusted_proxies the studio sees one address, nginx's, and
  accepts 16; with trusted_proxies = ["127.0.0.1"] it takes each client's
  address from X-Forwarded-For and accepts all 24, while one client that
  forges X-Forwarded-For still gets only its 16.
- IdleWebSocket: nginx drops a proxied WebSocket when the studio sends
  nothing for proxy_read_timeout; the studio's ping ([audience] ws_ping_s)
  keeps a silent viewer connected. Rendered with proxy_read_timeout 5 s and
  a 2 s ping instead of the shipped 75 s and 30 s, and a second nginx at 1 s
  shows the timeout really bites.

Run alone: /usr/bin/python3 tests/integration/test_proxy.py
"""

from __future__ import annotations

import http.client
import http.server
import json
import re
import socket
import ssl
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (LOOPBACK, IntegrationTest, Studio, Viewer,  # noqa: E402
                     free_port, make_show, read_text, tail)
from proxy_peers import (NginxSite, ProxyPki, TlsConnection, https_get,  # noqa: E402
                         proxied_viewer, swap_once, tls_socket)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CONF = ROOT / "deploy" / "nginx" / "yishiting.conf"

# What the shipped file's placeholders are; a test fails naming the one that
# is gone if the file changes them.
PLACEHOLDER_HOST = "yishiting.example.org"
PLACEHOLDER_CERT = "/etc/ssl/yishiting/fullchain.pem"
PLACEHOLDER_KEY = "/etc/ssl/yishiting/privkey.pem"
PLACEHOLDER_UPSTREAM = "192.0.2.10:8080"
PLACEHOLDER_CACHE = "/var/cache/nginx/yishiting"
SHIPPED_WS_READ_TIMEOUT = "proxy_read_timeout 75s;"
STAFF_ALLOW_EXAMPLE = "# allow 192.168.0.0/16;"
STAFF_DENY_EXAMPLE = "# deny all;"


# --------------------------------------------------------------------------- nginx

def render_proxy_conf(text: str, *, https_port: int, http_port: int, cert: Path, key: Path,
                      upstream: str, cache_dir: Path, ws_read_timeout_s: int | None = None,
                      staff_allow: str | None = None) -> str:
    """The shipped file with its placeholders filled in for a test: listen on
    127.0.0.1 only (no IPv6 lines), server_name localhost, the test
    certificate, `upstream` as the studio, the cache in the test's folder.
    ws_read_timeout_s replaces /ws's proxy_read_timeout; staff_allow switches
    on the commented LAN-only example for staff paths with that address."""
    def swap(old: str, new: str, count: int | None = None) -> None:
        nonlocal text
        text = swap_once(text, old, new, SHIPPED_CONF.name, count)

    swap("listen 443 ssl http2;", f"listen {LOOPBACK}:{https_port} ssl http2;", 1)
    swap("listen [::]:443 ssl http2;", "# (IPv6 listen left out in the test)", 1)
    swap("listen 80;", f"listen {LOOPBACK}:{http_port};", 1)
    swap("listen [::]:80;", "# (IPv6 listen left out in the test)", 1)
    swap(PLACEHOLDER_HOST, "localhost")
    swap(PLACEHOLDER_CERT, str(cert))
    swap(PLACEHOLDER_KEY, str(key))
    swap(PLACEHOLDER_UPSTREAM, upstream)
    swap(PLACEHOLDER_CACHE, str(cache_dir))
    if ws_read_timeout_s is not None:
        swap(SHIPPED_WS_READ_TIMEOUT, f"proxy_read_timeout {ws_read_timeout_s}s;", 1)
    if staff_allow is not None:
        swap(STAFF_ALLOW_EXAMPLE, f"allow {staff_allow};", 1)
        swap(STAFF_DENY_EXAMPLE, "deny all;", 1)
    return text


class NginxProxy(NginxSite):
    """nginx running the rendered deploy/nginx/yishiting.conf in front of
    `upstream` (the studio's address)."""

    def __init__(self, workdir: Path, pki: ProxyPki, upstream: str, name: str = "proxy",
                 **render_options):
        super().__init__(workdir, lambda site: render_proxy_conf(
            SHIPPED_CONF.read_text(encoding="utf-8"), https_port=site.https_port,
            http_port=site.http_port, cert=pki.cert, key=pki.key, upstream=upstream,
            cache_dir=site.prefix / "cache", **render_options), name)


# --------------------------------------------------------------------------- clients

def refused_status(error: AssertionError) -> int | None:
    """The HTTP status of a refused WebSocket upgrade (harness keeps the
    websocket-client exception as the cause)."""
    return getattr(error.__cause__, "status_code", None)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def proxy_show(https_port: int | None = None, **audience) -> dict:
    show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300)
    show["audience"] = dict(audience)
    if https_port:
        show["audience"]["public_url"] = f"https://localhost:{https_port}/"
    return show


# --------------------------------------------------------------------------- studio behind nginx

class ProxiedStudio(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.pki = ProxyPki(cls.work.sub("pki"))
        # nginx first: the show's public_url names its port (it answers 502
        # until the studio is up).
        studio_port = free_port()
        cls.proxy = NginxProxy(cls.work.path, cls.pki, f"{LOOPBACK}:{studio_port}").start()
        cls.addClassCleanup(cls.proxy.stop)
        show = make_show(sources=(("host", "test://smpte"), ("guest", "test://ball")),
                         archive=False, hls=True, width=640, height=360)
        show["audience"] = {"listen": f"{LOOPBACK}:{studio_port}",
                            "public_url": f"{cls.proxy.base_url}/"}
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_until(lambda s: s["hls"]["state"] == "running", 30, "HLS to be running")
        # "running" comes before the first segment is written.
        deadline = time.monotonic() + 20
        while True:
            code, body, _ = cls.studio.http_get("/hls/program.m3u8")
            if code == 200 and body.count(b".ts") >= 2:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"no playlist with two segments within 20 s: {code} {body[:200]!r}")
            time.sleep(0.2)

    def get(self, path: str, **kwargs) -> tuple[int, bytes, dict]:
        return https_get(self.pki, self.proxy.https_port, path, **kwargs)

    def test_tls_with_the_test_ca_and_http_redirected(self):
        status, body, headers = self.get("/")
        self.assertEqual(status, 200, body[:300])
        self.assertIn(b"<html", body[:500].lower())
        self.assertIn("content-security-policy", headers, "the studio's CSP did not come through")
        self.assertRegex(headers.get("strict-transport-security", ""), r"max-age=\d+")
        self.assertNotIn("nginx/", headers.get("server", ""), "server_tokens should be off")
        # The certificate is only trusted through the test CA.
        with self.assertRaises(ssl.SSLCertVerificationError):
            with socket.create_connection((LOOPBACK, self.proxy.https_port), timeout=5) as raw:
                ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")
        # Plain HTTP only redirects, keeping the path.
        conn = http.client.HTTPConnection(LOOPBACK, self.proxy.http_port, timeout=5)
        conn.request("GET", "/q?from=poster", headers={"Host": "localhost"})
        r = conn.getresponse()
        self.assertEqual(r.status, 301)
        self.assertEqual(r.getheader("Location"), "https://localhost/q?from=poster")
        conn.close()

    def test_viewer_page_over_https_and_wss_in_chromium(self):
        received_before = self.studio.status()["questions"]["received"]
        harness.run_e2e_script(
            "proxy.test.mjs", self.proxy.base_url, {"YST_TRUST_SPKI": self.pki.spki_sha256},
            timeout=150,
            context=lambda: f"{tail(read_text(self.proxy.error_log), 20)}\n{self.studio.log_tail()}")
        self.assertEqual(self.studio.status()["questions"]["received"], received_before + 1)
        # The page's WebSocket went through nginx: an upgrade answered 101
        # (logged when the connection has closed, a moment after the browser).
        deadline = time.monotonic() + 3
        while not any(" 101 " in line for line in self.proxy.logged("/ws")):
            self.assertLess(time.monotonic(), deadline, self.proxy.logged("/ws")[-5:])
            time.sleep(0.05)

    def get_cached(self, path: str) -> tuple[int, bytes, dict, str]:
        """GET through the proxy: (status, body, headers, the proxy's cache
        status, read from its access log once the line is there)."""
        count = len(self.proxy.logged(path)) + 1
        status, body, headers = self.get(path)
        return status, body, headers, self.proxy.cache_status(path, count)

    def test_hls_cached_briefly_by_the_proxy(self):
        status, first_playlist, headers, _ = self.get_cached("/hls/program.m3u8")
        self.assertEqual(status, 200, first_playlist[:300])
        self.assertTrue(first_playlist.startswith(b"#EXTM3U"), first_playlist[:200])
        # Browsers are still told what the studio says (no-cache): the cache
        # is nginx's alone.
        self.assertEqual(headers.get("cache-control"), "no-cache")
        # A second look within the playlist's 1 s comes from the cache.
        self.assertEqual(self.get_cached("/hls/program.m3u8")[3], "HIT")
        segment = [line for line in first_playlist.decode().splitlines()
                   if line and not line.startswith("#")][-1]
        path = f"/hls/{segment}"
        status, seg1, _, _ = self.get_cached(path)
        self.assertEqual(status, 200)
        status, seg2, _, cache = self.get_cached(path)
        self.assertEqual((status, cache), (200, "HIT"))
        self.assertEqual(seg1, seg2)
        # ...but not for long: 1 s on nginx's whole-second clock is gone
        # after 2 s at most, then the playlist is fetched anew; within two
        # segments (4 s) it has moved on.
        time.sleep(2.1)
        self.assertNotEqual(self.get_cached("/hls/program.m3u8")[3], "HIT")
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            _, latest, _, _ = self.get_cached("/hls/program.m3u8")
            if latest != first_playlist:
                break
            time.sleep(0.5)
        self.assertNotEqual(latest, first_playlist, "the playlist through the proxy is stale")

    def test_status_and_metrics_through_the_proxy_with_the_staff_token(self):
        status, body, _ = self.get("/api/status", headers=bearer(self.studio.token))
        self.assertEqual(status, 200, body[:300])
        self.assertIn("hls", json.loads(body))
        status, body, _ = self.get("/metrics", headers=bearer(self.studio.token))
        self.assertEqual(status, 200, body[:300])
        self.assertIn(b"yst_connections", body)

    def test_status_and_metrics_refused_without_the_staff_token(self):
        # Depends on the studio asking for `Authorization: Bearer` on
        # /api/status and /metrics (the lead's change).
        for path in ("/api/status", "/metrics"):
            status, body, _ = self.get(path)
            self.assertEqual(status, 401, f"{path} without a token: {status} {body[:200]!r}")
            status, body, _ = self.get(path, headers=bearer("not-the-token"))
            self.assertEqual(status, 401, f"{path} with a wrong token: {status} {body[:200]!r}")

    def test_staff_paths_lan_only_example(self):
        # The commented allow/deny example, switched on for 127.0.0.2 as
        # "the LAN"; 127.0.0.3 is someone on the internet.
        lan_only = NginxProxy(self.case_dir(), self.pki, f"{LOOPBACK}:{self.studio.port}",
                              name="proxy_lan_only", staff_allow="127.0.0.2").start()
        # (A second proxy on another port: its viewers' Origin is not the
        # show's public_url, so the viewer below sends none, as a non-browser.)
        self.addCleanup(lan_only.stop)
        token = bearer(self.studio.token)
        for path in ("/producer/", "/typist/", "/host/", "/producer", "/api/status", "/metrics"):
            status, _, _ = https_get(self.pki, lan_only.https_port, path, source="127.0.0.3",
                                     headers=token)
            self.assertEqual(status, 403, f"{path} from outside the LAN")
        for path in ("/producer/", "/typist/", "/host/", "/api/status", "/metrics"):
            status, body, _ = https_get(self.pki, lan_only.https_port, path, source="127.0.0.2",
                                        headers=token)
            self.assertEqual(status, 200, f"{path} from the LAN: {body[:200]!r}")
        # Viewers' paths stay open to everyone (/hostile is not /host).
        for path in ("/", "/hls/program.m3u8", "/vendor/hls.min.js"):
            status, _, _ = https_get(self.pki, lan_only.https_port, path, source="127.0.0.3")
            self.assertEqual(status, 200, f"{path} from outside the LAN")
        status, _, _ = https_get(self.pki, lan_only.https_port, "/hostile", source="127.0.0.3")
        self.assertEqual(status, 404)
        with proxied_viewer(lan_only, self.pki, source="127.0.0.3",
                            browser_origin=False) as viewer:
            self.assertEqual(viewer.hello_reply["type"], "hello.ok")

    def test_a_request_head_that_never_ends_is_cut_off(self):
        # client_header_timeout (10 s in the shipped file) against slowloris.
        with tls_socket(self.pki, self.proxy.https_port, source="127.0.0.4", timeout=20) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n")
            sent = time.monotonic()
            try:
                rest = s.recv(4096)
            except (ConnectionResetError, ssl.SSLError):
                rest = b""
            except TimeoutError:
                rest = b"(still open)"
            waited = time.monotonic() - sent
        self.assertFalse(rest.startswith(b"HTTP/1.1 200"), rest[:100])
        self.assertGreater(waited, 8, "cut off too early: client_header_timeout is 10 s")
        self.assertLess(waited, 15, "a slow client held its connection past client_header_timeout")


# --------------------------------------------------------------------------- what the upstream is told

class HeaderProbe:
    """A recording HTTP server where the studio would be: it keeps every
    request's path and headers, answers 200, and holds requests for /hold
    until release(). It is the instrument that reads what nginx sends; the
    studio itself is behind the proxy in the other classes."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.held = 0
        self.release_event = threading.Event()
        probe = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with probe.lock:
                    probe.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path == "/hold":
                    with probe.lock:
                        probe.held += 1
                    probe.release_event.wait(30)
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def last(self, path: str) -> dict:
        with self.lock:
            for p, headers in reversed(self.requests):
                if p == path:
                    return headers
        raise AssertionError(f"the upstream never saw {path}")

    def close(self) -> None:
        self.release_event.set()
        self.server.shutdown()
        self.server.server_close()


class ProxyHeaders(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.pki = ProxyPki(cls.work.sub("pki"))
        cls.probe = HeaderProbe()
        cls.addClassCleanup(cls.probe.close)
        cls.proxy = NginxProxy(cls.work.path, cls.pki, f"{LOOPBACK}:{cls.probe.port}").start()
        cls.addClassCleanup(cls.proxy.stop)

    def test_forwarded_headers(self):
        # A client at 127.0.0.7 that claims to be someone else: nginx appends
        # the address it really sees, so the last entry is the one to trust.
        status, _, _ = https_get(self.pki, self.proxy.https_port, "/questions?x=1",
                                 source="127.0.0.7", headers={"X-Forwarded-For": "203.0.113.9"})
        self.assertEqual(status, 200)
        h = self.probe.last("/questions?x=1")
        self.assertEqual(h.get("host"), "localhost")
        self.assertEqual(h.get("x-forwarded-for"), "203.0.113.9, 127.0.0.7")
        self.assertEqual(h.get("x-forwarded-proto"), "https")
        self.assertEqual(h.get("x-real-ip"), "127.0.0.7")
        self.assertNotIn("upgrade", h)
        # Without a claim, X-Forwarded-For is just the client.
        https_get(self.pki, self.proxy.https_port, "/plain", source="127.0.0.8")
        self.assertEqual(self.probe.last("/plain").get("x-forwarded-for"), "127.0.0.8")

    def test_websocket_upgrade_on_ws_only(self):
        upgrade = {"Upgrade": "websocket", "Connection": "Upgrade",
                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13",
                   "X-Forwarded-For": "198.51.100.1"}
        https_get(self.pki, self.proxy.https_port, "/ws", source="127.0.0.9", headers=upgrade)
        h = self.probe.last("/ws")
        self.assertEqual(h.get("upgrade"), "websocket")
        self.assertEqual(h.get("connection"), "upgrade")
        self.assertEqual(h.get("host"), "localhost")
        self.assertEqual(h.get("x-forwarded-for"), "198.51.100.1, 127.0.0.9")
        self.assertEqual(h.get("x-forwarded-proto"), "https")
        self.assertEqual(h.get("x-real-ip"), "127.0.0.9")
        # Anywhere else an Upgrade is not passed on (no h2c or WebSocket
        # tricks on other paths).
        https_get(self.pki, self.proxy.https_port, "/producer/", source="127.0.0.9", headers=upgrade)
        h = self.probe.last("/producer/")
        self.assertNotIn("upgrade", h)
        self.assertNotEqual(h.get("connection", "").lower(), "upgrade")

    def test_connections_per_address_limited(self):
        # 64 requests in flight from one address are served; the 65th is
        # refused with 429 by nginx itself. Another address is unaffected.
        conns = []
        try:
            for _ in range(64):
                c = TlsConnection(self.pki, self.proxy.https_port, "127.0.0.10", 20)
                c.request("GET", "/hold")
                conns.append(c)
            deadline = time.monotonic() + 10
            while self.probe.held < 64 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(self.probe.held, 64, "not every held request reached the upstream")
            status, _, _ = https_get(self.pki, self.proxy.https_port, "/one-more",
                                     source="127.0.0.10")
            self.assertEqual(status, 429)
            status, _, _ = https_get(self.pki, self.proxy.https_port, "/neighbour",
                                     source="127.0.0.11")
            self.assertEqual(status, 200)
            self.probe.release_event.set()
            self.assertEqual([c.getresponse().status for c in conns], [200] * 64)
        finally:
            self.probe.release_event.set()
            for c in conns:
                c.close()


    def test_ws_read_timeout_outlasts_the_default_ping(self):
        text = SHIPPED_CONF.read_text(encoding="utf-8")
        ws = re.search(r"location = /ws \{(.*?)\n    \}", text, re.S)
        self.assertIsNotNone(ws, "no `location = /ws` in the shipped file")
        timeout = re.search(r"proxy_read_timeout (\d+)s;", ws.group(1))
        self.assertIsNotNone(timeout, "/ws sets no proxy_read_timeout: nginx's 60 s applies")
        # Two pings (30 s by default) fit, so one late or lost ping is not a drop.
        self.assertGreater(int(timeout.group(1)), 2 * 30)

# --------------------------------------------------------------------------- many clients, one proxy

class ProxiedViewerLimits(IntegrationTest):
    CLIENTS = [f"127.0.0.{n}" for n in range(2, 26)]  # 24 client addresses
    PER_ADDRESS = 16

    @classmethod
    def set_up_fixtures(cls):
        cls.pki = ProxyPki(cls.work.sub("pki"))

    def start(self, **audience) -> tuple[Studio, NginxProxy]:
        studio_port = free_port()
        proxy = NginxProxy(self.case_dir(), self.pki, f"{LOOPBACK}:{studio_port}").start()
        self.addCleanup(proxy.stop)
        show = proxy_show(proxy.https_port, listen=f"{LOOPBACK}:{studio_port}",
                          max_connections_per_address=self.PER_ADDRESS, **audience)
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        studio.start()
        return studio, proxy

    def connect_all(self, proxy: NginxProxy, sources: list[str],
                    headers_for=lambda i: []) -> tuple[list[Viewer], list[int | None]]:
        """Opens one viewer per source address in turn: (accepted viewers,
        HTTP statuses of the refused upgrades)."""
        accepted, refused = [], []
        for i, source in enumerate(sources):
            try:
                viewer = proxied_viewer(proxy, self.pki, source=source, headers=headers_for(i))
            except AssertionError as e:
                refused.append(refused_status(e))
                continue
            self.addCleanup(viewer.close)
            self.assertEqual(viewer.hello_reply["type"], "hello.ok")
            accepted.append(viewer)
        return accepted, refused

    def test_without_trusted_proxies_every_viewer_is_the_proxy(self):
        studio, proxy = self.start()
        accepted, refused = self.connect_all(proxy, self.CLIENTS)
        self.assertEqual(len(accepted), self.PER_ADDRESS)
        self.assertEqual(refused, [429] * (len(self.CLIENTS) - self.PER_ADDRESS))
        studio.wait_until(lambda s: s["clients"] == self.PER_ADDRESS, 5,
                          f"{self.PER_ADDRESS} clients")

    def test_with_trusted_proxies_each_client_has_its_own_allowance(self):
        # Depends on [audience] trusted_proxies (the lead's change): before
        # it, the studio refuses the unknown key and does not start.
        studio, proxy = self.start(trusted_proxies=[LOOPBACK])
        accepted, refused = self.connect_all(proxy, self.CLIENTS)
        self.assertEqual((len(accepted), refused), (len(self.CLIENTS), []))
        studio.wait_until(lambda s: s["clients"] == len(self.CLIENTS), 5,
                          f"{len(self.CLIENTS)} clients")
        # One client forging X-Forwarded-For gets no more than its own 16:
        # nginx appends its real address, and that is what counts.
        forger = ["127.0.0.30"] * (self.PER_ADDRESS + 4)
        accepted, refused = self.connect_all(
            proxy, forger, lambda i: [f"X-Forwarded-For: 198.51.100.{i + 1}"])
        self.assertEqual(len(accepted), self.PER_ADDRESS)
        self.assertEqual(refused, [429] * 4)


# --------------------------------------------------------------------------- idle WebSocket

class IdleWebSocket(IntegrationTest):
    """Depends on [audience] ws_ping_s (the lead's change): before it, the
    studio refuses the unknown key and does not start."""

    PING_S = 2
    READ_TIMEOUT_S = 5

    @classmethod
    def set_up_fixtures(cls):
        # Two proxies on different ports in front of one studio: the viewers
        # send no Origin (the Origin check is not what is tested here).
        cls.pki = ProxyPki(cls.work.sub("pki"))
        cls.studio = Studio(cls.work.path, proxy_show(ws_ping_s=cls.PING_S,
                                                      question_interval_s=0))
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def idle(self, viewer: Viewer, seconds: float) -> tuple[int, float | None]:
        """Reads for `seconds` without sending anything (pings are answered
        by websocket-client): (pings seen, seconds until the connection was
        closed, or None when it stayed open)."""
        pings = 0
        start = time.monotonic()
        while (left := seconds - (time.monotonic() - start)) > 0:
            viewer.ws.settimeout(left)
            try:
                opcode, _ = viewer.ws.recv_data(control_frame=True)
            except harness.websocket.WebSocketTimeoutException:
                break
            except (harness.websocket.WebSocketConnectionClosedException, OSError):
                return pings, time.monotonic() - start
            if opcode == harness.websocket.ABNF.OPCODE_PING:
                pings += 1
            elif opcode == harness.websocket.ABNF.OPCODE_CLOSE:
                return pings, time.monotonic() - start
        return pings, None

    def test_the_studio_ping_keeps_a_silent_viewer_past_proxy_read_timeout(self):
        proxy = NginxProxy(self.case_dir(), self.pki, f"{LOOPBACK}:{self.studio.port}",
                           ws_read_timeout_s=self.READ_TIMEOUT_S).start()
        self.addCleanup(proxy.stop)
        viewer = proxied_viewer(proxy, self.pki, browser_origin=False)
        self.addCleanup(viewer.close)
        idle_s = 2.5 * self.READ_TIMEOUT_S
        pings, closed_after = self.idle(viewer, idle_s)
        self.assertIsNone(closed_after, f"nginx dropped the viewer after {closed_after}s "
                                        f"({pings} pings seen)")
        self.assertGreaterEqual(pings, int(idle_s / self.PING_S) - 1)
        reply = viewer.submit("安静了一会儿之后的提问")
        self.assertEqual(reply.get("type"), "question.received", reply)

    def test_a_read_timeout_below_the_ping_drops_the_viewer(self):
        # The control: the same studio behind nginx with proxy_read_timeout
        # below its ping interval.
        proxy = NginxProxy(self.case_dir(), self.pki, f"{LOOPBACK}:{self.studio.port}",
                           name="proxy_short", ws_read_timeout_s=1).start()
        self.addCleanup(proxy.stop)
        viewer = proxied_viewer(proxy, self.pki, browser_origin=False)
        self.addCleanup(viewer.close)
        _, closed_after = self.idle(viewer, 10)
        self.assertIsNotNone(closed_after, "nginx kept a WebSocket quiet for longer than "
                                           "its proxy_read_timeout")
        self.assertLess(closed_after, self.PING_S + 1)


if __name__ == "__main__":
    harness.main()
