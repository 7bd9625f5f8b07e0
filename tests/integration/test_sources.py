#!/usr/bin/python3
"""Every kind of camera the show file accepts, as a real peer.

- rtsp://  an IP camera: the `rtsp_camera` stand-in (gst-rtsp-server, H.264 +
           AAC over RTP), killed and restarted to make it vanish and return;
- srt://   a field unit calling into the studio's SRT listener (gst-launch
           with srtsink, MPEG-TS over SRT);
- file://  a local clip that loops at real time (not as fast as it decodes);
- v4l2://  a capture device that is not there: slate and retries, the
           program keeps its rate.

Run alone: /usr/bin/python3 tests/integration/test_sources.py
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import IntegrationTest, Studio, find_by_id, free_port, make_show  # noqa: E402

FPS = 30


def rtsp_camera_binary() -> Path:
    explicit = os.environ.get("YST_RTSP_CAMERA")
    if explicit:
        return Path(explicit)
    return harness.studio_binary().parent / "tests" / "rtsp_camera"


class Camera:
    """A background process standing in for a camera, with its log."""

    def __init__(self, cmd: list[str], log: Path):
        self.cmd = cmd
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Camera":
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


class SourceKinds(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        work = cls.work.path
        cls.rtsp_port = free_port()
        cls.srt_port = free_port()
        cls.clip = work / "clip.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
                        "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                        "-c:a", "aac", str(cls.clip)], check=True, timeout=60)
        camera = rtsp_camera_binary()
        if not camera.exists():
            raise RuntimeError(f"{camera} is not built (cmake --build build --target rtsp_camera)")
        cls.rtsp = Camera([str(camera), str(cls.rtsp_port)], work / "rtsp_camera.log").start()
        cls.addClassCleanup(cls.rtsp.kill)
        show = make_show(sources=[
            ("ipcam", f"rtsp://127.0.0.1:{cls.rtsp_port}/cam"),
            ("field", f"srt://127.0.0.1:{cls.srt_port}?mode=listener"),
            ("clip", f"file://{cls.clip}"),
            ("usb", "v4l2:///dev/video-yishiting-missing"),
        ], layout="side_by_side", primary="ipcam", secondary="field", hls=False, archive=False,
            preset="ultrafast")
        cls.studio = Studio(work, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        # The field unit calls the studio's listener, as an encoder in the field would.
        cls.field = Camera(["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball",
                            "!", "video/x-raw,width=640,height=360,framerate=30/1", "!", "x264enc",
                            "tune=zerolatency", "speed-preset=ultrafast", "key-int-max=30", "!",
                            "mpegtsmux", "!", "srtsink",
                            f"uri=srt://127.0.0.1:{cls.srt_port}?mode=caller",
                            "wait-for-connection=false"], work / "srt_field.log").start()
        cls.addClassCleanup(cls.field.kill)

    def test_rtsp_ip_camera_live_vanishes_and_returns(self):
        studio = self.studio
        status = studio.wait_source_state("ipcam", "live", 20)
        reconnects = find_by_id(status["sources"], "ipcam")["reconnects"]
        self.rtsp.kill()
        status = studio.wait_source_state("ipcam", "retrying", 24)
        self.assertTrue(find_by_id(status["sources"], "ipcam")["last_error"],
                        "a lost camera says why")
        fps, _, _ = studio.program_fps(2.0)
        harness.log_measured("program frame rate without the IP camera", fps, "fps",
                             f">= {harness.fps_floor(FPS):.0f}",
                             f">= {0.8 * FPS:.0f} in scripts/bench-latency")
        self.assertGreaterEqual(fps, harness.fps_floor(FPS),
                                "the program keeps its rate without the camera")
        self.rtsp.start()
        status = studio.wait_source_state("ipcam", "live", 40)
        self.assertGreater(find_by_id(status["sources"], "ipcam")["reconnects"], reconnects,
                           "the loss was counted")

    def test_srt_field_unit_calls_in(self):
        status = self.studio.wait_source_state("field", "live", 20)
        first = find_by_id(status["sources"], "field")["frames"]
        self.studio.wait_until(lambda s: find_by_id(s["sources"], "field")["frames"] > first + 30,
                               10, f"frames to keep arriving over SRT (from {first})")

    def test_file_loops_at_real_time(self):
        self.studio.wait_source_state("clip", "live", 15)
        s0, t0 = self.studio.fresh_status()
        f0 = find_by_id(s0["sources"], "clip")["frames"]
        # Five seconds of frames, longer than the 3 s clip: at least one loop.
        want = f0 + 5 * FPS
        self.studio.wait_until(
            lambda s: find_by_id(s["sources"], "clip")["frames"] >= want, 5 * harness.SLACK + 5,
            f"{5 * FPS} frames of the clip (from {f0})", interval=0.05)
        # The status is published once a second: take the next one, with the
        # time it was seen, for the rate.
        s1, t1 = self.studio.fresh_status()
        c1 = find_by_id(s1["sources"], "clip")
        rate = (c1["frames"] - f0) / (t1 - t0)
        self.assertEqual(c1["state"], "live", f"the clip loops without failing: {c1}")
        # Its picture as it comes (320×240, 4:3), not the program's 640×360.
        self.assertEqual(c1["input"], {"width": 320, "height": 240})
        # A camera that never came: no picture size at all.
        self.assertIsNone(find_by_id(s1["sources"], "usb")["input"])
        harness.log_measured("a looping clip's frame rate", rate, "fps",
                             f">= {harness.fps_floor(FPS):.0f} and < {1.3 * FPS:.0f}",
                             f"{FPS} (real time)")
        self.assertGreater(rate, harness.fps_floor(FPS),
                           f"clip plays at about {FPS} fps, got {rate:.1f}")
        # Not a budget: faster than real time is wrong on any machine.
        self.assertLess(rate, 1.3 * FPS, f"clip must not play faster than real time: {rate:.1f}")

    def test_missing_capture_device_shows_slate_and_retries(self):
        status = self.studio.wait_until(
            lambda s: find_by_id(s["sources"], "usb")["reconnects"] >= 1, 20,
            "the missing v4l2 device to be retried")
        usb = find_by_id(status["sources"], "usb")
        self.assertNotEqual(usb["state"], "live")
        # For the right reason: the device is not there. A studio without
        # the v4l2 plugin would fail here too, saying it has no element or
        # URI handler for v4l2.
        self.assertIn("/dev/video-yishiting-missing", usb["last_error"],
                      f"the error does not name the missing device: {usb['last_error']!r}")
        for wrong in ("no URI handler", "No URI handler", "plugin", "no element", "No element"):
            self.assertNotIn(wrong, usb["last_error"], f"v4l2 itself is missing: {usb}")
        metrics = self.studio.metrics_text()
        self.assertIn('yst_source_state{source="usb",state="retrying"} 1', metrics)


if __name__ == "__main__":
    harness.main()
