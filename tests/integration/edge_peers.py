"""The public edge's parts for integration tests: a real nats-server with
JetStream on free loopback ports, and `yishiting edge` processes.

Both are started by the test and can be killed (-9) and started again on the
same ports, as a failing machine would be."""

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness import (LOOPBACK, _Process, dump_toml, free_port, read_text, sanitizer_report_env,
                     studio_binary, tail)


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

    def start(self, timeout: float = 15.0) -> "NatsServer":
        if self.running:
            return self
        cmd = [nats_server_binary(), "-a", LOOPBACK, "-p", str(self.port),
               "-m", str(self.monitor_port), "-js", "-sd", str(self.dir / "store")]
        if self.conf is not None:
            cmd += ["-c", str(self.conf)]
        self._spawn(cmd, env=dict(os.environ, **self.env))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"nats-server exited:\n{tail(self.log_text())}")
            try:
                # 200 only once JetStream has recovered its store.
                with urllib.request.urlopen(
                        f"http://{LOOPBACK}:{self.monitor_port}/healthz?js-enabled-only=true",
                        timeout=1) as r:
                    if r.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"nats-server not healthy within {timeout}s:\n{tail(self.log_text())}")

    def kill9(self) -> None:
        self.kill()

    def stop(self) -> None:
        self.terminate()


def nats_client_says(nats: NatsServer, user: str, password: str, lines: list[str]) -> str:
    """Speaks the NATS protocol by hand as `user` (CONNECT, then `lines`,
    then PING) and returns what the server said up to its PONG: how a test
    shows what a user may not do (-ERR 'Permissions Violation …')."""
    import socket
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

    def __init__(self, workdir: Path, nats: NatsServer, channel: str, name: str = "edge",
                 limits: dict | None = None, binary: Path | None = None,
                 nats_keys: dict | None = None, env: dict | None = None):
        self.dir = Path(workdir) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        super().__init__(name, self.dir / "edge.log")
        self.binary = Path(binary) if binary else studio_binary()
        self.port = free_port()
        self.env = dict(env or {})
        self.config = {
            "edge": {"id": name, "channel": channel, "listen": f"{LOOPBACK}:{self.port}",
                     "hls_url": "/hls/program.m3u8"},
            "nats": {"url": nats.url, **(nats_keys or {})},
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
