#!/usr/bin/python3
"""Events a producer console lives on, each caused for real and awaited on a
second producer's WebSocket (a console that did not send the command):

- destination.removed: a destination removed at run time; the partner site
  (nginx /stat) stops receiving: the stream is gone, or its bytes stop;
- source.changed: an RTMP camera's pusher dies (retrying, with the reason)
  and comes back (live);
- audio.changed: another producer sets a source's gain and mute;
- hls.changed: the HLS folder is taken away under the running studio
  (a file where the folder was): HLS fails and retries; given back, it runs
  again;
- transcript.line / transcript.updated: a line committed, then corrected.

Run alone: /usr/bin/python3 tests/integration/test_events.py
"""

import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import FfmpegPush, IntegrationTest, NginxRtmp, Studio, find_by_id, make_show  # noqa: E402

KEY = "events_key_0123456789"


class Events(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        work = cls.work.path
        cls.site = NginxRtmp(work, name="nginx_site").start()
        cls.addClassCleanup(cls.site.stop)
        # The same nginx relays the camera: ffmpeg publishes "cam", the studio plays it.
        cls.pusher = FfmpegPush(cls.site.stream_url("cam"), work, name="pusher")
        cls.addClassCleanup(cls.pusher.kill)
        cls.pusher.start()
        cls.site.wait_publishing("cam", timeout=15)
        show = make_show(sources=[("host", "test://smpte"), ("cam", cls.site.stream_url("cam"))],
                         destinations=[{"id": "site", "name": "温州网", "url": cls.site.url,
                                        "key": KEY}],
                         archive=False, hls=True, preset="ultrafast")
        cls.studio = Studio(work, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_source_state("cam", "live", 30)
        cls.studio.wait_destination_state("site", "live", 30)
        cls.studio.wait_until(lambda s: s["hls"]["state"] == "running", 30, "HLS running")

    def producers(self):
        """One producer to act, one to watch."""
        acting, watching = self.studio.producer(), self.studio.producer()
        self.addCleanup(acting.close)
        self.addCleanup(watching.close)
        return acting, watching

    def test_destination_removed_stops_at_the_site_and_is_announced(self):
        acting, watching = self.producers()
        self.site.wait_publishing(KEY, timeout=10, min_bytes=10_000)
        acting.ok("destination.remove", destination="site")
        event = watching.wait_event("destination.removed", 10)
        self.assertEqual(event["destination"], "site")
        self.assertIsNone(find_by_id(self.studio.status()["destinations"], "site"))

        # The partner site stops receiving: the stream goes (or at least its
        # bytes stop), within a few seconds.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            stream = self.site.stat().get(KEY)
            if not stream or not stream["publishing"]:
                break
            time.sleep(0.2)
        # Nothing more arrives: the stream as it is now against the stream
        # after a second and a half of program (frames, not wall time).
        before = self.site.stat().get(KEY)
        frames = self.studio.status()["program"]["frames"]
        self.studio.wait_until(lambda s: s["program"]["frames"] >= frames + 45, 15,
                               "a second and a half of program after the removal")
        after = self.site.stat().get(KEY)
        if before and after:
            self.assertEqual(after["bytes_in"], before["bytes_in"],
                             f"nginx still receives after the removal: {before} -> {after}")
        self.assertFalse(after and after["publishing"], f"still published after removal: {after}")

    def test_source_changed_when_a_camera_goes_and_comes_back(self):
        _, watching = self.producers()
        self.pusher.kill()
        lost = watching.wait_event("source.changed", 10,
                                   lambda m: m["source"]["id"] == "cam"
                                   and m["source"]["state"] == "retrying")["source"]
        self.assertTrue(lost["last_error"], lost)
        self.assertGreaterEqual(lost["reconnects"], 1, lost)
        self.pusher.start()
        back = watching.wait_event("source.changed", 40,
                                   lambda m: m["source"]["id"] == "cam"
                                   and m["source"]["state"] == "live")["source"]
        self.assertEqual(back["last_error"], "")

    def test_audio_changed_reaches_the_other_console(self):
        acting, watching = self.producers()
        acting.ok("audio.set", source="host", gain=0.5, muted=True)
        audio = watching.wait_event("audio.changed", 5,
                                    lambda m: m["audio"]["source"] == "host")["audio"]
        self.assertEqual((audio["gain"], audio["muted"]), (0.5, True), audio)
        acting.ok("audio.set", source="host", gain=1.0, muted=False)
        audio = watching.wait_event("audio.changed", 5,
                                    lambda m: m["audio"]["source"] == "host"
                                    and m["audio"]["muted"] is False)["audio"]
        self.assertEqual(audio["gain"], 1.0)

    def test_hls_changed_when_its_folder_is_taken_away_and_given_back(self):
        _, watching = self.producers()
        hls = self.studio.data_dir / "hls"
        shutil.rmtree(hls)
        hls.write_text("not a folder\n")
        try:
            event = watching.wait_event("hls.changed", 30,
                                        lambda m: m["state"] in ("retrying", "failed"))
            # A retry while the folder is still a file fails again (announced
            # again), and takes nothing else down.
            watching.wait_event("hls.changed", 15, lambda m: m["state"] == "retrying")
            self.assertTrue(self.studio.running, "the studio died when HLS lost its folder")
            self.assertEqual(self.studio.status()["hls"]["state"], "retrying")
        finally:
            hls.unlink()
            hls.mkdir()
        self.assertIn(event["state"], ("retrying", "failed"))
        watching.wait_event("hls.changed", 40, lambda m: m["state"] == "live")
        self.studio.wait_until(lambda s: s["hls"]["state"] == "running", 10, "HLS running again")
        self.studio.wait_until(lambda s: (hls / "program.m3u8").is_file(), 30,
                               "a playlist in the folder again")

    def test_transcript_line_and_update_reach_the_other_console(self):
        acting, watching = self.producers()
        reply = acting.ok("transcript.commit", speaker="host", text="欢迎收看温网议事厅。")
        line_id = reply["line"]["id"]
        line = watching.wait_event("transcript.line", 5,
                                   lambda m: m["line"]["id"] == line_id)["line"]
        self.assertEqual(line["text"], "欢迎收看温网议事厅。")
        acting.ok("transcript.edit", line=line_id, text="欢迎收看《温网议事厅》。")
        updated = watching.wait_event("transcript.updated", 5,
                                      lambda m: m["line"]["id"] == line_id)["line"]
        self.assertEqual(updated["text"], "欢迎收看《温网议事厅》。")
        self.assertEqual(updated["edits"], 1)
        self.assertEqual(updated["original_text"], "欢迎收看温网议事厅。")


if __name__ == "__main__":
    harness.main()
