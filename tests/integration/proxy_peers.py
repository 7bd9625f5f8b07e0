"""nginx as the public front in integration tests: a test CA and server
certificate, a throw-away nginx running one of the shipped site files of
deploy/nginx/ (rendered with free ports and the test certificate), and
clients that speak TLS to it from any loopback address (another address is
another client to nginx). Used by test_proxy.py (one studio behind nginx)
and test_edge_cloud.py (edges behind nginx)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import resource
import signal
import socket
import ssl
import subprocess
from pathlib import Path
from typing import Callable

import harness
from harness import LOOPBACK, Viewer, free_port, port_open, read_text, tail


def swap_once(text: str, old: str, new: str, what: str, count: int | None = None) -> str:
    """`text` with `old` replaced by `new`, failing (naming `what`, the file)
    when `old` is missing or, with `count`, found another number of times:
    a shipped file that changes its placeholders fails its test by name."""
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        raise AssertionError(f"{what}: expected {count or 'some'} of {old!r}, found {found}; "
                             "update the test's rendering with the file")
    return text.replace(old, new)


# --------------------------------------------------------------------------- certificates

class ProxyPki:
    """A test CA and a server certificate for localhost and 127.0.0.1, made
    with openssl in `directory`. `spki_sha256` is the server certificate's
    public key hash (base64 SHA-256 of its SubjectPublicKeyInfo), what
    Chromium's --ignore-certificate-errors-spki-list takes."""

    def __init__(self, directory: Path, client_auth: bool = False):
        """client_auth: the certificate is good for a client too (NATS
        cluster routes authenticate each other with their server certificate)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.ca = d / "ca.pem"
        self.cert = d / "server.pem"
        self.key = d / "server.key"
        ca_key = d / "ca.key"
        csr = d / "server.csr"
        ext = d / "server.ext"
        ext.write_text("subjectAltName = DNS:localhost, IP:127.0.0.1\n"
                       "basicConstraints = critical, CA:FALSE\n"
                       "keyUsage = critical, digitalSignature\n"
                       f"extendedKeyUsage = serverAuth{', clientAuth' if client_auth else ''}\n"
                       "subjectKeyIdentifier = hash\n"
                       "authorityKeyIdentifier = keyid\n")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        self._openssl("req", "-x509", *ec, "-days", "2", "-subj", "/CN=Yishiting test CA",
                      "-addext", "basicConstraints=critical,CA:TRUE",
                      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                      "-keyout", str(ca_key), "-out", str(self.ca))
        self._openssl("req", *ec, "-subj", "/CN=localhost", "-keyout", str(self.key),
                      "-out", str(csr))
        self._openssl("x509", "-req", "-in", str(csr), "-CA", str(self.ca), "-CAkey", str(ca_key),
                      "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(self.cert))
        public_key = self._openssl("x509", "-in", str(self.cert), "-noout", "-pubkey")
        der = self._openssl("pkey", "-pubin", "-outform", "DER", input_bytes=public_key)
        self.spki_sha256 = base64.b64encode(hashlib.sha256(der).digest()).decode()
        self.context = ssl.create_default_context(cafile=str(self.ca))

    @staticmethod
    def _openssl(*args: str, input_bytes: bytes | None = None) -> bytes:
        run = subprocess.run(["openssl", *args], input=input_bytes, capture_output=True,
                             timeout=60)
        if run.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args[:2])} failed: "
                                 f"{run.stderr.decode(errors='replace')[-1000:]}")
        return run.stdout


# --------------------------------------------------------------------------- nginx

class NginxSite:
    """nginx running a rendered shipped site file (deploy/nginx/) in a temp prefix.

    The main file written here only holds what an admin's nginx.conf would
    (pid, logs, temp paths, events) and includes the rendered file inside
    http {}, as Debian's nginx.conf includes conf.d/*.conf. One foreground
    process (`master_process off`), never /etc/nginx, /var/log or port 443.
    The access log names the cache status of every request."""

    def __init__(self, workdir: Path, render: Callable[["NginxSite"], str], name: str = "proxy",
                 worker_connections: int = 512):
        """`render(site)` returns the site file's text; it reads the ports and
        folders chosen here (https_port, http_port, prefix / "cache").
        `worker_connections`: more for a benchmark's crowd (each proxied
        viewer takes two; the descriptors follow, up to the hard limit)."""
        self.name = name
        self.prefix = Path(workdir) / name
        for d in ("logs", "tmp", "cache"):
            (self.prefix / d).mkdir(parents=True, exist_ok=True)
        self.https_port = free_port()
        self.http_port = free_port()
        self.error_log = self.prefix / "logs" / "error.log"
        self.access_log = self.prefix / "logs" / "access.log"
        self.site_path = self.prefix / "site.conf"
        self.site_path.write_text(render(self), encoding="utf-8")
        p = self.prefix
        descriptors = worker_connections + 64
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if hard != resource.RLIM_INFINITY:
            descriptors = min(descriptors, hard)
        self.conf_path = p / "nginx.conf"
        self.conf_path.write_text(f"""\
# Written by tests/integration/proxy_peers.py around a rendered shipped file.
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile {descriptors};
pid {p}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections {worker_connections}; }}
http {{
  log_format yst '$remote_addr "$request" $status cache=$upstream_cache_status '
                 'xff="$http_x_forwarded_for"';
  access_log {self.access_log} yst;
  client_body_temp_path {p}/tmp/client_body;
  proxy_temp_path {p}/tmp/proxy;
  fastcgi_temp_path {p}/tmp/fastcgi;
  uwsgi_temp_path {p}/tmp/uwsgi;
  scgi_temp_path {p}/tmp/scgi;
  include {self.site_path};
}}
""")
        self._process = harness._Process(name, self.prefix / "logs" / "nginx.out")

    @property
    def base_url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def ws_url(self) -> str:
        return f"wss://localhost:{self.https_port}/ws"

    def start(self, timeout: float = 10.0) -> "NginxSite":
        self._process._spawn([harness.NGINX, "-p", str(self.prefix) + "/", "-c",
                              str(self.conf_path), "-e", str(self.error_log)])
        try:
            harness.wait_until(lambda: not self._process.running or (
                port_open(self.https_port) and port_open(self.http_port)), timeout,
                f"{self.name} listening\n{tail(read_text(self.error_log))}", interval=0.05)
        except AssertionError:
            self._process.kill()
            raise
        if not self._process.running:
            raise AssertionError(f"{self.name} exited while starting:\n"
                                 f"{tail(self._process.log_text())}\n"
                                 f"{tail(read_text(self.error_log))}")
        return self

    def stop(self) -> None:
        self._process.terminate(signal.SIGTERM, 5.0)

    def access_lines(self) -> list[str]:
        return read_text(self.access_log).splitlines()

    def logged(self, path: str) -> list[str]:
        """Access log lines of the GETs for `path`."""
        return [line for line in self.access_lines() if f'"GET {path} ' in line]

    def cache_status(self, path: str, count: int) -> str:
        """$upstream_cache_status of the count-th GET for `path`. nginx logs a
        request after its response is sent, so the line may come a moment
        after the client has read the response."""
        lines = harness.wait_until(
            lambda: self.logged(path), 3,
            f"{self.name}: request {count} for {path} in the access log",
            accept=lambda logged: len(logged) >= count, interval=0.02)
        return re.search(r"cache=(\S*)", lines[count - 1]).group(1)


# --------------------------------------------------------------------------- clients

def tls_socket(pki: ProxyPki, port: int, source: str = LOOPBACK, timeout: float = 10.0) -> ssl.SSLSocket:
    """A TLS connection to 127.0.0.1:port from `source` (another loopback
    address is another client to nginx), the certificate checked against
    the test CA for the name localhost."""
    raw = socket.create_connection((LOOPBACK, port), timeout=timeout, source_address=(source, 0))
    try:
        return pki.context.wrap_socket(raw, server_hostname="localhost")
    except BaseException:
        raw.close()
        raise


class TlsConnection(http.client.HTTPConnection):
    """http.client over tls_socket(): Host is localhost:port."""

    def __init__(self, pki: ProxyPki, port: int, source: str, timeout: float):
        super().__init__("localhost", port, timeout=timeout)
        self._pki, self._source = pki, source

    def connect(self) -> None:
        self.sock = tls_socket(self._pki, self.port, self._source, self.timeout)


def https_get(pki: ProxyPki, port: int, path: str, source: str = LOOPBACK,
              headers: dict | None = None, timeout: float = 10.0) -> tuple[int, bytes, dict]:
    """(status, body, headers with lower-case names) of one GET through the proxy."""
    conn = TlsConnection(pki, port, source, timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def proxied_viewer(proxy: NginxSite, pki: ProxyPki, source: str = LOOPBACK,
                   headers: list[str] | None = None, browser_origin: bool = True,
                   **kwargs) -> Viewer:
    """A viewer on wss:// through the proxy from client address `source`,
    with the Origin the viewer page would send (or none, as a client that is
    not a browser, when browser_origin is False)."""
    options = {"socket": tls_socket(pki, proxy.https_port, source), "header": headers or []}
    if browser_origin:
        options["origin"] = proxy.base_url
    else:
        options["suppress_origin"] = True
    return Viewer(proxy.ws_url, connect_options=options, **kwargs)
