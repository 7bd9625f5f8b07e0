#!/usr/bin/python3
"""Audio: meters ten times a second, per-source gain and mute.

A producer receives `audio.levels` about ten times a second with a stereo
peak/RMS for the program and every source. A camera's sound follows its
picture on and off air (unless set not to). Muting every source brings the
program meter down to silence while the source meters (pre-fader) keep
showing their signal; unmuting brings the program back; a gain of 0.5 lowers
the program by about 6 dB.

The control room's monitor ([audio] monitor, a PulseAudio null sink
recorded by the test): the program, or one source alone before its fader
(PFL), and retried when its sound server goes away.

Microphones (pulse:// here, through a PulseAudio server the test starts,
with a null sink whose monitor is the "interface"): the input's chosen
channel is heard in both ears, the cameras start muted since microphones
carry the voices, and a sound server that goes away is retried like a
camera, with the source live again once it is back.

Run alone: /usr/bin/python3 tests/integration/test_audio.py
"""

import os
import struct
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show, tone_level_db  # noqa: E402


class PulseServer(harness._Process):
    """A PulseAudio server of the test's own (no system sound server, no
    card): one null sink, "studio", whose monitor is a source to record from,
    on a Unix socket in `folder`."""

    def __init__(self, folder: Path):
        super().__init__("pulseaudio", folder / "pulseaudio.log")
        self.folder = folder
        self.socket = folder / "native"
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(folder), "HOME": str(folder),
                    "PULSE_SERVER": f"unix:{self.socket}"}

    def start(self) -> "PulseServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        self._spawn(["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
                     "--disable-shm=yes", "--load=module-null-sink sink_name=studio",
                     f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1"],
                    env=self.env)
        harness.wait_until(lambda: subprocess.run(["pactl", "info"], env=self.env,
                                                  capture_output=True).returncode == 0,
                           10, "the PulseAudio server to answer")
        return self

    def play(self, wav: Path) -> subprocess.Popen:
        return subprocess.Popen(["paplay", "--device=studio", str(wav)], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def collect_levels(p, seconds: float) -> list:
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
        return collect_levels(p, seconds)

    @staticmethod
    def loudest(levels, which):
        return max(max(l[which]["peak_db"]) for l in levels if which in l)

    def program_db(self, p, seconds: float = 1.0) -> dict:
        """The loudest peak of each meter over the next `seconds`."""
        levels = self.collect(p, seconds)
        return {name: self.loudest(levels, name) for name in ("program", "host", "guest")
                if any(name in l for l in levels)}

    def test_lip_sync_delays_a_sources_sound_live_without_a_gap(self):
        with self.studio.producer() as p:
            reply = p.ok("audio.set", source="host", muted=False, follows_video=False, offset_ms=160)
            self.assertEqual(reply["audio"]["offset_ms"], 160)
            try:
                status = self.studio.wait_until(
                    lambda s: harness.find_by_id(s["sources"], "host")["audio_offset_ms"] == 160, 5,
                    "the host's lip sync in the status")
                self.assertTrue(status)
                # The sound goes on while the delay slides to 160 ms (its
                # ticks, one a second, keep coming; that no sample is lost
                # is the delay line's unit test).
                levels = collect_levels(p, 2.5)
                host = [max(l["host"]["peak_db"]) for l in levels if "host" in l]
                self.assertGreater(len(host), 10, levels[:3])
                self.assertGreater(max(host), -20, f"the host's ticks: {host}")
                error = p.command("audio.set", source="host", offset_ms=2500)
                self.assertEqual(error.get("code"), "invalid", error)
            finally:
                p.ok("audio.set", source="host", follows_video=True, offset_ms=0)

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


class Microphones(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.pulse = PulseServer(cls.work.path / "pulse").start()
        cls.addClassCleanup(cls.pulse.terminate)
        # A stereo signal with the voice on the right channel only (input 2
        # of the "interface"), silence on the left.
        cls.voice = cls.work.path / "right-only.wav"
        subprocess.run([harness.FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
                        "anullsrc=r=48000:cl=mono:d=60", "-f", "lavfi", "-i",
                        "sine=frequency=700:sample_rate=48000:duration=60",
                        "-filter_complex", "[0][1]amerge=inputs=2", "-ac", "2", str(cls.voice)],
                       check=True, timeout=30)
        show = make_show(sources=[("host", "test://smpte"),
                                  ("lav", "pulse://studio.monitor?channels=2")],
                         layout="single", archive=False, hls=False, preset="ultrafast")
        show["audio"] = {"loudness_control": False}
        cls.studio = Studio(cls.work.path, show, extra_env={"PULSE_SERVER": f"unix:{cls.pulse.socket}"})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_source_state("lav", "live", 20)

    def peaks(self, p, seconds: float) -> list[float]:
        """The lavalier's loudest peak per channel over the next `seconds`."""
        levels = [l["lav"]["peak_db"] for l in collect_levels(p, seconds) if "lav" in l]
        self.assertTrue(levels, "no audio.levels for the microphone")
        return [max(l[c] for l in levels) for c in range(2)]

    def test_the_chosen_channel_is_heard_in_both_ears_and_cameras_start_muted(self):
        status = self.studio.status()
        host = harness.find_by_id(status["sources"], "host")
        lav = harness.find_by_id(status["sources"], "lav")
        self.assertTrue(host["muted"], "a camera starts muted when microphones carry the voices")
        self.assertFalse(lav["muted"])
        self.assertFalse(lav["audio_follows_video"], "a microphone is always in the mix")
        player = self.pulse.play(self.voice)
        try:
            with self.studio.producer() as p:
                peaks = harness.wait_until(lambda: self.peaks(p, 1.0), 15,
                                           "the voice on input 2, in both ears",
                                           accept=lambda pk: min(pk) > -20)
                harness.verbose(f"lavalier peaks with the voice: {peaks}")
                # The program carries it, the muted camera's ticks not.
                program = max(max(l["program"]["peak_db"])
                              for l in collect_levels(p, 1.0) if "program" in l)
                self.assertGreater(program, -20)
        finally:
            player.terminate()
            player.wait(5)
        with self.studio.producer() as p:
            harness.wait_until(lambda: self.peaks(p, 1.0), 10, "silence once the voice stops",
                               accept=lambda pk: max(pk) < -60)

    def test_a_sound_server_that_goes_away_is_retried(self):
        self.pulse.terminate()
        try:
            status = self.studio.wait_source_state("lav", "retrying", 20)
            lav = harness.find_by_id(status["sources"], "lav")
            self.assertTrue(lav["last_error"], lav)
            frames = status["program"]["frames"]
            self.studio.wait_until(lambda s: s["program"]["frames"] > frames + 30, 10,
                                   "the program running on without the microphone")
        finally:
            self.pulse.start()
        self.studio.wait_source_state("lav", "live", 30)


class ControlRoomMonitor(IntegrationTest):
    """[audio] monitor = "pulse://studio": the producer's headphones, here a
    PulseAudio null sink the test records from. It plays the program; PFL
    (audio.listen) plays one source alone, before its fader, even off air
    and muted; back to the program. A sound server that goes away is
    retried without touching the program."""

    DESK, CAM = 440, 1100  # the line-up tones of the sources "desk" and "cam" (Source's toneFor)

    @classmethod
    def set_up_fixtures(cls):
        cls.pulse = PulseServer(cls.work.path / "pulse").start()
        cls.addClassCleanup(cls.pulse.terminate)
        show = make_show(sources=[("desk", "test://smpte?audio=tone"),
                                  ("cam", "test://ball?audio=tone")],
                         layout="single", primary="desk", archive=False, hls=False,
                         preset="ultrafast", width=320, height=180, fps=15)
        show["sources"][1]["muted"] = True
        show["audio"] = {"loudness_control": False, "monitor": "pulse://studio"}
        cls.studio = Studio(cls.work.path, show, extra_env={"PULSE_SERVER": f"unix:{cls.pulse.socket}"})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def record(self, seconds: float) -> list[int]:
        """What the monitor plays over the next `seconds` (16-bit mono, 48 kHz)."""
        out = subprocess.run(["timeout", str(seconds), "parec", "--device=studio.monitor",
                              "--format=s16le", "--rate=48000", "--channels=1", "--raw"],
                             env=self.pulse.env, capture_output=True).stdout
        return list(struct.unpack(f"<{len(out) // 2}h", out[:len(out) // 2 * 2]))

    def tones(self, seconds: float = 1.5) -> dict[str, float]:
        samples = self.record(seconds)[4800:]  # past the recorder's own start
        self.assertGreater(len(samples), 24000, "the monitor plays nothing")
        return {"desk": tone_level_db(samples, 48000, self.DESK),
                "cam": tone_level_db(samples, 48000, self.CAM)}

    def test_the_monitor_plays_the_program_or_one_source_alone(self):
        status = self.studio.wait_until(
            lambda s: (s["audio"].get("monitor") or {}).get("state") == "playing", 15,
            "the monitor playing")
        self.assertIsNone(status["audio"]["monitor"]["listening"])
        # The program: the desk on air; the camera off air and muted.
        harness.wait_until(self.tones, 15, "the program (the desk, not the camera) on the monitor",
                           accept=lambda t: t["desk"] > -40 and t["cam"] < t["desk"] - 40)
        with self.studio.producer() as p:
            reply = p.ok("audio.listen", source="cam")
            self.assertEqual(reply["monitor"]["listening"], "cam")
            # PFL: the camera alone, although off air and muted.
            harness.wait_until(self.tones, 10, "the camera alone on the monitor",
                               accept=lambda t: t["cam"] > -40 and t["desk"] < t["cam"] - 40)
            self.studio.wait_until(lambda s: s["audio"]["monitor"]["listening"] == "cam", 5,
                                   "the status saying what the monitor plays")
            self.assertEqual(p.command("audio.listen", source="nobody").get("code"), "not_found")
            p.ok("audio.listen", source=None)
            harness.wait_until(self.tones, 10, "the program on the monitor again",
                               accept=lambda t: t["desk"] > -40 and t["cam"] < t["desk"] - 40)

    def test_a_sound_server_that_goes_away_is_retried_and_the_program_goes_on(self):
        self.pulse.terminate()
        try:
            status = self.studio.wait_until(
                lambda s: s["audio"]["monitor"]["state"] == "retrying", 20,
                "the monitor retrying without its sound server")
            self.assertTrue(status["audio"]["monitor"]["last_error"], status["audio"])
            frames = status["program"]["frames"]
            self.studio.wait_until(lambda s: s["program"]["frames"] > frames + 15, 10,
                                   "the program running on without the monitor")
        finally:
            self.pulse.start()
        self.studio.wait_until(lambda s: s["audio"]["monitor"]["state"] == "playing", 40,
                               "the monitor playing again")
        harness.wait_until(self.tones, 15, "the program on the monitor again",
                           accept=lambda t: t["desk"] > -40)


if __name__ == "__main__":
    harness.main()
