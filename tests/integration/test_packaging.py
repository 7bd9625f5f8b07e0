#!/usr/bin/python3
"""Packaging without anyone asking, and which session a start continues.

One data directory, several runs of `yishiting serve` on it:

1. Show A is killed (-9) mid-show. The next start is another show (another
   title), so A is not continued: a new session, and A's package
   (exports/<A>/program.mp4) appears by itself in the background while the
   new show runs. That show ends with SIGTERM: exit status 0, and it is
   packaged too.
2. Show A's title again: the killed session is continued (same title, within
   12 h: same session id, its timeline carries on). When it ends, it is
   packaged again: now with both runs' recordings and an end time.
3. The 12-hour rule: a killed session that started 13 h ago (its start moved
   back in the database while the studio is down) is not continued; one that
   started 11 h ago is, with its timeline 11 h on.
4. `--new-session` starts a new session even when one could be continued;
   after that one ended cleanly, the older killed session is history: the
   next start with the same title begins a new session instead of
   continuing a show from before the last one.

Run alone: /usr/bin/python3 tests/integration/test_packaging.py
"""

import json
import signal
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

TITLE_A = "温网议事厅 · 对话市医保局"
TITLE_B = "温网议事厅 · 对话市住建局"


def log(message: str) -> None:
    sys.stderr.write(f"\n[packaging] {message}\n")


class Packaging(IntegrationTest):
    """Runs on one data directory, one after the other (the tests share it
    and run in name order)."""

    @classmethod
    def set_up_fixtures(cls):
        cls.runs = 0

    def studio(self, title: str, new_session: bool = False) -> Studio:
        """A studio on the shared data directory (not started); each run has
        its own folder for its show file and logs."""
        type(self).runs += 1
        show = make_show(title=title, archive=True, hls=False, preset="ultrafast")
        studio = Studio(self.work.path, show, name=f"run{self.runs}")
        studio.data_dir = self.data_dir
        studio.args = ["serve", "--show", str(studio.show_path), "--data", str(self.data_dir),
                       "--log-level", "info"] + (["--new-session"] if new_session else [])
        self.addCleanup(studio.close)
        return studio

    @property
    def data_dir(self) -> Path:
        return self.work.path / "data"

    def package(self, session: int) -> Path:
        return self.data_dir / "exports" / str(session)

    def summary(self, session: int) -> dict:
        return json.loads((self.package(session) / "summary.json").read_text(encoding="utf-8"))

    def record(self, studio: Studio, seconds: float = 3.0) -> int:
        """Starts `studio`, waits until it has recorded `seconds`; its session."""
        studio.start()
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= seconds * 1000, 30,
                          f"{seconds} s recorded")
        session = studio.status()["show"]["session_id"]
        # A part is on record once it has taken a second of writes (a full
        # disk must not leave empty parts); on a loaded machine that can be
        # later than the status's first second, and a kill before it leaves
        # the part out of the package.
        studio.wait_until(lambda s: self.parts_on_record(session) > 0, 30,
                          f"session {session}'s recording on record")
        return session

    def parts_on_record(self, session: int) -> int:
        with sqlite3.connect(self.data_dir / "yishiting.db") as db:
            return db.execute("SELECT COUNT(*) FROM recordings WHERE session_id = ?",
                              (session,)).fetchone()[0]

    def end_with_sigterm(self, studio: Studio) -> None:
        studio._process.proc.send_signal(signal.SIGTERM)
        rc = studio._process.wait(60)
        self.assertIsNotNone(rc, f"SIGTERM did not end the show within 60 s\n{studio.log_tail()}")
        self.assertEqual(rc, 0, f"SIGTERM ended the show with status {rc}\n{studio.log_tail()}")

    def set_started_at(self, session: int, hours_ago: float) -> None:
        """Moves a session's start back (the studio is down)."""
        then = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
        iso = then.strftime("%Y-%m-%dT%H:%M:%S.") + f"{then.microsecond // 1000:03d}Z"
        with sqlite3.connect(self.data_dir / "yishiting.db") as db:
            n = db.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (iso, session)).rowcount
        self.assertEqual(n, 1)

    def ended_at(self, session: int):
        with sqlite3.connect(self.data_dir / "yishiting.db") as db:
            return db.execute("SELECT ended_at FROM sessions WHERE id = ?", (session,)).fetchone()[0]

    # -- 1, 2

    def test_1_killed_show_is_packaged_by_the_next_start_then_again_when_resumed_and_ended(self):
        a = self.studio(TITLE_A)
        session_a = self.record(a)
        a.kill9()
        self.assertFalse(self.package(session_a).exists(), "packaged before anyone could")

        b = self.studio(TITLE_B)
        session_b = self.record(b, 1.0)
        self.assertNotEqual(session_b, session_a, "another show's title continued the killed one")
        started = time.monotonic()
        b.wait_until(lambda s: (self.package(session_a) / "program.mp4").is_file(), 90,
                     "the killed show's package to appear by itself")
        log(f"killed session {session_a} packaged {time.monotonic() - started:.1f} s after the "
            f"next start")
        first = self.summary(session_a)
        self.assertIsNone(first["ended_at"], "a killed session has no end")
        self.assertEqual(first["source_recordings"], 1)
        first_duration = harness.format_duration(self.package(session_a) / "program.mp4")
        self.assertGreater(first_duration or 0, 2.0, "the killed show's program.mp4 is empty")
        self.end_with_sigterm(b)
        self.assertTrue((self.package(session_b) / "program.mp4").is_file(),
                        f"the show ended with SIGTERM was not packaged\n{b.log_tail()}")
        self.assertIsNotNone(self.ended_at(session_b), "SIGTERM did not close the session")

        # The killed show's title again: it is continued, then ends.
        resumed = self.studio(TITLE_A)
        self.assertEqual(self.record(resumed), session_a, "the killed show was not continued")
        self.assertIn("resuming session", resumed.log_text())
        self.end_with_sigterm(resumed)
        again = self.summary(session_a)
        self.assertIsNotNone(again["ended_at"], f"the package was not made again: {again}")
        self.assertEqual(again["source_recordings"], 2, again)
        duration = harness.format_duration(self.package(session_a) / "program.mp4")
        log(f"session {session_a}: program.mp4 {first_duration:.1f} s killed, {duration:.1f} s "
            f"after the resumed run ended")
        self.assertGreater(duration, first_duration + 2.0,
                           "the resumed run is not in the new package")

    # -- 3

    def test_2_only_a_show_started_within_12_hours_is_continued(self):
        a = self.studio(TITLE_A)
        old = self.record(a, 1.0)
        a.kill9()
        self.set_started_at(old, 13)
        a = self.studio(TITLE_A)
        fresh = self.record(a, 1.0)
        self.assertNotEqual(fresh, old, "a show killed 13 h ago was continued")
        self.assertLess(a.status()["show"]["timeline_ms"], 3600 * 1000)
        a.kill9()

        self.set_started_at(fresh, 11)
        a = self.studio(TITLE_A)
        self.assertEqual(self.record(a, 1.0), fresh, "a show killed 11 h ago was not continued")
        timeline_h = a.status()["show"]["timeline_ms"] / 3600_000
        log(f"continued 11 h later: timeline at {timeline_h:.3f} h")
        self.assertGreaterEqual(timeline_h, 11.0, "the timeline did not carry on")
        self.end_with_sigterm(a)

    # -- 4

    def test_3_new_session_starts_a_new_one_and_leaves_the_killed_one_behind(self):
        a = self.studio(TITLE_A)
        killed = self.record(a, 1.0)
        a.kill9()
        b = self.studio(TITLE_A, new_session=True)
        chosen = self.record(b, 1.0)
        self.assertNotEqual(chosen, killed, "--new-session continued the killed show")
        b.wait_until(lambda s: (self.package(killed) / "program.mp4").is_file(), 90,
                     "the killed show's package")
        self.end_with_sigterm(b)

        # The show after the one that ended cleanly is a new one: the show
        # killed before it is not picked up again.
        c = self.studio(TITLE_A)
        after = self.record(c, 1.0)
        self.assertNotIn(after, (killed, chosen),
                         "a start after a cleanly ended show continued an older killed one")
        self.assertNotIn("resuming session", c.log_text())
        self.end_with_sigterm(c)


if __name__ == "__main__":
    harness.main()
