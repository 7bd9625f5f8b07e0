#!/usr/bin/python3
"""Broadcast graphics in the program itself, read back from what was
recorded and what the partner site receives:

- the question card comes in when a producer puts a question on air, in
  the lower middle of the frame, and is complete within 2 frames of the
  end of its animation (counted in the archive's frames); it leaves when
  the question is answered, and nothing else in the frame moves;
- every overlay.* command works from /ws and shows in /api/status; bad
  ones get their error codes (forbidden, not_found, invalid, too_long,
  empty) and change nothing;
- the ticker crawls; the hold slate fills the frame and silences the
  program's sound at the partner site, and the sound returns after it;
- a theme can be switched live, and a show file naming a missing theme or
  person is refused with exit code 2.

Run alone: /usr/bin/python3 tests/integration/test_graphics.py
"""

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, NginxRtmp, Studio, make_show  # noqa: E402

W, H, FPS = 640, 360, 30
CARD_MS = 500  # the default theme's card animation
KEY = "graphics_key_0123456789"


def region_means(path: Path, x: int, y: int, w: int, h: int) -> list[tuple[int, int, int]]:
    """The mean RGB of one region of every video frame of a recording."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-fps_mode", "passthrough",
         "-vf", f"crop={w}:{h}:{x}:{y},scale=1:1:flags=area", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-"], check=True, capture_output=True, timeout=60).stdout
    return [tuple(raw[i:i + 3]) for i in range(0, len(raw) - 2, 3)]


def distance(a, b) -> int:
    return max(abs(p - q) for p, q in zip(a, b))


def crop(png: Path, x: int, y: int, w: int, h: int, scale: str = "") -> bytes:
    """A region of a PNG as raw RGB (scaled by `scale`, e.g. "1:1")."""
    vf = f"crop={w}:{h}:{x}:{y}" + (f",scale={scale}:flags=area" if scale else "")
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(png), "-vf", vf, "-f", "rawvideo",
                           "-pix_fmt", "rgb24", "-"], check=True, capture_output=True,
                          timeout=25).stdout


def grab(url: str, png: Path) -> Path:
    """One frame from a stream, kept as PNG."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-rw_timeout", "15000000", "-i", url,
                    "-frames:v", "1", str(png)], check=True, timeout=25, capture_output=True)
    return png


def grab_rgb(url: str, png: Path, x: int, y: int, w: int, h: int) -> tuple[int, int, int]:
    """The mean RGB of a region of one frame from a stream."""
    return tuple(crop(grab(url, png), x, y, w, h, "1:1")[:3])


def graphics_show(**overlay) -> dict:
    # A white camera: the dark card stands out from it at every step.
    show = make_show(sources=[("host", "test://white")], width=W, height=H, fps=FPS,
                     layout="single", preset="ultrafast", hls=False)
    show["sources"][0]["person"] = "host"
    show["overlay"] = {"bug": False, "clock": False, "qr": False, **overlay}
    return show


class CardOnAir(IntegrationTest):
    """The card's arrival and departure, frame by frame, from the archive."""

    @classmethod
    def set_up_fixtures(cls):
        cls.studio = Studio(cls.work.path, graphics_show())
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_card_arrives_in_its_place_and_leaves(self):
        studio = self.studio
        studio.wait_until(lambda s: all(x["state"] == "live" for x in s["sources"]), 15,
                          "the camera live")
        # The archive starts at the program's first keyframe.
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 1000, 20,
                          "a second of recording")
        producer = studio.producer()
        self.addCleanup(producer.close)
        viewer = studio.viewer()
        self.addCleanup(viewer.close)
        time.sleep(1.5)  # frames without the card
        q = viewer.submit("请问局长：异地就医备案以后，医保卡在外地住院能直接结算吗？", nickname="瓯海小李")
        qid = q["question"]["id"]
        for command in ("question.approve", "question.on_air"):
            reply = producer.command(command, question=qid)
            self.assertEqual(reply.get("ok"), True, f"{command}: {reply}")
        status = studio.wait_until(lambda s: s["overlay"]["card"]["visible"], 5, "card visible")
        self.assertEqual(status["overlay"]["card"]["question"]["id"], qid)
        time.sleep(2.5)
        self.assertEqual(producer.command("question.answered").get("ok"), True)
        studio.wait_until(lambda s: not s["overlay"]["card"]["visible"], 5, "card gone")
        time.sleep(1.5)
        final = studio.status()
        path = studio.data_dir / final["recording"]["path"]
        if not path.is_file():
            path = Path(final["recording"]["path"])
        self.assertEqual(studio.stop(), 0)

        # The card's region (lower middle), a region above it and the left
        # margin beside it, in every frame.
        card = region_means(path, 140, 250, 360, 45)
        above = region_means(path, 140, 60, 360, 120)
        margin = region_means(path, 0, 250, 60, 45)
        self.assertGreater(len(card), 4 * FPS, f"{path.name}: too few frames ({len(card)})")
        # 1.5 s into the recording the camera is on and the card not yet:
        # on_air was sent 1.5 s after the first recorded second.
        start = int(1.5 * FPS)
        base = card[start]
        f0 = next((i for i in range(start, len(card)) if distance(card[i], base) > 3), None)
        self.assertIsNotNone(
            f0, f"the card never appeared in the recorded program: {len(card)} frames, "
            f"{sorted(set(card))[:8]} in the card's region, program dropped "
            f"{final['program']['dropped_frames']} of {final['program']['frames']} frames, "
            f"recording {final['recording']}")
        n = round(CARD_MS * FPS / 1000)
        steady = card[f0 + n + 20]
        self.assertGreater(distance(steady, base), 60, f"no card over the camera: {steady} vs {base}")
        self.assertGreater(steady[2], steady[0] + 20, f"the card's panel is blue: {steady}")
        # Mid-animation it is not there yet; two frames after the end it is
        # complete and stays so.
        self.assertGreater(distance(card[f0 + n // 2], steady), 6,
                           f"frame {f0 + n // 2} (half-way) already looks final: "
                           f"{card[f0:f0 + n + 3]}")
        for k in range(f0 + n + 2, f0 + n + 15):
            self.assertLessEqual(distance(card[k], steady), 2,
                                 f"frame {k} ({k - f0 - n} after the end of the animation): "
                                 f"{card[k]} vs {steady}; frames from the start {card[f0:k + 1]}")
        # It left after `answered`: the last frames are as before.
        self.assertLessEqual(distance(card[-5], base), 3, f"the card did not leave: {card[-5]}")
        # Nothing else moved.
        for name, series in (("above the card", above), ("left of the card", margin)):
            worst = max(distance(c, series[start]) for c in series[start:])
            self.assertLessEqual(worst, 3, f"the region {name} changed by {worst}")


class OverlayControl(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx").start()
        cls.addClassCleanup(cls.site.stop)
        show = graphics_show(ticker="扫码提问 · 12345 政务服务热线")
        show["sources"] = [{"id": "host", "label": "主持人机位", "uri": "test://black",
                            "person": "host"}]
        show["destinations"] = [{"id": "site", "name": "温州网", "url": cls.site.url, "key": KEY}]
        show["archive"] = {"enabled": False}
        show["audience"] = {"public_url": "https://wzrb.example.cn/q"}
        show["program"]["keyframe_interval_s"] = 1
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)
        cls.url = cls.site.stream_url(KEY)
        cls.site.wait_publishing(KEY, timeout=20)

    def assert_error(self, reply: dict, code: str, what: str) -> None:
        self.assertEqual(reply.get("type"), "error", f"{what} must be refused: {reply}")
        self.assertEqual(reply.get("code"), code, f"{what}: {reply}")
        self.assertTrue(reply.get("message"), f"{what}: no message: {reply}")

    def ok(self, msg_type: str, **fields) -> dict:
        reply = self.producer.command(msg_type, **fields)
        self.assertTrue(reply.get("ok"), f"{msg_type} {fields}: {reply}")
        return reply["overlay"]

    def test_commands_change_status_and_bad_ones_change_nothing(self):
        o = self.ok("overlay.get")
        self.assertEqual(o["theme"], "default")
        self.assertTrue(o["ticker"]["visible"])
        self.assertEqual(o["qr"]["url"], "https://wzrb.example.cn/q")
        self.assertEqual({p["person"] for p in o["people"]}, {"host", "guest1"})

        o = self.ok("overlay.lower_third", person="guest1", visible=True, side="right",
                    title="温州市医保局局长")
        self.assertEqual(o["lower_thirds"]["right"]["person"], "guest1")
        self.assertEqual(o["lower_thirds"]["right"]["title"], "温州市医保局局长")
        self.assertIsNone(o["lower_thirds"]["left"])
        status = self.studio.wait_until(
            lambda s: (s["overlay"]["lower_thirds"]["right"] or {}).get("person") == "guest1", 5,
            "/api/status shows the lower-third")
        self.assertFalse(status["overlay"]["card"]["visible"])

        before = self.ok("overlay.get")
        viewer = self.studio.viewer()
        self.addCleanup(viewer.close)
        self.assert_error(viewer.command("overlay.clear"), "forbidden", "a viewer's overlay.clear")
        self.assert_error(viewer.command("overlay.lower_third", person="host", visible=True),
                          "forbidden", "a viewer's lower-third")
        p = self.producer
        self.assert_error(p.command("overlay.lower_third", person="guest9", visible=True),
                          "not_found", "an unknown person")
        self.assert_error(p.command("overlay.lower_third", person="host", side="top"),
                          "invalid", "side=top")
        self.assert_error(p.command("overlay.lower_third", person="host", name="张" * 41),
                          "too_long", "a 41-character name")
        self.assert_error(p.command("overlay.lower_third", person="host", name="  "),
                          "empty", "a blank name")
        self.assert_error(p.command("overlay.qr", url="javascript:alert(1)"), "invalid",
                          "a javascript: URL")
        self.assert_error(p.command("overlay.ticker", text="长" * 201), "too_long",
                          "a 201-character ticker")
        self.assert_error(p.command("overlay.slate", slate="black"), "invalid", "slate=black")
        self.assert_error(p.command("overlay.slate", slate="hold", countdown_s=5), "invalid",
                          "a countdown on the hold slate")
        self.assert_error(p.command("overlay.slate", slate="starting", countdown_s=-1),
                          "invalid", "a negative countdown")
        self.assert_error(p.command("overlay.card", visible=True), "not_found",
                          "the card with no question on air")
        self.assert_error(p.command("overlay.theme", theme="../../etc"), "not_found",
                          "a theme outside the themes folder")
        self.assert_error(p.command("overlay.clock", visible="yes"), "invalid",
                          "visible as a string")
        self.assert_error(p.command("overlay.spin"), "unknown_type", "overlay.spin")
        self.assertEqual(self.ok("overlay.get"), before, "refused commands changed the overlay")

        # Text from people is text: an XSS string is kept as it was sent.
        xss = "<script>alert('x')</script> & 扫码"
        self.assertEqual(self.ok("overlay.ticker", text=xss)["ticker"]["text"], xss)
        self.assertEqual(self.studio.status()["overlay"]["ticker"]["text"], xss)
        # The panic button: everything but the slate off.
        o = self.ok("overlay.clear")
        self.assertIsNone(o["lower_thirds"]["right"])
        self.assertFalse(o["ticker"]["visible"] or o["qr"]["visible"] or o["bug"]["visible"])

    def test_ticker_crawls(self):
        self.ok("overlay.ticker", visible=True, text="扫码提问 · 12345 政务服务热线 · 温网议事厅")
        time.sleep(2.0)  # it enters at the window's right edge
        d = self.case_dir()
        # The ticker's window at 640x360: the bottom of the title-safe area.
        region = (110, 316, 490, 16)
        a = crop(grab(self.url, d / "ticker-a.png"), *region)
        time.sleep(0.7)
        b = crop(grab(self.url, d / "ticker-b.png"), *region)
        self.assertGreater(max(a), 150, "no ticker text in its window")
        self.assertNotEqual(a, b, "the ticker's text did not move in 0.7 s")
        label = tuple(crop(d / "ticker-b.png", 40, 316, 20, 14, "1:1")[:3])
        self.assertGreater(label[0], 150, f"the ticker's gold label is not there: {label}")

    def test_hold_slate_fills_the_frame_and_silences_the_program(self):
        d = self.case_dir()
        self.ok("overlay.slate", slate="none")
        time.sleep(1.5)
        before = grab_rgb(self.url, d / "before.png", 0, 100, 640, 40)
        loud = max_volume_db(self.url, 2)
        self.assertGreater(loud, -40, f"the test source's tone should be audible: {loud} dB")
        o = self.ok("overlay.slate", slate="hold")
        self.assertTrue(o["program_silenced"])
        self.assertEqual(o["slate"]["kind"], "hold")
        time.sleep(2.0)
        # The slate's background (#081a30) across the frame's middle.
        rgb = grab_rgb(self.url, d / "hold.png", 0, 100, 640, 40)
        self.assertLessEqual(distance(rgb, (0x08, 0x1a, 0x30)), 12, f"not the hold slate: {rgb}")
        quiet = max_volume_db(self.url, 2)
        self.assertLess(quiet, -80, f"the program is not silent during the hold: {quiet} dB")
        o = self.ok("overlay.slate", slate="none")
        self.assertFalse(o["program_silenced"])
        time.sleep(2.0)
        back = max_volume_db(self.url, 2)
        self.assertGreater(back, -40, f"the sound did not come back after the hold: {back} dB")
        rgb = grab_rgb(self.url, d / "after.png", 0, 100, 640, 40)
        self.assertLessEqual(distance(rgb, before), 6, f"the slate did not leave: {rgb} vs {before}")

    def test_countdown_and_theme_switch(self):
        o = self.ok("overlay.slate", slate="starting", countdown_s=90)
        self.assertIn(o["slate"]["remaining_s"], (89, 90))
        time.sleep(1.2)
        self.assertLess(self.ok("overlay.get")["slate"]["remaining_s"], 90)
        d = self.case_dir()
        rgb = grab_rgb(self.url, d / "starting.png", 0, 100, 640, 40)
        self.assertLessEqual(distance(rgb, (0x08, 0x1a, 0x30)), 12, f"not the slate: {rgb}")
        o = self.ok("overlay.theme", theme="cinnabar")
        self.assertEqual(o["theme"], "cinnabar")
        self.assertEqual(o["theme_name"], "朱砂")
        time.sleep(2.0)
        # The cinnabar slate is light (#f4ead5).
        rgb = grab_rgb(self.url, d / "starting-cinnabar.png", 0, 100, 640, 40)
        self.assertLessEqual(distance(rgb, (0xf4, 0xea, 0xd5)), 12, f"not the cinnabar slate: {rgb}")
        self.ok("overlay.slate", slate="none")
        self.ok("overlay.theme", theme="default")
        time.sleep(1.5)  # the slate fades out


    def test_z_a_cut_shows_the_persons_lower_third_for_a_while(self):
        # The camera names its person (sources[].person = "host"): a cut to
        # it brings the host's lower-third up by itself, for auto_show_s (6 s).
        self.ok("overlay.slate", slate="none")
        reply = self.producer.command("program.set", layout="single", primary="host",
                                      transition="cut")
        self.assertTrue(reply.get("ok"), reply)
        status = self.studio.wait_until(
            lambda s: (s["overlay"]["lower_thirds"]["left"] or {}).get("person") == "host", 3,
            "the host's lower-third after the cut")
        self.assertTrue(status["overlay"]["lower_thirds"]["left"]["automatic"])
        self.assertEqual(status["overlay"]["lower_thirds"]["left"]["name"], "王芳")
        time.sleep(1.0)
        # In the picture: the lower-third's gold bar at the left of the frame.
        d = self.case_dir()
        bar = grab_rgb(self.url, d / "auto-lower-third.png", 32, 240, 4, 16)
        self.assertGreater(bar[0], 150, f"no gold bar of the lower-third: {bar}")
        self.studio.wait_until(lambda s: s["overlay"]["lower_thirds"]["left"] is None, 9,
                               "the automatic lower-third to go after its time")


def max_volume_db(url: str, seconds: float) -> float:
    """max_volume of `seconds` of a stream's audio, by ffmpeg's volumedetect."""
    out = subprocess.run(["ffmpeg", "-v", "info", "-rw_timeout", "15000000", "-i", url, "-t",
                          str(seconds), "-vn", "-af", "volumedetect", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=30).stderr
    for line in out.splitlines():
        if "max_volume:" in line:
            return float(line.split("max_volume:")[1].split("dB")[0])
    raise AssertionError(f"no volumedetect output:\n{out[-2000:]}")


class BadGraphicsShowFiles(IntegrationTest):
    def test_missing_theme_and_unknown_person_are_refused(self):
        for name, change, needle in (
                ("theme", lambda s: s["overlay"].update(theme="no-such-theme"), "overlay.theme"),
                ("person", lambda s: s["sources"][0].update(person="guest7"), "sources[0].person")):
            show = graphics_show()
            change(show)
            studio = Studio(self.case_dir() / name, show, name=name)
            self.addCleanup(studio.close)
            rc, out, err = studio.run_to_exit(timeout=20)
            self.assertEqual(rc, 2, f"{name}: exit {rc}\n{err}")
            self.assertIn(needle, err, f"{name}: the error must name the key: {err}")
            self.assertRegex(err, r"show\.toml:\d+:", f"{name}: the error must give the line: {err}")


if __name__ == "__main__":
    harness.main()
