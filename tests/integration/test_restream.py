#!/usr/bin/python3
"""Encode once, fan out: one program restreamed to two partner sites.

Two nginx-rtmp servers stand in for the partner sites. The show mixes two
test sources side by side at 640x360@30 and pushes to both; the archive and
HLS run too. What arrives at each site is read back with ffprobe; status,
metrics and HLS are checked over HTTP; finally the stream keys and the
producer token must appear nowhere the studio writes or serves, and SIGINT
ends the run with exit code 0.

Run alone: /usr/bin/python3 tests/integration/test_restream.py
"""

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, NginxRtmp, Studio, find_by_id, make_show, probe  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 360, 30
KEYS = {"site_a": "sk_live_ABCDEF123456", "site_b": "sk_live_QRSTUV987654"}


class Restream(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.sites = {}
        for dest_id in KEYS:
            site = NginxRtmp(cls.work.path, name=f"nginx_{dest_id}").start()
            cls.addClassCleanup(site.stop)
            cls.sites[dest_id] = site
        show = make_show(
            sources=[("host", "test://smpte"), ("guest", "test://ball")],
            destinations=[
                {"id": "site_a", "name": "浙江在线", "url": cls.sites["site_a"].url,
                 "key": KEYS["site_a"]},
                {"id": "site_b", "name": "温州网", "url": cls.sites["site_b"].url,
                 "key": KEYS["site_b"]},
            ],
            width=WIDTH, height=HEIGHT, fps=FPS, layout="side_by_side", archive=True, hls=True)
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_until(
            lambda s: all(find_by_id(s["destinations"], d)["state"] == "live" for d in KEYS),
            30, "both destinations to be live")

    # The numbers only group the output: any order works (YST_TEST_ORDER);
    # the test that stops the studio starts it again.

    def setUp(self):
        if not self.studio.running:
            self.restart_studio()

    @classmethod
    def restart_studio(cls) -> None:
        cls.studio.start()
        cls.studio.wait_until(
            lambda s: all(find_by_id(s["destinations"], d)["state"] == "live" for d in KEYS),
            30, "both destinations to be live again")

    def test_1_each_site_receives_h264_and_aac(self):
        for dest_id, key in KEYS.items():
            site = self.sites[dest_id]
            with self.subTest(destination=dest_id):
                stat = site.wait_publishing(key, timeout=10, min_bytes=10_000)
                self.assertTrue(stat["publishing"])
                streams = probe(site.stream_url(key), timeout=15)
                harness.check_h264_aac(streams, WIDTH, HEIGHT, FPS, where=f"{dest_id} stream")
                self.assertEqual(len(site.stat()), 1,
                                 f"{dest_id}: exactly one stream expected on the site, found "
                                 f"{[harness.mask(k) for k in site.stat()]}")

    def test_1b_tags_arrive_in_decode_order_and_decode_cleanly(self):
        # The studio writes each site's FLV tags itself (no muxer element):
        # audio and video must leave interleaved by decode time, as a muxer
        # would have them, and decode without a single error.
        key = KEYS["site_a"]
        url = self.sites["site_a"].stream_url(key)
        got = harness.packets(url, seconds=4)
        kinds = {p["kind"] for p in got}
        self.assertEqual(kinds, {"video", "audio"}, f"packets of both kinds expected: {kinds}")
        self.assertGreater(sum(p["kind"] == "video" for p in got), 2 * FPS)
        backwards = [(a, b) for a, b in zip(got, got[1:]) if b["dts"] < a["dts"]]
        self.assertFalse(backwards, f"{len(backwards)} of {len(got)} packets went back in "
                                    f"decode time, first: {backwards[:3]}")
        for kind in ("video", "audio"):
            times = [p["dts"] for p in got if p["kind"] == kind]
            self.assertEqual(times, sorted(set(times)), f"{kind} decode times must rise")
        r = subprocess.run([harness.FFMPEG, "-v", "error", "-rw_timeout", "15000000", "-t", "4",
                            "-i", url, "-f", "null", "-"],
                           capture_output=True, text=True, timeout=40)
        errors = r.stderr.replace(url, harness.mask_url(url)).strip()
        self.assertEqual(r.returncode, 0, errors[-1500:])
        self.assertEqual(errors, "", "decoding what the site receives must print no error")

    def test_2_program_frames_rise(self):
        fps, first, last = self.studio.program_fps(seconds=3)
        floor = harness.fps_floor(FPS)
        harness.log_measured("program frame rate, two sites, archive and HLS", fps, "fps",
                             f">= {floor:.0f}", f"{FPS} (real time) in scripts/bench-pipeline")
        self.assertGreaterEqual(fps, floor,
                                f"program frames rose at {fps:.1f}/s, expected ~{FPS}: "
                                f"{first['program']} -> {last['program']}")
        # Not a budget: faster than real time is wrong on any machine.
        self.assertLessEqual(fps, 1.2 * FPS, f"program frames rose at {fps:.1f}/s, more than {FPS}")
        program = last["program"]
        self.assertIsInstance(program.get("dropped_frames"), int,
                              f"program.dropped_frames must be reported: {program}")
        self.assertGreaterEqual(program["dropped_frames"], 0)
        self.assertEqual((program["width"], program["height"], program["fps"]), (WIDTH, HEIGHT, FPS))
        self.assertGreater(last["encoder"]["fps"], 0, f"encoder.fps: {last['encoder']}")
        self.assertGreater(last["show"]["timeline_ms"], first["show"]["timeline_ms"],
                           "show.timeline_ms must advance")
        self.assertTrue(last["show"]["session_id"], "show.session_id must be set")

    def test_3_destination_bytes_rise(self):
        first = self.studio.status()
        site_first = {d: self.sites[d].stat()[KEYS[d]]["bytes_in"] for d in KEYS}

        def rising(s: dict) -> bool:
            return (all(find_by_id(s["destinations"], d)["bytes_sent"]
                        > find_by_id(first["destinations"], d)["bytes_sent"] for d in KEYS)
                    and s["recording"]["bytes"] > first["recording"]["bytes"])

        last = self.studio.wait_until(rising, 15, "both destinations' bytes_sent and the "
                                                  "recording's bytes to rise")
        for dest_id in KEYS:
            with self.subTest(destination=dest_id):
                a = find_by_id(first["destinations"], dest_id)
                b = find_by_id(last["destinations"], dest_id)
                self.assertEqual(b["state"], "live", f"{dest_id}: {b}")
                self.assertGreater(b["bitrate_kbps"], 0, f"{dest_id}: bitrate_kbps: {b}")
                self.assertEqual(b["reconnects"], a["reconnects"],
                                 f"{dest_id}: no reconnects expected: {a} -> {b}")
                harness.wait_until(lambda: self.sites[dest_id].stat()[KEYS[dest_id]]["bytes_in"],
                                   15, f"{dest_id}: the site to keep receiving bytes",
                                   accept=lambda n: n > site_first[dest_id])
        rec = last["recording"]
        self.assertEqual(rec["state"], "recording", f"recording: {rec}")
        self.assertGreater(rec["bytes"], first["recording"]["bytes"],
                           f"recording bytes must rise: {first['recording']} -> {rec}")
        self.assertTrue(rec["path"].endswith(".mkv"), f"recording.path: {rec['path']}")
        self.assertEqual(last["hls"]["state"], "running", f"hls: {last['hls']}")

    def test_4_metrics(self):
        m = self.studio.metrics()
        text = m.text
        for name in ("yst_program_frames_total", "yst_program_dropped_frames_total",
                     "yst_encoder_fps"):
            self.assertTrue(m.has(name), f"/metrics lacks {name}:\n{text[:3000]}")
        self.assertGreater(m.value("yst_program_frames_total"), 0)
        for dest_id in KEYS:
            with self.subTest(destination=dest_id):
                sent = m.value("yst_destination_bytes_sent_total", destination=dest_id)
                self.assertIsNotNone(sent, f"/metrics lacks yst_destination_bytes_sent_total"
                                           f"{{destination=\"{dest_id}\"}}:\n{text[:3000]}")
                self.assertGreater(sent, 0)
                self.assertEqual(
                    m.value("yst_destination_state", destination=dest_id, state="live"), 1,
                    f"yst_destination_state{{destination=\"{dest_id}\",state=\"live\"}} must be 1")
                self.assertTrue(m.has("yst_destination_reconnects_total", destination=dest_id),
                                f"/metrics lacks yst_destination_reconnects_total for {dest_id}")
        for source_id in ("host", "guest"):
            self.assertEqual(m.value("yst_source_state", source=source_id, state="live"), 1,
                             f"yst_source_state{{source=\"{source_id}\",state=\"live\"}} must be 1")
        frames = m.value("yst_program_frames_total")
        harness.wait_until(lambda: self.studio.metrics().value("yst_program_frames_total"), 10,
                           f"yst_program_frames_total to rise from {frames}",
                           accept=lambda n: n > frames)

    def test_5_hls(self):
        def playlist_has_segments(_status):
            code, body, _ = self.studio.http_get("/hls/program.m3u8")
            return code == 200 and any(
                line and not line.startswith("#") for line in body.decode().splitlines())

        self.studio.wait_until(playlist_has_segments, 20, "/hls/program.m3u8 to list a segment")
        code, body, headers = self.studio.http_get("/hls/program.m3u8")
        playlist = body.decode("utf-8")
        self.assertTrue(playlist.startswith("#EXTM3U"), f"not a playlist:\n{playlist[:500]}")
        segments = [l for l in playlist.splitlines() if l and not l.startswith("#")]
        self.assertIn("#EXTINF", playlist)
        seg_code, seg_body, _ = self.studio.http_get("/hls/" + segments[-1].split("/")[-1])
        self.assertEqual(seg_code, 200, f"segment {segments[-1]} answered {seg_code}")
        self.assertGreater(len(seg_body), 1000, f"segment {segments[-1]} is nearly empty")
        # MPEG-TS (ISO/IEC 13818-1): 188-byte packets, each starting with
        # the sync byte 0x47. How many the writer writes at a time is its
        # own business.
        self.assertEqual(len(seg_body) % 188, 0, f"segment of {len(seg_body)} bytes is not "
                                                 f"whole 188-byte packets")
        lost = [i for i in range(0, len(seg_body), 188) if seg_body[i] != 0x47]
        self.assertEqual(lost, [], f"{len(lost)} of {len(seg_body) // 188} packets do not start "
                                   f"with the sync byte 0x47, first at byte {lost[:1]}")
        streams = probe(f"{self.studio.base_url}/hls/program.m3u8", timeout=20)
        harness.check_h264_aac(streams, WIDTH, HEIGHT, where="HLS")
        data_playlist = self.studio.data_dir / "hls" / "program.m3u8"
        self.assertTrue(data_playlist.exists(), f"{data_playlist} must exist")

    def test_9_secrets_never_appear_and_sigint_exits_0(self):
        status_text = self.studio.status_text()
        metrics_text = self.studio.metrics_text()
        _, playlist, _ = self.studio.http_get("/hls/program.m3u8")
        status = json.loads(status_text)
        for dest_id in KEYS:
            d = find_by_id(status["destinations"], dest_id)
            self.assertTrue(d["key_masked"], f"{dest_id}: key_masked must say a key is set")
            self.assertNotIn(KEYS[dest_id][8:], d["key_masked"])
            self.assertNotIn(KEYS[dest_id], d["url"])
        rc = self.studio.stop()
        self.assertEqual(rc, 0, f"SIGINT must end the studio with 0\n{self.studio.log_tail()}")
        places = {
            "stdout + stderr": self.studio.log_text(),
            "/api/status": status_text,
            "/metrics": metrics_text,
            "/hls/program.m3u8": playlist.decode("utf-8", "replace"),
        }
        secrets = {f"{d} key": k for d, k in KEYS.items()}
        # The distinctive tail too: "sk_live_" alone is no secret.
        secrets.update({f"{d} key tail": k[8:] for d, k in KEYS.items()})
        secrets["producer token"] = self.studio.token
        for where, text in places.items():
            for what, secret in secrets.items():
                self.assertNotIn(secret, text, f"the {what} appears in {where}")


if __name__ == "__main__":
    harness.main()
