#!/usr/bin/python3
"""Audio: meters ten times a second, per-source gain and mute.

A producer receives `audio.levels` about ten times a second with a stereo
peak/RMS for the program and every source. A camera's sound follows its
picture on and off air (unless set not to). Muting every source brings the
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
        show = make_show(archive=False, hls=False, preset="ultrafast")
        # The faders themselves, measured on the program meter: without the
        # loudness control, which would make up for them (test_loudness).
        show["audio"] = {"loudness_control": False}
        cls.studio = Studio(cls.work.path, show)
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

    def program_db(self, p, seconds: float = 1.0) -> dict:
        """The loudest peak of each meter over the next `seconds`."""
        levels = self.collect(p, seconds)
        return {name: self.loudest(levels, name) for name in ("program", "host", "guest")
                if any(name in l for l in levels)}

    def test_audio_follows_video(self):
        # Each camera's sound is heard while its picture is on air; a source
        # set not to follow stays in the mix. The guest at gain 0.25 (-12 dB)
        # tells whose sound the program carries.
        with self.studio.producer() as p:
            p.ok("audio.set", source="host", muted=False, gain=1.0, follows_video=True)
            p.ok("audio.set", source="guest", muted=False, gain=0.25, follows_video=True)
            try:
                p.ok("program.set", transition="cut", layout="single", primary="guest")
                harness.wait_until(
                    lambda: self.program_db(p, 1.5), 15,
                    "the program at the guest's level less 12 dB, the host off air",
                    accept=lambda db: abs(db["guest"] - 12.04 - db["program"]) <= 1.5)
                status = self.studio.status()
                self.assertTrue(all(s["audio_follows_video"] for s in status["sources"]))
                # The host's microphone set to stay in the mix (a lavalier's way).
                reply = p.ok("audio.set", source="host", follows_video=False)
                self.assertFalse(reply["audio"]["follows_video"])
                harness.wait_until(
                    lambda: self.program_db(p, 1.5), 15,
                    "the host heard again, though off air",
                    accept=lambda db: db["program"] >= db["host"] - 1.5)
                p.ok("audio.set", source="host", follows_video=True)
                # A fade takes the sound with the picture.
                p.ok("program.set", transition="fade", duration_ms=400, layout="single",
                     primary="host")
                harness.wait_until(
                    lambda: self.program_db(p, 1.5), 15,
                    "the program at the host's level once the fade to the host is done",
                    accept=lambda db: abs(db["host"] - db["program"]) <= 1.5)
            finally:
                p.ok("program.set", transition="cut", layout="side_by_side", primary="host",
                     secondary="guest")
                p.ok("audio.set", source="guest", gain=1.0)

    def test_meters_mute_and_gain(self):
        with self.studio.producer() as p:
            # A known start, whatever ran before: both sources on at full gain.
            for source in ("host", "guest"):
                p.ok("audio.set", source=source, muted=False, gain=1.0)
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
            # The change passes the mixer's queue and the 100 ms meter
            # interval: wait for a whole window of silence.
            muted = harness.wait_until(lambda: self.program_db(p), 15,
                                       "the program meter to fall silent with every source muted",
                                       accept=lambda db: db["program"] < -90)
            self.assertGreater(muted["host"], -40, f"source meters are pre-fader: {muted}")
            status = self.studio.status()
            self.assertTrue(all(s["muted"] for s in status["sources"]), status["sources"])

            # Only the guest on air: the program is the guest's sound, and its
            # gain moves the program meter against the guest's own (pre-fader)
            # meter. The meter reports the loudest moment of a window: a
            # window that still holds a moment before a change reads the
            # level before it, so look until one lies wholly after it.
            p.ok("audio.set", source="guest", muted=False, gain=1.0)
            full = harness.wait_until(
                lambda: self.program_db(p, 2.0), 15,
                "the program meter back at the guest's level with the guest unmuted",
                accept=lambda db: abs(db["program"] - db["guest"]) <= 1.5)
            p.ok("audio.set", source="guest", gain=0.5)
            half = harness.wait_until(
                lambda: self.program_db(p, 1.5), 15,
                f"the program meter about 6 dB under the guest's {full['guest']:.1f} dB with the "
                f"guest at gain 0.5",
                accept=lambda db: abs(db["guest"] - db["program"] - 6.02) <= 1.5)
            harness.verbose(f"gain 0.5: {full['program']:.1f} -> {half['program']:.1f} dB "
                            f"(the guest's own meter {half['guest']:.1f} dB)")

            error = p.command("audio.set", source="host", gain=9.0)
            self.assertEqual(error.get("code"), "invalid", error)
            error = p.command("audio.set", source="nobody", muted=True)
            self.assertEqual(error.get("code"), "not_found", error)


if __name__ == "__main__":
    harness.main()
