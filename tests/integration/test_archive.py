#!/usr/bin/python3
"""Recordings are crash-safe.

After `kill -9` the archive must decode without a single error and play up to
within 2 s of what the studio reported as recorded just before the kill. A
clean SIGINT exits 0 and leaves a file with a duration.

Run alone: /usr/bin/python3 tests/integration/test_archive.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

WIDTH, HEIGHT = 640, 360


def recording_file(studio: Studio, reported: str) -> Path:
    """The file status.recording.path names (absolute, or relative to the
    data dir or to the studio's working directory)."""
    p = Path(reported)
    for candidate in (p, studio.data_dir / p, studio.dir / p):
        if candidate.is_file():
            return candidate.resolve()
    raise AssertionError(f"status.recording.path {reported!r} names no file "
                         f"(looked in {studio.data_dir} and {studio.dir})")


class Archive(IntegrationTest):
    def start_recording_studio(self, name: str) -> Studio:
        studio = Studio(self.case_dir(), make_show(archive=True, hls=False), name=name)
        self.addCleanup(studio.close)
        studio.start()
        studio.wait_until(lambda s: s["recording"]["state"] == "recording", 15,
                          "recording.state to be recording")
        return studio

    def check_archive_file(self, studio: Studio, path: Path) -> None:
        recordings = (studio.data_dir / "recordings").resolve()
        self.assertEqual(path.parent, recordings, f"the archive must be in {recordings}: {path}")
        self.assertEqual(path.suffix, ".mkv", f"the archive is Matroska: {path}")
        rc, errors = harness.decode_errors(path)
        self.assertEqual(rc, 0, f"ffmpeg could not decode {path.name} (exit {rc}):\n{errors[-3000:]}")
        self.assertEqual(errors, "", f"decoding {path.name} printed errors:\n{errors[-3000:]}")
        harness.check_h264_aac(harness.probe(str(path)), WIDTH, HEIGHT, where=path.name)

    def test_kill9_loses_at_most_2_s(self):
        studio = self.start_recording_studio("kill9")
        studio.wait_until(lambda s: s["recording"]["duration_ms"] >= 10_000, 25,
                          "10 s of recording")
        # Kill right after a fresh status is published, so that the duration
        # it reports is the one at the kill (the status may be published only
        # about once a second).
        last, _ = studio.fresh_status()
        studio.kill9()
        rec = last["recording"]
        path = recording_file(studio, rec["path"])
        self.check_archive_file(studio, path)

        times = harness.packet_times(path, "v:0")
        self.assertGreater(len(times), 0, f"{path.name} has no video packets")
        span_s = max(times) - min(times)
        reported_s = rec["duration_ms"] / 1000
        self.assertLessEqual(abs(span_s - reported_s), 2.0,
                             f"after kill -9 the archive's video spans {span_s:.2f} s "
                             f"(pts {min(times):.2f}..{max(times):.2f}, {len(times)} packets); "
                             f"the studio reported {reported_s:.2f} s recorded just before the kill")

    def test_sigint_finishes_the_archive(self):
        studio = self.start_recording_studio("sigint")
        studio.wait_until(lambda s: s["recording"]["duration_ms"] >= 4_000, 20,
                          "4 s of recording")
        last = studio.status()
        rc = studio.stop()
        self.assertEqual(rc, 0, f"SIGINT must end the studio with 0\n{studio.log_tail()}")
        path = recording_file(studio, last["recording"]["path"])
        self.check_archive_file(studio, path)
        duration = harness.format_duration(path)
        self.assertIsNotNone(duration, f"{path.name} has no duration after a clean stop")
        reported_s = last["recording"]["duration_ms"] / 1000
        self.assertGreaterEqual(duration, reported_s - 0.5,
                                f"{path.name} lasts {duration:.2f} s; {reported_s:.2f} s had been "
                                "recorded before SIGINT")
        self.assertLessEqual(duration, reported_s + 5,
                             f"{path.name} lasts {duration:.2f} s, far more than the "
                             f"{reported_s:.2f} s recorded before SIGINT")


if __name__ == "__main__":
    harness.main()
