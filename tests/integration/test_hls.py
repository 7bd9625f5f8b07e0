#!/usr/bin/python3
"""HLS for the viewer page, as a player meets it over /hls/:

- the rolling playlist follows the show file: EXT-X-TARGETDURATION is
  hls.segment_s and every segment lasts about that long (measured in the
  segment, not read from the playlist); it holds at most
  hls.playlist_length segments and rolls: the media sequence rises by one
  for each segment that drops out of the front, the window slides without
  gaps or renumbering, and segments that left the playlist are deleted a
  while later (not kept without bound);
- the segments are MPEG-TS (ISO/IEC 13818-1: 188-byte packets, each
  beginning with the sync byte 0x47), start with a keyframe, carry H.264
  and AAC, and are served with the HLS content types;
- a segment length the program's keyframes cannot give (segments are cut
  at keyframes) is refused before the show starts.

Run alone: /usr/bin/python3 tests/integration/test_hls.py
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

FPS = 30
SEGMENT_S = 1  # not the default (2): the playlist must follow the show file
LENGTH = 3  # not the default (6)
TS_PACKET = 188
TS_SYNC = 0x47


def parse_playlist(text: str) -> dict:
    """{"target": int, "sequence": int, "segments": [(duration_s, uri)], "lines": [...]}"""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise AssertionError(f"not an M3U playlist: {text[:200]!r}")
    out = {"target": None, "sequence": 0, "segments": [], "lines": lines}
    duration = None
    for line in lines[1:]:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            out["target"] = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            out["sequence"] = int(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif not line.startswith("#"):
            if duration is None:
                raise AssertionError(f"segment {line} has no #EXTINF before it:\n{text}")
            out["segments"].append((duration, line))
            duration = None
    return out


def header(headers: dict, name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


def ts_problems(data: bytes) -> list[str]:
    """What makes `data` not a stream of MPEG-TS packets (empty: it is one)."""
    problems = []
    if not data:
        return ["empty"]
    if len(data) % TS_PACKET:
        problems.append(f"{len(data)} bytes is not a whole number of {TS_PACKET}-byte packets")
    bad = [i for i in range(0, len(data) - TS_PACKET + 1, TS_PACKET) if data[i] != TS_SYNC]
    if bad:
        problems.append(f"{len(bad)} of {len(data) // TS_PACKET} packets do not begin with 0x47 "
                        f"(first at byte {bad[0]}: 0x{data[bad[0]]:02x})")
    return problems


def video_packets(path: Path) -> list[tuple[float, bool]]:
    """(pts, keyframe) of every video packet of a file."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "packet=pts_time,flags", "-of", "csv=p=0", str(path)],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError(f"ffprobe {path.name}: {r.stderr.strip()[-800:]}")
    out = []
    for line in r.stdout.splitlines():
        fields = line.strip().split(",")
        if len(fields) >= 2 and fields[0] not in ("", "N/A"):
            out.append((float(fields[0]), fields[1].startswith("K")))
    return out


class RollingPlaylist(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        show = make_show(sources=[("host", "test://smpte")], layout="single", archive=False,
                         preset="ultrafast", fps=FPS)
        show["program"]["keyframe_interval_s"] = SEGMENT_S
        show["hls"] = {"enabled": True, "segment_s": SEGMENT_S, "playlist_length": LENGTH}
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def playlist(self) -> tuple[dict, str]:
        code, body, headers = self.studio.http_get("/hls/program.m3u8")
        if code != 200:
            raise AssertionError(f"/hls/program.m3u8 answered {code}")
        self.assertIn(header(headers, "Content-Type"),
                      ("application/vnd.apple.mpegurl", "audio/mpegurl"))
        return parse_playlist(body.decode("utf-8")), body.decode("utf-8")

    def test_playlist_follows_the_show_file_and_rolls(self):
        studio = self.studio
        studio.wait_until(lambda s: s["hls"]["state"] == "running", 20, "HLS running")
        seen: dict[int, str] = {}  # media sequence number -> segment URI
        versions = []
        fetched: dict[str, bytes] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            code, _, _ = studio.http_get("/hls/program.m3u8")
            if code != 200:  # not written yet
                time.sleep(0.2)
                continue
            p, text = self.playlist()
            versions.append(p)
            self.assertEqual(p["target"], SEGMENT_S, f"EXT-X-TARGETDURATION:\n{text}")
            self.assertLessEqual(len(p["segments"]), LENGTH,
                                 f"more than {LENGTH} segments:\n{text}")
            for i, (duration, uri) in enumerate(p["segments"]):
                # The playlist is one sliding window: a sequence number
                # always names the same segment.
                number = p["sequence"] + i
                self.assertEqual(seen.setdefault(number, uri), uri,
                                 f"sequence {number} was {seen[number]}, now {uri}:\n{text}")
                self.assertLessEqual(round(duration), p["target"],
                                     f"#EXTINF {duration} over the target:\n{text}")
                if uri not in fetched:
                    code, body, headers = studio.http_get(f"/hls/{uri}")
                    if code == 200:
                        self.assertEqual(header(headers, "Content-Type"), "video/mp2t", uri)
                        fetched[uri] = body
            if p["sequence"] >= LENGTH + 2 and len(fetched) >= LENGTH + 2:
                break
            time.sleep(0.3)
        else:
            self.fail(f"the playlist did not roll within 60 s; last:\n{versions[-1]['lines']}"
                      if versions else "no playlist within 60 s")

        sequences = [v["sequence"] for v in versions]
        self.assertEqual(sequences, sorted(sequences), "the media sequence went backwards")
        self.assertEqual(len(versions[-1]["segments"]), LENGTH, "a rolled playlist is full")
        # Each segment that left the front raised the sequence by one: the
        # numbers are contiguous, and the first one is long gone.
        numbers = sorted(seen)
        self.assertEqual(numbers, list(range(numbers[0], numbers[-1] + 1)), "gaps in the window")
        first_uri = seen[numbers[0]]
        self.assertNotIn(first_uri, [u for _, u in versions[-1]["segments"]])

        # The segments: MPEG-TS by the spec, a keyframe first, H.264 + AAC,
        # about segment_s long.
        durations = []
        folder = self.work.sub("segments")
        for uri, data in sorted(fetched.items()):
            self.assertEqual(ts_problems(data), [], f"{uri} is not MPEG-TS")
            path = folder / uri
            path.write_bytes(data)
            packets = video_packets(path)
            self.assertTrue(packets, f"{uri}: no video")
            self.assertTrue(packets[0][1], f"{uri} does not start with a keyframe")
            durations.append(len(packets) / FPS)
        harness.check_h264_aac(harness.probe(str(folder / sorted(fetched)[-1])), where="segment")
        harness.verbose(f"segment durations: {durations}")
        # The first segment may start late (at the first keyframe); the rest
        # are cut at segment_s.
        for uri, d in zip(sorted(fetched)[1:], durations[1:]):
            self.assertLessEqual(d, SEGMENT_S + 0.5, f"{uri} lasts {d:.2f} s")
        self.assertAlmostEqual(statistics.median(durations[1:]), SEGMENT_S, delta=0.25 * SEGMENT_S,
                               msg=f"segment durations {durations}")

        # Segments that left the playlist go from the disk too, a while later.
        studio.wait_until(lambda s: studio.http_get(f"/hls/{first_uri}")[0] == 404, 30,
                          f"{first_uri} to be deleted after it left the playlist")
        on_disk = sorted(p.name for p in (studio.data_dir / "hls").glob("*.ts"))
        self.assertLessEqual(len(on_disk), LENGTH + 6, f"segments kept: {on_disk}")


class SegmentLengthAndKeyframes(IntegrationTest):
    def test_a_segment_length_between_keyframes_is_refused(self):
        show = make_show(sources=[("host", "test://smpte")], archive=False)
        show["program"]["keyframe_interval_s"] = 2
        show["hls"] = {"enabled": True, "segment_s": 3}
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        rc, _, err = studio.run_to_exit(timeout=20)
        self.assertEqual(rc, 2, f"exit {rc}\n{err}")
        self.assertRegex(err, r"show\.toml:\d+: hls\.segment_s: ", err)
        self.assertIn("keyframe_interval_s", err, "the error should say why")


if __name__ == "__main__":
    harness.main()
