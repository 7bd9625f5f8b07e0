#!/usr/bin/python3
"""What the partner site sees: the picture follows the producer's cuts.

Frames are read back from the RTMP destination with ffmpeg after each
program.set and judged by their brightness, so a cut that only changed the
status and not the picture would fail:

- single on the colour-bar camera: a bright, colourful frame;
- single on the ball camera: the dark slate-blue test background;
- single on a camera that is missing: the "信号中断" slate (darker still),
  while the program keeps running;
- a fade to side_by_side ends with both pictures on air, each cut to its
  half and filling the frame's height (no black bands);
- the panel layouts (grid, row3, host_plus) put each source in its tile,
  and a source's framing (a zoom around a point) changes what it shows;
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
        # The ball camera shows the guest: a name bar on its tile in a panel.
        show["sources"][1]["person"] = "guest1"
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
            # right, each filling the frame's height (the bars' top row is
            # bright, not a black band).
            both = self.frame_after(
                p, "side_by_side",
                lambda f: halves(f)["left"] > halves(f)["right"] + 30 and halves(f)["top"] > 60,
                "bars left, ball right, no black band above", layout="side_by_side",
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

    def test_panel_layouts_put_each_source_in_its_tile_and_framing_zooms(self):
        def cells(frame, rows, cols):
            return mean([frame[r * 16 + c] for r in rows for c in cols])

        def grid(f):
            # 2×2 with three: bars top left, the ball top right, the lost
            # camera's slate centred below, black at the bottom corners.
            return {"bars": cells(f, range(1, 3), range(1, 6)),
                    "ball": cells(f, range(1, 3), range(10, 15)),
                    "slate": cells(f, range(6, 8), range(6, 10)),
                    "corner": cells(f, range(6, 9), range(0, 2))}

        def thirds(f):
            return [cells(f, range(2, 7), range(c, c + 3)) for c in (1, 6, 12)]

        def zoomed(f):
            return cells(f, range(1, 5), range(0, 16))

        with self.studio.producer() as p:
            g = self.frame_after(
                p, "grid", lambda f: (grid(f)["bars"] > grid(f)["ball"] + 30
                                      and grid(f)["corner"] < 24
                                      and grid(f)["slate"] > grid(f)["corner"] + 8),
                "grid: bars top left, ball top right, the slate centred below",
                layout="grid", tiles=["host", "guest", "lost"])
            # The guest's tile carries the guest's name bar, the others none
            # (their cameras name nobody).
            bars = self.studio.wait_until(
                lambda s: s["overlay"]["name_bars"], 5, "the guest's name bar")["overlay"]["name_bars"]
            self.assertEqual(bars, [{"tile": 1, "person": "guest1", "name": "张三",
                                     "title": "温州市医疗保障局局长"}])
            row = self.frame_after(
                p, "row3", lambda f: thirds(f)[2] > thirds(f)[0] + 30,
                "row3: ball, slate, bars from left to right (a fade from the grid)",
                layout="row3", tiles=["guest", "lost", "host"], transition="fade",
                duration_ms=300)
            plus = self.frame_after(
                p, "host_plus",
                lambda f: cells(f, range(0, 4), range(12, 16)) > cells(f, range(2, 7), range(1, 8)) + 30,
                "host_plus: the ball large on the left, bars at the top of the column",
                layout="host_plus", tiles=["guest", "host", "lost"])
            status = self.studio.status()
            self.assertEqual(status["program"]["layout"], "host_plus")
            self.assertEqual(status["program"]["tiles"], ["guest", "host", "lost"])
            # Framing: the bars' left half (white, yellow, cyan) zoomed to
            # the whole frame is brighter than all seven bars.
            whole = self.frame_after(p, "bars_whole", lambda f: mean(f) > 110, "the colour bars",
                                     layout="single", tiles=["host"])
            self.assertEqual(self.studio.status()["overlay"]["name_bars"], [],
                             "no name bars outside a panel layout")
            p.ok("framing.set", source="host", zoom=2, center=[0.25, 0.35])
            zoom = self.frame_after(p, "bars_zoomed", lambda f: zoomed(f) > zoomed(whole) + 25,
                                    f"the bars' left half, brighter than {zoomed(whole):.0f}",
                                    layout="single")
            framing = harness.find_by_id(self.studio.status()["sources"], "host")["framing"]
            self.assertEqual(framing, {"source": "host", "zoom": 2, "center": [0.25, 0.35]})
            p.ok("framing.set", source="host", reset=True)
        harness.verbose(f"grid {grid(g)}, row3 {thirds(row)}, host_plus {mean(plus):.0f}, "
                        f"zoom {zoomed(whole):.0f} -> {zoomed(zoom):.0f}")


if __name__ == "__main__":
    harness.main()
