"""The cloud's nginx as deploy/ ships it, run by tests and benchmarks: the
front (deploy/nginx/yishiting-edges.conf) rendered for a test, and the HLS
origin (deploy/nginx/hls-origin.conf) as a process. Only the files'
placeholders are filled in (addresses, certificates, folders)."""

import re
import secrets
import subprocess
from pathlib import Path

import harness
from harness import LOOPBACK, free_port, port_open, read_text, tail
from edge_peers import Edge
from proxy_peers import NginxSite, ProxyPki, swap_once

REPO = Path(__file__).resolve().parents[2]
EDGES_CONF = REPO / "deploy" / "nginx" / "yishiting-edges.conf"
ORIGIN_CONF = REPO / "deploy" / "nginx" / "hls-origin.conf"


def render_edges_conf(site: NginxSite, pki: ProxyPki, edges: list[Edge], origin: str) -> str:
    """deploy/nginx/yishiting-edges.conf for a test: 127.0.0.1 only, the test
    certificate, the edges' addresses as the upstream's servers, `origin`
    as the HLS origin, the cache in the site's folder."""
    what = EDGES_CONF.name
    text = EDGES_CONF.read_text(encoding="utf-8")
    text = swap_once(text, "listen 443 ssl http2 backlog=4096;",
                     f"listen {LOOPBACK}:{site.https_port} ssl http2 backlog=4096;",
                     what, 1)
    text = swap_once(text, "listen [::]:443 ssl http2 backlog=4096;", "# (IPv6 left out in the test)",
                     what, 1)
    text = swap_once(text, "listen 80;", f"listen {LOOPBACK}:{site.http_port};", what, 1)
    text = swap_once(text, "listen [::]:80;", "# (IPv6 left out in the test)", what, 1)
    text = swap_once(text, "ask.example.cn", "localhost", what)
    text = swap_once(text, "/etc/ssl/yishiting/fullchain.pem", str(pki.cert), what)
    text = swap_once(text, "/etc/ssl/yishiting/privkey.pem", str(pki.key), what)
    text = swap_once(text, "/var/cache/nginx/yishiting-live", str(site.prefix / "cache"), what)
    text = swap_once(text, "10.0.0.20:8081", origin, what)
    shipped = [line for line in text.splitlines() if "10.0.0.1" in line and "server " in line]
    if len(shipped) != 2:
        raise AssertionError(f"{what}: expected the two example edges, found {shipped}")
    text = swap_once(text, shipped[0] + "\n",
                     "".join(shipped[0].replace("10.0.0.11:8090", f"{LOOPBACK}:{e.port}") + "\n"
                             for e in edges), what, 1)
    return swap_once(text, shipped[1] + "\n", "", what, 1)


class HlsOrigin(harness._Process):
    """nginx running deploy/nginx/hls-origin.conf (the whole nginx.conf of
    the origin machine) in a temp prefix: RTMP in from the studio, HLS and
    the archive out over HTTP, the studio's uploads in over HTTPS (the test
    certificate; `upload_user` with `upload_password` in its htpasswd). Its
    access log counts the origin's fetches per file."""

    def __init__(self, workdir: Path, pki: ProxyPki, upload_user: str = "studio",
                 upload_password: str = ""):
        self.prefix = Path(workdir) / "origin"
        for d in ("logs", "tmp", "data/hls", "data/archive"):
            (self.prefix / d).mkdir(parents=True, exist_ok=True)
        super().__init__("origin", self.prefix / "logs" / "nginx.out")
        self.rtmp_port = free_port()
        self.http_port = free_port()
        self.upload_port = free_port()
        htpasswd = self.prefix / "upload.htpasswd"
        hashed = subprocess.run(["openssl", "passwd", "-apr1", "-stdin"],
                                input=upload_password or secrets.token_urlsafe(18),
                                capture_output=True, text=True, check=True).stdout.strip()
        htpasswd.write_text(f"{upload_user}:{hashed}\n", encoding="utf-8")
        self.access_log = self.prefix / "logs" / "access.log"
        self.error_log = self.prefix / "logs" / "error.log"
        p, what = self.prefix, ORIGIN_CONF.name
        text = ORIGIN_CONF.read_text(encoding="utf-8")
        text = swap_once(text, "user www-data;", "# (user left out: the test's own)", what, 1)
        text = swap_once(text, "pid /run/nginx.pid;", f"pid {p}/nginx.pid;", what, 1)
        text = swap_once(text, "error_log /var/log/nginx/error.log;",
                         f"error_log {self.error_log} info;", what, 1)
        text = swap_once(text, "include /etc/nginx/modules-enabled/*.conf;",
                         f"load_module {harness.NGINX_RTMP_MODULE};", what, 1)
        text = swap_once(text, "listen 1935;", f"listen {LOOPBACK}:{self.rtmp_port};", what, 1)
        text = swap_once(text, "allow publish 192.0.2.10;", f"allow publish {LOOPBACK};", what, 1)
        text = swap_once(text, "allow 192.0.2.10;", f"allow {LOOPBACK};", what, 1)
        text = swap_once(text, "/var/lib/yishiting", str(p / "data"), what)
        text = swap_once(text, "listen 8081;", f"listen {LOOPBACK}:{self.http_port};", what, 1)
        text = swap_once(text, "listen 8443 ssl;", f"listen {LOOPBACK}:{self.upload_port} ssl;",
                         what, 1)
        text = swap_once(text, "/etc/ssl/yishiting/origin.pem", str(pki.cert), what)
        text = swap_once(text, "/etc/ssl/yishiting/origin.key", str(pki.key), what)
        text = swap_once(text, "/etc/nginx/yishiting-upload.htpasswd", str(htpasswd), what)
        text = swap_once(text, "access_log /var/log/nginx/access.log;",
                         f"access_log {self.access_log};\n"
                         + "".join(f"    {kind}_temp_path {p}/tmp/{kind};\n"
                                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
                         what, 1)
        self.conf_path = p / "nginx.conf"
        self.conf_path.write_text(text, encoding="utf-8")

    @property
    def http_address(self) -> str:
        return f"{LOOPBACK}:{self.http_port}"

    def publish_url(self, stream: str) -> str:
        return f"rtmp://{LOOPBACK}:{self.rtmp_port}/live/{stream}"

    @property
    def upload_url(self) -> str:
        return f"https://localhost:{self.upload_port}/archive-upload/"

    def archived(self, session: int, name: str) -> Path:
        return self.prefix / "data" / "archive" / str(session) / name

    def start(self, timeout: float = 10.0) -> "HlsOrigin":
        self._spawn([harness.NGINX, "-p", str(self.prefix) + "/", "-c", str(self.conf_path),
                     "-e", str(self.error_log), "-g", "daemon off; master_process off;"])
        harness.wait_until(lambda: not self.running or (port_open(self.rtmp_port)
                                                        and port_open(self.http_port)
                                                        and port_open(self.upload_port)),
                           timeout, "the origin listening")
        if not self.running:
            raise AssertionError(f"the origin exited:\n{tail(self.log_text())}\n"
                                 f"{tail(read_text(self.error_log))}")
        return self

    def stop(self) -> None:
        self.terminate()

    def log_text(self) -> str:
        return read_text(self.log_path)

    def fetches(self, path: str) -> int:
        return sum(1 for line in read_text(self.access_log).splitlines()
                   if f'"GET {path} ' in line)


def front_fail_timeout_s() -> int:
    """How long the shipped front leaves out an edge that failed (its
    upstream's fail_timeout): an edge killed and started again is not
    offered viewers before then."""
    return int(re.search(r"fail_timeout=(\d+)s", EDGES_CONF.read_text(encoding="utf-8")).group(1))


def segments_of(playlist: bytes) -> list[str]:
    return [line for line in playlist.decode().splitlines() if line and not line.startswith("#")]
