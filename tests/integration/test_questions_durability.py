#!/usr/bin/python3
"""Nothing acknowledged is lost: `kill -9` the studio during a flood of
questions, start it again on the same data directory, and find every
question that got `question.received`, with its status, and the air queue
in the order it had; a question sent again with its client id after the
restart is the one acknowledged before the kill.

Run alone: /usr/bin/python3 tests/integration/test_questions_durability.py
"""

import secrets
import sqlite3
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import ConnectionClosed, IntegrationTest, Studio, make_show  # noqa: E402

FLOODERS = 6


def flood_show() -> dict:
    show = make_show(sources=(("host", "test://smpte"),), archive=True, hls=False, width=320,
                     height=180, fps=15, video_bitrate_kbps=300, title="温网议事厅 · 断电测试")
    # No rate limit: the flood is the point.
    show["audience"] = {"question_interval_s": 0, "max_connections_per_address": 64}
    return show


# A connection may send 40 messages at once (20 a second after that): a
# flooder takes a fresh connection before it runs out.
MESSAGES_PER_CONNECTION = 35


class Flooder(threading.Thread):
    """One viewer submitting as fast as the studio answers, on a new
    connection every MESSAGES_PER_CONNECTION questions; keeps what was
    acknowledged. Stops when told to or when the studio goes away."""

    def __init__(self, studio: Studio, n: int):
        super().__init__(daemon=True)
        self.studio = studio
        self.viewer = studio.viewer()
        self.n = n
        self.acked: dict[int, str] = {}  # id -> text
        self.errors: list[dict] = []
        self.stop = threading.Event()
        self.gone = threading.Event()  # the studio went away under it

    def run(self) -> None:
        i = 0
        try:
            while not self.stop.is_set():
                if i and i % MESSAGES_PER_CONNECTION == 0:
                    self.viewer.close()
                    self.viewer = self.studio.viewer(viewer_id=self.viewer.viewer_id)
                text = f"第{self.n}号观众的第{i}个问题：老城区停车难怎么解决？"
                reply = self.viewer.submit(text)
                if reply.get("type") == "question.received":
                    self.acked[reply["question"]["id"]] = text
                else:
                    self.errors.append(reply)
                i += 1
        except (ConnectionClosed, AssertionError, OSError):
            self.gone.set()  # killed under us: what was acknowledged is in self.acked


class Durability(IntegrationTest):
    def test_kill_9_during_a_flood(self):
        studio = Studio(self.case_dir(), flood_show())
        self.addCleanup(studio.close)
        studio.start()
        producer = studio.producer()
        flooders = [Flooder(studio, n) for n in range(FLOODERS)]
        for f in flooders:
            f.start()

        # Phase 1: moderate while the flood runs — approve, reject, put on air, reorder.
        harness.wait_until(lambda: sum(len(f.acked) for f in flooders), 15,
                           "the flood to be acknowledged", accept=lambda n: n >= 20)
        approved = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            pending = [q["id"] for q in producer.ok("questions.list")["questions"]
                       if q["status"] == "pending"]
            for qid in pending[:10]:
                if qid % 5 == 0:
                    producer.ok("question.reject", question=qid, reason="duplicate")
                else:
                    producer.ok("question.approve", question=qid)
                    approved.append(qid)
            if len(approved) >= 30:
                break
        self.assertGreaterEqual(len(approved), 10, "the producer could not approve during the flood")
        producer.ok("question.on_air", question=approved[3])
        producer.ok("question.move", question=approved[-1], position=0)
        producer.ok("question.move", question=approved[5], position=2)
        producer.ok("question.edit", question=approved[6], text="编辑过的问题：停车难")
        snapshot = {q["id"]: q for q in producer.ok("questions.list")["questions"]}
        queue_before = [q["id"] for q in sorted(
            (q for q in snapshot.values() if q["status"] == "approved"),
            key=lambda q: q["position"])]
        producer.close()

        # Phase 2: submissions only, then the plug is pulled mid-flood.
        acked_phase_1 = sum(len(f.acked) for f in flooders)
        # Enough of it to mean something (over 1,000 acknowledged), however
        # fast this machine takes them.
        enough = max(acked_phase_1 + 100, 1100)
        harness.wait_until(lambda: sum(len(f.acked) for f in flooders), 30,
                           f"{enough} questions of the flood acknowledged, the producer gone",
                           accept=lambda n: n >= enough)
        acked_before_kill = sum(len(f.acked) for f in flooders)
        self.assertTrue(all(f.is_alive() and not f.gone.is_set() for f in flooders),
                        f"the flood stopped before the kill: {[f.errors[-1:] for f in flooders]}")
        studio.kill9()
        for f in flooders:
            f.stop.set()
            f.join(timeout=10)
        errors = [e for f in flooders for e in f.errors]
        self.assertEqual(errors, [], "submissions were refused during the flood")
        acked = {qid: text for f in flooders for qid, text in f.acked.items()}
        self.assertGreater(len(acked), 1000, "the flood was too small to mean anything")
        harness.verbose(f"acknowledged: {len(acked)} ({acked_before_kill} before the kill "
                        f"signal), approved {len(approved)}")

        # Restart on the same data directory.
        again = Studio(self.case_dir(), flood_show())
        self.addCleanup(again.close)
        again.start()
        p = again.producer()
        self.addCleanup(p.close)
        restored = {q["id"]: q for q in p.hello_reply["questions"]}
        missing = sorted(set(acked) - set(restored))
        self.assertEqual(missing, [], f"{len(missing)} acknowledged questions were lost")
        for qid, text in acked.items():
            self.assertEqual(restored[qid]["original_text"], text)
        for qid, before in snapshot.items():
            self.assertEqual(restored[qid]["status"], before["status"], f"question {qid}")
            self.assertEqual(restored[qid]["text"], before["text"], f"question {qid}")
        queue_after = [q["id"] for q in sorted(
            (q for q in restored.values() if q["status"] == "approved"),
            key=lambda q: q["position"])]
        self.assertEqual(queue_after, queue_before, "the air queue changed order")
        self.assertEqual(p.hello_reply["on_air"]["id"], approved[3])
        status = again.status()
        self.assertEqual(status["on_air_question"]["id"], approved[3])
        self.assertEqual(status["show"]["session_id"], studio_session(snapshot, again),
                         "the killed session was not resumed")
        self.assertGreaterEqual(status["questions"]["received"], len(acked))
        # The studio keeps taking questions after the restart.
        v = again.viewer()
        self.addCleanup(v.close)
        self.assertEqual(v.submit("重启之后的新问题")["type"], "question.received")
        again.stop()


    def test_a_retry_after_kill_9_is_the_question_acknowledged_before(self):
        """The page was told nothing it could trust (the studio died right
        after the acknowledgement left): it sends the question again with
        its client id after the restart, and gets the same question."""
        show = flood_show()
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        studio.start()
        v = studio.viewer()
        cid = "kill9-" + secrets.token_urlsafe(12)
        reply = v.submit("断电前提交的问题：老旧小区加装电梯？", client_id=cid)
        self.assertEqual(reply.get("type"), "question.received", reply)
        studio.kill9()  # at once: the commit is all there is
        v.close()
        again = Studio(self.case_dir(), show)
        self.addCleanup(again.close)
        again.start()
        back = again.viewer(viewer_id=v.viewer_id)
        self.addCleanup(back.close)
        self.assertEqual(back.hello_reply["viewer"], v.viewer_id)
        retry = back.submit("断电前提交的问题：老旧小区加装电梯？", client_id=cid)
        self.assertEqual(retry.get("type"), "question.received", retry)
        self.assertEqual(retry["question"]["id"], reply["question"]["id"])
        conn = sqlite3.connect(f"file:{again.data_dir / 'yishiting.db'}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT id FROM questions WHERE client_id=?", (cid,)).fetchall()
        finally:
            conn.close()
        self.assertEqual(rows, [(reply["question"]["id"],)])
        again.wait_until(lambda st: st["questions"]["repeated"] == 1, 5,
                         "the retry counted as repeated")


def studio_session(snapshot: dict, studio: Studio) -> int:
    """The session the restored questions belong to, from the database."""
    conn = sqlite3.connect(f"file:{studio.data_dir / 'yishiting.db'}?mode=ro", uri=True)
    try:
        qid = next(iter(snapshot))
        return conn.execute("SELECT session_id FROM questions WHERE id=?", (qid,)).fetchone()[0]
    finally:
        conn.close()


if __name__ == "__main__":
    harness.main()
