#!/usr/bin/python3
"""Audio: meters ten times a second, per-source gain and mute.

A producer receives `audio.levels` about ten times a second with a stereo
peak/RMS for the program and every source. Muting every source brings the
program meter down to silence while the source meters (pre-fader) keep
showing their signal; unmuting brings the program back; a gain of 0.5 lowers
the program by about 6 dB.

Run alone: /usr/bin/python3 tests/integration/test_audio.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402


class AudioMeters(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.studio = Studio(cls.work.path, make_show(archive=False, hls=False, preset="ultrafast"))
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_source_state("host", "live", 15)
        cls.studio.wait_source_state("guest", "live", 15)

    def collect(self, p, seconds):
        """The audio.levels events of the next `seconds`."""
        p.events.clear()
        end = time.monotonic() + seconds
        levels = []
        while time.monotonic() < end:
            try:
                msg = p.recv_json(max(0.05, end - time.monotonic()))
            except Exception:  # noqa: BLE001 - a timeout ends the window
                break
            if msg.get("type") == "audio.levels":
                levels.append(msg["levels"])
        return levels

    @staticmethod
    def loudest(levels, which):
        return max(max(l[which]["peak_db"]) for l in levels if which in l)

    def test_meters_mute_and_gain(self):
        with self.studio.producer() as p:
            levels = self.collect(p, 2.0)
            self.assertGreaterEqual(len(levels), 15, f"~10 meter updates a second, got {len(levels)} in 2 s")
            for name in ("program", "host", "guest"):
                self.assertIn(name, levels[-1])
                self.assertEqual(len(levels[-1][name]["peak_db"]), 2, "stereo")
                self.assertEqual(len(levels[-1][name]["rms_db"]), 2, "stereo")
            live_db = self.loudest(levels, "program")
            self.assertGreater(live_db, -40, f"the test tones are audible: {live_db} dB")

            p.ok("audio.set", source="host", muted=True)
            p.ok("audio.set", source="guest", muted=True)
            time.sleep(0.5)
            muted = self.collect(p, 1.5)
            self.assertLess(self.loudest(muted, "program"), -90, "all muted: the program is silent")
            self.assertGreater(self.loudest(muted, "host"), -40, "source meters are pre-fader")
            status = self.studio.status()
            self.assertTrue(all(s["muted"] for s in status["sources"]), status["sources"])

            # Only the guest on air: its gain moves the program meter.
            p.ok("audio.set", source="guest", muted=False, gain=1.0)
            time.sleep(0.5)
            full = self.loudest(self.collect(p, 2.0), "program")
            self.assertGreater(full, -40, "unmuted: audible again")
            p.ok("audio.set", source="guest", gain=0.5)
            # The meter reports the loudest moment of the window: let the
            # mixer's queue and the 100 ms meter interval pass the change
            # first (0.5 s was seen short once on a loaded machine).
            time.sleep(1.0)
            half = self.loudest(self.collect(p, 2.0), "program")
            self.assertAlmostEqual(full - half, 6.02, delta=1.5,
                                   msg=f"gain 0.5 is -6 dB: {full:.1f} -> {half:.1f} dB")

            error = p.command("audio.set", source="host", gain=9.0)
            self.assertEqual(error.get("code"), "invalid", error)
            error = p.command("audio.set", source="nobody", muted=True)
            self.assertEqual(error.get("code"), "not_found", error)


if __name__ == "__main__":
    harness.main()
