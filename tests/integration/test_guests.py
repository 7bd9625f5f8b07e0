#!/usr/bin/python3
"""Remote guests and WHIP publishers in a webrtc:// slot, against the real
studio, a real WebRTC sender and the partner site (nginx) reading the
program back:

- a WHIP publisher (GStreamer's webrtcbin, tests/integration/webrtc_peers.py,
  as OBS would publish) from a network of its own (a namespace: libnice
  ignores loopback): 201 with a Location, the slot live, its colour in the
  program once the producer cuts to it; a second publisher 409; a wrong
  token 401, and 429 once it keeps trying; DELETE ends the session and the
  slot waits again;
- the publisher vanishing (SIGKILL, as a field unit losing its network):
  the slot's slate within 2.5 s, and a new publisher takes the slot back;
- a guest's invitation (`yishiting guests invite`): /g/<token> leads to the
  guest page; /api/guest says who it is for; a revoked one answers 401;
- the guest in Chromium (tests/e2e/guest.test.mjs, a fake camera of a known
  colour): the green room, where the program holds them off air (a cut to
  them is refused and the tile stays black), then guests.admit and the cut,
  and their colour is on air; their network dropped and back, and they are
  on air again by themselves;
- a guest in Chromium behind a network that lets only TURN through
  (tests/e2e/guest-devices.test.mjs, ?relay=1): relay candidates only,
  through coturn, and a camera and a microphone changed on air without a
  new offer;
- a guest in Firefox (tests/e2e/guest-firefox.test.mjs): green room, on
  air, the return feed and the talkback in Firefox;
- lip sync: a publisher's flash and beep, one event at its sources, arrive
  together in the program the partner site receives (EBU R37).

Run alone: /usr/bin/python3 tests/integration/test_guests.py
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from harness import (IntegrationTest, NginxRtmp, Studio, find_by_id, make_show,  # noqa: E402
                     tone_level_db)
from netns import GuestNetwork  # noqa: E402

KEY = "guests_key_0123456789"
WHIP_TOKEN = "whip_token_0123456789abcdef"
TURN_SECRET = "turn_secret_0123456789abcdef"
PEERS = HERE / "webrtc_peers.py"


def grab_rgb(url: str, png: Path, timeout: float = 20.0) -> list[tuple[int, int, int]]:
    """One frame from `url`, saved as PNG, returned as 16x9 RGB cells."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-rw_timeout", "15000000", "-i", url,
                    "-frames:v", "1", str(png)], check=True, timeout=timeout, capture_output=True)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(png), "-vf", "scale=16:9",
                          "-pix_fmt", "rgb24", "-f", "rawvideo", "-"],
                         check=True, timeout=timeout, capture_output=True).stdout
    return [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]


def centre(frame: list[tuple[int, int, int]]) -> tuple[float, float, float]:
    cells = [frame[r * 16 + c] for r in range(3, 6) for c in range(5, 11)]
    return tuple(sum(cell[i] for cell in cells) / len(cells) for i in range(3))


def is_red(rgb) -> bool:
    r, g, b = rgb
    return r > 150 and g < 80 and b < 80


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def request(method: str, url: str, token: str | None = None, body: bytes | None = None,
            content_type: str | None = None) -> tuple[int, dict, bytes]:
    """One HTTP request, redirects not followed: (status, headers, body)."""
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with _opener.open(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


class Publisher:
    """webrtc_peers.py whip, in the guest's namespace; its output lines."""

    def __init__(self, net: GuestNetwork, url: str, token: str, log: Path, **options):
        argv = [sys.executable if sys.executable.startswith("/usr/bin") else "/usr/bin/python3",
                str(PEERS), "whip", url, token]
        for name, value in options.items():
            argv += [f"--{name.replace('_', '-')}"] + ([str(value)] if value != "" else [])
        self.log = log
        self.out = open(log, "w", encoding="utf-8")
        self.process = subprocess.Popen(net.command(argv), stdout=self.out,
                                        stderr=subprocess.STDOUT, text=True)

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def wait_line(self, prefix: str, timeout: float = 20) -> str:
        return harness.wait_until(
            lambda: next((line for line in self.lines() if line.startswith(prefix)), None),
            timeout, f"the publisher to print '{prefix}…' (it printed {self.lines()[-5:]})")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.out.close()


class Coturn:
    """coturn as deploy/coturn/turnserver.conf sets it up (time-limited
    credentials from a shared secret, a relay port range), on the studio's
    side of the guest's network, on a free port."""

    def __init__(self, workdir: Path, address: str):
        self.dir = workdir / "coturn"
        self.dir.mkdir(exist_ok=True)
        self.port = harness.free_port()
        relay = harness.free_port()
        conf = (HERE.parent.parent / "deploy" / "coturn" / "turnserver.conf").read_text()
        replace = {
            "listening-ip=0.0.0.0": f"listening-ip={address}\nrelay-ip={address}",
            "listening-port=3478": f"listening-port={self.port}",
            "min-port=49160": f"min-port={relay}",
            "max-port=49200": f"max-port={relay + 20}",
            "static-auth-secret=CHANGE-ME-to-the-studios-turn-secret":
                f"static-auth-secret={TURN_SECRET}",
            # Verbose: each allocation is logged with its user name.
            "log-file=syslog": f"log-file={self.dir / 'turn.log'}\nsimple-log\nno-stdout-log\n"
                               f"pidfile={self.dir / 'turn.pid'}\nverbose",
        }
        for old, new in replace.items():
            if old not in conf:
                raise AssertionError(f"deploy/coturn/turnserver.conf no longer has {old!r}")
            conf = conf.replace(old, new)
        self.conf = self.dir / "turnserver.conf"
        self.conf.write_text(conf)
        self.address = address
        self.process: subprocess.Popen | None = None

    def start(self) -> "Coturn":
        self.log = open(self.dir / "stdout.log", "w")
        self.process = subprocess.Popen(["turnserver", "-c", str(self.conf)], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        harness.wait_until(lambda: self.process.poll() is not None or harness.udp_port_held(
            self.port, host=self.address) or (self.dir / "turn.pid").exists(), 10, "coturn to start")
        if self.process.poll() is not None:
            raise AssertionError(f"coturn exited: {(self.dir / 'stdout.log').read_text()[-2000:]}")
        return self

    def log_text(self) -> str:
        path = self.dir / "turn.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process:
            self.log.close()


def wav_samples(path: Path) -> list[int]:
    """The 16-bit mono samples of a WAV the publisher wrote (header skipped:
    one cut off at a kill has no length in it)."""
    data = path.read_bytes()
    start = data.find(b"data")
    body = data[start + 8:] if start >= 0 else data[44:]
    return list(struct.unpack(f"<{len(body) // 2}h", body[:len(body) // 2 * 2]))


def flash_onsets(recording: Path) -> list[float]:
    """The times (s) at which the picture turns white (mean luma above 180
    after a frame below 150)."""
    out = subprocess.run(["ffmpeg", "-v", "info", "-i", str(recording), "-map", "0:v",
                          "-vf", "scale=64:36,format=gray,showinfo", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=60).stderr
    onsets, dark = [], False
    for line in out.splitlines():
        if "pts_time:" not in line or "mean:[" not in line:
            continue
        at = float(line.split("pts_time:")[1].split()[0])
        mean = float(line.split("mean:[")[1].split("]")[0].split()[0])
        if mean < 150:
            dark = True
        elif mean > 180 and dark:
            onsets.append(at)
            dark = False
    return onsets


def beep_onsets(recording: Path) -> list[float]:
    """The times (s) at which the sound starts after at least 0.3 s of
    silence (silencedetect's silence_end)."""
    out = subprocess.run(["ffmpeg", "-v", "info", "-i", str(recording), "-map", "0:a",
                          "-af", "silencedetect=noise=-40dB:d=0.3", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=60).stderr
    return [float(line.split("silence_end:")[1].split()[0]) for line in out.splitlines()
            if "silence_end:" in line]


def fake_microphone(directory: Path) -> Path:
    """A WAV of a 700 Hz tone for Chromium's fake microphones."""
    audio = directory / "tone.wav"
    subprocess.run(["gst-launch-1.0", "-q", "audiotestsrc", "freq=700", "num-buffers=200", "!",
                    "audio/x-raw,rate=48000,channels=1", "!", "wavenc", "!", "filesink",
                    f"location={audio}"], check=True, timeout=60)
    return audio


class WebrtcSlots(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.net = GuestNetwork()
        cls.addClassCleanup(cls.net.close)
        cls.site = NginxRtmp(cls.work.path, name="nginx").start()
        cls.addClassCleanup(cls.site.stop)
        # The producer's talkback microphone: a line-up tone at 660 Hz
        # (Source's toneFor("talkback")), for the guest page's test.
        show = make_show(sources=[("cam", "test://smpte"), ("remote1", "webrtc://remote1"),
                                  ("talkback", "test://black?audio=tone")],
                         destinations=[{"id": "site", "name": "温州网", "url": cls.site.url,
                                        "key": KEY}],
                         layout="single", archive=False, hls=False, preset="ultrafast",
                         fps=25)
        show["program"]["keyframe_interval_s"] = 1
        show["sources"][1]["label"] = "远程嘉宾"
        show["sources"][1]["whip_token_env"] = "YST_TEST_WHIP_TOKEN"
        show["sources"][2]["talkback"] = True
        # Reachable from the guest's namespace as well as from here.
        show["audience"] = {"listen": f"0.0.0.0:{harness.free_port()}"}
        cls.turn = Coturn(cls.work.path, cls.net.studio_address).start()
        cls.addClassCleanup(cls.turn.stop)
        show["webrtc"] = {"turn_url": f"turn:{cls.net.studio_address}:{cls.turn.port}",
                          "turn_secret_env": "YST_TEST_TURN_SECRET"}
        cls.studio = Studio(cls.work.path, show,
                            extra_env={"YST_TEST_WHIP_TOKEN": WHIP_TOKEN,
                                       "YST_TEST_TURN_SECRET": TURN_SECRET})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_destination_state("site", "live", 30)
        cls.url = cls.site.stream_url(KEY)
        cls.whip = f"http://{cls.net.studio_address}:{cls.studio.port}/whip/remote1"

    def publisher(self, name: str, token: str = WHIP_TOKEN, **options) -> Publisher:
        p = Publisher(self.net, self.whip, token, self.case_dir() / f"{name}.log", **options)
        self.addCleanup(p.stop)
        return p

    def program_frame(self, name: str, accept, describe: str):
        png = self.case_dir() / f"{name}.png"
        return harness.wait_until(lambda: centre(grab_rgb(self.url, png)), 30,
                                  f"{describe} ({png.name})", accept=accept, interval=0.1)

    def slot(self) -> dict:
        return find_by_id(self.studio.status()["sources"], "remote1")

    def test_a_whip_publisher_fills_the_slot_and_is_the_only_one(self):
        first = self.publisher("first", color="0xffff0000")
        self.assertEqual(first.wait_line("status"), "status 201")
        location = first.wait_line("location").split(" ", 1)[1]
        self.assertRegex(location, r"^/whip/remote1/[A-Za-z0-9_-]{16}$")
        self.studio.wait_source_state("remote1", "live", 15)
        slot = self.slot()
        self.assertEqual(slot["webrtc"]["kind"], "publisher")
        self.assertEqual(slot["webrtc"]["state"], "live")
        # The picture's size as it arrives: the publisher's 640×360, and the
        # test camera's, drawn at the program's size.
        self.assertEqual(slot["input"], {"width": 640, "height": 360})
        self.assertEqual(find_by_id(self.studio.status()["sources"], "cam")["input"],
                         {"width": 640, "height": 360})

        with self.studio.producer() as p:
            p.ok("program.set", layout="single", tiles=["remote1", "cam"])
            self.program_frame("publisher-on-air", is_red, "the publisher's red on air")

            # A second publisher into the busy slot: 409, and the first stays.
            second = self.publisher("second", color="0xff00ff00")
            self.assertEqual(second.wait_line("status"), "status 409")
            self.assertIn("busy", second.wait_line("body"))
            # A wrong token: 401 (from another address than the publisher's:
            # kept up, the address is locked out, its DELETE included).
            wrong = self.publisher("wrong", token="not_the_token_0123456789")
            self.assertEqual(wrong.wait_line("status"), "status 401")
            self.assertEqual(self.slot()["state"], "live")

            # DELETE (the publisher's stop) ends the session: the slot waits.
            first.stop()
            self.assertIn("deleted 200", first.lines())
            self.studio.wait_source_state("remote1", "waiting", 10)
            self.assertEqual(self.slot()["webrtc"]["state"], "waiting")
            # The ended session's Location is gone.
            code, _, _ = request("DELETE", self.studio.base_url + location, WHIP_TOKEN)
            self.assertEqual(code, 404)
            p.ok("program.set", layout="single", tiles=["cam", "remote1"])

    def test_b_a_vanished_publisher_shows_the_slate_and_a_new_one_takes_over(self):
        first = self.publisher("vanishing", color="0xffff0000")
        self.assertEqual(first.wait_line("status"), "status 201")
        self.studio.wait_source_state("remote1", "live", 15)
        first.stop(signal.SIGKILL)
        killed = time.monotonic()
        self.studio.wait_source_state("remote1", "retrying", 10)
        took = time.monotonic() - killed
        harness.log_measured("a vanished publisher's slate", took * 1000, "ms", "< 4000",
                             "≤ 2000: the 1.5 s stall timeout, the 250 ms health check, the "
                             "status poll")
        self.assertLess(took, 4.0)
        again = self.publisher("again", color="0xff0000ff")
        self.assertEqual(again.wait_line("status"), "status 201")
        self.studio.wait_source_state("remote1", "live", 15)

    def test_h_a_guests_picture_and_sound_stay_together_on_air(self):
        # Lip sync through the whole path: the publisher's flash and beep
        # are one event (the same running time at its sources); in the
        # program the partner site receives, the beep starts with the
        # flash. Between them: the slot's jitter buffer, the decoders, the
        # interaudio channel (bounded to 200 ms), the mixers, the loudness
        # stage and the encoders.
        flasher = self.publisher("flasher", color="0xffff0000", flash_every=2)
        self.assertEqual(flasher.wait_line("status"), "status 201")
        self.studio.wait_source_state("remote1", "live", 15)
        with self.studio.producer() as p:
            p.ok("program.set", layout="single", tiles=["remote1", "cam"])
            # The camera's ticks out of the program whatever follows what:
            # only the publisher's beeps are heard.
            p.ok("audio.set", source="cam", muted=True)
            try:
                self.program_frame("flasher-on-air", is_red, "the publisher's red on air")
                recording = self.case_dir() / "program.flv"
                subprocess.run(["ffmpeg", "-v", "error", "-y", "-rw_timeout", "15000000", "-i",
                                self.url, "-t", "7", "-c", "copy", str(recording)],
                               check=True, timeout=40, capture_output=True)
            finally:
                p.ok("audio.set", source="cam", muted=False)
                p.ok("program.set", layout="single", tiles=["cam", "remote1"])
        flashes = flash_onsets(recording)
        beeps = beep_onsets(recording)
        offsets = [round((min(beeps, key=lambda b: abs(b - f)) - f) * 1000) for f in flashes
                   if beeps and min(abs(b - f) for b in beeps) < 0.5]
        self.assertGreaterEqual(len(offsets), 2, f"flashes at {flashes}, beeps at {beeps}")
        # EBU R37: at the output, the sound at most 40 ms ahead of the
        # picture or 60 ms behind it; the program's 25 fps frames put the
        # flash up to one frame (40 ms) either way.
        harness.log_measured("a guest's sound against their picture in the program (+: late)",
                             max(offsets, key=abs), "ms", "-80…+100",
                             f"-40…+60 (EBU R37); all {offsets}")
        for offset in offsets:
            self.assertGreaterEqual(offset, -80, f"the sound ahead of the picture: {offsets}")
            self.assertLessEqual(offset, 100, f"the sound behind the picture: {offsets}")

    def test_c_bad_requests_get_clear_answers(self):
        base = self.studio.base_url
        offer = b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        cases = [
            ("POST", "/whip/remote1", WHIP_TOKEN, offer, "text/plain", 415),
            ("POST", "/whip/remote1", None, offer, "application/sdp", 401),
            ("POST", "/whip/remote1", WHIP_TOKEN, b"hello", "application/sdp", 400),
            ("POST", "/whip/remote1", WHIP_TOKEN, offer, "application/sdp", 400),  # no media
            ("POST", "/whip/cam", WHIP_TOKEN, offer, "application/sdp", 404),
            ("POST", "/whip/nosuch", WHIP_TOKEN, offer, "application/sdp", 404),
            ("PUT", "/whip/remote1", WHIP_TOKEN, offer, "application/sdp", 405),
            ("POST", "/whip/remote1", WHIP_TOKEN, b"v=0\r\n" + b"a" * (70 * 1024),
             "application/sdp", 413),
        ]
        for method, path, token, body, content_type, want in cases:
            code, headers, text = request(method, base + path, token, body, content_type)
            self.assertEqual(code, want, f"{method} {path} ({content_type}): {text[:200]!r}")
            self.assertNotIn(WHIP_TOKEN.encode(), text)
        code, headers, _ = request("OPTIONS", base + "/whip/remote1")
        self.assertEqual(code, 204)
        self.assertIn("application/sdp", headers.get("accept-post", ""))
        # Wrong tokens kept up: the address is locked out for a while (429
        # with Retry-After) before a token is even looked at. From the
        # guest's network, so that this test's own address stays free.
        codes = []
        for _ in range(4):
            out = subprocess.run(self.net.command(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                 "-H", "Authorization: Bearer wrong_token_0123456789",
                 "-H", "Content-Type: application/sdp", "--data-binary", offer.decode(),
                 self.whip]), capture_output=True, text=True, timeout=15)
            codes.append(out.stdout)
        self.assertEqual(codes[:2], ["401", "401"])
        self.assertEqual(codes[-1], "429")

    def test_d_guest_invitations(self):
        data = self.studio.dir / "data"
        invite = subprocess.run(
            [str(self.studio.binary), "guests", "invite", "--source", "remote1", "--name", "张三",
             "--title", "温州市医疗保障局局长", "--hours", "2", "--data", str(data),
             "--url", self.studio.base_url],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(invite.returncode, 0, invite.stderr)
        link = invite.stdout.strip().splitlines()[-1]
        self.assertRegex(link, r"/g/[A-Za-z0-9_-]{32}$")
        token = link.rsplit("/", 1)[1]
        # The link leads to the guest page with the token in the fragment.
        code, headers, _ = request("GET", self.studio.base_url + "/g/" + token)
        self.assertEqual(code, 302)
        self.assertEqual(headers.get("location"), "/guest/#t=" + token)
        code, _, body = request("GET", self.studio.base_url + "/api/guest", token)
        self.assertEqual(code, 200, body)
        info = json.loads(body)
        self.assertEqual((info["source"], info["name"], info["title"]),
                         ("remote1", "张三", "温州市医疗保障局局长"))
        self.assertEqual(info["whip"], "/whip/remote1")
        self.assertEqual(info["state"], "waiting")
        # The list does not show tokens; revoked, the link answers 401.
        listed = subprocess.run([str(self.studio.binary), "guests", "list", "--data", str(data)],
                                capture_output=True, text=True, timeout=30)
        self.assertIn("张三", listed.stdout)
        self.assertNotIn(token, listed.stdout)
        number = listed.stdout.strip().splitlines()[-1].split("\t")[0]
        revoked = subprocess.run(
            [str(self.studio.binary), "guests", "revoke", number, "--data", str(data)],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(revoked.returncode, 0, revoked.stderr)
        code, _, _ = request("GET", self.studio.base_url + "/api/guest", token)
        self.assertEqual(code, 401)
        # An invitation into a source that is no webrtc:// slot is refused.
        bad = subprocess.run(
            [str(self.studio.binary), "guests", "invite", "--source", "cam", "--name", "x",
             "--data", str(data), "--show", str(self.studio.show_path)],
            capture_output=True, text=True, timeout=30,
            env={**os.environ, "YST_TEST_WHIP_TOKEN": WHIP_TOKEN,
                 "YST_TEST_TURN_SECRET": TURN_SECRET,
                 "YISHITING_PRODUCER_TOKEN": self.studio.token})
        self.assertEqual(bad.returncode, 2, bad.stdout + bad.stderr)
        self.assertIn("no webrtc:// source", bad.stderr)


    def test_f_relay_only_through_coturn(self):
        # A guest whose network lets nothing through but TURN: their page's
        # credentials (from /api/guest, made with the shared secret) open
        # coturn, and every packet goes through the relay.
        token = self.invite("李四")
        code, _, body = request("GET", self.studio.base_url + "/api/guest", token)
        self.assertEqual(code, 200, body)
        turn = json.loads(body)["ice_servers"][-1]
        self.assertEqual(turn["urls"], f"turn:{self.net.studio_address}:{self.turn.port}")
        self.assertRegex(turn["username"], r"^\d{10}:guest\d+$")
        user = urllib.parse.quote(turn["username"], safe="")
        password = urllib.parse.quote(turn["credential"], safe="")
        relayed = self.publisher(
            "relayed", token=token, color="0xff00ff00", relay="",
            turn=f"turn://{user}:{password}@{self.net.studio_address}:{self.turn.port}")
        self.assertEqual(relayed.wait_line("status"), "status 201")
        relayed.wait_line("connected", 20)
        self.studio.wait_source_state("remote1", "live", 15)
        self.assertEqual(self.slot()["webrtc"]["kind"], "guest")
        # coturn saw the guest's allocation under their name.
        harness.wait_until(lambda: turn["username"] in self.turn.log_text(), 10,
                           "coturn to log the guest's allocation")
        relayed.stop()
        self.studio.wait_source_state("remote1", "waiting", 10)

    def invite(self, name: str, title: str = "") -> str:
        """`yishiting guests invite` into remote1: the link's token."""
        invite = subprocess.run(
            [str(self.studio.binary), "guests", "invite", "--source", "remote1", "--name", name]
            + (["--title", title] if title else []) + ["--data", str(self.studio.dir / "data")],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(invite.returncode, 0, invite.stderr)
        return invite.stdout.strip().rsplit("/", 1)[1]

    def run_guest_page(self, script: str, media: Path, **env: str) -> None:
        """tests/e2e/<script> in Chromium in the guest's network, with a fake
        microphone's tone, the partner site's program and the program side
        by side (the guest on the right)."""
        with self.studio.producer() as p:
            p.ok("program.set", layout="side_by_side", tiles=["cam", "remote1"])
        harness.run_e2e_script(
            script, f"http://{self.net.studio_address}:{self.studio.port}",
            env={"YST_PRODUCER_TOKEN": self.studio.token,
                 "YST_CHROMIUM": str(self.net.wrapper(media, "/usr/bin/chromium")),
                 "YST_FAKE_AUDIO": str(fake_microphone(media)), "YST_PROGRAM_URL": self.url,
                 **env},
            context=lambda: harness.tail(self.studio.log_text()))

    def test_e_a_guest_joins_from_the_browser_waits_and_goes_on_air(self):
        # Drives tests/e2e/guest.test.mjs (its own ctest entry, e2e.guest):
        # the producer makes the invitation on the producer page.
        media = self.case_dir()
        # Chromium's fake camera: a .y4m with a C420 header (y4menc writes
        # one) of a solid red; its microphone: a WAV of a tone.
        video = media / "red.y4m"
        subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "pattern=solid-color",
                        "foreground-color=0xffff0000", "num-buffers=50", "!",
                        "video/x-raw,format=I420,width=640,height=360,framerate=25/1", "!",
                        "y4menc", "!", "filesink", f"location={video}"], check=True, timeout=60)
        self.run_guest_page("guest.test.mjs", media, YST_FAKE_VIDEO=str(video),
                            YST_GUEST_IF=self.net.host_if)

    def test_g_a_guest_behind_a_turn_only_network_changes_camera_on_air(self):
        # Drives tests/e2e/guest-devices.test.mjs (e2e.guest-devices):
        # iceTransportPolicy "relay" from Chromium, and replaceTrack.
        token = self.invite("王五", "市民网络观察团")
        code, _, body = request("GET", self.studio.base_url + "/api/guest", token)
        self.assertEqual(code, 200, body)
        # "<expiry>:guestN": the expiry moves with each request, N does not.
        user = json.loads(body)["ice_servers"][-1]["username"].split(":", 1)[1]
        self.run_guest_page("guest-devices.test.mjs", self.case_dir(),
                            YST_GUEST_LINK=f"/g/{token}", YST_TURN_ADDRESS=self.net.studio_address)
        # Everything went through coturn: it logged the guest's allocation.
        harness.wait_until(lambda: f":{user}" in self.turn.log_text(), 10,
                           f"coturn to log the allocation of {user}")


    def test_i_a_guest_in_firefox(self):
        # Drives tests/e2e/guest-firefox.test.mjs (e2e.guest-firefox). Node
        # runs in the guest's network: puppeteer reaches Firefox over
        # WebDriver BiDi on that network's loopback.
        token = self.invite("赵六", "市民网络观察团")
        with self.studio.producer() as p:
            p.ok("program.set", layout="side_by_side", tiles=["cam", "remote1"])
        harness.run_e2e_script(
            "guest-firefox.test.mjs", f"http://{self.net.studio_address}:{self.studio.port}",
            env={"YST_PRODUCER_TOKEN": self.studio.token, "YST_GUEST_LINK": f"/g/{token}"},
            context=lambda: harness.tail(self.studio.log_text()), wrap=self.net.command)


class MixMinus(IntegrationTest):
    """Two remote guests and a third sender (the host's stand-in), each
    with a tone of its own (not harmonics of one another), all on air: in
    each guest's return feed the others' tones are there and their own is at
    least 40 dB below them. The producer's talkback microphone (a line-up
    tone of its own, `talkback = true`) is heard only by the guest it is
    turned on for, over the rest of their return dipped, and never in the
    program."""

    TONES = {"host": 523, "remote1": 797, "remote2": 1223}
    TALKBACK = 660  # test://…?audio=tone for the source "talkback" (Source's toneFor)

    @classmethod
    def set_up_fixtures(cls):
        cls.net = GuestNetwork()
        cls.addClassCleanup(cls.net.close)
        show = make_show(sources=[(slot, f"webrtc://{slot}") for slot in cls.TONES] +
                         [("talkback", "test://black?audio=tone")],
                         layout="row3", archive=True, hls=False, preset="ultrafast", fps=25,
                         width=320, height=180)
        for source in show["sources"]:
            if source["id"] == "talkback":
                source["talkback"] = True
            else:
                source["whip_token_env"] = "YST_TEST_WHIP_TOKEN"
        show["audience"] = {"listen": f"0.0.0.0:{harness.free_port()}"}
        cls.studio = Studio(cls.work.path, show, extra_env={"YST_TEST_WHIP_TOKEN": WHIP_TOKEN})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_each_guest_hears_everyone_but_themselves_and_the_producer_talks_to_one(self):
        publishers = {}
        for slot, tone in self.TONES.items():
            options = {"tone": tone}
            if slot != "host":
                options["record_return"] = str(self.case_dir() / f"{slot}-return.wav")
            p = Publisher(self.net, f"http://{self.net.studio_address}:{self.studio.port}/whip/{slot}",
                          WHIP_TOKEN, self.case_dir() / f"{slot}.log", **options)
            self.addCleanup(p.stop)
            publishers[slot] = p
        for slot, p in publishers.items():
            self.assertEqual(p.wait_line("status"), "status 201", slot)
            self.studio.wait_source_state(slot, "live", 15)
        for slot in ("remote1", "remote2"):
            publishers[slot].wait_line("return audio", 15)
        recordings = {g: self.case_dir() / f"{g}-return.wav" for g in ("remote1", "remote2")}
        seconds = 48000 * 2  # 16-bit mono at 48 kHz

        def sizes() -> dict[str, int]:
            return {g: path.stat().st_size for g, path in recordings.items()}

        def record(more_s: float, what: str) -> None:
            """Waits until each return has `more_s` more seconds in it,
            however long that takes to arrive."""
            since = sizes()
            for guest, path in recordings.items():
                harness.wait_until(lambda: path.stat().st_size - since[guest] >= more_s * seconds,
                                   30, f"{more_s} s more of {guest}'s return feed {what}")

        def block(guest: str, size: int, from_s: float, to_s: float) -> list[int]:
            """The samples of `guest`'s return between from_s and to_s after
            the file had `size` bytes."""
            samples = wav_samples(recordings[guest])
            header = recordings[guest].read_bytes()[:512].find(b"data") + 8
            at = (size - header) // 2
            return samples[at + int(from_s * 48000):at + int(to_s * 48000)]

        def levels(samples: list[int]) -> dict[str, float]:
            tones = {**self.TONES, "talkback": self.TALKBACK}
            return {slot: tone_level_db(samples, 48000, tone) for slot, tone in tones.items()}

        # Everyone in the mix, the talkback off.
        record(4, "with everyone in it")
        with self.studio.producer() as producer:
            on = sizes()
            reply = producer.ok("guests.talk", source="remote1", on=True)
            self.assertEqual(reply["to"], ["remote1"])
            record(3, "while the producer talks to remote1")
            off = sizes()
            producer.ok("guests.talk", on=False)
            record(3, "after the talkback")
            refused = producer.command("program.set", transition="cut", layout="single",
                                       primary="talkback")
            self.assertEqual(refused.get("code"), "not_admitted", refused)
            self.assertIn("talkback", refused.get("message", ""))
        for p in publishers.values():
            p.stop()

        for guest in ("remote1", "remote2"):
            before = levels(block(guest, on[guest], -1.5, -0.5))
            others = [before[slot] for slot in self.TONES if slot != guest]
            harness.verbose(f"{guest}'s return: {before}")
            sys.stderr.write(f"[measured] {guest}'s own voice in their return: "
                             f"{min(others) - before[guest]:.1f} dB below the quietest other "
                             "(test bound ≥ 40)\n")
            for slot in self.TONES:
                if slot != guest:
                    self.assertGreater(before[slot], -40, f"{slot}'s tone in {guest}'s return")
            self.assertLess(before[guest], min(others) - 40, f"{guest} hears themselves: {before}")
            self.assertLess(before["talkback"], min(others) - 40,
                            f"the talkback in {guest}'s return before it was on: {before}")

        # While on for remote1 (1 s after the command, for the return's
        # latency): remote1 hears the producer over the rest dipped; remote2
        # hears the show as before, without the producer.
        talking = levels(block("remote1", on["remote1"], 1.0, 2.5))
        before = levels(block("remote1", on["remote1"], -1.5, -0.5))
        harness.verbose(f"remote1's return while talked to: {talking}")
        self.assertGreater(talking["talkback"], -30, f"remote1 does not hear the producer: {talking}")
        for slot in ("host", "remote2"):
            dip = before[slot] - talking[slot]
            sys.stderr.write(f"[measured] {slot} in remote1's return dipped by {dip:.1f} dB "
                             "under the talkback\n")
            self.assertGreater(dip, 6, f"{slot} not dipped under the talkback: {before} → {talking}")
        # The show still heard under it (one of its tones at least: on a
        # loaded machine a late input may drop out of the mix for a moment).
        self.assertGreater(max(talking["host"], talking["remote2"]), -40,
                           f"the show gone from remote1's return under the talkback: {talking}")
        unaffected = levels(block("remote2", on["remote2"], 1.0, 2.5))
        self.assertLess(unaffected["talkback"], unaffected["host"] - 40,
                        f"remote2 hears the talkback meant for remote1: {unaffected}")
        # Off again: gone.
        after = levels(block("remote1", off["remote1"], 1.5, 2.8))
        self.assertLess(after["talkback"], after["host"] - 40, f"the talkback stayed on: {after}")

        # Never in the program: the recording has the host's tone and not the talkback's.
        recording = next((self.studio.data_dir / "recordings").glob("*.mkv"))
        pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(recording), "-vn", "-ac", "1",
                              "-ar", "48000", "-f", "s16le", "-"], capture_output=True,
                             timeout=60).stdout
        program = list(struct.unpack(f"<{len(pcm) // 2}h", pcm[:len(pcm) // 2 * 2]))
        self.assertGreater(len(program), 48000 * 5, "the recording is too short")
        heard = levels(program[-8 * 48000:])
        harness.verbose(f"the program: {heard}")
        self.assertGreater(heard["host"], -40, f"the host is not in the program: {heard}")
        self.assertLess(heard["talkback"], heard["host"] - 40, f"the talkback is on air: {heard}")


if __name__ == "__main__":
    harness.main()
