"""Real-parts harness for Yishiting Studio's integration tests.

The integration tests drive the real `yishiting serve` binary the way a user
would meet it: a show file on disk, real nginx-rtmp servers on free loopback
ports as the partner sites, `ffmpeg` pushing test streams as cameras,
`ffprobe`/`ffmpeg` checking what arrived, and real WebSocket clients speaking
the producer protocol. Nothing here is a mock.

Pieces:
  free_port()           a free TCP and UDP port on 127.0.0.1, below the
                        ephemeral range; Studio and NginxRtmp move to another
                        one when theirs is taken before they bind it
  wait_until()          polls a condition until a deadline and says what it
                        last saw: never sleep before asserting something
                        asynchronous
  Workspace             a temp dir per test class; on failure its logs are
                        copied to tests/artifacts/<module.Class>/; removed at
                        the end unless YST_KEEP_ARTIFACTS is set
  IntegrationTest       unittest.TestCase base that owns a Workspace and
                        notices failures
  NginxRtmp             nginx + RTMP module in a temp prefix ("partner site")
  FfmpegPush            ffmpeg pushing testsrc2 + sine to an RTMP URL ("camera")
  Studio                the engine under test: show file, process, /api/status,
                        /metrics, wait_until()
  Producer              a producer WebSocket client (/ws)
  probe(), check_h264_aac(), packet_times(), decode_errors()   ffprobe/ffmpeg checks
  run_e2e_script()      a tests/e2e browser script against a URL; its
                        screenshots in tests/artifacts/e2e/<name>/, emptied
                        first
  main()                runs a test file; YST_TEST_ORDER=reverse|shuffle[:SEED]
                        reorders its classes and methods, YST_TEST_TIMEOUT_S
                        arms a watchdog that saves the logs of a file that
                        runs out of time (ctest would kill it without a
                        word), YST_E2E_APART leaves the methods that drive a
                        browser script to their e2e.<script> ctest entries

Only the Python standard library and Debian's python3-websocket are used; run
with /usr/bin/python3.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unittest
import urllib.error
import urllib.request
import weakref
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable, Iterable

try:
    import websocket  # Debian: python3-websocket (websocket-client)
except ImportError:  # pragma: no cover - reported when a Producer is made
    websocket = None

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO / "tests" / "artifacts"
NGINX = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") or "/usr/sbin/nginx"
NGINX_RTMP_MODULE = "/usr/share/nginx/modules/ngx_rtmp_module.so"
FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"
LOOPBACK = "127.0.0.1"


def verbose(message: str) -> None:
    """Progress lines on stderr when YST_VERBOSE is set."""
    if os.environ.get("YST_VERBOSE"):
        sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
        sys.stderr.flush()


def studio_binary() -> Path:
    return Path(os.environ.get("YST_BINARY") or REPO / "build" / "yishiting")


# --------------------------------------------------------------------------- ports

_handed_out: set[int] = set()
_ports_lock = threading.Lock()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(port: int) -> bool:
    """Nothing holds `port` on 127.0.0.1, in TCP or UDP (SRT listens on UDP)."""
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                return False
    return True


def free_port() -> int:
    """A TCP (and UDP) port on 127.0.0.1 that nothing holds right now.

    The port is released again before a server binds it, so something else
    may take it meanwhile. To make that rare, ports are drawn at random from
    below the kernel's ephemeral range (where every outgoing connection,
    ffmpeg's and nginx's included, takes its local port), and a port already
    handed out by this process is not handed out again. Studio and NginxRtmp
    start again on new ports when theirs turned out to be taken
    (EADDRINUSE); see start_retrying_port_clash() for other servers.
    """
    low, _ = _ephemeral_range()
    top = max(low - 1, 12000)
    with _ports_lock:
        for _ in range(200):
            port = secrets.randbelow(top - 10000) + 10000
            if port not in _handed_out and _bindable(port):
                _handed_out.add(port)
                return port
    raise RuntimeError("no free port found")


ADDRESS_IN_USE = re.compile(r"Address already in use|EADDRINUSE|\(98[:)]|errno 98", re.I)


def start_retrying_port_clash(start: Callable[[], Any], log: Callable[[], str],
                              attempts: int = 4) -> Any:
    """Calls start() (which picks its ports with free_port() and raises when
    the server does not come up) again when log() says the port was taken
    meanwhile: the race free_port() cannot close."""
    for attempt in range(1, attempts + 1):
        try:
            return start()
        except AssertionError:
            if attempt == attempts or not ADDRESS_IN_USE.search(log() or ""):
                raise
            verbose(f"port taken before the server bound it; attempt {attempt + 1}")


def udp_port_held(port: int, host: str = LOOPBACK) -> bool:
    """Something has bound UDP `port` (an SRT listener, say)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def port_open(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------- waiting

def _shown(value: Any, limit: int = 1500) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def wait_until(observe: Callable[[], Any], timeout: float, describe: str,
               accept: Callable[[Any], Any] | None = None, interval: float = 0.2) -> Any:
    """Polls observe() until accept(value) holds (default: the value is
    truthy) and returns that value. On timeout: AssertionError naming
    `describe`, the last value observe() returned and the last exception it
    raised, so a failure says what was seen, not only that time ran out.

    This is what a test does instead of sleeping before it asserts something
    that happens asynchronously (a meter, a frame, a status): it waits as
    long as it must on a loaded machine and no longer than it needs on an
    idle one."""
    deadline = time.monotonic() + timeout
    last: Any = None
    seen = False
    last_error: BaseException | None = None
    tries = 0
    while True:
        tries += 1
        try:
            last = observe()
            seen = True
            last_error = None
            if accept(last) if accept is not None else last:
                return last
        except Exception as e:  # noqa: BLE001 - reported below if it persists
            last_error = e
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:g} s ({tries} looks) waiting for {describe}\n"
                f"last seen: {_shown(last) if seen else 'nothing'}"
                + (f"\nlast error: {last_error!r}" if last_error else ""))
        time.sleep(interval)


# --------------------------------------------------------------------------- measured figures

# Tests check behaviour, benchmarks check speed (scripts/bench-*). Where a
# test needs a rate or a delay to mean anything ("the program keeps its
# frame rate", "the line reaches the viewer at once"), its bound is the
# benchmark's budget made SLACK times looser, so that a loaded or
# sanitised machine passes and a stall still fails, and the figure is
# logged so that a drift shows in the test output before it fails.
SLACK = 3.0


def fps_floor(nominal_fps: float) -> float:
    """The lowest frame rate a test accepts for a nominal one."""
    return nominal_fps / SLACK


def log_measured(what: str, value: float, unit: str, bound: str, budget: str) -> None:
    """One line on stderr: the figure, the test's bound and where the real
    budget is checked."""
    sys.stderr.write(f"[measured] {what}: {value:.1f} {unit} (test bound {bound}; "
                     f"budget {budget})\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------- sanitizer reports

SANITIZER_REPORT_PREFIX = "sanitizer-report"
_sanitizer_of: dict[Path, str | None] = {}


def sanitizer_of(binary: Path) -> str | None:
    """"address" for a studio built with YST_SANITIZE=ON (ASan + UBSan),
    "thread" for YST_SANITIZE=thread, None for an ordinary build: which
    sanitizer runtime the binary loads (GCC links it as a shared library)."""
    binary = Path(binary)
    if binary not in _sanitizer_of:
        found = None
        try:
            with open(binary, "rb") as f:
                head = f.read(16 * 1024 * 1024)  # .dynstr is near the start
            if b"libasan.so" in head:
                found = "address"
            elif b"libtsan.so" in head:
                found = "thread"
        except OSError:
            pass
        _sanitizer_of[binary] = found
    return _sanitizer_of[binary]


def sanitizer_slowdown(binary: Path) -> float:
    """How much longer a sanitizer build of the studio takes to come up: a
    deadline for the studio to answer is multiplied by this (what is checked
    stays the same). ASan with full allocation stacks spends 20-40 s in
    GStreamer's, Qt's and fontconfig's start-up allocations on a loaded
    2-core machine, against 1 s for an ordinary build."""
    return {"address": 8.0, "thread": 8.0}.get(sanitizer_of(binary), 1.0)


def sanitizer_report_env(binary: Path, directory: Path) -> dict:
    """What a sanitizer build of the studio needs in its environment so that
    whatever it finds fails the test class (check_sanitizer_reports): each
    report goes to <directory>/sanitizer-report.<pid> (log_path) rather than
    into a log nobody reads, and it is found even when the studio then exits
    0 or is killed by the test. Options already set in the environment are
    kept (scripts/test sets them); otherwise the same as scripts/test: the
    project's suppressions, full allocation stacks (the suppressions name
    library functions), and GLib's slices from malloc so that a leaked
    GObject or GstBuffer is seen at all. Nothing for an ordinary build."""
    kind = sanitizer_of(binary)
    if kind is None:
        return {}
    prefix = Path(directory) / SANITIZER_REPORT_PREFIX
    supp = REPO / "tests" / "sanitizer"
    env = {"G_SLICE": os.environ.get("G_SLICE", "always-malloc")}
    if kind == "address":
        asan = os.environ.get("ASAN_OPTIONS",
                              "detect_leaks=1:halt_on_error=1:fast_unwind_on_malloc=0")
        ubsan = os.environ.get("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        env["ASAN_OPTIONS"] = f"{asan}:log_path={prefix}"
        env["UBSAN_OPTIONS"] = f"{ubsan}:log_path={prefix}"
        env["LSAN_OPTIONS"] = os.environ.get(
            "LSAN_OPTIONS", f"suppressions={supp / 'lsan.supp'}:print_suppressions=0")
    else:
        tsan = os.environ.get("TSAN_OPTIONS",
                              f"halt_on_error=0:second_deadlock_stack=1:"
                              f"suppressions={supp / 'tsan.supp'}")
        env["TSAN_OPTIONS"] = f"{tsan}:log_path={prefix}"
    return env


def check_sanitizer_reports(work: "Workspace") -> None:
    """Class cleanup: fails the class (and keeps its artefacts) when a
    sanitizer build of the studio wrote any report under the workspace."""
    # A file holding only LeakSanitizer's table of the suppressions it used
    # (print_suppressions=1) is no finding; every report ends in a SUMMARY.
    reports = [r for r in sorted(Path(work.path).rglob(f"{SANITIZER_REPORT_PREFIX}.*"))
               if re.search(r"^SUMMARY: |ERROR: |runtime error: |WARNING: ThreadSanitizer",
                            read_text(r), re.M)]
    if not reports:
        return
    work.failed = True
    shown = "\n".join(f"--- {r.relative_to(work.path)} ---\n{tail(read_text(r), 60)}"
                      for r in reports[:3])
    raise AssertionError(f"{len(reports)} sanitizer report(s) from the studio:\n{shown}")


# --------------------------------------------------------------------------- workspace

def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def tone_level_db(samples: list[int], rate: int, freq: float) -> float:
    """The level of one frequency in a block of samples (Goertzel), in dB
    relative to a full-scale sine."""
    n = len(samples)
    k = round(n * freq / rate)
    w = 2 * math.pi * k / n
    coeff = 2 * math.cos(w)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x / 32768.0 + coeff * s1 - s2
        s2, s1 = s1, s0
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    amplitude = 2 * math.sqrt(max(power, 0.0)) / n
    return 20 * math.log10(max(amplitude, 1e-9))


def read_text(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


# Every workspace not yet finished and every child process started through
# _Process: what the watchdog saves and stops when the file runs out of time.
_open_workspaces: list["Workspace"] = []
_live_processes: "weakref.WeakSet[_Process]" = weakref.WeakSet()
_current_test: str = ""


class Workspace:
    """A temp dir for one test class (or one script run).

    finish() copies the small files (logs, show files, configs, playlists,
    the SQLite file) to tests/artifacts/<name>/ when `failed` is set, then
    removes the temp dir unless YST_KEEP_ARTIFACTS is set.
    """

    MAX_COPY_BYTES = 8 * 1024 * 1024

    def __init__(self, name: str):
        self.name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        self.path = Path(tempfile.mkdtemp(prefix=f"yst-{self.name}-"))
        self.failed = False
        self._finished = False
        _open_workspaces.append(self)

    def sub(self, name: str) -> Path:
        p = self.path / name
        p.mkdir(parents=True, exist_ok=True)
        return p

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        if self in _open_workspaces:
            _open_workspaces.remove(self)
        if self.failed:
            dest = ARTIFACTS_DIR / self.name
            shutil.rmtree(dest, ignore_errors=True)
            skipped = []
            for src in sorted(self.path.rglob("*")):
                if not src.is_file():
                    continue
                rel = src.relative_to(self.path)
                if src.stat().st_size > self.MAX_COPY_BYTES:
                    skipped.append(f"{rel} ({src.stat().st_size} bytes)")
                    continue
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copy2(src, dest / rel)
                except OSError as e:
                    skipped.append(f"{rel} ({e})")
            if skipped:
                dest.mkdir(parents=True, exist_ok=True)
                (dest / "NOT-COPIED.txt").write_text("\n".join(skipped) + "\n")
            sys.stderr.write(f"\n[harness] artefacts of the failing run: {dest}\n")
        if os.environ.get("YST_KEEP_ARTIFACTS"):
            sys.stderr.write(f"[harness] kept temp dir {self.path}\n")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


class IntegrationTest(unittest.TestCase):
    """Base class: one Workspace per test class, artefacts kept on failure.

    Subclasses put class-wide fixtures in `set_up_fixtures()` and register
    their shutdown with `cls.addClassCleanup(...)` (cleanups run before the
    workspace is finished). Per-test fixtures use `self.addCleanup(...)`.
    """

    work: Workspace

    @classmethod
    def setUpClass(cls) -> None:
        module = sys.modules.get(cls.__module__)
        stem = Path(getattr(module, "__file__", cls.__module__)).stem
        cls.work = Workspace(f"{stem}.{cls.__name__}")
        cls.addClassCleanup(cls.work.finish)
        # Runs before finish (cleanups run last-in first-out) and after
        # every studio of the class has been stopped.
        cls.addClassCleanup(check_sanitizer_reports, cls.work)
        try:
            cls.set_up_fixtures()
        except BaseException:
            cls.work.failed = True
            raise

    @classmethod
    def set_up_fixtures(cls) -> None:
        pass

    def run(self, result=None):
        if result is None:
            result = self.defaultTestResult()

        def bad() -> int:
            return (len(result.failures) + len(result.errors)
                    + len(getattr(result, "unexpectedSuccesses", ())))

        global _current_test
        _current_test = self.id()
        before = bad()
        outcome = super().run(result)
        if bad() > before:
            type(self).work.failed = True
        return outcome

    def case_dir(self) -> Path:
        """A directory for this test method inside the class workspace."""
        return self.work.sub(self._testMethodName)


# --------------------------------------------------------------------------- processes

class _Process:
    """A child process with its output in a log file."""

    def __init__(self, name: str, log_path: Path):
        self.name = name
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _spawn(self, cmd: list[str], env: dict | None = None, cwd: Path | None = None,
               stdin=subprocess.DEVNULL, stdout_path: Path | None = None,
               header_path: Path | None = None) -> None:
        """Starts `cmd`; stderr to log_path, stdout to stdout_path (default:
        log_path too). A "==== start" line goes to header_path (default:
        log_path), so a log can be kept free of anything but the program's own
        output."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(header_path or self.log_path, "ab") as header:
            header.write(f"\n==== {time.strftime('%H:%M:%S')} start: {' '.join(cmd)}\n".encode())
        with open(self.log_path, "ab") as err, \
                open(stdout_path or self.log_path, "ab") as out:
            self.proc = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err, env=env,
                                         cwd=cwd, start_new_session=True)
        _live_processes.add(self)
        verbose(f"{self.name}: started pid {self.proc.pid}")

    def send_signal(self, sig: int) -> None:
        if self.running:
            self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        if not self.proc:
            return None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL and reap."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = 5.0) -> int | None:
        """`sig`, then SIGKILL after `timeout`; returns the exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log_text(self) -> str:
        return read_text(self.log_path)


# --------------------------------------------------------------------------- nginx

class NginxRtmp:
    """nginx with the RTMP module in a temp prefix: one "partner site".

    RTMP on 127.0.0.1:rtmp_port with `application live`, HTTP on
    127.0.0.1:http_port serving `rtmp_stat all` at /stat. Runs in the
    foreground as a single process (`master_process off`), so kill() really
    makes the site vanish at once, and restart() comes back on the same ports.
    Never touches /etc/nginx, /var/log/nginx or port 80.
    """

    def __init__(self, workdir: Path, name: str = "nginx", rtmp_port: int | None = None,
                 http_port: int | None = None):
        self.name = name
        self.prefix = Path(workdir) / name
        self.rtmp_port = rtmp_port or free_port()
        self.http_port = http_port or free_port()
        # Ports chosen here may move if taken before nginx first binds them;
        # once it has run, a restart comes back on the same ones.
        self._may_move_ports = rtmp_port is None and http_port is None
        for d in ("logs", "tmp", "html"):
            (self.prefix / d).mkdir(parents=True, exist_ok=True)
        self.conf_path = self.prefix / "nginx.conf"
        self.error_log = self.prefix / "logs" / "error.log"
        self._process = _Process(name, self.prefix / "logs" / "nginx.out")
        self._write_conf()

    def _write_conf(self) -> None:
        p = self.prefix
        self.conf_path.write_text(f"""\
# Written by tests/integration/harness.py: a throw-away partner site.
load_module {NGINX_RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid {p}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 256; }}
rtmp {{
  server {{
    listen {LOOPBACK}:{self.rtmp_port};
    chunk_size 4096;
    application live {{
      live on;
      record off;
    }}
  }}
}}
http {{
  access_log {p}/logs/access.log;
  client_body_temp_path {p}/tmp/client_body;
  proxy_temp_path {p}/tmp/proxy;
  fastcgi_temp_path {p}/tmp/fastcgi;
  uwsgi_temp_path {p}/tmp/uwsgi;
  scgi_temp_path {p}/tmp/scgi;
  server {{
    listen {LOOPBACK}:{self.http_port};
    location /stat {{ rtmp_stat all; }}
  }}
}}
""")

    @property
    def url(self) -> str:
        """The application URL a destination is configured with."""
        return f"rtmp://{LOOPBACK}:{self.rtmp_port}/live"

    def stream_url(self, stream: str) -> str:
        return f"{self.url}/{stream}"

    @property
    def running(self) -> bool:
        return self._process.running

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def start(self, timeout: float = 10.0) -> "NginxRtmp":
        if self.running:
            return self
        if not Path(NGINX_RTMP_MODULE).exists():
            raise AssertionError(f"{NGINX_RTMP_MODULE} missing: install libnginx-mod-rtmp")
        cmd = [NGINX, "-p", str(self.prefix) + "/", "-c", str(self.conf_path),
               "-e", str(self.error_log)]
        deadline = time.monotonic() + timeout
        while True:
            log_before = len(read_text(self.error_log))
            self._process._spawn(cmd)
            while time.monotonic() < deadline and self.running:
                if port_open(self.rtmp_port) and self._stat_text(timeout=1.0) is not None:
                    verbose(f"{self.name}: up on rtmp {self.rtmp_port}, http {self.http_port}")
                    self._may_move_ports = False
                    return self
                time.sleep(0.05)
            if (not self.running and self._may_move_ports and time.monotonic() < deadline
                    and ADDRESS_IN_USE.search(read_text(self.error_log)[log_before:])):
                # Taken between free_port() and now: other ports, new config.
                verbose(f"{self.name}: a port was taken before nginx bound it; moving")
                self.rtmp_port, self.http_port = free_port(), free_port()
                self._write_conf()
                continue
            if self.running:
                self.kill()
                raise AssertionError(f"{self.name} did not come up within {timeout}s\n"
                                     f"{tail(read_text(self.error_log))}")
            # It exited: a port may still be held by a process that is going
            # away (restart right after kill). Try again until the deadline.
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"{self.name} exited with {self._process.proc.returncode} while starting\n"
                    f"{tail(self._process.log_text())}\n{tail(read_text(self.error_log))}")
            time.sleep(0.2)

    def stop(self, timeout: float = 5.0) -> None:
        """Fast shutdown (SIGTERM); publishers see their connection close."""
        self._process.terminate(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL: the partner site vanishes without a goodbye."""
        verbose(f"{self.name}: kill -9")
        self._process.kill()

    def restart(self, timeout: float = 10.0) -> "NginxRtmp":
        if self.running:
            self.stop()
        return self.start(timeout)

    def freeze(self) -> None:
        """SIGSTOP: the site stops reading, its connections stay open (a hung
        server, a network that holds packets)."""
        verbose(f"{self.name}: frozen")
        os.kill(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        verbose(f"{self.name}: thawed")
        os.kill(self.pid, signal.SIGCONT)

    close = stop

    def __enter__(self) -> "NginxRtmp":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _stat_text(self, timeout: float = 3.0) -> str | None:
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{self.http_port}/stat",
                                        timeout=timeout) as r:
                return r.read().decode("utf-8", "replace")
        except (OSError, urllib.error.URLError):
            return None

    def stat(self) -> dict[str, dict]:
        """Live streams by name, from /stat:

        {"<name>": {"publishing": bool, "bytes_in": int, "bytes_out": int,
                    "bw_in": int, "nclients": int, "time_ms": int,
                    "video": {"width", "height", "frame_rate", "codec"} | {},
                    "audio": {"codec", "sample_rate", "channels"} | {}}}
        """
        text = self._stat_text()
        if text is None:
            raise AssertionError(f"{self.name}: /stat on port {self.http_port} does not answer")
        root = ET.fromstring(text)
        streams: dict[str, dict] = {}
        for app in root.iter("application"):
            if (app.findtext("name") or "") != "live":
                continue
            for st in app.iter("stream"):
                def num(tag: str, node=st) -> int:
                    try:
                        return int(node.findtext(tag) or 0)
                    except ValueError:
                        return 0
                meta = st.find("meta")
                video = {}
                audio = {}
                if meta is not None:
                    v = meta.find("video")
                    a = meta.find("audio")
                    if v is not None:
                        video = {c.tag: c.text for c in v}
                    if a is not None:
                        audio = {c.tag: c.text for c in a}
                streams[st.findtext("name") or ""] = {
                    "publishing": st.find("publishing") is not None,
                    "bytes_in": num("bytes_in"),
                    "bytes_out": num("bytes_out"),
                    "bw_in": num("bw_in"),
                    "nclients": num("nclients"),
                    "time_ms": num("time"),
                    "video": video,
                    "audio": audio,
                }
        return streams

    def wait_publishing(self, stream: str, timeout: float = 15.0, min_bytes: int = 1) -> dict:
        """Waits until someone publishes `stream` and has sent min_bytes."""
        deadline = time.monotonic() + timeout
        last: dict = {}
        while time.monotonic() < deadline:
            last = self.stat()
            s = last.get(stream)
            if s and s["publishing"] and s["bytes_in"] >= min_bytes:
                return s
            time.sleep(0.2)
        raise AssertionError(f"{self.name}: nobody published '{mask(stream)}' within {timeout}s; "
                             f"streams: {sorted(mask(k) for k in last)}")

    def log_text(self) -> str:
        return read_text(self.error_log) + self._process.log_text()


def mask(secret: str) -> str:
    """For assertion messages: never print a stream key in full."""
    return secret[:3] + "…" if len(secret) > 6 else secret


# --------------------------------------------------------------------------- ffmpeg camera

class FfmpegPush:
    """ffmpeg pushing testsrc2 + a sine tone (H.264 + AAC in FLV) to an RTMP
    URL in real time: a camera that can be unplugged (kill) and plugged back
    in (start)."""

    def __init__(self, url: str, workdir: Path, name: str = "push", width: int = 640,
                 height: int = 360, fps: int = 30, tone_hz: int = 440):
        self.url = url
        self.name = name
        self.width, self.height, self.fps, self.tone_hz = width, height, fps, tone_hz
        self._process = _Process(name, Path(workdir) / f"{name}.log")

    def command(self) -> list[str]:
        return [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "warning", "-re",
                "-f", "lavfi", "-i", f"testsrc2=size={self.width}x{self.height}:rate={self.fps}",
                "-f", "lavfi", "-i", f"sine=frequency={self.tone_hz}:sample_rate=48000",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                "-g", str(self.fps), "-pix_fmt", "yuv420p", "-b:v", "800k",
                "-c:a", "aac", "-b:a", "96k", "-ac", "2",
                "-f", "flv", self.url]

    @property
    def running(self) -> bool:
        return self._process.running

    def start(self) -> "FfmpegPush":
        if not self.running:
            self._process._spawn(self.command())
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ends the stream cleanly (SIGINT: ffmpeg writes its trailer)."""
        self._process.terminate(signal.SIGINT, timeout)

    def kill(self) -> None:
        """The camera's cable is pulled: SIGKILL."""
        self._process.kill()

    close = stop

    def __enter__(self) -> "FfmpegPush":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_text(self) -> str:
        return self._process.log_text()


# --------------------------------------------------------------------------- ffprobe

def parse_rate(rate: str | None) -> float:
    """'30/1' -> 30.0; '0/0' or None -> 0.0"""
    if not rate:
        return 0.0
    if "/" in rate:
        num, den = rate.split("/", 1)
        try:
            return float(num) / float(den) if float(den) else 0.0
        except ValueError:
            return 0.0
    try:
        return float(rate)
    except ValueError:
        return 0.0


def _timeout_args(url: str, timeout: float) -> list[str]:
    if re.match(r"^(rtmps?|http|https|srt|tcp)://", url):
        return ["-rw_timeout", str(int(timeout * 1_000_000))]
    return []


def _ffprobe(url: str, args: list[str], timeout: float) -> str:
    """ffprobe's output for `url`; AssertionError (key masked) if it fails."""
    cmd = [FFPROBE, "-v", "error", *_timeout_args(url, timeout), *args, url]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 10)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"ffprobe {mask_url(url)} did not finish within {timeout + 10}s")
    if r.returncode != 0:
        raise AssertionError(f"ffprobe {mask_url(url)} failed (exit {r.returncode}): "
                             f"{r.stderr.replace(url, mask_url(url)).strip()[-1500:]}")
    return r.stdout


def probe(url: str, timeout: float = 15.0) -> list[dict]:
    """The streams ffprobe finds at `url` (a file, rtmp:// or http:// URL)."""
    out = _ffprobe(url, ["-show_streams", "-of", "json"], timeout)
    try:
        return json.loads(out).get("streams", [])
    except json.JSONDecodeError:
        raise AssertionError(f"ffprobe {mask_url(url)} printed no JSON: {out[:500]}")


def packets(url: str, seconds: float, timeout: float = 20.0) -> list[dict]:
    """The packets ffprobe reads from `url` over its first `seconds`, in the
    order they arrive: [{"kind": "video"|"audio", "dts": s, "pts": s, "key": bool}]."""
    out = _ffprobe(url, ["-read_intervals", f"%+{seconds:g}", "-show_entries",
                         "packet=codec_type,dts_time,pts_time,flags", "-of", "csv=p=0"],
                   timeout + seconds)
    packets = []
    for line in out.splitlines():
        fields = line.split(",")
        if len(fields) < 4 or fields[1] == "N/A" or fields[2] == "N/A":
            continue
        packets.append({"kind": fields[0], "pts": float(fields[1]), "dts": float(fields[2]),
                        "key": fields[3].startswith("K")})
    return packets


def mask_url(url: str) -> str:
    """rtmp://host/live/<key> -> rtmp://host/live/<k…> for messages."""
    m = re.match(r"^(rtmps?://[^/]+/[^/]+/)(.+)$", url)
    return m.group(1) + mask(m.group(2)) if m else url


def describe_streams(streams: list[dict]) -> str:
    out = []
    for s in streams:
        if s.get("codec_type") == "video":
            out.append(f"video {s.get('codec_name')} {s.get('width')}x{s.get('height')} "
                       f"r={s.get('r_frame_rate')} avg={s.get('avg_frame_rate')}")
        else:
            out.append(f"{s.get('codec_type')} {s.get('codec_name')} "
                       f"{s.get('sample_rate', '')}Hz ch={s.get('channels', '')}")
    return "; ".join(out) or "no streams"


def check_h264_aac(streams: list[dict], width: int | None = None, height: int | None = None,
                   fps: float | None = None, fps_tolerance: float = 0.1, where: str = "") -> None:
    """Exactly one H.264 video stream (of the given size and rate) and one AAC
    audio stream; AssertionError naming what was found otherwise."""
    found = describe_streams(streams)
    prefix = f"{where}: " if where else ""
    video = [s for s in streams if s.get("codec_type") == "video"]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if len(video) != 1 or len(audio) != 1:
        raise AssertionError(f"{prefix}expected one video and one audio stream, found: {found}")
    v, a = video[0], audio[0]
    if v.get("codec_name") != "h264":
        raise AssertionError(f"{prefix}video is not H.264: {found}")
    if a.get("codec_name") != "aac":
        raise AssertionError(f"{prefix}audio is not AAC: {found}")
    if width is not None and (v.get("width"), v.get("height")) != (width, height):
        raise AssertionError(f"{prefix}expected {width}x{height}, found: {found}")
    if fps is not None:
        rates = [parse_rate(v.get("avg_frame_rate")), parse_rate(v.get("r_frame_rate"))]
        if not any(abs(r - fps) <= fps * fps_tolerance for r in rates):
            raise AssertionError(f"{prefix}expected ~{fps} fps, found: {found}")


def packet_times(path: str | Path, stream: str = "v:0", timeout: float = 60.0) -> list[float]:
    """pts_time of every packet of one stream, in file order."""
    cmd = [FFPROBE, "-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time",
           "-of", "csv=p=0", str(path)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"ffprobe packets of {path} failed (exit {r.returncode}): "
                             f"{r.stderr.strip()[-1500:]}")
    times = []
    for line in r.stdout.splitlines():
        line = line.strip().rstrip(",")
        if line and line != "N/A":
            try:
                times.append(float(line))
            except ValueError:
                pass
    return times


def format_duration(path: str | Path, timeout: float = 30.0) -> float | None:
    """The container's duration in seconds, or None when it has none."""
    r = subprocess.run([FFPROBE, "-v", "error", "-show_entries", "format=duration",
                        "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                       timeout=timeout)
    try:
        return float(r.stdout.strip())
    except ValueError:
        return None


def decode_errors(path: str | Path, timeout: float = 120.0) -> tuple[int, str]:
    """Decodes the whole file with `ffmpeg -v error -i FILE -f null -`:
    (exit code, what it printed)."""
    r = subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-v", "error", "-i", str(path),
                        "-f", "null", "-"], capture_output=True, text=True, timeout=timeout)
    return r.returncode, (r.stderr + r.stdout).strip()


# --------------------------------------------------------------------------- show files

def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        # JSON string escapes are valid TOML basic-string escapes.
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[ " + ", ".join(_toml_value(x) for x in v) + " ]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def dump_toml(doc: dict) -> str:
    """A small TOML writer for show files: top-level dicts become [tables],
    top-level lists of dicts become [[arrays of tables]], everything deeper is
    written inline."""
    lines: list[str] = []
    plain = {k: v for k, v in doc.items()
             if not isinstance(v, dict) and not (isinstance(v, list) and v and
                                                 all(isinstance(x, dict) for x in v))}
    for k, v in plain.items():
        lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in doc.items():
        if k in plain:
            continue
        if isinstance(v, dict):
            lines += ["", f"[{_toml_key(k)}]"]
            lines += [f"{_toml_key(kk)} = {_toml_value(vv)}" for kk, vv in v.items()]
        else:
            for item in v:
                lines += ["", f"[[{_toml_key(k)}]]"]
                lines += [f"{_toml_key(kk)} = {_toml_value(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


def make_show(sources: Iterable[tuple[str, str]] = (("host", "test://smpte"), ("guest", "test://ball")),
              destinations: Iterable[dict] = (), width: int = 640, height: int = 360, fps: int = 30,
              layout: str | None = None, primary: str | None = None,
              secondary: str | None = None, archive: bool = True, hls: bool = True,
              preset: str = "veryfast", video_bitrate_kbps: int = 800,
              title: str = "温网议事厅 · 集成测试") -> dict:
    """A show as a dict for Studio(); small and quick by default.

    `sources` are (id, uri) pairs; `destinations` dicts with id, name, url,
    key (as in the show file). The layout is side_by_side, or single for a
    show with one source."""
    sources = list(sources)
    ids = [s[0] for s in sources]
    layout = layout or ("side_by_side" if len(ids) > 1 else "single")
    labels = {"host": "主持人机位", "guest": "嘉宾机位"}
    program = {
        "width": width, "height": height, "fps": fps,
        "video_bitrate_kbps": video_bitrate_kbps, "audio_bitrate_kbps": 128,
        "preset": preset, "keyframe_interval_s": 2, "layout": layout,
        "primary": primary or ids[0],
    }
    if len(ids) > 1 or secondary:
        program["secondary"] = secondary or ids[1]
    show: dict[str, Any] = {
        "show": {"title": title, "host": {"name": "王芳", "title": "主持人"},
                 "guests": [{"name": "张三", "title": "温州市医疗保障局局长"}]},
        "program": program,
        "sources": [{"id": i, "label": labels.get(i, f"机位 {i}"), "uri": u} for i, u in sources],
    }
    if destinations:
        show["destinations"] = [dict(d) for d in destinations]
    show["archive"] = {"enabled": archive}
    show["hls"] = {"enabled": hls}
    return show


ARCHIVE_SCRIPT_LINE = "有网友留言：<script>alert('x')</script>"


def record_short_show(studio: "Studio") -> dict:
    """Runs a short recorded show on `studio` (started here, ended cleanly
    here, so it is packaged): four typed lines (one with 房, one with a
    <script> string), a question put on air and answered. Returns
    {"session", "lines" (as committed), "question"}."""
    studio.start()
    studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 2000, 20, "recording")
    producer = studio.producer()
    session = studio.status()["show"]["session_id"]
    lines = []
    for speaker, text in (("host", "欢迎收看温网议事厅，今天我们请来了市医保局局长。"),
                          ("guest1", "今年起，医保卡异地使用不用再跑窗口备案。"),
                          ("host", ARCHIVE_SCRIPT_LINE),
                          ("guest1", "房租补贴的申请也放到了网上。")):
        r = producer.command("transcript.commit", speaker=speaker, text=text, typing_ms=500)
        if not r.get("ok"):
            raise AssertionError(f"transcript.commit: {r}")
        lines.append(r["line"])
        studio.wait_recorded(700, "between typed lines")
    question = producer.command("question.submit", text="医保卡丢了怎么补办？")["question"]["id"]
    producer.command("question.approve", question=question)
    producer.command("question.on_air", question=question)
    studio.wait_recorded(1500, "the question on air")
    producer.command("question.answered")
    studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 6000, 20, "recording")
    producer.close()
    if studio.stop() != 0:
        raise AssertionError(f"{studio.name} did not end cleanly\n{studio.log_tail()}")
    return {"session": session, "lines": lines, "question": question}


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` containing `needle`."""
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise ValueError(f"{needle!r} not in the text")


# --------------------------------------------------------------------------- metrics

_SAMPLE_RE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$")
_LABEL_RE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')


class Metrics(dict):
    """Prometheus text as a dict: {(name, ((label, value), ...)): float}, the
    labels sorted. `value()` and `samples()` are the convenient views; `text`
    is what the server sent."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = _SAMPLE_RE.match(line)
            if not m:
                continue
            name, label_text, value = m.groups()
            labels = {}
            if label_text:
                for lm in _LABEL_RE.finditer(label_text):
                    labels[lm.group(1)] = (lm.group(2).replace('\\"', '"')
                                           .replace("\\n", "\n").replace("\\\\", "\\"))
            try:
                number = float(value)
            except ValueError:
                continue
            self[(name, tuple(sorted(labels.items())))] = number

    def samples(self, name: str) -> list[tuple[dict, float]]:
        return [(dict(labels), v) for (n, labels), v in self.items() if n == name]

    def value(self, name: str, default: float | None = None, **labels: str) -> float | None:
        """The sample of `name` whose labels include `labels`."""
        for (n, ls), v in self.items():
            if n == name and all(dict(ls).get(k) == str(x) for k, x in labels.items()):
                return v
        return default

    def has(self, name: str, **labels: str) -> bool:
        return self.value(name, **labels) is not None


# --------------------------------------------------------------------------- studio

def find_by_id(items: Iterable[dict] | None, item_id: str) -> dict | None:
    for it in items or ():
        if it.get("id") == item_id:
            return it
    return None


class Studio:
    """`yishiting serve` under test.

    The show (a dict, written with dump_toml, or TOML text) goes to
    <dir>/show.toml; `--data` is <dir>/data. When the show has no
    [audience] listen, one on a free loopback port is added (in text,
    "@LISTEN@" is replaced by "127.0.0.1:PORT"). The producer token is a
    fresh random string passed in YISHITING_PRODUCER_TOKEN.
    stdout -> <dir>/stdout.log, stderr -> <dir>/stderr.log (only what the
    studio printed), command lines -> <dir>/commands.log.
    """

    def __init__(self, workdir: Path, show: dict | str, name: str = "studio",
                 log_level: str = "info", extra_env: dict | None = None,
                 args: list[str] | None = None, binary: Path | None = None):
        self.name = name
        self.dir = Path(workdir) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.dir / "data"
        self.show_path = self.dir / "show.toml"
        self.stdout_path = self.dir / "stdout.log"
        self.stderr_path = self.dir / "stderr.log"
        self.binary = Path(binary) if binary else studio_binary()
        self.token = secrets.token_urlsafe(24)
        self.log_level = log_level
        self.extra_env = dict(extra_env or {})
        self.args = args
        self.port = free_port()
        self.host = LOOPBACK
        # The show with "@LISTEN@" where the harness chose the address: that
        # port may be taken before the studio binds it, and start() then
        # tries another one.
        self._port_chosen_here = True
        if isinstance(show, dict):
            show = json.loads(json.dumps(show))  # deep copy
            audience = show.setdefault("audience", {})
            if "listen" in audience:
                self.host, port = audience["listen"].rsplit(":", 1)
                self.port = int(port)
                self._port_chosen_here = False
            else:
                audience["listen"] = "@LISTEN@"
            audience.setdefault("producer_token_env", "YISHITING_PRODUCER_TOKEN")
            template = dump_toml(show)
        else:
            template = show
            if "[audience]" not in template:
                template += '\n[audience]\nlisten = "@LISTEN@"\n'
            self._port_chosen_here = "@LISTEN@" in template
        self._show_template = template
        self._write_show()
        self._process = _Process(name, self.stderr_path)
        self.returncode: int | None = None

    def _write_show(self) -> None:
        self.show_text = self._show_template.replace("@LISTEN@", f"{LOOPBACK}:{self.port}")
        self.show_path.write_text(self.show_text, encoding="utf-8")

    # -- process

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.running

    def command(self) -> list[str]:
        if self.args is not None:
            return [str(self.binary), *self.args]
        return [str(self.binary), "serve", "--show", str(self.show_path), "--data",
                str(self.data_dir), "--log-level", self.log_level]

    def start(self, wait: bool = True, timeout: float = 20.0) -> "Studio":
        if not self.binary.exists():
            raise AssertionError(f"studio binary not found at {self.binary}: build it "
                                 "(cmake --build build) or set YST_BINARY")
        env = dict(os.environ)
        env["YISHITING_PRODUCER_TOKEN"] = self.token
        env.setdefault("GST_DEBUG_NO_COLOR", "1")
        env.update(sanitizer_report_env(self.binary, self.dir))
        env.update(self.extra_env)
        for attempt in range(1, 5):
            err_before = len(read_text(self.stderr_path))
            self._process._spawn(self.command(), env=env, cwd=self.dir,
                                 stdout_path=self.stdout_path,
                                 header_path=self.dir / "commands.log")
            if not wait:
                return self
            try:
                self.wait_ready(timeout)
                return self
            except AssertionError:
                # Only a port this harness chose, and only when the studio
                # said so: anything else is the test's failure.
                said = read_text(self.stderr_path)[err_before:]
                if (attempt == 4 or self.running or not self._port_chosen_here
                        or not ADDRESS_IN_USE.search(said)):
                    raise
                verbose(f"{self.name}: port {self.port} was taken before the studio bound it")
                self.port = free_port()
                self._write_show()
        return self

    def wait_ready(self, timeout: float = 20.0) -> dict:
        """Waits until GET /api/status answers with JSON."""
        timeout *= sanitizer_slowdown(self.binary)
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not self.running:
                self.returncode = self._process.proc.returncode
                raise AssertionError(f"{self.name} exited with {self.returncode} before "
                                     f"/api/status answered\n{self.log_tail()}")
            try:
                return self.status(timeout=2.0)
            except (OSError, ValueError, urllib.error.URLError) as e:
                last_error = e
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: GET {self.base_url}/api/status did not answer within "
                             f"{timeout}s (last error: {last_error})\n{self.log_tail()}")

    def run_to_exit(self, timeout: float = 20.0) -> tuple[int, str, str]:
        """Starts the process, waits for it to exit by itself:
        (exit code, stdout, stderr of this run). Kills it after `timeout`."""
        out_before = len(read_text(self.stdout_path))
        err_before = len(read_text(self.stderr_path))
        self.start(wait=False)
        rc = self._process.wait(timeout)
        if rc is None:
            self._process.kill()
            raise AssertionError(f"{self.name} still running after {timeout}s (expected it to "
                                 f"exit by itself)\n{self.log_tail()}")
        self.returncode = rc
        return rc, read_text(self.stdout_path)[out_before:], self._own_stderr()[err_before:]

    def _own_stderr(self) -> str:
        return read_text(self.stderr_path)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGINT, wait up to `timeout`: the exit code. A studio that does not
        end in time is killed and the test fails."""
        proc = self._process.proc
        if proc is None:
            raise AssertionError(f"{self.name} was never started")
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                self.returncode = proc.returncode
                raise AssertionError(f"{self.name} did not exit within {timeout}s of SIGINT "
                                     f"(killed)\n{self.log_tail()}")
        self.returncode = proc.returncode
        return self.returncode

    def kill9(self) -> None:
        verbose(f"{self.name}: kill -9")
        self._process.kill()
        self.returncode = self._process.proc.returncode if self._process.proc else None

    def close(self) -> None:
        """For cleanups: end the process whatever state it is in."""
        if self.running:
            self._process.terminate(signal.SIGINT, 10.0)

    # -- HTTP

    def http_get(self, path: str, timeout: float = 5.0, headers: dict | None = None,
                 staff: bool = False) -> tuple[int, bytes, dict]:
        """(status code, body, headers); HTTP errors are returned, not raised.
        staff: send the producer token as a bearer token (/api/status and
        /metrics are staff only)."""
        request = urllib.request.Request(self.base_url + path, headers=dict(headers or {}))
        if staff:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers or {})

    def http_get_noredirect(self, path: str, timeout: float = 5.0) -> tuple[int, bytes, dict]:
        """http_get without following redirects: a 3xx comes back as it is."""
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(self.base_url + path, timeout=timeout) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers or {})

    def status_text(self, timeout: float = 5.0) -> str:
        code, body, _ = self.http_get("/api/status", timeout, staff=True)
        if code != 200:
            raise ValueError(f"/api/status answered {code}: {body[:300]!r}")
        return body.decode("utf-8")

    def status(self, timeout: float = 5.0) -> dict:
        return json.loads(self.status_text(timeout))

    def metrics_text(self, timeout: float = 5.0) -> str:
        code, body, _ = self.http_get("/metrics", timeout, staff=True)
        if code != 200:
            raise AssertionError(f"/metrics answered {code}: {body[:300]!r}")
        return body.decode("utf-8")

    def metrics(self, timeout: float = 5.0) -> Metrics:
        return Metrics(self.metrics_text(timeout))

    # -- waiting

    def wait_until(self, predicate: Callable[[dict], Any], timeout: float, what: str,
                   interval: float = 0.25) -> dict:
        """Polls /api/status until predicate(status) is true; returns that
        status. Fails with `what`, the last status and the log tail on
        timeout, or at once when the studio exits."""
        deadline = time.monotonic() + timeout
        last: dict | None = None
        last_error: Exception | None = None
        while True:
            if not self.running:
                rc = self._process.proc.returncode if self._process.proc else None
                raise AssertionError(f"{self.name} exited ({rc}) while waiting for {what}\n"
                                     f"{self.log_tail()}")
            try:
                last = self.status()
                last_error = None
                if predicate(last):
                    return last
            except (KeyError, TypeError, IndexError, AttributeError, StopIteration,
                    ValueError, OSError, urllib.error.URLError) as e:
                last_error = e
            if time.monotonic() >= deadline:
                shown = json.dumps(last, ensure_ascii=False, indent=1)[-4000:] if last else "none"
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}\n"
                    f"last error: {last_error!r}\nlast status: {shown}\n{self.log_tail(30)}")
            time.sleep(interval)

    def wait_recorded(self, more_ms: int, what: str = "") -> dict:
        """Waits until `more_ms` more of the program is in the recording
        (recording.duration_ms, media time): how a test paces a scripted show
        ("a question on air for 2 s") so that the recording holds that much
        however slow the machine, where a sleep of wall time may not."""
        now = self.status()["recording"].get("duration_ms", 0)
        return self.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= now + more_ms,
                               20 + more_ms / 1000 * SLACK,
                               f"{more_ms} ms more of recording" + (f" ({what})" if what else ""))

    def source(self, source_id: str, status: dict | None = None) -> dict:
        s = find_by_id((status or self.status()).get("sources"), source_id)
        if s is None:
            raise AssertionError(f"source '{source_id}' missing from /api/status")
        return s

    def destination(self, dest_id: str, status: dict | None = None) -> dict:
        d = find_by_id((status or self.status()).get("destinations"), dest_id)
        if d is None:
            raise AssertionError(f"destination '{dest_id}' missing from /api/status")
        return d

    def wait_source_state(self, source_id: str, state: str, timeout: float) -> dict:
        return self.wait_until(lambda s: find_by_id(s["sources"], source_id)["state"] == state,
                               timeout, f"source '{source_id}' to be {state}")

    def wait_destination_state(self, dest_id: str, state: str, timeout: float) -> dict:
        return self.wait_until(
            lambda s: find_by_id(s["destinations"], dest_id)["state"] == state,
            timeout, f"destination '{dest_id}' to be {state}")

    def fresh_status(self, timeout: float = 5.0) -> tuple[dict, float]:
        """The next status that differs from the current one, and when it was
        seen. The studio may publish its status periodically (about once a
        second), so rates taken between two arbitrary polls are off by up to
        a period; between two fresh statuses they are off by one poll (50 ms)."""
        current = self.status_text()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.05)
            text = self.status_text()
            if text != current:
                return json.loads(text), time.monotonic()
        raise AssertionError(f"{self.name}: /api/status did not change for {timeout}s:\n"
                             f"{current[-2000:]}")

    def program_fps(self, seconds: float = 3.0) -> tuple[float, dict, dict]:
        """Measured rate of status.program.frames over about `seconds`:
        (frames per second, first status, last status)."""
        first, t0 = self.fresh_status()
        time.sleep(max(0.0, seconds - 0.5))
        last, t1 = self.fresh_status()
        return (last["program"]["frames"] - first["program"]["frames"]) / (t1 - t0), first, last

    # -- logs

    def log_text(self) -> str:
        """Everything the studio printed: stdout then stderr."""
        return read_text(self.stdout_path) + read_text(self.stderr_path)

    def log_tail(self, lines: int = 40) -> str:
        return (f"--- {self.name} stdout (tail) ---\n{tail(read_text(self.stdout_path), lines)}\n"
                f"--- {self.name} stderr (tail) ---\n{tail(read_text(self.stderr_path), lines)}")

    def producer(self, **kwargs) -> "Producer":
        return Producer(self.ws_url, self.token, **kwargs)

    def viewer(self, **kwargs) -> "Viewer":
        return Viewer(self.ws_url, **kwargs)

    def __enter__(self) -> "Studio":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- producer client

class ConnectionClosed(Exception):
    pass


class Producer:
    """A producer on /ws.

    On connect it sends hello with the token and waits for hello.ok (unless
    hello=False). command() tags each command with an increasing integer
    "id" and returns the reply carrying the same id; every other message
    received meanwhile (events) is kept for wait_event(). A command given an
    explicit id= is sent with it and matched on it.
    """

    def __init__(self, url: str, token: str | None = None, hello: bool = True,
                 timeout: float = 10.0, connect_options: dict | None = None):
        if websocket is None:
            raise AssertionError("python3-websocket is not installed (apt-get install python3-websocket)")
        self.url = url
        self.timeout = timeout
        self.events: list[dict] = []
        self._next_id = 1
        self.hello_reply: dict | None = None
        try:
            # connect_options go to websocket.create_connection: header,
            # origin, socket (one already connected, e.g. TLS from a chosen
            # source address), ...
            self.ws = websocket.create_connection(url, timeout=timeout, **(connect_options or {}))
        except Exception as e:
            # The cause stays attached: a refused upgrade's HTTP status is
            # e.__cause__.status_code.
            raise AssertionError(f"cannot open WebSocket {url}: {e!r}") from e
        if hello:
            self.hello_reply = self.hello(token)

    # -- raw I/O

    def send_raw(self, text: str | bytes) -> None:
        if isinstance(text, bytes):
            self.ws.send(text, opcode=websocket.ABNF.OPCODE_BINARY)
        else:
            self.ws.send(text)

    def send_json(self, message: dict) -> None:
        self.send_raw(json.dumps(message, ensure_ascii=False))

    def recv_json(self, timeout: float | None = None) -> dict:
        """The next message. TimeoutError when none arrives in time,
        ConnectionClosed when the server closed the connection."""
        self.ws.settimeout(timeout if timeout is not None else self.timeout)
        try:
            opcode, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            raise TimeoutError(f"no message within {timeout}s")
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError) as e:
            raise ConnectionClosed(repr(e))
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise ConnectionClosed("close frame")
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        try:
            msg = json.loads(text)
        except json.JSONDecodeError:
            raise AssertionError(f"the server sent a message that is not JSON: {text[:300]!r}")
        if not isinstance(msg, dict):
            raise AssertionError(f"the server sent JSON that is not an object: {text[:300]!r}")
        return msg

    # -- protocol

    def hello(self, token: str | None, expect_ok: bool = True, timeout: float | None = None) -> dict:
        """Sends hello; returns hello.ok, or the error when expect_ok is False."""
        self.send_json({"type": "hello", "role": "producer", "token": token or ""})
        return self._await_hello(expect_ok, timeout)

    def _await_hello(self, expect_ok: bool, timeout: float | None) -> dict:
        """hello.ok, or the error when expect_ok is False; events meanwhile are kept."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no answer to hello within {timeout or self.timeout}s")
            msg = self.recv_json(left)
            if msg.get("type") in ("hello.ok", "error"):
                if expect_ok and msg.get("type") != "hello.ok":
                    raise AssertionError(f"hello refused: {msg}")
                return msg
            self.events.append(msg)

    def command(self, msg_type: str, *, timeout: float | None = None, **fields) -> dict:
        """Sends {"type": msg_type, "id": N, **fields}; returns the reply
        ({"type":"reply","ok":true,...} or {"type":"error","code":...})."""
        if "id" in fields:
            corr = fields["id"]
            message = {"type": msg_type, **fields}
        else:
            corr = self._next_id
            self._next_id += 1
            message = {"type": msg_type, "id": corr, **fields}
        self.send_json(message)
        return self.wait_reply(corr, msg_type, timeout)

    def wait_reply(self, corr: Any, what: str = "", timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no reply to {what or 'command'} (id {corr!r}) within "
                                     f"{timeout or self.timeout}s; other messages: "
                                     f"{[e.get('type') for e in self.events[-10:]]}")
            msg = self.recv_json(left)
            # Answers echo the request id; events never carry one.
            if msg.get("id") == corr and msg.get("type") != "hello":
                return msg
            self.events.append(msg)

    def ok(self, msg_type: str, *, timeout: float | None = None, **fields) -> dict:
        """command() that must succeed."""
        reply = self.command(msg_type, timeout=timeout, **fields)
        if reply.get("type") != "reply" or reply.get("ok") is not True:
            raise AssertionError(f"{msg_type} {fields} was refused: {reply}")
        return reply

    def wait_event(self, event_type: str, timeout: float | None = None,
                   predicate: Callable[[dict], Any] | None = None) -> dict:
        """The first event of `event_type` (matching predicate) received so far
        or within `timeout`; it is removed from `events`."""
        def matches(m: dict) -> bool:
            if m.get("type") != event_type:
                return False
            try:
                return bool(predicate(m)) if predicate else True
            except (KeyError, TypeError, IndexError):
                return False

        for i, m in enumerate(self.events):
            if matches(m):
                return self.events.pop(i)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event_type} event within {timeout or self.timeout}s; "
                                     f"received: {[e.get('type') for e in self.events[-20:]]}")
            try:
                m = self.recv_json(left)
            except TimeoutError:
                continue
            if matches(m):
                return m
            self.events.append(m)

    def drain(self, seconds: float = 0.2) -> list[dict]:
        """Collects whatever arrives within `seconds` into `events`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.events.append(self.recv_json(left))
            except TimeoutError:
                break
        return self.events

    def expect_closed(self, timeout: float = 5.0) -> list[dict]:
        """Waits for the server to close the connection; returns the messages
        that came before the close. AssertionError if it stays open."""
        before = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the server kept the connection open for {timeout}s; "
                                     f"it sent: {before}")
            try:
                before.append(self.recv_json(left))
            except ConnectionClosed:
                return before
            except TimeoutError:
                continue

    def close(self) -> None:
        try:
            self.ws.close(timeout=1)
        except Exception:
            pass

    def __enter__(self) -> "Producer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- running a file

E2E_DIR = REPO / "tests" / "e2e"
SKIPPED_EXIT = 77      # ctest SKIP_RETURN_CODE: nothing of this file is run here
TIMEOUT_EXIT = 124     # the watchdog ended the file (as timeout(1) would)


def e2e_scripts_of(function: Any) -> set[str]:
    """The tests/e2e/*.test.mjs scripts a test method names in its source:
    the scripts it drives."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return set()
    return {name for name in re.findall(r"[\w.-]+\.test\.mjs", source)
            if (E2E_DIR / name).is_file()}


class OrderedLoader(unittest.TestLoader):
    """unittest's loader, with two switches from the environment:

    YST_TEST_ORDER=reverse | shuffle | shuffle:SEED
        runs the classes of a file and the methods of each class in reverse
        or shuffled order (a class's methods stay together: its fixtures are
        set up once). Without a seed one is drawn and printed, so a failing
        order can be run again. Every test must set up or snapshot the
        state it relies on; this is how that is checked.
    YST_E2E_APART=1
        leaves out the methods that drive a tests/e2e/*.test.mjs script:
        ctest runs those as e2e.<script> entries (tests/e2e_runner.py)."""

    def __init__(self, order: str | None = None, e2e_apart: bool | None = None):
        super().__init__()
        order = (os.environ.get("YST_TEST_ORDER", "") if order is None else order).strip()
        self.e2e_apart = (bool(os.environ.get("YST_E2E_APART")) if e2e_apart is None
                          else e2e_apart)
        self.left_out: list[str] = []
        self.mode, _, seed = order.partition(":")
        if self.mode not in ("", "forward", "reverse", "shuffle"):
            raise SystemExit(f"YST_TEST_ORDER={order!r}: use reverse, shuffle or shuffle:SEED")
        self.seed = int(seed) if seed else secrets.randbelow(1_000_000)
        if self.mode == "shuffle" and not seed:
            sys.stderr.write(f"[harness] YST_TEST_ORDER=shuffle:{self.seed} (to run this "
                             "order again)\n")

    def _reorder(self, items: list, key: str) -> list:
        if self.mode == "reverse":
            return list(reversed(items))
        if self.mode == "shuffle":
            items = list(items)
            # Per class (or file): the order of one does not depend on
            # which others were loaded.
            random.Random(f"{self.seed}:{key}").shuffle(items)
        return items

    def getTestCaseNames(self, testCaseClass):  # noqa: N802 - unittest's name
        names = list(super().getTestCaseNames(testCaseClass))
        if self.e2e_apart:
            kept = []
            for name in names:
                scripts = e2e_scripts_of(getattr(testCaseClass, name))
                if scripts:
                    self.left_out.append(f"{testCaseClass.__name__}.{name} "
                                         f"(e2e.{', e2e.'.join(sorted(s[:-len('.test.mjs')] for s in scripts))})")
                else:
                    kept.append(name)
            names = kept
        return self._reorder(names, f"{testCaseClass.__module__}.{testCaseClass.__qualname__}")

    def loadTestsFromModule(self, module, *args, **kwargs):  # noqa: N802
        suite = super().loadTestsFromModule(module, *args, **kwargs)
        return self.suiteClass(self._reorder(list(suite), module.__name__))


def e2e_artifacts_dir(script: str) -> Path:
    """tests/artifacts/e2e/<script's name>/, emptied: what is in it after a
    run was made by that run."""
    folder = ARTIFACTS_DIR / "e2e" / Path(script).name.removesuffix(".test.mjs")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def run_e2e_script(script: str, url: str, env: dict[str, str] | None = None,
                   timeout: float = 240.0, context: Callable[[], str] = lambda: "",
                   screenshots: bool = True,
                   wrap: Callable[[list[str]], list[str]] = lambda argv: argv) -> Path:
    """Runs tests/e2e/<script> (node, headless Chromium) against `url` and
    returns its artifacts folder. The script's output is written to
    <folder>/node.log as it runs (so a run cut off by a time limit leaves
    it). AssertionError with that output and context() when the script
    fails, or (screenshots=True) when it kept no screenshot of its own.
    wrap(argv) runs node some other way (in a guest's network namespace)."""
    if not shutil.which("node") or not shutil.which("/usr/bin/chromium"):
        raise AssertionError("node or /usr/bin/chromium is missing: run scripts/setup")
    if not (REPO / "node_modules" / "playwright-core").is_dir():
        raise AssertionError("playwright-core is missing: run scripts/setup")
    path = E2E_DIR / script
    if not path.is_file():
        raise AssertionError(f"no browser script {path}")
    artifacts = e2e_artifacts_dir(script)
    log_path = artifacts / "node.log"
    full_env = dict(os.environ, YST_URL=url, YST_ARTIFACTS=str(artifacts), **(env or {}))
    started = time.time()
    with open(log_path, "wb") as log:
        node = subprocess.Popen(wrap(["node", str(path)]), env=full_env, cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = node.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(node.pid, signal.SIGKILL)
            node.wait()
            rc = None
    output = read_text(log_path)
    verbose(output)
    for line in output.splitlines():
        if line.startswith("[measured]"):
            sys.stderr.write(f"{line} ({script})\n")
    if rc != 0:
        raise AssertionError(
            f"browser test {script} " + ("failed" if rc is not None else f"ran past {timeout:g} s")
            + f" (output in {log_path}):\n{output[-6000:]}\n{context()}")
    shots = [p.name for p in artifacts.glob("*.png") if p.stat().st_mtime >= started - 1]
    if screenshots and not shots:
        raise AssertionError(f"browser test {script} passed but kept no screenshot in {artifacts}")
    return artifacts


def _stacks_text() -> str:
    frames = sys._current_frames()
    out = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident)
        if frame is not None:
            out.append(f"--- thread {thread.name}\n{''.join(traceback.format_stack(frame))}")
    return "\n".join(out)


def _on_time_out(limit_s: float) -> None:
    """The file ran past YST_TEST_TIMEOUT_S (set by ctest a little under its
    own TIMEOUT, which kills without warning): save what there is, stop the
    children, exit. The logs of the test that hung land in tests/artifacts/
    like any failure's, with TIMEOUT.txt saying where each thread was."""
    report = (f"[harness] out of time: {limit_s:g} s (YST_TEST_TIMEOUT_S) while running "
              f"{_current_test or 'the class fixtures'}\n\n{_stacks_text()}")
    sys.stderr.write("\n" + report + "\n")
    # Copy first, while the children still run and the test waits on them
    # (stopping them first would wake the test, whose cleanups would race
    # this copy); then stop them and leave at once.
    for work in list(_open_workspaces):
        try:
            (work.path / "TIMEOUT.txt").write_text(report + "\n", encoding="utf-8")
            work.failed = True
            work.finish()
        except Exception as e:  # noqa: BLE001 - best effort on the way out
            sys.stderr.write(f"[harness] could not save {work.name}: {e!r}\n")
    for process in list(_live_processes):
        try:
            if process.running:
                os.killpg(process.pid, signal.SIGKILL)
        except Exception:  # noqa: BLE001
            pass
    sys.stderr.flush()
    os._exit(TIMEOUT_EXIT)


def start_watchdog() -> threading.Timer | None:
    """Arms the file's time limit from YST_TEST_TIMEOUT_S, if set."""
    try:
        limit_s = float(os.environ.get("YST_TEST_TIMEOUT_S") or 0)
    except ValueError:
        raise SystemExit(f"YST_TEST_TIMEOUT_S={os.environ['YST_TEST_TIMEOUT_S']!r} is not a number")
    if limit_s <= 0:
        return None
    timer = threading.Timer(limit_s, _on_time_out, args=(limit_s,))
    timer.daemon = True
    timer.start()
    return timer


def main() -> None:
    """Entry point for a test module: unittest with verbose output, the
    order switch (YST_TEST_ORDER), the e2e split (YST_E2E_APART) and the
    time limit (YST_TEST_TIMEOUT_S)."""
    start_watchdog()
    loader = OrderedLoader()
    program = unittest.main(verbosity=2, testLoader=loader, exit=False)
    result = program.result
    if loader.left_out:
        sys.stderr.write("[harness] run by their own ctest entries: "
                         + "; ".join(loader.left_out) + "\n")
        if result.testsRun == 0 and not result.errors:
            sys.exit(SKIPPED_EXIT)
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)


class Viewer(Producer):
    """A viewer on /ws (an observer when given an invitation token).

    hello sends the role, the viewer id when there is one (viewer_id=; none:
    the studio issues one) and the token, and keeps the id hello.ok carries,
    as the page does: ids are the studio's, signed. command()/ok()/
    wait_event() work as for a producer: answers are matched on the request
    id, everything else is kept as an event."""

    def __init__(self, url: str, viewer_id: str | None = None,
                 observer_token: str | None = None, hello: bool = True,
                 timeout: float = 10.0, name: str | None = None,
                 connect_options: dict | None = None, since: dict | None = None):
        self.viewer_id = viewer_id
        self.observer_token = observer_token
        self.since = since  # the public feed's position to resume from (hello's "since")
        super().__init__(url, None, hello=hello, timeout=timeout, connect_options=connect_options)

    def hello(self, token: str | None = None, expect_ok: bool = True,
              timeout: float | None = None) -> dict:
        message = {"type": "hello", "role": "observer" if self.observer_token else "viewer"}
        if self.viewer_id:
            message["viewer"] = self.viewer_id
        if self.observer_token:
            message["token"] = self.observer_token
        if self.since is not None:
            message["since"] = self.since
        self.send_json(message)
        reply = self._await_hello(expect_ok, timeout)
        if reply.get("type") == "hello.ok" and isinstance(reply.get("viewer"), str):
            self.viewer_id = reply["viewer"]
        return reply

    def submit(self, text: str, **fields) -> dict:
        """question.submit: question.received or the error."""
        return self.command("question.submit", text=text, **fields)


# --------------------------------------------------------------------------- peers

GST_PEERS = Path(__file__).resolve().parent / "gst_peers.py"


class Peer(_Process):
    """A peer process (an encoder, a camera, a relay: see gst_peers.py) in a
    process group of its own, so that kill() takes all of it at once, as a
    power cut would; start() brings it back with the same command."""

    def __init__(self, name: str, cmd: list[str], workdir: Path):
        super().__init__(name, Path(workdir) / f"{name}.log")
        self.cmd = cmd

    def start(self) -> "Peer":
        if not self.running:
            self._spawn(self.cmd)
        return self

    def kill(self) -> None:
        if self.running:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def wait_log(self, pattern: str, timeout: float, since: int = 0) -> re.Match:
        """The first match of `pattern` in the log after offset `since`."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.log_text()[since:])
            if m:
                return m
            if time.monotonic() >= deadline:
                raise AssertionError(f"{self.name}: no {pattern!r} within {timeout}s; log:\n"
                                     f"{tail(self.log_text(), 20)}")
            time.sleep(0.2)


def wait_frames_rising(studio: "Studio", source_id: str, frames: int = 30,
                       timeout: float = 15.0) -> None:
    """Waits until `source_id` has delivered `frames` more frames."""
    first = studio.source(source_id)["frames"]
    studio.wait_until(lambda s: find_by_id(s["sources"], source_id)["frames"] > first + frames,
                      timeout, f"{source_id}'s frames to keep coming")


def where_secret_is(text: str, secret: str) -> str | None:
    """None when `secret` is not in `text`; otherwise the text around its
    first occurrence, the secret itself masked, for an assertion message."""
    at = text.find(secret)
    if at < 0:
        return None
    before, after = text[max(0, at - 80):at], text[at + len(secret):at + len(secret) + 40]
    return f"…{before}{mask(secret)}{after}…"
