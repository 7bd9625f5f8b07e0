#!/usr/bin/python3
"""The producer's overlay.card and overlay.bug toggles, from /ws to the
picture the partner site receives:

- overlay.bug hides and shows the bug (logo and title, top left) and
  changes its title: the reply, /api/status, the other producers'
  overlay.changed and the program picture all follow, and nothing else in
  the frame changes;
- overlay.card takes the question card off the frame while its question
  stays on air and puts it back: the same four agree; the card's place is
  the camera's own picture while it is hidden.

The picture is read back from the partner site (nginx-rtmp) with ffmpeg, as
in test_graphics.py, over a white camera on which every graphic stands out.

Run alone: /usr/bin/python3 tests/integration/test_overlay_toggles.py
"""

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, NginxRtmp, Studio, make_show  # noqa: E402

W, H, FPS = 640, 360, 30
KEY = "toggles_key_0123456789"
# Regions at 640x360 in the default theme: the bug (logo and title) sits in
# the title-safe area's top left, from (32, 18) to about (178, 42), over the
# test camera's own label (up to x 153, from y 25): BUG is the part of it
# clear of the label, TITLE all of its text. The card is in the lower middle;
# the middle of the frame is the camera's whatever is up.
BUG = (156, 19, 20, 21)
TITLE = (32, 18, 200, 24)
CARD = (140, 250, 360, 45)
MIDDLE = (200, 120, 240, 60)


def mean_rgb(png: Path, x: int, y: int, w: int, h: int) -> tuple[int, int, int]:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(png), "-vf",
                          f"crop={w}:{h}:{x}:{y},scale=1:1:flags=area", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True,
                         timeout=25).stdout
    return tuple(raw[:3])


def region_bytes(png: Path, x: int, y: int, w: int, h: int) -> bytes:
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(png), "-vf", f"crop={w}:{h}:{x}:{y}",
                           "-f", "rawvideo", "-pix_fmt", "gray", "-"], check=True,
                          capture_output=True, timeout=25).stdout


def distance(a, b) -> int:
    return max(abs(p - q) for p, q in zip(a, b))


class Toggles(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx").start()
        cls.addClassCleanup(cls.site.stop)
        show = make_show(sources=[("host", "test://white")], width=W, height=H, fps=FPS,
                         layout="single", preset="ultrafast", hls=False, archive=False,
                         destinations=[{"id": "site", "url": cls.site.url, "key": KEY}])
        show["program"]["keyframe_interval_s"] = 1
        show["overlay"] = {"bug": True, "clock": False, "qr": False}
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.url = cls.site.stream_url(KEY)
        cls.site.wait_publishing(KEY, timeout=30)
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)
        cls.other = cls.studio.producer()
        cls.addClassCleanup(cls.other.close)
        cls.frame = 0

    def grab(self) -> Path:
        type(self).frame += 1
        png = self.case_dir() / f"frame-{self.frame:03d}.png"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-rw_timeout", "15000000", "-i", self.url,
                        "-frames:v", "1", str(png)], check=True, timeout=30, capture_output=True)
        return png

    def wait_picture(self, predicate, what: str, timeout: float = 20.0) -> Path:
        """Grabs frames until `predicate(png)` holds."""
        deadline = time.monotonic() + timeout
        while True:
            png = self.grab()
            if predicate(png):
                return png
            if time.monotonic() >= deadline:
                raise AssertionError(f"the picture did not show {what} within {timeout}s; last "
                                     f"frame {png}: bug {mean_rgb(png, *BUG)}, card "
                                     f"{mean_rgb(png, *CARD)}, middle {mean_rgb(png, *MIDDLE)}")

    def command(self, msg_type: str, **fields) -> dict:
        """Sends an overlay command; returns the overlay state of the reply
        after checking that the other producer heard the same."""
        self.other.drain(0.2)
        self.other.events.clear()  # what came before this command
        reply = self.producer.ok(msg_type, **fields)
        heard = self.other.wait_event("overlay.changed", timeout=5,
                                      predicate=lambda e: e["overlay"] == reply["overlay"])
        self.assertEqual(heard["overlay"], reply["overlay"])
        return reply["overlay"]

    def white(self, png: Path, region) -> bool:
        return min(mean_rgb(png, *region)) > 225

    def test_bug_hides_shows_and_takes_a_new_title(self):
        studio = self.studio
        camera = mean_rgb(self.wait_picture(lambda p: self.white(p, MIDDLE), "the camera"),
                          *MIDDLE)
        shown = self.wait_picture(lambda p: not self.white(p, BUG), "the bug")
        self.assertTrue(studio.status()["overlay"]["bug"]["visible"])

        o = self.command("overlay.bug", visible=False)
        self.assertFalse(o["bug"]["visible"])
        studio.wait_until(lambda s: not s["overlay"]["bug"]["visible"], 5, "status: bug hidden")
        hidden = self.wait_picture(lambda p: distance(mean_rgb(p, *BUG), camera) <= 6,
                                   "the bug's corner as the camera's white")
        self.assertLessEqual(distance(mean_rgb(hidden, *MIDDLE), camera), 6)

        o = self.command("overlay.bug", visible=True)
        self.assertTrue(o["bug"]["visible"])
        studio.wait_until(lambda s: s["overlay"]["bug"]["visible"], 5, "status: bug shown")
        again = self.wait_picture(lambda p: distance(mean_rgb(p, *BUG), mean_rgb(shown, *BUG))
                                  <= 8, "the bug again")
        before = region_bytes(again, *TITLE)

        o = self.command("overlay.bug", title="温网议事厅 · 特别节目")
        self.assertEqual(o["bug"]["title"], "温网议事厅 · 特别节目")
        self.assertEqual(studio.status()["overlay"]["bug"]["title"], "温网议事厅 · 特别节目")
        self.wait_picture(lambda p: not self.white(p, BUG) and
                          sum(abs(a - b) for a, b in zip(region_bytes(p, *TITLE), before)) >
                          len(before) * 4, "the bug with its new title")

    def test_card_hides_and_returns_while_its_question_is_on_air(self):
        studio = self.studio
        viewer = studio.viewer()
        self.addCleanup(viewer.close)
        qid = viewer.submit("请问局长：老旧小区加装电梯的补贴什么时候到位？",
                            nickname="鹿城老王")["question"]["id"]
        self.producer.ok("question.approve", question=qid)
        self.producer.ok("question.on_air", question=qid)
        status = studio.wait_until(lambda s: s["overlay"]["card"]["visible"], 5, "card visible")
        self.assertEqual(status["overlay"]["card"]["question"]["id"], qid)
        # The card fades in: the reference is the card once two frames in a
        # row agree, not the first frame that is no longer the camera.
        seen = []

        def settled(p: Path) -> bool:
            seen.append(mean_rgb(p, *CARD))
            return (not self.white(p, CARD) and len(seen) >= 2
                    and distance(seen[-1], seen[-2]) <= 2)

        card = self.wait_picture(settled, "the card, settled")
        self.assertGreater(mean_rgb(card, *CARD)[2], mean_rgb(card, *CARD)[0],
                           "the card's panel is blue")

        o = self.command("overlay.card", visible=False)
        self.assertFalse(o["card"]["visible"])
        status = studio.wait_until(lambda s: not s["overlay"]["card"]["visible"], 5,
                                   "status: card hidden")
        self.assertEqual(status["on_air_question"]["id"], qid, "the question stays on air")
        self.wait_picture(lambda p: self.white(p, CARD), "the card's place as the camera")

        o = self.command("overlay.card", visible=True)
        self.assertTrue(o["card"]["visible"])
        self.assertEqual(o["card"]["question"]["id"], qid)
        studio.wait_until(lambda s: s["overlay"]["card"]["visible"], 5, "status: card shown")
        self.wait_picture(lambda p: distance(mean_rgb(p, *CARD), mean_rgb(card, *CARD)) <= 8,
                          "the card again")

        self.producer.ok("question.answered")
        studio.wait_until(lambda s: not s["overlay"]["card"]["visible"], 5, "card gone")
        self.wait_picture(lambda p: self.white(p, CARD), "the card gone after the answer")


if __name__ == "__main__":
    harness.main()
