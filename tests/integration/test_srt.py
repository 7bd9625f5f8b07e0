#!/usr/bin/python3
"""SRT sources against real SRT peers (libsrt on both sides):

- FieldUnitCallsIn: the studio listens (mode=listener) with a passphrase and
  a field encoder calls in (ffmpeg with libsrt, calling again whenever its
  call ends, as encoders do). The right passphrase goes live; the encoder
  dies (kill -9) and the source shows its slate and says why; it comes back
  and the source is live again. A caller with the wrong passphrase is
  refused by SRT (the encoder is told so) and never reaches the program;
  the studio, which SRT does not tell, says nobody called and keeps its
  port open (it never closes it to start again while it waits).
- StudioCallsRelay: the studio calls a relay (mode=caller; gst srtsink in
  listener mode that checks the stream id, as relays route by it) with a
  passphrase, a stream id (written %23!::r=… in the show file) and a
  latency. The right ones go live, the relay sees the stream id and
  negotiates the latency the URI asks for; a wrong passphrase is a clear
  error within one attempt, and the relay is not hammered with calls; a
  wrong stream id is refused by the relay; the relay dies and comes back
  and the studio calls again.
- In neither is a passphrase anywhere in the status, /metrics or the logs.

Run alone: /usr/bin/python3 tests/integration/test_srt.py
"""

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (IntegrationTest, Peer, Studio, find_by_id, free_port,  # noqa: E402
                     make_show, wait_frames_rising)

FPS = 30


def field_encoder(name: str, url: str, workdir: Path) -> Peer:
    """ffmpeg calling `url` with test pictures and a tone, MPEG-TS over SRT;
    when the call ends (refused, or the studio went away) it calls again a
    second later."""
    ffmpeg = (f"{harness.FFMPEG} -hide_banner -nostdin -loglevel warning -re "
              "-f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine=frequency=550 "
              "-c:v libx264 -preset ultrafast -tune zerolatency -g 30 -pix_fmt yuv420p "
              f"-b:v 800k -c:a aac -b:a 96k -f mpegts '{url}'")
    return Peer(name, ["sh", "-c", f"while :; do {ffmpeg}; echo '== call ended'; sleep 1; done"],
                workdir)


def assert_no_secret(test: IntegrationTest, studio: Studio, secrets: list[str]) -> None:
    everything = {"status": studio.status_text(), "metrics": studio.metrics_text(),
                  "logs": studio.log_text()}
    for where, text in everything.items():
        for secret in secrets:
            test.assertIsNone(harness.where_secret_is(text, secret), f"a passphrase in the {where}")


class FieldUnitCallsIn(IntegrationTest):
    PASS = "field-unit-2026-pass"
    OTHER_PASS = "door-two-2026-pass"
    WRONG = "guessed-2026-wrong"

    @classmethod
    def set_up_fixtures(cls):
        cls.port = free_port()
        cls.other_port = free_port()
        show = make_show(sources=[
            ("field", f"srt://127.0.0.1:{cls.port}?mode=listener&passphrase={cls.PASS}"),
            ("door", f"srt://127.0.0.1:{cls.other_port}?mode=listener&passphrase={cls.OTHER_PASS}"),
        ], layout="side_by_side", archive=False, hls=False, preset="ultrafast", fps=FPS)
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def encoder(self, name: str, port: int, passphrase: str) -> Peer:
        peer = field_encoder(name, f"srt://127.0.0.1:{port}?mode=caller&passphrase={passphrase}",
                             self.work.path).start()
        self.addCleanup(peer.kill)
        return peer

    def test_encoder_dies_and_comes_back(self):
        studio = self.studio
        encoder = self.encoder("field-encoder", self.port, self.PASS)
        studio.wait_source_state("field", "live", 30)
        wait_frames_rising(studio, "field")
        encoder.kill()
        status = studio.wait_source_state("field", "retrying", 15)
        field = find_by_id(status["sources"], "field")
        self.assertTrue(field["last_error"], f"a lost field unit says why: {field}")
        self.assertGreaterEqual(field["reconnects"], 1, field)
        fps, _, _ = studio.program_fps(2.0)
        self.assertGreater(fps, FPS / 3, "the program goes on without the field unit")
        encoder.start()
        studio.wait_source_state("field", "live", 60)
        wait_frames_rising(studio, "field")
        assert_no_secret(self, studio, [self.PASS, self.OTHER_PASS])

    def test_wrong_passphrase_is_refused_and_the_door_stays_open(self):
        studio = self.studio
        wrong = self.encoder("wrong-encoder", self.other_port, self.WRONG)
        # SRT refuses the call at the handshake and tells the caller why.
        wrong.wait_log(r"(?i)passphrase", 30)
        door = studio.source("door")
        self.assertNotEqual(door["state"], "live", f"a wrong passphrase went live: {door}")
        self.assertEqual(door["frames"], 0, f"pictures came through a wrong passphrase: {door}")
        # The studio never hears of the refused call: it says nobody called,
        # and keeps listening: two connect timeouts (15 s) into the show it
        # has not once closed the port to start again.
        status = studio.wait_until(lambda s: s["show"]["timeline_ms"] >= 35000 and
                                   find_by_id(s["sources"], "door")["last_error"], 40,
                                   "the door to say nobody called")
        door = find_by_id(status["sources"], "door")
        self.assertRegex(door["last_error"], r"(?i)no caller", door)
        self.assertEqual((door["state"], door["reconnects"], door["frames"]),
                         ("connecting", 0, 0), f"the door closed while it waited: {door}")
        wrong.kill()
        # The right passphrase on the same port is let in.
        started = time.monotonic()
        self.encoder("right-encoder", self.other_port, self.OTHER_PASS)
        studio.wait_source_state("door", "live", 60)
        harness.verbose(f"the right caller was live {time.monotonic() - started:.1f} s after "
                        "its first call")
        assert_no_secret(self, studio, [self.PASS, self.OTHER_PASS, self.WRONG])


class StudioCallsRelay(IntegrationTest):
    PASS = "relay-2026-passphrase"
    WRONG = "relay-2026-guessed-pw"
    STREAM = "#!::r=live/studio7"
    LATENCY_MS = 1500  # not srtsrc's default (125), nor the studio's for RTSP (200)

    @classmethod
    def set_up_fixtures(cls):
        cls.port = free_port()
        cls.relay = Peer("relay", [sys.executable, str(harness.GST_PEERS), "srt-relay",
                                   str(cls.port), cls.PASS, cls.STREAM], cls.work.path).start()
        cls.addClassCleanup(cls.relay.kill)
        cls.relay.wait_log(r"mode=listener", 15)
        base = f"srt://127.0.0.1:{cls.port}?mode=caller"
        stream = "streamid=%23!::r=live/studio7"
        show = make_show(sources=[
            ("relay", f"{base}&passphrase={cls.PASS}&{stream}&latency={cls.LATENCY_MS}"),
            ("badpass", f"{base}&passphrase={cls.WRONG}&{stream}"),
            ("badid", f"{base}&passphrase={cls.PASS}&streamid=%23!::r=live/elsewhere"),
        ], layout="single", archive=False, hls=False, preset="ultrafast", fps=FPS)
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_right_passphrase_and_stream_id_go_live(self):
        studio = self.studio
        studio.wait_source_state("relay", "live", 30)
        wait_frames_rising(studio, "relay")
        self.relay.wait_log(re.escape(f"caller-connecting {self.STREAM!r} accepted"), 10)
        # The latency asked for in the URI is what was negotiated.
        self.relay.wait_log(rf"negotiated-latency-ms {self.LATENCY_MS}\b", 10)
        assert_no_secret(self, studio, [self.PASS, self.WRONG])

    def test_wrong_passphrase_is_a_clear_error_and_calls_are_paced(self):
        studio = self.studio
        status = studio.wait_until(
            lambda s: re.search(r"(?i)passphrase",
                                find_by_id(s["sources"], "badpass")["last_error"]),
            30, "badpass to say the passphrase was refused")
        badpass = find_by_id(status["sources"], "badpass")
        self.assertEqual(badpass["state"], "retrying", badpass)
        self.assertEqual(badpass["frames"], 0, badpass)
        harness.verbose(f"badpass: {badpass['last_error']}")
        # Each refused call is one of the studio's retries, not a storm: the
        # relay hears of badpass (its stream id is the right one) a few
        # times in ten seconds, not hundreds.
        studio.wait_source_state("relay", "live", 30)
        start = len(self.relay.log_text())
        time.sleep(10)
        calls = self.relay.log_text()[start:].count(f"caller-connecting {self.STREAM!r}")
        harness.verbose(f"calls with the right stream id in 10 s: {calls}")
        self.assertLess(calls, 30, f"{calls} calls in 10 s")
        assert_no_secret(self, studio, [self.PASS, self.WRONG])

    def test_wrong_stream_id_is_refused(self):
        studio = self.studio
        self.relay.wait_log(re.escape("caller-connecting '#!::r=live/elsewhere' rejected"), 30)
        status = studio.wait_until(lambda s: find_by_id(s["sources"], "badid")["last_error"], 30,
                                   "badid to say why")
        badid = find_by_id(status["sources"], "badid")
        harness.verbose(f"badid: {badid['last_error']}")
        self.assertNotEqual(badid["state"], "live", badid)
        self.assertEqual(badid["frames"], 0, badid)
        assert_no_secret(self, studio, [self.PASS, self.WRONG])

    def test_z_relay_dies_and_comes_back(self):
        studio = self.studio
        studio.wait_source_state("relay", "live", 30)
        self.relay.kill()
        status = studio.wait_source_state("relay", "retrying", 15)
        self.assertTrue(find_by_id(status["sources"], "relay")["last_error"])
        self.relay.start()
        self.relay.wait_log(r"mode=listener", 15, since=0)
        studio.wait_source_state("relay", "live", 60)
        wait_frames_rising(studio, "relay")


if __name__ == "__main__":
    harness.main()
