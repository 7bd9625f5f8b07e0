#!/usr/bin/python3
"""A camera's reconnect back-off is real (see test_backoff.py for the
constants and the arithmetic; a source uses BackoffPolicy's defaults too).

The camera is an RTMP feed: ffmpeg pushes to an nginx-rtmp relay and the
studio plays it from there.

- The pusher dies, the relay stays: the studio's player sees the stream end
  (one failure at once), then retries after d1 = 1.6–2.4 s (allowed
  1.0–4.5 s), seen on the relay as the studio's player coming back for the
  stream. That attempt is connected and waits for a picture for the source's
  connect timeout (streaming/source.h: 15 s), so within 10 s of the death
  the count rises by exactly 1 (allowed 1–2): not a loop against a relay
  that answers. The pusher comes back and the waiting attempt goes live.
- The relay is killed: every attempt is refused at once, so the failures
  follow the back-off alone: 3 in the first 10 s (allowed 2–4). After the
  relay and the pusher are back and the camera is live, a second kill
  starts from d1 again (second failure 1.0–4.5 s after the first).

Run alone: /usr/bin/python3 tests/integration/test_backoff_sources.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import FfmpegPush, IntegrationTest, NginxRtmp, Studio, make_show  # noqa: E402
from test_backoff import (ALLOWED_FIRST_RETRY_S, FEWEST, FIRST_RETRY_S, MOST,  # noqa: E402
                          WINDOW_S, BackoffChecks, FailureClock, log)

# streaming/source.h: Source::connect_timeout, how long a connected attempt
# waits for the first picture.
CONNECT_TIMEOUT_S = 15.0


class SourceBackoff(IntegrationTest, BackoffChecks):
    @classmethod
    def set_up_fixtures(cls):
        cls.relay = NginxRtmp(cls.work.path, name="nginx_relay").start()
        cls.addClassCleanup(cls.relay.stop)
        cls.pusher = FfmpegPush(cls.relay.stream_url("cam"), cls.work.path, name="pusher")
        cls.addClassCleanup(cls.pusher.kill)
        cls.pusher.start()
        cls.relay.wait_publishing("cam", timeout=15)
        show = make_show(sources=[("host", "test://smpte"), ("cam", cls.relay.stream_url("cam"))],
                         archive=False, hls=False, preset="ultrafast")
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_source_state("cam", "live", 30)

    def bring_camera_back(self) -> None:
        if not self.relay.running:
            self.relay.start()
        self.pusher.kill()
        self.pusher.start()
        self.relay.wait_publishing("cam", timeout=15)
        self.studio.wait_source_state("cam", "live", 45)

    def watch_live_camera(self) -> tuple:
        """The camera live, and a producer whose events time its failures
        from its reconnect count now on: (producer, count, clock)."""
        self.bring_camera_back()
        producer = self.studio.producer()
        self.addCleanup(producer.close)
        r0 = self.studio.source("cam")["reconnects"]
        return producer, r0, FailureClock(producer, "source.changed", "source", "cam", r0)

    def studio_is_playing(self) -> bool:
        """The relay has a player for `cam` and nobody publishes it: the
        studio's attempt, waiting for the pusher."""
        s = self.relay.stat().get("cam")
        return bool(s) and not s["publishing"] and s["nclients"] >= 1

    def test_a_pusher_dies_while_the_relay_stays(self):
        studio = self.studio
        _, r0, clock = self.watch_live_camera()
        self.pusher.kill()
        died_at = time.monotonic()
        clock.wait_failures(1, 10, "the stream to end")
        # The player goes with the failed attempt; the retry brings a new one.
        deadline = time.monotonic() + 15
        while self.studio_is_playing() and time.monotonic() < deadline:
            time.sleep(0.05)
        retried_at = None
        while time.monotonic() < deadline:
            if self.studio_is_playing():
                retried_at = time.monotonic()
                break
            time.sleep(0.05)
        self.assertIsNotNone(retried_at, "the studio never came back to the relay for the camera")
        retry_s = retried_at - clock.times[0]
        clock.pump(died_at + WINDOW_S)
        rise = studio.source("cam")["reconnects"] - r0
        log(f"source, pusher dead: retry on the relay {retry_s:.2f} s after the failure "
            f"(expected {FIRST_RETRY_S[0]:.1f}–{FIRST_RETRY_S[1]:.1f} s), {rise} failure(s) in "
            f"{WINDOW_S:.0f} s (expected 1: the attempt waits {CONNECT_TIMEOUT_S:.0f} s), errors "
            f"{clock.errors}")
        self.assertGreaterEqual(retry_s, ALLOWED_FIRST_RETRY_S[0], "retried at once")
        self.assertLessEqual(retry_s, ALLOWED_FIRST_RETRY_S[1], "the first retry came late")
        self.assertIn(rise, (1, 2), f"{rise} failures in {WINDOW_S} s against a relay that "
                                    f"answers; errors {clock.errors}")
        self.assertEqual(studio.source("cam")["state"], "retrying")

        # The pusher comes back; the waiting attempt shows it.
        self.pusher.start()
        studio.wait_source_state("cam", "live", 30)

    def test_b_relay_killed_then_again_after_a_success(self):
        studio = self.studio
        producer, r0, clock = self.watch_live_camera()
        self.relay.kill()
        killed_at = time.monotonic()
        clock.pump(killed_at + WINDOW_S)
        rise = studio.source("cam")["reconnects"] - r0
        log(f"source, relay gone: {rise} failures in {WINDOW_S:.0f} s (expected {FEWEST}–{MOST} "
            f"from the constants), gaps {clock.gaps()} s, errors {clock.errors}")
        self.check_rise("source", rise, clock, "the relay gone")

        self.bring_camera_back()
        r1 = studio.source("cam")["reconnects"]
        clock = FailureClock(producer, "source.changed", "source", "cam", r1)
        self.relay.kill()
        self.check_first_retry("source", clock, "the camera was live")
        self.bring_camera_back()


if __name__ == "__main__":
    harness.main()
