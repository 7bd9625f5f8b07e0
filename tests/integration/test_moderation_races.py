#!/usr/bin/python3
"""Two producers acting on the same questions at the same moment.

Each case has two producer WebSockets send their command in the same instant
(two threads released together); each producer waits for its own answer.
Afterwards, when everything has settled, every party must see one and the
same state:

- each producer got a clear answer: ok, or an error with a code and a
  message saying why (never silence, never both refused for nothing);
- the outcome is one of the orders the two could have run in, and which one
  ran is what the moderation log in the database says;
- both producers' and a third, idle producer's `questions.list` agree with
  each other, with what the idle producer pieced together from the
  `questions.changed` events alone, with the database, with /api/status
  (the question on air, the counts) and, for what is public, with what a
  viewer pieced together from `questions.public`.

Cases: both put the same question on air; each puts a different one on air;
one rejects while the other edits; one puts on air while the other rejects;
both move a question to the front of the queue; both undo; and a burst of
mixed commands from both.

Run alone: /usr/bin/python3 tests/integration/test_moderation_races.py
"""

import random
import sqlite3
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Producer, Studio, make_show  # noqa: E402

PUBLIC = ("approved", "on_air", "answered")
# What every view must agree on, for each question.
FIELDS = ("status", "text", "position", "reject_reason", "merged_into")


def named_producer(studio: Studio, name: str) -> Producer:
    p = Producer(studio.ws_url, hello=False)
    p.send_json({"type": "hello", "role": "producer", "token": studio.token, "name": name})
    p.hello_reply = p._await_hello(True, None)
    return p


def essence(q: dict) -> dict:
    return {k: q.get(k) for k in FIELDS}


def at_once(first: tuple[Producer, str, dict], second: tuple[Producer, str, dict]) -> list[dict]:
    """Both commands sent in the same instant; their answers, in the same
    order. A command is (producer, type, fields)."""
    barrier = threading.Barrier(2)
    answers: list = [None, None]
    errors: list = []

    def run(i: int, producer: Producer, msg_type: str, fields: dict) -> None:
        corr = f"race-{i}-{random.randrange(1 << 30)}"
        message = {"type": msg_type, "id": corr, **fields}
        try:
            barrier.wait(timeout=10)
            producer.send_json(message)
            answers[i] = producer.wait_reply(corr, msg_type, timeout=10)
        except Exception as e:  # reported below, on the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i, *c)) for i, c in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    if errors:
        raise AssertionError(f"a producer got no answer: {errors!r}")
    return answers


class ModerationRaces(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=320, height=180, fps=15, video_bitrate_kbps=300)
        # Many questions from one test viewer: no allowance gets in the way.
        show["audience"] = {"question_interval_s": 0}
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.a = named_producer(cls.studio, "小李")
        cls.b = named_producer(cls.studio, "小王")
        cls.idle = named_producer(cls.studio, "值班")
        cls.viewer = cls.studio.viewer()
        for c in (cls.a, cls.b, cls.idle, cls.viewer):
            cls.addClassCleanup(c.close)
        # What the idle producer and the viewer piece together from events.
        cls.seen_by_idle: dict[int, dict] = {}
        cls.public_seen: dict[int, dict] = {}
        cls.asked = 0

    # -- helpers

    def ask(self, text: str) -> int:
        type(self).asked += 1
        reply = self.viewer.submit(f"{text}（{self.asked}）")
        self.assertEqual(reply.get("type"), "question.received", reply)
        return reply["question"]["id"]

    def approved(self, *texts: str) -> list[int]:
        ids = [self.ask(t) for t in texts]
        for qid in ids:
            self.a.ok("question.approve", question=qid)
        return ids

    def follow_events(self) -> None:
        """Applies what the idle producer and the viewer have received."""
        self.idle.drain(0.3)
        for e in self.idle.events:
            if e.get("type") == "questions.changed":
                for q in e["questions"]:
                    self.seen_by_idle[q["id"]] = q
                if e.get("on_air"):
                    self.seen_by_idle[e["on_air"]["id"]] = e["on_air"]
        self.idle.events.clear()
        self.viewer.drain(0.3)
        for e in self.viewer.events:
            if e.get("type") == "questions.public":
                for q in e["questions"]:
                    self.public_seen[q["id"]] = q
                for qid in e["removed"]:
                    self.public_seen.pop(qid, None)
        self.viewer.events.clear()

    def log(self, *ids: int) -> list[tuple[int, str, str]]:
        """(question, action, actor) of the moderation log, in order."""
        db = sqlite3.connect(f"file:{self.studio.data_dir / 'yishiting.db'}?mode=ro", uri=True)
        try:
            marks = ",".join("?" * len(ids))
            return db.execute(f"SELECT question_id, action, actor FROM moderation_log WHERE "
                              f"question_id IN ({marks}) AND action != 'received' ORDER BY id",
                              ids).fetchall()
        finally:
            db.close()

    def stored(self) -> dict[int, dict]:
        db = sqlite3.connect(f"file:{self.studio.data_dir / 'yishiting.db'}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT id, status, text, reject_reason, merged_into, queue_key "
                              "FROM questions").fetchall()
        finally:
            db.close()
        return {r[0]: {"status": r[1], "text": r[2], "reject_reason": r[3],
                       "merged_into": r[4], "position": r[5] if r[1] == "approved" else None}
                for r in rows}

    def assert_everyone_agrees(self) -> dict[int, dict]:
        """The settled state, checked across every view; returns it by id."""
        lists = {name: p.ok("questions.list") for name, p in
                 (("小李", self.a), ("小王", self.b), ("值班", self.idle))}
        state = {q["id"]: essence(q) for q in lists["小李"]["questions"]}
        for name, listed in lists.items():
            self.assertEqual({q["id"]: essence(q) for q in listed["questions"]}, state,
                             f"{name}'s questions.list differs from 小李's")
            self.assertEqual((listed["on_air"] or {}).get("id"),
                             (lists["小李"]["on_air"] or {}).get("id"), f"{name}: on air")
        on_air = [qid for qid, q in state.items() if q["status"] == "on_air"]
        self.assertLessEqual(len(on_air), 1, f"more than one question on air: {on_air}")
        self.assertEqual((lists["小李"]["on_air"] or {}).get("id"), on_air[0] if on_air else None)

        # Events are gathered for up to 100 ms, the status is published on
        # change: give them a moment, then they must match exactly.
        want_on_air = on_air[0] if on_air else None
        expected_public = {qid: (q["status"], q["text"], q["position"])
                           for qid, q in state.items() if q["status"] in PUBLIC}
        deadline = time.monotonic() + 5
        while True:
            self.follow_events()
            from_events = {qid: essence(q) for qid, q in self.seen_by_idle.items()}
            public = {qid: (q["status"], q["text"], q.get("position"))
                      for qid, q in self.public_seen.items()}
            status = self.studio.status()
            card = status["overlay"]["card"]
            views = {
                "the questions.changed events": (from_events, state),
                "what viewers pieced together": (public, expected_public),
                "/api/status on_air_question": ((status["on_air_question"] or {}).get("id"),
                                                want_on_air),
                "/api/status counts": (
                    {k: status["questions"][k] for k in
                     ("pending", "approved", "on_air", "answered", "rejected", "merged")},
                    {k: sum(1 for q in state.values() if q["status"] == k) for k in
                     ("pending", "approved", "on_air", "answered", "rejected", "merged")}),
                "the card on the program": ((card.get("question") or {}).get("id")
                                            if card.get("visible") else None, want_on_air),
            }
            wrong = {what: got for what, (got, want) in views.items() if got != want}
            if not wrong:
                break
            if time.monotonic() >= deadline:
                for what, (got, want) in views.items():
                    self.assertEqual(got, want, f"{what} differs from questions.list")

        stored = self.stored()
        self.assertEqual({qid: stored.get(qid) for qid in state}, state,
                         "the database differs from what producers see")
        return state

    def assert_clear(self, answer: dict, what: str) -> bool:
        """True for ok, False for a refusal with a code and a message."""
        if answer.get("type") == "reply" and answer.get("ok") is True:
            return True
        self.assertEqual(answer.get("type"), "error", f"{what}: neither ok nor an error: {answer}")
        self.assertTrue(answer.get("code") and answer.get("message"), f"{what}: {answer}")
        return False

    # -- cases

    def test_both_put_the_same_question_on_air(self):
        for round_ in range(3):
            qid = self.approved("两位导播同时把它播出")[0]
            answers = at_once((self.a, "question.on_air", {"question": qid}),
                              (self.b, "question.on_air", {"question": qid}))
            ok = [self.assert_clear(x, f"round {round_}") for x in answers]
            self.assertEqual(sorted(ok), [False, True], f"exactly one goes on air: {answers}")
            refused = answers[ok.index(False)]
            self.assertEqual(refused["code"], "invalid", refused)
            self.assertIn("on_air", refused["message"], "the refusal says it is on air already")
            state = self.assert_everyone_agrees()
            self.assertEqual(state[qid]["status"], "on_air")
            self.assertEqual([a for _, a, _ in self.log(qid)], ["approve", "on_air"])
            self.a.ok("question.answered")
            self.assert_everyone_agrees()

    def test_each_puts_a_different_question_on_air(self):
        for round_ in range(3):
            q1, q2 = self.approved("甲问题", "乙问题")
            answers = at_once((self.a, "question.on_air", {"question": q1}),
                              (self.b, "question.on_air", {"question": q2}))
            for x in answers:  # from approved, each is allowed whatever the order
                self.assertTrue(self.assert_clear(x, f"round {round_}"), answers)
            state = self.assert_everyone_agrees()
            # The later one is on air; the earlier went back to the front.
            order = [(q, who) for q, a, who in self.log(q1, q2) if a == "on_air"]
            self.assertEqual(sorted(who for _, who in order), ["小李", "小王"], order)
            last, first = order[-1][0], order[0][0]
            self.assertEqual(state[last]["status"], "on_air", f"log {order}, state {state}")
            self.assertEqual(state[first]["status"], "approved")
            queue = sorted((q["position"], qid) for qid, q in state.items()
                           if q["status"] == "approved")
            self.assertEqual(queue[0][1], first, "the question taken off air is next")
            self.a.ok("question.answered")
            self.a.ok("question.reject", question=first, reason="other")

    def test_one_rejects_while_the_other_edits(self):
        for round_ in range(4):
            qid = self.ask("有人同时驳回和修改")
            edited = f"修改后的文字 {round_}"
            answers = at_once((self.a, "question.reject", {"question": qid, "reason": "spam"}),
                              (self.b, "question.edit", {"question": qid, "text": edited}))
            for x in answers:  # edit is allowed in any state but merged
                self.assertTrue(self.assert_clear(x, f"round {round_}"), answers)
            state = self.assert_everyone_agrees()
            self.assertEqual((state[qid]["status"], state[qid]["text"],
                              state[qid]["reject_reason"]), ("rejected", edited, "spam"))
            self.assertEqual(sorted(a for _, a, _ in self.log(qid)), ["edit", "reject"])

    def test_one_puts_on_air_while_the_other_rejects(self):
        for round_ in range(4):
            qid = self.approved("有人要播，有人要驳回")[0]
            answers = at_once((self.a, "question.on_air", {"question": qid}),
                              (self.b, "question.reject", {"question": qid, "reason": "abusive"}))
            ok = [self.assert_clear(x, f"round {round_}") for x in answers]
            # Whichever ran first wins; the other is not allowed from there.
            self.assertEqual(sorted(ok), [False, True], f"exactly one of the two: {answers}")
            state = self.assert_everyone_agrees()
            won = "on_air" if ok[0] else "rejected"
            self.assertEqual(state[qid]["status"], won, answers)
            self.assertEqual([a for _, a, _ in self.log(qid)],
                             ["approve", "on_air" if ok[0] else "reject"])
            if won == "on_air":
                self.a.ok("question.answered")

    def test_both_move_a_question_to_the_front(self):
        for round_ in range(3):
            ids = self.approved("排队一", "排队二", "排队三", "排队四")
            before = [qid for _, qid in sorted((q["position"], qid) for qid, q in
                                               self.assert_everyone_agrees().items()
                                               if q["status"] == "approved")]
            answers = at_once((self.a, "question.move", {"question": ids[2], "position": 0}),
                              (self.b, "question.move", {"question": ids[3], "position": 0}))
            for x in answers:
                self.assertTrue(self.assert_clear(x, f"round {round_}"), answers)
            state = self.assert_everyone_agrees()
            queue = [qid for _, qid in sorted((q["position"], qid) for qid, q in state.items()
                                              if q["status"] == "approved")]
            # The two moves, applied in the order the log says they ran.
            expected = list(before)
            for qid, action, _ in self.log(ids[2], ids[3]):
                if action == "move":
                    expected.remove(qid)
                    expected.insert(0, qid)
            self.assertEqual(queue, expected)
            for qid in ids:
                self.a.ok("question.reject", question=qid, reason="other")

    def test_both_undo(self):
        q1 = self.ask("撤销一")
        q2 = self.ask("撤销二")
        self.a.ok("question.approve", question=q1)
        self.b.ok("question.approve", question=q2)
        answers = at_once((self.a, "question.undo", {}), (self.b, "question.undo", {}))
        for x in answers:
            self.assertTrue(self.assert_clear(x, "undo"), answers)
            self.assertEqual(x["undone"], "approve", answers)
        state = self.assert_everyone_agrees()
        self.assertEqual((state[q1]["status"], state[q2]["status"]), ("pending", "pending"))

    def test_z_burst_of_mixed_commands(self):
        rng = random.Random(20261127)
        ids = self.approved(*[f"混合 {i}" for i in range(6)])
        commands = [
            lambda q: ("question.on_air", {"question": q}),
            lambda q: ("question.off_air", {}),
            lambda q: ("question.answered", {}),
            lambda q: ("question.approve", {"question": q}),
            lambda q: ("question.reject", {"question": q, "reason": "off_topic"}),
            lambda q: ("question.edit", {"question": q, "text": f"改 {rng.randrange(1000)}"}),
            lambda q: ("question.move", {"question": q, "position": rng.randrange(3)}),
            lambda q: ("question.undo", {}),
        ]
        answered = 0
        for round_ in range(25):
            first = rng.choice(commands)(rng.choice(ids))
            second = rng.choice(commands)(rng.choice(ids))
            answers = at_once((self.a, *first), (self.b, *second))
            for x, c in zip(answers, (first, second)):
                answered += self.assert_clear(x, f"round {round_} {c}")
        harness.verbose(f"burst: {answered} of 50 commands done, the rest refused")
        self.assert_everyone_agrees()


if __name__ == "__main__":
    harness.main()
