#!/usr/bin/python3
"""Producers hear of votes: `questions.votes` against `yishiting serve`.

The producer console shows each queued question's up-votes; before this
event existed, a vote reached viewers (`questions.public`) but no producer,
so the console kept showing 0 until it was reloaded. Real WebSocket
clients: viewers vote, a producer connected from the start must be told the
counts the studio holds (questions.list), in order, and a refused second
vote adds nothing.

Run alone: /usr/bin/python3 tests/integration/test_producer_votes.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402


class ProducerVotes(IntegrationTest):
    def test_producer_is_told_every_counted_vote(self):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=320, height=180, fps=15, video_bitrate_kbps=300)
        show["audience"] = {"question_interval_s": 0}
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        studio.start()
        producer = studio.producer()
        self.addCleanup(producer.close)
        asker = studio.viewer()
        self.addCleanup(asker.close)
        received = asker.submit("医保个人账户的钱能给家人用吗？")
        self.assertEqual(received.get("type"), "question.received", received)
        qid = received["question"]["id"]
        producer.ok("question.approve", question=qid)

        voters = []
        for _ in range(3):
            v = studio.viewer()
            self.addCleanup(v.close)
            voters.append(v)
        first = voters[0].command("question.vote", question=qid)
        self.assertEqual((first.get("type"), first.get("votes")), ("vote", 1), first)
        again = voters[0].command("question.vote", question=qid)
        self.assertEqual(again.get("code"), "already_voted", again)
        for v in voters[1:]:
            reply = v.command("question.vote", question=qid)
            self.assertEqual(reply.get("type"), "vote", reply)

        # The producer, connected all along, hears the counts until 3.
        seen = []

        def count_of(event):
            for entry in event["questions"]:
                if entry["id"] == qid:
                    seen.append(entry["votes"])
                    return entry["votes"]
            return None

        producer.wait_event("questions.votes", timeout=10, predicate=lambda e: count_of(e) == 3)
        self.assertTrue(all(1 <= n <= 3 for n in seen), f"counts told to the producer: {seen}")
        self.assertEqual(seen, sorted(seen), f"counts told out of order: {seen}")
        listed = {q["id"]: q for q in producer.ok("questions.list")["questions"]}
        self.assertEqual(listed[qid]["votes"], 3)


if __name__ == "__main__":
    harness.main()
