#!/usr/bin/python3
"""The public feed, end to end, against `yishiting serve`: the studio numbers
every message it sends to all viewers; a viewer who comes back says where it
was and gets exactly what it missed, or a snapshot when that is no longer
possible (assets/protocol.md, "The public feed").

Run alone: /usr/bin/python3 tests/integration/test_public_feed.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402


def feed_show() -> dict:
    show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300)
    # No rate limit in the way of a test that asks many questions.
    show["audience"] = {"question_interval_s": 0, "question_burst": 100}
    return show


class PublicFeed(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.studio = Studio(cls.work.path, feed_show())
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)
        cls.asker = cls.studio.viewer()
        cls.addClassCleanup(cls.asker.close)

    def viewer(self, **kwargs):
        v = self.studio.viewer(**kwargs)
        self.addCleanup(v.close)
        return v

    def approve_new(self, text: str) -> int:
        """A question asked and approved: its id."""
        reply = self.asker.submit(text)
        self.assertEqual(reply.get("type"), "question.received", reply)
        qid = reply["question"]["id"]
        self.assertTrue(self.producer.command("question.approve", question=qid).get("ok"))
        return qid

    def public_until(self, viewer, qid: int) -> list[dict]:
        """The numbered messages the viewer got, up to the one that made
        question `qid` public."""
        got = []
        while True:
            m = viewer.wait_event("questions.public", timeout=10)
            got.append(m)
            if any(q["id"] == qid for q in m.get("questions", [])):
                return got

    def test_every_public_message_is_numbered_in_order(self):
        v = self.viewer()
        start = v.hello_reply["feed"]
        self.assertRegex(start["epoch"], r"^[A-Za-z0-9_-]{1,32}$")
        self.assertIsInstance(start["seq"], int)
        ids = [self.approve_new(f"编号问题 {i}") for i in range(3)]
        got = self.public_until(v, ids[-1])
        seqs = [m["feed"]["seq"] for m in got]
        self.assertEqual(seqs, list(range(start["seq"] + 1, start["seq"] + 1 + len(seqs))),
                         "one number each, none skipped")
        self.assertTrue(all(m["feed"]["epoch"] == start["epoch"] for m in got))
        # Producers' events are not part of the feed.
        self.assertNotIn("feed", self.producer.wait_event("questions.changed", timeout=5))

    def test_a_viewer_who_comes_back_gets_what_it_missed(self):
        v = self.viewer()
        first = self.approve_new("断线前的问题")
        last = self.public_until(v, first)[-1]["feed"]
        viewer_id = v.viewer_id
        v.close()
        missed = [self.approve_new(f"断线期间的问题 {i}") for i in range(3)]
        # Wait until the studio has sent them (another viewer sees the last).
        self.public_until(self.viewer(), missed[-1])

        back = self.viewer(viewer_id=viewer_id, since=last)
        hello = back.hello_reply
        self.assertTrue(hello.get("resumed"), hello)
        self.assertNotIn("public", hello, "a resumed hello carries no snapshot")
        self.assertEqual(hello["feed"]["epoch"], last["epoch"])
        replayed = []
        while not replayed or replayed[-1]["feed"]["seq"] < hello["feed"]["seq"]:
            replayed.append(back.wait_event("questions.public", timeout=5))
        self.assertEqual([m["feed"]["seq"] for m in replayed],
                         list(range(last["seq"] + 1, hello["feed"]["seq"] + 1)))
        seen = {q["id"] for m in replayed for q in m.get("questions", [])}
        self.assertTrue(set(missed) <= seen, f"missed {missed}, replayed {seen}")
        self.assertNotIn(first, seen, "nothing before its position is sent again")

    def test_a_position_the_studio_cannot_resume_gets_a_snapshot(self):
        qid = self.approve_new("快照里的问题")
        self.public_until(self.viewer(), qid)
        now = self.viewer().hello_reply["feed"]
        for since in ({"epoch": "another-run", "seq": 1},       # a studio run before this one
                      {"epoch": now["epoch"], "seq": now["seq"] + 1000},  # ahead: not ours
                      {"epoch": now["epoch"]},                   # malformed
                      {"epoch": "<b>x</b>", "seq": 1},           # not an epoch at all
                      "yesterday"):
            with self.subTest(since=since):
                hello = self.viewer(since=since).hello_reply
                self.assertNotIn("resumed", hello)
                self.assertIn(qid, [q["id"] for q in hello["public"]["questions"]])
                self.assertEqual(hello["feed"]["epoch"], now["epoch"])

    def test_a_restarted_studio_starts_a_new_epoch(self):
        # A studio of its own: restarting the shared one would cut the
        # other tests' clients.
        studio = Studio(self.work.path / "restart", feed_show())
        self.addCleanup(studio.close)
        studio.start()
        v = studio.viewer()
        before = v.hello_reply["feed"]
        viewer_id = v.viewer_id
        v.close()
        self.assertEqual(studio.stop(), 0)
        studio.start()
        hello = studio.viewer(viewer_id=viewer_id, since=before).hello_reply
        self.assertNotEqual(hello["feed"]["epoch"], before["epoch"])
        self.assertNotIn("resumed", hello)
        self.assertIn("public", hello)


if __name__ == "__main__":
    harness.main()
