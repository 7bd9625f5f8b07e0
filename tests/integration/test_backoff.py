#!/usr/bin/python3
"""The reconnect back-off is real: neither a tight loop nor a give-up, and it
starts again from the beginning after a success.

The constants are the product's (streaming/backoff.h, BackoffPolicy's
defaults, which Destination and Source use unchanged): the first retry after
2 s, each further one after twice the last, every delay scaled by a uniform
factor in [0.8, 1.2]. A partner site that is gone refuses at once, so each
attempt fails as soon as it is made and the failures come at
  0, d1, d1+d2, d1+d2+d3, …   with d1 in [1.6, 2.4], d2 in [3.2, 4.8],
                                    d3 in [6.4, 9.6]
i.e. exactly 3 failures within the first 10 s (the 4th at 11.2 s at the
earliest, the 3rd at 7.2 s at the latest). The test allows 2–4: one either
way for a loaded machine. A tight loop counts dozens, a back-off that does
not grow (2 s each time) 5 or 6, one that never retries 1.

After the site came back and the destination was live, a second outage
starts again from d1: its second failure follows its first by 1.6–2.4 s
(allowed 1.0–4.5 s). A back-off that kept counting from the first outage
would wait 2·2³ s = 16 s ±20 % or more.

Failures are timed by the destination.changed events a producer receives
(each failure announces the new count and error); the count over the window
is read from /api/status as an operator would see it.

Run alone: /usr/bin/python3 tests/integration/test_backoff.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, NginxRtmp, Producer, Studio, make_show  # noqa: E402

# streaming/backoff.h: BackoffPolicy{} (initial_ms, factor, jitter).
INITIAL_S = 2.0
FACTOR = 2.0
JITTER = 0.2
WINDOW_S = 10.0


def failure_times(delays: list[float]) -> list[float]:
    """When the failures of an outage come, the first at 0, for these delays."""
    times = [0.0]
    for d in delays:
        times.append(times[-1] + d)
    return times


def expected_failures(window_s: float) -> tuple[int, int]:
    """(fewest, most) failures within `window_s` of the first one, from the
    back-off constants, every delay at its longest and at its shortest."""
    def count(scale: float) -> int:
        delays = [INITIAL_S * FACTOR ** i * scale for i in range(12)]
        return sum(1 for t in failure_times(delays) if t <= window_s)
    return count(1 + JITTER), count(1 - JITTER)


FEWEST, MOST = expected_failures(WINDOW_S)
# One either way for a loaded machine; still fails a tight loop, a back-off
# that does not grow and one that never retries.
ALLOWED_RISE = (FEWEST - 1, MOST + 1)
FIRST_RETRY_S = (INITIAL_S * (1 - JITTER), INITIAL_S * (1 + JITTER))
ALLOWED_FIRST_RETRY_S = (1.0, FIRST_RETRY_S[1] + 2.1)


class FailureClock:
    """Timestamps of the failures of one item (a destination or a source),
    from the `<kind>.changed` events a producer receives: a failure is an
    event whose reconnect count went up."""

    def __init__(self, producer: Producer, event: str, field: str, item_id: str, reconnects: int):
        self.producer = producer
        self.event = event
        self.field = field
        self.item_id = item_id
        self.count = reconnects
        self.times: list[float] = []
        self.errors: list[str] = []

    def pump(self, until: float) -> None:
        """Reads events until the monotonic time `until`."""
        while (left := until - time.monotonic()) > 0:
            try:
                msg = self.producer.recv_json(min(left, 0.5))
            except TimeoutError:
                continue
            if msg.get("type") != self.event:
                continue
            item = msg.get(self.field) or {}
            if item.get("id") != self.item_id:
                continue
            if item.get("reconnects", 0) > self.count:
                for _ in range(item["reconnects"] - self.count):
                    self.times.append(time.monotonic())
                self.count = item["reconnects"]
                self.errors.append(item.get("last_error", ""))

    def wait_failures(self, n: int, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while len(self.times) < n and time.monotonic() < deadline:
            self.pump(min(deadline, time.monotonic() + 0.5))
        if len(self.times) < n:
            raise AssertionError(f"{what}: {len(self.times)} failure(s) of {self.item_id} within "
                                 f"{timeout}s, expected {n}; errors: {self.errors}")

    def gaps(self) -> list[float]:
        return [round(b - a, 2) for a, b in zip(self.times, self.times[1:])]


def log(message: str) -> None:
    sys.stderr.write(f"\n[backoff] {message}\n")


class BackoffChecks:
    """The two checks of an outage, for a destination and for a source
    (mixed into their IntegrationTest classes)."""

    def check_rise(self, what: str, rise: int, clock: FailureClock, gone: str) -> None:
        """`rise` failures counted over WINDOW_S of an outage: a back-off."""
        self.assertGreaterEqual(rise, ALLOWED_RISE[0],
                                f"{what}: too few retries in {WINDOW_S} s with {gone}: {rise}; "
                                f"errors {clock.errors}")
        self.assertLessEqual(rise, ALLOWED_RISE[1],
                             f"{what}: retries in a tight loop: {rise} in {WINDOW_S} s; gaps "
                             f"{clock.gaps()}")

    def check_first_retry(self, what: str, clock: FailureClock, live_again: str) -> None:
        """A second outage after a success: its first retry comes after the
        first delay again, not after the delay the first outage had reached."""
        clock.wait_failures(2, 20, f"{what}, second outage")
        gap = clock.times[1] - clock.times[0]
        log(f"{what}, second outage: first retry failed {gap:.2f} s after the first failure "
            f"(expected {FIRST_RETRY_S[0]:.1f}–{FIRST_RETRY_S[1]:.1f} s)")
        self.assertGreaterEqual(gap, ALLOWED_FIRST_RETRY_S[0], f"retried at once: {gap:.2f} s")
        self.assertLessEqual(gap, ALLOWED_FIRST_RETRY_S[1],
                             f"the back-off did not start again after {live_again}: the first "
                             f"retry came {gap:.2f} s after the failure")


class DestinationBackoff(IntegrationTest, BackoffChecks):
    KEY = "backoff_key_0123456789"

    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx_site").start()
        cls.addClassCleanup(cls.site.stop)
        show = make_show(destinations=[{"id": "site", "name": "浙江在线", "url": cls.site.url,
                                        "key": cls.KEY}],
                         archive=False, hls=False, preset="ultrafast")
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_destination_state("site", "live", 30)

    def test_retries_follow_the_backoff_and_it_resets_after_success(self):
        studio = self.studio
        producer = studio.producer()
        self.addCleanup(producer.close)
        r0 = studio.destination("site")["reconnects"]
        clock = FailureClock(producer, "destination.changed", "destination", "site", r0)

        self.site.kill()
        killed_at = time.monotonic()
        clock.pump(killed_at + WINDOW_S)
        rise = studio.destination("site")["reconnects"] - r0
        log(f"destination, first outage: {rise} failures in {WINDOW_S:.0f} s (expected "
            f"{FEWEST}–{MOST} from the constants), gaps {clock.gaps()} s, first failure "
            f"{clock.times[0] - killed_at if clock.times else float('nan'):.2f} s after the kill")
        self.check_rise("destination", rise, clock, "the site gone")
        self.assertTrue(studio.destination("site")["last_error"])

        # The site comes back on the same port; the retry due picks it up.
        self.site.restart()
        studio.wait_destination_state("site", "live", 40)
        self.site.wait_publishing(self.KEY, timeout=10, min_bytes=10_000)

        # A second outage: the back-off starts again from its first delay.
        r1 = studio.destination("site")["reconnects"]
        clock = FailureClock(producer, "destination.changed", "destination", "site", r1)
        self.site.kill()
        self.check_first_retry("destination", clock, "the success")


if __name__ == "__main__":
    harness.main()
