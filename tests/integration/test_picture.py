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

    def frame_after(self, p, name: str, looks_right, describe: str, **program) -> list[int]:
        """Cuts, then reads frames at the partner site until one looks
        right (the cut goes through the encoder, the muxer and nginx, and a
        reader joins at a keyframe: how long that takes depends on the
        machine). Fails with the last frame's figures after 30 s."""
        p.ok("program.set", **program)
        png = self.work.path / f"{name}.png"
        return harness.wait_until(lambda: grab(self.url, png), 30, f"{describe} ({png.name})",
                                  accept=looks_right, interval=0.1)

    def test_cuts_change_what_the_partner_receives(self):
        def halves(frame):
            rows = [frame[r * 16:(r + 1) * 16] for r in range(9)]
            return {"left": mean([v for row in rows[3:6] for v in row[:7]]),
                    "right": mean([v for row in rows[3:6] for v in row[9:]]),
                    "top": mean(rows[0])}

        def inset(frame):
            # The inset is the lower right quarter of the width inside the
            # action-safe margin (cells 12-14 of row 7 in 16x9).
            rows = [frame[r * 16:(r + 1) * 16] for r in range(9)]
            return {"inset": mean(rows[7][12:15]),
                    "around": mean([v for row in rows[1:5] for v in row[1:11]])}

        with self.studio.producer() as p:
            bars = self.frame_after(p, "bars", lambda f: mean(f) > 110,
                                    "colour bars (bright, mean > 110)", layout="single",
                                    primary="host")
            ball = self.frame_after(p, "ball", lambda f: mean(f) < 90,
                                    "the ball camera (dark slate blue, mean < 90)",
                                    layout="single", primary="guest")
            self.assertGreater(mean(bars) - mean(ball), 40)
            slate = self.frame_after(p, "slate", lambda f: mean(f) < mean(ball),
                                     f"the lost-signal slate, darker than the ball camera "
                                     f"({mean(ball):.0f})", layout="single", primary="lost")
            # Side by side: bars on the left half, the ball camera on the
            # right, black bands above and below.
            both = self.frame_after(
                p, "side_by_side",
                lambda f: halves(f)["left"] > halves(f)["right"] + 30 and halves(f)["top"] < 25,
                "bars left, ball right, a black band above", layout="side_by_side",
                primary="host", secondary="guest", transition="fade", duration_ms=400)
            pip = self.frame_after(p, "pip", lambda f: inset(f)["inset"] > inset(f)["around"] + 40,
                                   "bars in the inset over the ball camera", layout="pip",
                                   primary="guest", secondary="host")
        harness.verbose(f"bars {mean(bars):.0f}, ball {mean(ball):.0f}, slate {mean(slate):.0f}, "
                        f"side by side {halves(both)}, pip {inset(pip)}")
        status = self.studio.status()
        lost = harness.find_by_id(status["sources"], "lost")
        self.assertNotEqual(lost["state"], "live")
        self.assertEqual(status["program"]["layout"], "pip")


if __name__ == "__main__":
    harness.main()
