"""The public edge's parts for integration tests: a real nats-server with
JetStream on free loopback ports, and `yishiting edge` processes.

Both are started by the test and can be killed (-9) and started again on the
same ports, as a failing machine would be."""

import json
import os
import secrets
import select
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness import (LOOPBACK, _Process, dump_toml, free_port, read_text, sanitizer_report_env,
                     studio_binary, tail)
from proxy_peers import swap_once


def nats_password() -> str:
    """A password as deploy/nats/permissions.conf says to make one: nats-server
    reads the variable as a configuration value, and one that starts with a
    digit or '-' is read as a number (a CI run failed on "2…")."""
    return "y" + secrets.token_hex(24)


def nats_server_binary() -> str:
    found = os.environ.get("YST_NATS_SERVER") or shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not Path(found).exists():
        raise AssertionError("nats-server is not installed (scripts/setup installs it)")
    return found


class NatsServer(_Process):
    """nats-server -js on a free port; its store survives kill9() + start()."""

    def __init__(self, workdir: Path, name: str = "nats", include: Path | None = None,
                 env: dict | None = None):
        """`include`: a configuration file the server's own includes (the
        shipped deploy/nats/permissions.conf), with `env` in its environment
        (the passwords that file reads)."""
        self.dir = Path(workdir) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        super().__init__(name, self.dir / "nats.log")
        self.port = free_port()
        self.monitor_port = free_port()
        self.env = dict(env or {})
        self.conf: Path | None = None
        if include is not None:
            # nats-server includes relative paths only: the shipped file, as is, beside it.
            shutil.copyfile(include, self.dir / Path(include).name)
            self.conf = self.dir / "nats.conf"
            self.conf.write_text(f'include ./{Path(include).name}\n', encoding="utf-8")

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        cmd = [nats_server_binary(), "-a", LOOPBACK, "-p", str(self.port),
               "-m", str(self.monitor_port), "-js", "-sd", str(self.dir / "store")]
        if self.conf is not None:
            cmd += ["-c", str(self.conf)]
        return cmd

    # 200 once JetStream has recovered its store.
    health_path = "/healthz?js-enabled-only=true"

    def spawn(self) -> None:
        """Starts the process without waiting (a cluster's nodes start
        together, then each is waited for)."""
        if not self.running:
            self._spawn(self.command(), env=dict(os.environ, **self.env), cwd=self.dir)

    def start(self, timeout: float = 15.0) -> "NatsServer":
        self.spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"{self.name} exited:\n{tail(self.log_text())}")
            if self.healthy():
                return self
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not healthy within {timeout}s:\n{tail(self.log_text())}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{self.monitor_port}{self.health_path}",
                                        timeout=1) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def monitor(self, path: str) -> dict:
        """A monitoring endpoint's JSON (/varz, /jsz?streams=true, …)."""
        with urllib.request.urlopen(f"http://{LOOPBACK}:{self.monitor_port}{path}", timeout=5) as r:
            return json.loads(r.read())

    def kill9(self) -> None:
        self.kill()

    def stop(self) -> None:
        self.terminate()


def nats_client_says(nats: NatsServer, user: str, password: str, lines: list[str]) -> str:
    """Speaks the NATS protocol by hand as `user` (CONNECT, then `lines`,
    then PING) and returns what the server said up to its PONG: how a test
    shows what a user may not do (-ERR 'Permissions Violation …')."""
    connect = json.dumps({"user": user, "pass": password, "verbose": False, "pedantic": False,
                          "name": "permission-probe"})
    with socket.create_connection((LOOPBACK, nats.port), timeout=5) as sock:
        said = b""
        sock.sendall(("CONNECT " + connect + "\r\n" + "".join(lines) + "PING\r\n").encode())
        deadline = time.monotonic() + 5
        while b"PONG" not in said and b"Authorization Violation" not in said:
            if time.monotonic() > deadline:
                break
            chunk = sock.recv(4096)
            if not chunk:
                break
            said += chunk
        return said.decode(errors="replace")


class Edge(_Process):
    """`yishiting edge --config <dir>/edge.toml` for one channel."""

    def __init__(self, workdir: Path, nats: "NatsServer | str", channel: str, name: str = "edge",
                 limits: dict | None = None, binary: Path | None = None,
                 nats_keys: dict | None = None, env: dict | None = None,
                 edge_keys: dict | None = None):
        """`nats`: a server, or the URL list an edge's file takes;
        `nats_keys`, `edge_keys`: more keys for the file's [nats] and [edge]."""
        self.dir = Path(workdir) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        super().__init__(name, self.dir / "edge.log")
        self.binary = Path(binary) if binary else studio_binary()
        self.port = free_port()
        self.env = dict(env or {})
        self.config = {
            "edge": {"id": name, "channel": channel, "listen": f"{LOOPBACK}:{self.port}",
                     "hls_url": "/hls/program.m3u8", **(edge_keys or {})},
            "nats": {"url": nats if isinstance(nats, str) else nats.url, **(nats_keys or {})},
            "limits": {"question_interval_s": 0, "question_burst": 100, **(limits or {})},
        }
        (self.dir / "edge.toml").write_text(dump_toml(self.config), encoding="utf-8")

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}/ws"

    def start(self, wait_live: bool = True, timeout: float = 20.0) -> "Edge":
        if not self.running:
            env = dict(os.environ, **self.env)
            env.update(sanitizer_report_env(self.binary, self.dir))
            self._spawn([str(self.binary), "edge", "--config", str(self.dir / "edge.toml")],
                        env=env, cwd=self.dir)
        if wait_live:
            self.wait_public(lambda s: s.get("studio") == "live", timeout, "the studio live")
        return self

    def http_get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def public_status(self) -> dict:
        status, body = self.http_get("/api/public-status", timeout=2)
        if status != 200:
            raise ValueError(f"/api/public-status: {status}")
        return json.loads(body)

    def wait_public(self, predicate, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if not self.running:
                raise AssertionError(f"{self.name} exited ({self.proc.returncode}):\n"
                                     f"{tail(self.log_text())}")
            try:
                last = self.public_status()
                if predicate(last):
                    return last
            except (OSError, ValueError, urllib.error.URLError):
                pass
            if time.monotonic() >= deadline:
                raise AssertionError(f"{self.name}: not {what} within {timeout}s (last {last}):\n"
                                     f"{tail(self.log_text())}")
            time.sleep(0.1)

    def kill9(self) -> None:
        self.kill()

    def stop(self) -> int | None:
        return self.terminate()

    def log_text(self) -> str:
        return read_text(self.log_path)


SHIPPED_NATS = Path(__file__).resolve().parents[2] / "deploy" / "nats"


class NatsClusterNode(NatsServer):
    """One node of a cluster running the shipped deploy/nats/nats.conf with
    its permissions.conf: TLS for clients and for the routes between nodes
    (certificates from the test CA `pki`, made with client_auth), JetStream
    on disk, the passwords in `env`. Only the placeholders are replaced:
    names, loopback ports, certificate and store paths, the routes."""

    # 200 once JetStream is healthy: the cluster has a meta leader and this
    # node has caught up.
    health_path = "/healthz"

    def __init__(self, workdir: Path, index: int, pki, env: dict):
        super().__init__(workdir, name=f"nats-{index}", env=env)
        self.index = index
        self.cluster_port = free_port()
        for name, source in (("server.crt", pki.cert), ("server.key", pki.key), ("ca.pem", pki.ca)):
            shutil.copyfile(source, self.dir / name)
        shutil.copyfile(SHIPPED_NATS / "permissions.conf", self.dir / "permissions.conf")
        self.conf = self.dir / "nats.conf"

    @property
    def url(self) -> str:
        return f"tls://{LOOPBACK}:{self.port}"

    @property
    def server_name(self) -> str:
        return f"nats-{self.index}"

    def render(self, nodes: list["NatsClusterNode"]) -> None:
        text = (SHIPPED_NATS / "nats.conf").read_text(encoding="utf-8")

        def swap(old: str, new: str) -> None:
            nonlocal text
            text = swap_once(text, old, new, "deploy/nats/nats.conf")

        swap('server_name: "nats-1"', f'server_name: "{self.server_name}"')
        swap('listen: "0.0.0.0:4222"', f'listen: "{LOOPBACK}:{self.port}"')
        swap('http: "127.0.0.1:8222"', f'http: "{LOOPBACK}:{self.monitor_port}"')
        swap('listen: "0.0.0.0:6222"', f'listen: "{LOOPBACK}:{self.cluster_port}"')
        swap("/etc/nats/tls/", f"{self.dir}/")
        swap("/var/lib/nats/jetstream", str(self.dir / "store"))
        for n, node in enumerate(nodes, start=1):
            swap(f'"nats-route://nats-{n}.example.cn:6222"',
                 f'"nats-route://{LOOPBACK}:{node.cluster_port}"')
        self.conf.write_text(text, encoding="utf-8")

    def command(self) -> list[str]:
        return [nats_server_binary(), "-c", str(self.conf)]


def start_cluster(workdir: Path, pki, env: dict, size: int = 3) -> list[NatsClusterNode]:
    """`size` nodes started together (a JetStream cluster elects its leader
    once they meet), each then waited for until healthy."""
    nodes = [NatsClusterNode(workdir, i, pki, env) for i in range(1, size + 1)]
    for node in nodes:
        node.render(nodes)
    for node in nodes:
        node.spawn()
    for node in nodes:
        node.start(timeout=30)
    return nodes


class LinkCut:
    """A TCP relay on a free loopback port in front of `target_port`, which
    can cut the link as a failing uplink would: while cut it neither reads
    nor writes (bytes wait, nothing is refused, no connection is reset) and
    new connections are taken but not passed on; healed, everything flows
    again. Put between the studio and NATS, it is the control room's
    internet line going down for a while."""

    def __init__(self, target_port: int, name: str = "link"):
        self.name = name
        self.target_port = target_port
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        self._sockets: list = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name=f"{name}-accept", daemon=True).start()

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    def cut(self) -> None:
        self._flowing.clear()

    def heal(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._closed = True
        self._flowing.set()
        with self._lock:
            for s in self._sockets:
                try:
                    s.close()
                except OSError:
                    pass
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._flowing.wait()
            if self._closed:
                client.close()
                return
            try:
                upstream = socket.create_connection((LOOPBACK, self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, sink) -> None:
        try:
            source.settimeout(None)
            while not self._closed:
                self._flowing.wait()
                readable, _, _ = select.select([source], [], [], 0.1)
                if not readable:
                    continue
                if not self._flowing.is_set():
                    continue  # cut between the wait and the read: hold it
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(2)
                except OSError:
                    pass
