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

# ctest-timeout-s: 300 (frames read from the site at each step)

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, NginxRtmp, Studio, make_show  # noqa: E402

W, H, FPS = 640, 360, 30
CARD_MS = 500  # the default theme's card animation
KEY = "graphics_key_0123456789"
TICKER = "扫码提问 · 12345 政务服务热线"
SLATE = (0x08, 0x1a, 0x30)            # the default theme's slate background
CINNABAR_SLATE = (0xf4, 0xea, 0xd5)   # the cinnabar theme's
MIDDLE = (0, 100, 640, 40)            # a band across the frame's middle


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
    """The card's arrival and departure, frame by frame, from the archive.

    Each step waits for what it needs, not for a fixed time: recorded media
    time (recording.duration_ms) for the stretches of program around the
    card, and the picture itself (frames read from a partner site) for the
    card being drawn in and gone again, since the status says "visible" as
    soon as the command is taken while the card is drawn on a render thread
    a moment later. The analysis finds the card in the recording from the
    camera's own colour (the last frames, after the card left) rather than
    from a frame number that assumes how long each step took."""

    KEY = "card_key_0123456789"

    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx").start()
        cls.addClassCleanup(cls.site.stop)
        show = graphics_show()
        show["destinations"] = [{"id": "site", "name": "温州网", "url": cls.site.url,
                                 "key": cls.KEY}]
        # Short GOPs: a reader joining the stream decodes from the next keyframe.
        show["program"]["keyframe_interval_s"] = 1
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def card_in_picture(self, name: str) -> tuple[int, int, int]:
        """The mean colour of the card's region in a frame the site receives."""
        return grab_rgb(self.site.stream_url(self.KEY), self.work.path / f"{name}.png",
                        140, 250, 360, 45)

    def wait_recorded(self, more_ms: int, what: str) -> dict:
        """Waits until `more_ms` more of the program is in the recording."""
        now = self.studio.status()["recording"].get("duration_ms", 0)
        return self.studio.wait_until(
            lambda s: s["recording"].get("duration_ms", 0) >= now + more_ms, 30 + more_ms / 1000,
            f"{more_ms} ms more of recording ({what})")

    def test_card_arrives_in_its_place_and_leaves(self):
        studio = self.studio
        studio.wait_until(lambda s: all(x["state"] == "live" for x in s["sources"]), 15,
                          "the camera live")
        studio.wait_destination_state("site", "live", 30)
        # The archive starts at the program's first keyframe.
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 1000, 20,
                          "a second of recording")
        producer = studio.producer()
        self.addCleanup(producer.close)
        viewer = studio.viewer()
        self.addCleanup(viewer.close)
        camera = harness.wait_until(lambda: self.card_in_picture("camera"), 30,
                                    "the white camera at the site",
                                    accept=lambda rgb: min(rgb) > 200)
        self.wait_recorded(1500, "frames without the card")
        q = viewer.submit("请问局长：异地就医备案以后，医保卡在外地住院能直接结算吗？", nickname="瓯海小李")
        qid = q["question"]["id"]
        for command in ("question.approve", "question.on_air"):
            reply = producer.command(command, question=qid)
            self.assertEqual(reply.get("ok"), True, f"{command}: {reply}")
        status = studio.wait_until(lambda s: s["overlay"]["card"]["visible"], 5, "card visible")
        self.assertEqual(status["overlay"]["card"]["question"]["id"], qid)
        harness.wait_until(lambda: self.card_in_picture("card"), 30,
                           "the card drawn in the picture the site receives",
                           accept=lambda rgb: distance(rgb, camera) > 60)
        self.wait_recorded(1500, "frames with the card steady")
        self.assertEqual(producer.command("question.answered").get("ok"), True)
        studio.wait_until(lambda s: not s["overlay"]["card"]["visible"], 5, "card gone")
        harness.wait_until(lambda: self.card_in_picture("gone"), 30,
                           "the card gone from the picture the site receives",
                           accept=lambda rgb: distance(rgb, camera) <= 6)
        final = self.wait_recorded(1500, "frames after the card left")
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
        # The camera alone: the last frames, 1.5 s after the card left.
        base = card[-5]
        self.assertLessEqual(distance(base, camera), 12, f"the camera's colour: {base} vs {camera}")
        # The recording starts with the program: black, then the camera's
        # slate, until the camera's first frame.
        cam0 = next((i for i, c in enumerate(card) if distance(c, base) <= 3), None)
        self.assertIsNotNone(cam0, f"the camera never showed: {sorted(set(card))[:8]}")
        # The card at rest: the first frame of the last stretch far from
        # the camera's colour, then 20 frames on. The animation began at the
        # last frame before it that still looked like the camera.
        last_far = next((i for i in range(len(card) - 1, cam0 - 1, -1)
                         if distance(card[i], base) > 60), None)
        self.assertIsNotNone(
            last_far, f"the card never appeared in the recorded program: {len(card)} frames, "
            f"{sorted(set(card))[:8]} in the card's region, program dropped "
            f"{final['program']['dropped_frames']} of {final['program']['frames']} frames, "
            f"recording {final['recording']}")
        first_far = last_far
        while first_far > cam0 and distance(card[first_far - 1], base) > 60:
            first_far -= 1
        f0 = first_far
        while f0 > cam0 and distance(card[f0 - 1], base) > 3:
            f0 -= 1
        harness.verbose(f"card: {len(card)} frames, camera from frame {cam0}, card in from "
                        f"frame {f0}, far from {first_far}")
        # Once the camera is on, it stays on: no slate frame between its
        # frames and no black one (the slate's and the camera's pictures
        # both used to reach the program while the camera came up).
        glitches = [(i, card[i]) for i in range(cam0, f0) if distance(card[i], base) > 3]
        self.assertEqual(glitches, [], "frames of the program that were not the camera after "
                                       f"its first one (frame {cam0})")
        self.assertGreaterEqual(f0 - cam0, FPS, f"the card came in {f0 - cam0} frames after the "
                                                "camera's first, before a second of camera alone")
        n = round(CARD_MS * FPS / 1000)
        steady = card[f0 + n + 20]
        self.assertGreater(distance(steady, base), 60, f"no card over the camera: {steady} vs {base}")
        self.assertGreater(steady[2], steady[0] + 20, f"the card's panel is blue: {steady}")
        # Before it, the camera as at the end: the card left.
        self.assertLessEqual(distance(card[f0 - 5], base), 3,
                             f"before the card {card[f0 - 5]}, after it {base}: it did not leave")
        # Mid-animation it is not there yet; two frames after the end it is
        # complete and stays so.
        self.assertGreater(distance(card[f0 + n // 2], steady), 6,
                           f"frame {f0 + n // 2} (half-way) already looks final: "
                           f"{card[f0:f0 + n + 3]}")
        for k in range(f0 + n + 2, f0 + n + 15):
            self.assertLessEqual(distance(card[k], steady), 2,
                                 f"frame {k} ({k - f0 - n} after the end of the animation): "
                                 f"{card[k]} vs {steady}; frames from the start {card[f0:k + 1]}")
        # Nothing else moved, from a second before the card to the end.
        start = f0 - FPS
        for name, series in (("above the card", above), ("left of the card", margin)):
            worst = max(distance(c, series[start]) for c in series[start:])
            self.assertLessEqual(worst, 3, f"the region {name} changed by {worst}")


class OverlayControl(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx").start()
        cls.addClassCleanup(cls.site.stop)
        show = graphics_show(ticker=TICKER)
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

    def setUp(self):
        # The overlay as the show file has it, whatever ran before: no
        # slate, the default theme, the ticker up, no lower-third.
        self.ok("overlay.slate", slate="none")
        self.ok("overlay.theme", theme="default")
        self.ok("overlay.ticker", visible=True, text=TICKER)
        for person in ("host", "guest1"):
            self.ok("overlay.lower_third", person=person, visible=False)
        # ... and in the picture: a slate left by the test before fades out
        # (a cinnabar one, half gone, is neither the camera nor a slate).
        self.camera = self.settled_camera("setup")

    def assert_error(self, reply: dict, code: str, what: str) -> None:
        self.assertEqual(reply.get("type"), "error", f"{what} must be refused: {reply}")
        self.assertEqual(reply.get("code"), code, f"{what}: {reply}")
        self.assertTrue(reply.get("message"), f"{what}: no message: {reply}")

    def ok(self, msg_type: str, **fields) -> dict:
        reply = self.producer.command(msg_type, **fields)
        self.assertTrue(reply.get("ok"), f"{msg_type} {fields}: {reply}")
        return reply["overlay"]

    def picture(self, name: str, region: tuple[int, int, int, int], looks_right,
                describe: str) -> tuple[int, int, int]:
        """Reads frames at the site until the mean colour of `region` looks
        right (a change goes through the renderer, the fade, the encoder
        and nginx, and a reader joins at a keyframe)."""
        png = self.case_dir() / f"{name}.png"
        return harness.wait_until(lambda: grab_rgb(self.url, png, *region), 30,
                                  f"{describe} ({png.name})", accept=looks_right)

    def settled_camera(self, name: str) -> tuple[int, int, int]:
        """The camera's colour across the middle once nothing is fading: two
        frames in a row alike, and neither theme's slate."""
        previous: list[tuple[int, int, int]] = []

        def settled(rgb) -> bool:
            steady = bool(previous) and distance(rgb, previous[-1]) <= 3
            previous.append(rgb)
            return (steady and distance(rgb, SLATE) > 24
                    and distance(rgb, CINNABAR_SLATE) > 24)

        return self.picture(name, MIDDLE, settled, "the camera across the middle, settled, "
                                                   "no slate")

    def volume(self, looks_right, describe: str) -> float:
        """max_volume of 2 s of the site's sound, read until it looks right."""
        return harness.wait_until(lambda: max_volume_db(self.url, 2), 40, describe,
                                  accept=looks_right)

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
        d = self.case_dir()
        # The ticker's window at 640x360: the bottom of the title-safe area.
        # It enters at the window's right edge.
        region = (110, 316, 490, 16)
        a = harness.wait_until(lambda: crop(grab(self.url, d / "ticker-a.png"), *region), 30,
                               "ticker text in its window", accept=lambda a: max(a) > 150)
        # A later frame: the text has moved.
        harness.wait_until(lambda: crop(grab(self.url, d / "ticker-b.png"), *region), 30,
                           "the ticker's text to move", accept=lambda b: b != a)
        label = tuple(crop(d / "ticker-b.png", 40, 316, 20, 14, "1:1")[:3])
        self.assertGreater(label[0], 150, f"the ticker's gold label is not there: {label}")

    def test_hold_slate_fills_the_frame_and_silences_the_program(self):
        middle = MIDDLE
        before = self.camera
        self.volume(lambda db: db > -40, "the test source's tone, audible (> -40 dB)")
        o = self.ok("overlay.slate", slate="hold")
        self.assertTrue(o["program_silenced"])
        self.assertEqual(o["slate"]["kind"], "hold")
        # The slate's background across the frame's middle.
        self.picture("hold", middle, lambda rgb: distance(rgb, SLATE) <= 12, "the hold slate")
        self.volume(lambda db: db < -80, "the program silent during the hold (< -80 dB)")
        o = self.ok("overlay.slate", slate="none")
        self.assertFalse(o["program_silenced"])
        self.volume(lambda db: db > -40, "the sound back after the hold (> -40 dB)")
        self.picture("after", middle, lambda rgb: distance(rgb, before) <= 6,
                     f"the slate gone, the picture as before ({before})")

    def test_countdown_and_theme_switch(self):
        o = self.ok("overlay.slate", slate="starting", countdown_s=90)
        self.assertIn(o["slate"]["remaining_s"], (89, 90))
        harness.wait_until(lambda: self.ok("overlay.get")["slate"]["remaining_s"], 10,
                           "the countdown to count down", accept=lambda left: left < 90)
        middle = MIDDLE
        self.picture("starting", middle, lambda rgb: distance(rgb, SLATE) <= 12,
                     "the starting slate")
        o = self.ok("overlay.theme", theme="cinnabar")
        self.assertEqual(o["theme"], "cinnabar")
        self.assertEqual(o["theme_name"], "朱砂")
        # The cinnabar slate is light.
        self.picture("starting-cinnabar", middle, lambda rgb: distance(rgb, CINNABAR_SLATE) <= 12,
                     "the cinnabar slate")

    def test_a_cut_shows_the_persons_lower_third_for_a_while(self):
        # The camera names its person (sources[].person = "host"): a cut to
        # it brings the host's lower-third up by itself, for auto_show_s (6 s).
        reply = self.producer.command("program.set", layout="single", primary="host",
                                      transition="cut")
        self.assertTrue(reply.get("ok"), reply)
        status = self.studio.wait_until(
            lambda s: (s["overlay"]["lower_thirds"]["left"] or {}).get("person") == "host", 3,
            "the host's lower-third after the cut")
        self.assertTrue(status["overlay"]["lower_thirds"]["left"]["automatic"])
        self.assertEqual(status["overlay"]["lower_thirds"]["left"]["name"], "王芳")
        # In the picture: the lower-third's gold bar at the left of the frame.
        self.picture("auto-lower-third", (32, 240, 4, 16), lambda bar: bar[0] > 150,
                     "the gold bar of the lower-third")
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
