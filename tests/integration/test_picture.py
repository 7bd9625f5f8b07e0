#!/usr/bin/python3
"""What the partner site sees: the picture follows the producer's cuts.

Frames are read back from the RTMP destination with ffmpeg after each
program.set and judged by their brightness, so a cut that only changed the
status and not the picture would fail:

- single on the colour-bar camera: a bright, colourful frame;
- single on the ball camera: the dark slate-blue test background;
- single on a camera that is missing: the "信号中断" slate (darker still),
  while the program keeps running;
- a fade to side_by_side ends with both pictures on air;
- picture in picture puts the colour bars (quartered by the box scaler) in
  the lower right inset over the dark ball camera.

The frames are kept as PNG artefacts (tests/artifacts/… on failure, or
YST_KEEP_ARTIFACTS=1).

Run alone: /usr/bin/python3 tests/integration/test_picture.py
"""

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, NginxRtmp, Studio, make_show  # noqa: E402

KEY = "picture_key_0123456789"


def grab(url: str, png: Path, timeout: float = 20.0) -> list[int]:
    """One frame from `url`: saved as PNG, returned as 16x9 grey values."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-rw_timeout", "15000000", "-i", url,
                    "-frames:v", "1", str(png)], check=True, timeout=timeout, capture_output=True)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(png), "-vf", "scale=16:9",
                          "-pix_fmt", "gray", "-f", "rawvideo", "-"],
                         check=True, timeout=timeout, capture_output=True).stdout
    return list(raw)


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


class ProgramPicture(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx").start()
        cls.addClassCleanup(cls.site.stop)
        show = make_show(
            sources=[("host", "test://smpte"), ("guest", "test://ball"),
                     ("lost", "file:///nonexistent/yishiting/camera.mp4")],
            destinations=[{"id": "site", "name": "温州网", "url": cls.site.url, "key": KEY}],
            layout="single", primary="host", secondary="guest", archive=False, hls=False,
            preset="ultrafast")
        # Short GOPs: a reader joining the stream decodes from the next keyframe.
        show["program"]["keyframe_interval_s"] = 1
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_destination_state("site", "live", 30)
        cls.url = cls.site.stream_url(KEY)

    def frame_after(self, p, name: str, **program) -> list[int]:
        p.ok("program.set", **program)
        time.sleep(1.5)  # through the encoder, the muxer and nginx
        return grab(self.url, self.work.path / f"{name}.png")

    def test_cuts_change_what_the_partner_receives(self):
        with self.studio.producer() as p:
            bars = self.frame_after(p, "bars", layout="single", primary="host")
            ball = self.frame_after(p, "ball", layout="single", primary="guest")
            slate = self.frame_after(p, "slate", layout="single", primary="lost")
            both = self.frame_after(p, "side_by_side", layout="side_by_side", primary="host",
                                    secondary="guest", transition="fade", duration_ms=400)
            pip = self.frame_after(p, "pip", layout="pip", primary="guest", secondary="host")
        self.assertGreater(mean(bars), 110, f"colour bars are bright: {mean(bars):.0f}")
        self.assertLess(mean(ball), 90, f"the ball camera is dark slate blue: {mean(ball):.0f}")
        self.assertGreater(mean(bars) - mean(ball), 40)
        self.assertLess(mean(slate), mean(ball), "the lost-signal slate is darker still")
        # Side by side: bars on the left half, the ball camera on the right,
        # black bands above and below.
        rows = [both[r * 16:(r + 1) * 16] for r in range(9)]
        left = mean([v for row in rows[3:6] for v in row[:7]])
        right = mean([v for row in rows[3:6] for v in row[9:]])
        top = mean(rows[0])
        self.assertGreater(left, right + 30, f"bars left ({left:.0f}), ball right ({right:.0f})")
        self.assertLess(top, 25, f"black band above the pictures: {top:.0f}")
        # Picture in picture: the inset is the lower right quarter of the
        # width inside the action-safe margin (cells 12-14 of row 7 in 16x9).
        rows = [pip[r * 16:(r + 1) * 16] for r in range(9)]
        inset = mean(rows[7][12:15])
        around = mean([v for row in rows[1:5] for v in row[1:11]])
        self.assertGreater(inset, around + 40,
                           f"bars in the inset ({inset:.0f}) over the ball camera ({around:.0f})")
        status = self.studio.status()
        lost = harness.find_by_id(status["sources"], "lost")
        self.assertNotEqual(lost["state"], "live")
        self.assertEqual(status["program"]["layout"], "pip")


if __name__ == "__main__":
    harness.main()
