"""Facing the public internet: what a hostile client or a careless deployment
meets on the real `yishiting serve`.

- /api/status and /metrics answer only to the producer token as a bearer
  token; /api/public-status has nothing private in it (no cue, paths,
  hosts, destinations); the viewer page plays from it.
- A Host the studio does not answer to (DNS rebinding) gets 421; a browser
  Origin from another site gets 403 on the WebSocket upgrade.
- Slowloris: 80 connections from one address trickling header bytes do not
  stop a new viewer from connecting, a producer from signing in or an HLS
  segment from being served within 2 s.
- The descriptor limit is raised to the hard limit at start, and a viewer
  over the connection cap is refused while the producer gets in through the
  staff reserve.
- WebSocket pings reach a silent client (a proxy's read timeout is
  kept alive by them).
"""
from __future__ import annotations

import json
import socket
import threading
import time

import websocket

import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show, verbose


def raw_get(studio: Studio, path: str, host: str | None = None, headers: dict | None = None,
            source: str | None = None) -> tuple[int, bytes]:
    """A GET sent by hand, so the Host header is exactly ours."""
    with socket.create_connection((studio.host, studio.port), timeout=5,
                                  source_address=(source, 0) if source else None) as s:
        lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'{studio.host}:{studio.port}'}",
                 "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def ws_upgrade_status(studio: Studio, headers: list[str], path: str = "/ws",
                      source: str | None = None) -> int:
    try:
        ws = websocket.create_connection(
            f"ws://{studio.host}:{studio.port}{path}", timeout=5, header=headers,
            suppress_origin=True, source_address=(source, 0) if source else None)
    except websocket.WebSocketBadStatusException as e:
        return e.status_code
    ws.close()
    return 101


class StaffOnlyStatus(IntegrationTest):
    def test_status_and_metrics_need_the_producer_token(self):
        show = make_show(hls=False, archive=False)
        with Studio(self.case_dir(), show) as studio:
            producer = studio.producer()
            producer.ok("cue.send", text="下一题请放慢语速")
            studio.wait_until(lambda s: s.get("cue"), 5, "the cue in the status")
            for path in ("/api/status", "/metrics"):
                code, body, headers = studio.http_get(path)
                self.assertEqual(code, 401, f"{path} without a token")
                lower = {k.lower(): v for k, v in headers.items()}
                self.assertIn("Bearer", lower.get("www-authenticate", ""))
                self.assertNotIn("放慢语速".encode(), body)
                code, _, _ = studio.http_get(path, headers={"Authorization": "Bearer " + "x" * 32})
                self.assertEqual(code, 401, f"{path} with a wrong token")
                code, body, _ = studio.http_get(path, staff=True)
                self.assertEqual(code, 200, f"{path} with the producer token")
            self.assertIn("放慢语速", studio.status()["cue"]["text"])
            # What the viewer page reads: no cue, no destinations, no paths.
            code, body, _ = studio.http_get("/api/public-status")
            self.assertEqual(code, 200)
            public = json.loads(body)
            self.assertEqual(set(public), {"show", "hls"}, public)
            self.assertNotIn("放慢语速", body.decode())
            # Guessing: after three wrong tokens in a row from one address,
            # even the right one waits.
            for _ in range(3):
                studio.http_get("/metrics", headers={"Authorization": "Bearer guess"})
            code, _, headers = studio.http_get("/metrics", staff=True)
            self.assertEqual(code, 429, "the fourth try after three wrong tokens")
            self.assertTrue({k.lower(): v for k, v in headers.items()}.get("retry-after"))


class HostAndOrigin(IntegrationTest):
    def test_rebinding_and_foreign_pages_are_refused(self):
        show = make_show(hls=False, archive=False)
        show["audience"] = {"public_url": "https://live.example.cn/"}
        with Studio(self.case_dir(), show) as studio:
            self.assertEqual(raw_get(studio, "/", host=f"rebind.evil.example:{studio.port}")[0], 421)
            self.assertEqual(raw_get(studio, "/")[0], 200)
            self.assertEqual(raw_get(studio, "/", host="live.example.cn")[0], 200)
            self.assertEqual(ws_upgrade_status(studio, ["Origin: http://evil.example"]), 403)
            self.assertEqual(ws_upgrade_status(studio, ["Origin: https://live.example.cn"]), 101)
            own = f"Origin: http://{studio.host}:{studio.port}"
            self.assertEqual(ws_upgrade_status(studio, [own]), 101)
            studio.wait_until(lambda s: s["server"]["refused_hosts"] >= 1
                              and s["server"]["refused_origins"] >= 1, 5,
                              "the refusals counted in the status")


class Slowloris(IntegrationTest):
    def test_trickled_headers_hold_up_nobody(self):
        show = make_show(archive=False)
        with Studio(self.case_dir(), show) as studio:
            playlist = studio.wait_until(
                lambda s: s["hls"]["state"] == "running", 20, "HLS running")
            deadline = time.monotonic() + 20
            segment = None
            while time.monotonic() < deadline and not segment:
                code, body, _ = studio.http_get("/hls/program.m3u8")
                if code == 200:
                    names = [l for l in body.decode().splitlines() if l.endswith(".ts")]
                    segment = names[-1] if names else None
                time.sleep(0.3)
            self.assertTrue(segment, f"no HLS segment: {playlist}")

            stop = threading.Event()
            sockets: list[socket.socket] = []
            for _ in range(80):
                try:
                    s = socket.create_connection((studio.host, studio.port), timeout=2,
                                                 source_address=("127.0.0.2", 0))
                    s.sendall(b"GET / HTTP/1.1\r\n")
                    sockets.append(s)
                except OSError:
                    pass

            def trickle():
                while not stop.is_set():
                    for s in list(sockets):
                        try:
                            s.sendall(b"X-Slow: a\r\n")
                        except OSError:
                            sockets.remove(s)
                    stop.wait(2)
            thread = threading.Thread(target=trickle, daemon=True)
            thread.start()
            try:
                # Measure once the studio holds the slow sockets (the
                # per-address cap lets 32 in).
                studio.wait_until(lambda s: s["server"]["sockets"] >= min(len(sockets), 32), 5,
                                  "the slow sockets open in the studio")
                started = time.monotonic()
                viewer = studio.viewer()
                viewer_s = time.monotonic() - started
                started = time.monotonic()
                producer = studio.producer()
                producer_s = time.monotonic() - started
                started = time.monotonic()
                code, body, _ = studio.http_get(f"/hls/{segment}", timeout=2)
                segment_s = time.monotonic() - started
                verbose(f"under slowloris: viewer {viewer_s:.2f} s, producer {producer_s:.2f} s, "
                        f"segment {segment_s:.2f} s; {len(sockets)} slow sockets open")
                self.assertEqual(code, 200)
                self.assertGreater(len(body), 1000)
                # Not held up: the slow sockets are cut off at the 5 s header
                # deadline, so anything that waited for them takes that long;
                # a loaded machine is allowed 4 s (the speed itself is
                # scripts/bench-audience's).
                for what, seconds in (("viewer", viewer_s), ("producer", producer_s),
                                      ("segment", segment_s)):
                    harness.log_measured(f"{what} under slowloris", seconds * 1000, "ms",
                                         "< 4000 (the header deadline is 5 s)",
                                         "none: not a speed test")
                    self.assertLess(seconds, 4.0, f"{what} took {seconds:.2f} s under slowloris")
                viewer.close()
                producer.close()
                # The header deadline (5 s) has cut the slow ones off.
                studio.wait_until(lambda s: s["server"]["sockets"] <= 4, 10,
                                  "the slow sockets cut off by the header deadline")
            finally:
                stop.set()
                thread.join(5)
                for s in sockets:
                    s.close()


class ConnectionCap(IntegrationTest):
    def test_descriptor_limit_and_staff_reserve(self):
        show = make_show(hls=False, archive=False)
        # 36 sockets: 4 for viewers, 32 kept for staff.
        show["audience"] = {"max_connections": 36, "max_connections_per_address": 100}
        with Studio(self.case_dir(), show) as studio:
            limits = open(f"/proc/{studio.pid}/limits").read()
            line = next(l for l in limits.splitlines() if l.startswith("Max open files"))
            soft, hard = line.split()[3:5]
            self.assertEqual(soft, hard, f"the soft descriptor limit is raised: {line}")
            viewers = []
            refused = 0
            for i in range(6):
                try:
                    viewers.append(studio.viewer())
                except Exception as e:  # the refusal comes as a bad upgrade status
                    refused += 1
                    verbose(f"viewer {i}: {e}")
            self.assertEqual(len(viewers), 4, "the viewers' share of 36 - 32 sockets")
            self.assertEqual(refused, 2)
            self.assertEqual(ws_upgrade_status(studio, []), 503)
            # Staff pages ask for the reserve, and sign in.
            ws = websocket.create_connection(studio.ws_url + "?staff", timeout=5)
            ws.send(json.dumps({"type": "hello", "role": "producer", "token": studio.token}))
            reply = json.loads(ws.recv())
            self.assertEqual(reply["type"], "hello.ok", reply)
            ws.close()
            for v in viewers:
                v.close()
            studio.wait_until(lambda s: s["server"]["refused_full"] >= 3, 5,
                              "the refused viewers counted in the status")


class Pings(IntegrationTest):
    def test_silent_clients_are_pinged(self):
        show = make_show(hls=False, archive=False)
        show["audience"] = {"ws_ping_s": 1}
        with Studio(self.case_dir(), show) as studio:
            ws = websocket.create_connection(studio.ws_url, timeout=5)
            ws.settimeout(5)
            opcode, _ = ws.recv_data(control_frame=True)
            self.assertEqual(opcode, websocket.ABNF.OPCODE_PING)
            ws.pong(b"")
            ws.close()


if __name__ == "__main__":
    harness.main()
