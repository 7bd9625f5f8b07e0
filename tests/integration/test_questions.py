#!/usr/bin/python3
"""Audience questions on /ws, end to end, against `yishiting serve`.

Real WebSocket clients: viewers submit, producers moderate, observers are
invited with the CLI. Checks what each client is told, what /api/status
shows and what is in SQLite — and that bad input, floods and the wrong role
change nothing. Durability (kill -9 during a flood) is in
test_questions_durability.py.

Run alone: /usr/bin/python3 tests/integration/test_questions.py
"""

import json
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import ConnectionClosed, IntegrationTest, Studio, make_show  # noqa: E402

WORDS = "# test list\n赌博\n代开发票\nfuck\n"
# The studio's viewer ids: 22 random characters and 22 of their signature.
VIEWER_ID = re.compile(r"^[A-Za-z0-9_-]{44}$")


def question_show(**audience) -> dict:
    show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300)
    show["audience"] = audience
    return show


class Questions(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        words = cls.work.path / "words.txt"
        words.write_text(WORDS, encoding="utf-8")
        cls.studio = Studio(cls.work.path, question_show(word_list=str(words),
                                                         question_interval_s=10,
                                                         question_burst=3))
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)

    def viewer(self, **kwargs):
        v = self.studio.viewer(**kwargs)
        self.addCleanup(v.close)
        return v

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.studio.data_dir / 'yishiting.db'}?mode=ro", uri=True)
        self.addCleanup(conn.close)
        return conn

    def assert_error(self, reply: dict, code: str, what: str) -> None:
        self.assertEqual(reply.get("type"), "error", f"{what} must be refused: {reply}")
        self.assertEqual(reply.get("code"), code, f"{what}: {reply}")
        self.assertTrue(reply.get("message"), f"{what}: the error needs a message: {reply}")

    def submit_ok(self, viewer, text: str, **fields) -> dict:
        reply = viewer.submit(text, **fields)
        self.assertEqual(reply.get("type"), "question.received", f"{text[:20]}: {reply}")
        return reply["question"]

    # -- the viewer's side

    def test_acknowledged_only_once_committed(self):
        v = self.viewer()
        hello = v.hello_reply
        self.assertEqual(hello["role"], "viewer")
        self.assertRegex(hello["viewer"], VIEWER_ID)
        self.assertEqual(hello["show"]["guests"][0]["name"], "张三")
        self.assertEqual(hello["limits"]["max_chars"], 300)
        q = self.submit_ok(v, "医保卡异地就医怎么备案？", nickname="鹿城老王", category="complaint")
        self.assertEqual(q["status"], "pending")
        self.assertEqual(q["category"], "complaint")
        # The acknowledgement came after the commit: the row is there now.
        row = self.db().execute("SELECT text, nickname, category, status FROM questions WHERE id=?",
                                (q["id"],)).fetchone()
        self.assertEqual(row, ("医保卡异地就医怎么备案？", "鹿城老王", "complaint", "pending"))
        # A reload (same viewer id) sees its own question again.
        again = self.viewer(viewer_id=v.viewer_id)
        self.assertIn(q["id"], [m["id"] for m in again.hello_reply["mine"]])

    def test_validation(self):
        v = self.viewer()
        self.assert_error(v.submit(""), "empty", "empty text")
        self.assert_error(v.submit(" \u3000\t\n "), "empty", "whitespace only")
        self.assert_error(v.submit("\x01\x02\x7f\u200b"), "empty", "control characters only")
        self.assert_error(v.submit("医" * 301), "too_long", "301 characters")
        self.assert_error(v.submit("问题", nickname="名" * 21), "too_long", "21-character nickname")
        self.assert_error(v.submit("问题", category="praise"), "bad_message", "unknown category")
        self.assert_error(v.command("question.submit", text=["not", "text"]), "bad_message",
                          "text of the wrong type")
        # Limits count characters, not bytes: 300 汉字 (900 bytes) and 300
        # emoji (1,200 bytes) are fine. Control characters are stripped.
        q = self.submit_ok(v, "医" * 300)
        self.assertEqual(len(q["text"]), 300)
        v2 = self.viewer()
        q = self.submit_ok(v2, "\U0001F600" * 300)
        self.assertEqual(len(q["text"]), 300)
        q = self.submit_ok(v2, "带\x00控制\x1b字符\u202e的问题")
        self.assertEqual(q["text"], "带控制字符的问题")
        # XSS and SQL strings are text like any other.
        v3 = self.viewer()
        nasty = "<script>alert(1)</script>'; DROP TABLE questions; --"
        q = self.submit_ok(v3, nasty)
        self.assertEqual(q["text"], nasty)
        self.assertEqual(self.db().execute("SELECT text FROM questions WHERE id=?",
                                           (q["id"],)).fetchone()[0], nasty)

    def test_bad_frames(self):
        v = self.viewer()
        v.send_raw(b"\xff\xfe{\"type\":\"question.submit\"}")  # binary frame
        self.assert_error(v.recv_json(), "bad_message", "binary frame")
        v.send_raw('{"type":"question.submit","text":"\udcff"}'.encode("utf-8", "surrogatepass")
                   .decode("latin-1"))  # garbage, but valid UTF-8 after the round trip
        v.recv_json()
        v.ws.send(b'{"type":"question.submit","text":"\xed\xa0\x80"}',
                  opcode=harness.websocket.ABNF.OPCODE_TEXT)  # a surrogate: invalid UTF-8
        self.assert_error(v.recv_json(), "bad_message", "invalid UTF-8")
        v.send_raw("[" * 100 + "]" * 100)
        self.assert_error(v.recv_json(), "bad_message", "deep JSON")
        v.send_raw('{"type":"question.submit","text":' + "[" * 20 + "]" * 20 + "}")
        self.assert_error(v.recv_json(), "bad_message", "deep JSON inside")
        v.send_raw("not json")
        self.assert_error(v.recv_json(), "bad_message", "not JSON")
        # Over 4 KiB: the connection is closed.
        v.send_json({"type": "question.submit", "text": "x" * 5000})
        with self.assertRaises(ConnectionClosed):
            for _ in range(5):
                v.recv_json(timeout=5)
        # And nothing of it was stored.
        count = self.db().execute("SELECT count(*) FROM questions WHERE text LIKE 'xxxx%'").fetchone()
        self.assertEqual(count[0], 0)

    def test_rate_limits(self):
        v = self.viewer()
        for i in range(3):
            self.submit_ok(v, f"连发的第 {i} 个问题")
        reply = v.submit("第四个问题")
        self.assert_error(reply, "rate_limited", "a fourth question at once")
        self.assertGreater(reply["retry_after_s"], 0)
        # A new connection with the same viewer id does not reset the limit.
        same = self.viewer(viewer_id=v.viewer_id)
        self.assert_error(same.submit("换个连接再问"), "rate_limited", "same viewer, new connection")
        # Nothing refused was stored.
        n = self.db().execute("SELECT count(*) FROM questions WHERE viewer=?",
                              (v.viewer_id,)).fetchone()[0]
        self.assertEqual(n, 3)

    def test_address_limit_and_connection_limit(self):
        words = self.work.path / "words.txt"
        studio = Studio(self.case_dir(), question_show(word_list=str(words), question_interval_s=60,
                                                        question_burst=1,
                                                        max_connections_per_address=3))
        self.addCleanup(studio.close)
        studio.start()
        viewers = []
        for _ in range(3):
            viewers.append(studio.viewer())
            self.addCleanup(viewers[-1].close)
        # One address: three connections at most ...
        with self.assertRaises(AssertionError) as refused:
            studio.viewer()
        self.assertIn("429", str(refused.exception))
        # ... and together three questions a burst (new viewer ids do not help).
        for v in viewers:
            self.submit_ok(v, "问题 " + v.viewer_id)
        viewers[0].close()
        fresh = studio.viewer()
        self.addCleanup(fresh.close)
        self.assert_error(fresh.submit("新身份再问一次"), "rate_limited", "address over its allowance")

    def test_roles(self):
        v = self.viewer()
        q = self.submit_ok(v, "角色测试的问题")
        before = self.producer.ok("questions.list")["questions"]
        for command in ("question.approve", "question.reject", "question.on_air", "question.edit",
                        "question.move", "question.undo", "questions.list", "program.set"):
            reply = v.command(command, question=q["id"], text="改掉", position=0)
            self.assert_error(reply, "forbidden", f"{command} from a viewer")
        bad = self.viewer(hello=False)
        # One character off (never the same one: a token can end in "x").
        token = self.studio.token
        wrong = token[:-1] + ("y" if token.endswith("x") else "x")
        bad.send_json({"type": "hello", "role": "producer", "token": wrong})
        self.assert_error(bad.recv_json(), "forbidden", "a wrong producer token")
        self.assert_error(bad.command("question.approve", question=q["id"]), "forbidden",
                          "approve after a failed hello")
        after = self.producer.ok("questions.list")["questions"]
        self.assertEqual(before, after, "refused commands changed something")
        self.assertNotIn(self.studio.token, self.studio.log_text(), "the token reached the log")

    def test_producer_types_in_a_hotline_question(self):
        for i in range(5):  # past the viewers' burst of 3: producers are not limited
            reply = self.producer.command("question.submit", text=f"热线来电 {i}：小区停车收费标准？",
                                          nickname="12345热线")
            self.assertEqual(reply.get("type"), "question.received", reply)
        qid = reply["question"]["id"]
        listed = {q["id"]: q for q in self.producer.ok("questions.list")["questions"]}
        self.assertEqual(listed[qid]["nickname"], "12345热线")
        self.assertEqual(listed[qid]["status"], "pending")

    # -- sending again: a question's client id

    def test_a_retry_with_the_same_client_id_is_the_same_question(self):
        watcher = self.studio.producer()
        self.addCleanup(watcher.close)
        # (/api/status is published on a change and once a second: a fresh one.)
        repeated_before = self.studio.fresh_status()[0]["questions"]["repeated"]
        cid = secrets.token_urlsafe(16)
        v = self.viewer()
        q = self.submit_ok(v, "重发测试：医保卡丢了怎么补办？", client_id=cid)
        self.assertEqual(q["client_id"], cid)
        # The acknowledgement is lost with the connection: the page comes back
        # on a new one (the same viewer id) and sends the same question again.
        v.close()
        again = self.viewer(viewer_id=v.viewer_id)
        self.assertIn(cid, [m.get("client_id") for m in again.hello_reply["mine"]])
        for text in ("重发测试：医保卡丢了怎么补办？", "重发时文字不同也一样"):
            retry = self.submit_ok(again, text, client_id=cid)
            self.assertEqual(retry["id"], q["id"])
            self.assertEqual(retry["text"], "重发测试：医保卡丢了怎么补办？", "the first one stands")
        rows = self.db().execute("SELECT id, viewer FROM questions WHERE client_id=?",
                                 (cid,)).fetchall()
        self.assertEqual(rows, [(q["id"], v.viewer_id)])
        # Producers heard of it once. A fence: a plain question after it.
        fence = self.submit_ok(self.viewer(), "重发测试之后的问题")
        fenced = watcher.wait_event("questions.changed", predicate=lambda e: any(
            x["id"] == fence["id"] for x in e["questions"]))
        # (Arrivals are announced in batches: the fence's may hold it too.)
        told = [e for e in watcher.events + [fenced] if e.get("type") == "questions.changed"
                and any(x["id"] == q["id"] for x in e["questions"])]
        self.assertEqual(len(told), 1, f"producers were told {len(told)} times: {told}")
        self.assertEqual(told[0]["action"], "received")
        self.studio.wait_until(lambda st: st["questions"]["repeated"] == repeated_before + 2, 5,
                               "the two retries counted as repeated")
        self.assertGreaterEqual(self.studio.metrics().value("yst_questions_repeated_total"),
                                repeated_before + 2)

        # Another viewer with that client id: refused, nothing of the question said.
        other = self.viewer()
        reply = other.submit("抄来的编号", client_id=cid)
        self.assert_error(reply, "conflict", "another viewer's client id")
        self.assertNotIn("question", reply)
        self.assertNotIn("医保卡", json.dumps(reply, ensure_ascii=False))
        self.assertNotIn(str(q["id"]), reply["message"])
        self.assertEqual(self.db().execute("SELECT count(*) FROM questions WHERE client_id=?",
                                           (cid,)).fetchone()[0], 1)
        # Not a client id: refused with what it must be.
        for bad in ("short", "x" * 65, "带中文的编号编号", "has space", 12345678):
            reply = other.submit("格式不对的编号", client_id=bad)
            self.assert_error(reply, "bad_message", f"client_id {bad!r}")
            self.assertIn("client_id", reply["message"])

    def test_a_retry_sent_before_the_first_is_answered_is_one_question(self):
        v = self.viewer()
        cid = secrets.token_urlsafe(16)
        # Sent, and the connection gone before any answer could come.
        v.send_json({"type": "question.submit", "id": 1, "text": "断线重发的问题",
                     "client_id": cid})
        v.close()
        again = self.viewer(viewer_id=v.viewer_id)
        q = self.submit_ok(again, "断线重发的问题", client_id=cid)
        self.assertEqual(q["client_id"], cid)
        self.assertEqual(self.submit_ok(again, "断线重发的问题", client_id=cid)["id"], q["id"])
        self.assertEqual(self.db().execute("SELECT count(*) FROM questions WHERE client_id=?",
                                           (cid,)).fetchone()[0], 1)

    # -- moderation

    def test_moderation_round_trip(self):
        other = self.studio.producer()
        self.addCleanup(other.close)
        asker = self.viewer()
        watcher = self.viewer()
        q = self.submit_ok(asker, "公交 12 路为什么总晚点？", nickname="瓯海小陈")
        qid = q["id"]
        seen = other.wait_event("questions.changed",
                                predicate=lambda e: any(x["id"] == qid for x in e["questions"]))
        self.assertEqual(seen["action"], "received")
        # Each question tells the producers what may be done with it now
        # (the protocol's table of moves, "Producer commands").
        self.assertEqual(next(x for x in seen["questions"] if x["id"] == qid)["actions"],
                         ["approve", "reject", "edit", "merge", "on_air"])

        def act(command: str, **fields) -> tuple[dict, float]:
            t0 = time.monotonic()
            reply = self.producer.ok(command, question=qid, **fields)
            other.wait_event(
                "questions.changed", timeout=5,
                predicate=lambda e: e["action"] == command.split(".")[1] and
                any(x["id"] == qid for x in e["questions"]))
            return reply, (time.monotonic() - t0) * 1000

        reply, ms = act("question.approve")
        self.assertEqual(reply["question"]["status"], "approved")
        self.assertEqual(reply["question"]["actions"],
                         ["reject", "edit", "merge", "on_air", "answered", "move"])
        harness.log_measured("approval to another producer", ms, "ms",
                             f"< {1000 * harness.SLACK:.0f}", "< 1000 in scripts/bench-latency")
        self.assertLess(ms, 1000 * harness.SLACK, "the other producer heard of the approval late")
        update = asker.wait_event("question.updated", predicate=lambda e: e["question"]["id"] == qid)
        self.assertEqual(update["question"]["status"], "approved")
        public = watcher.wait_event("questions.public",
                                    predicate=lambda e: any(x["id"] == qid for x in e["questions"]))
        self.assertEqual(next(x for x in public["questions"] if x["id"] == qid)["nickname"], "瓯海小陈")

        reply, _ = act("question.edit", text="公交12路为什么经常晚点？")
        self.assertEqual(reply["question"]["text"], "公交12路为什么经常晚点？")
        self.assertEqual(reply["question"]["original_text"], "公交 12 路为什么总晚点？")
        self.assertEqual(reply["question"]["edits"][-1]["by"], "producer#" +
                         str(reply["question"]["edits"][-1]["by"]).split("#")[-1])
        reply, _ = act("question.on_air")
        status = self.studio.wait_until(lambda s: s["on_air_question"] and
                                        s["on_air_question"]["id"] == qid, 5, "question on air")
        self.assertEqual(status["on_air_question"]["text"], "公交12路为什么经常晚点？")
        self.assertEqual(status["on_air_question"]["nickname"], "瓯海小陈")
        self.assertEqual(asker.wait_event(
            "question.updated", predicate=lambda e: e["question"]["status"] == "on_air")
            ["question"]["id"], qid)
        self.assertEqual(reply["question"]["actions"], ["edit", "off_air", "answered"])
        reply, _ = act("question.answered")
        self.assertEqual(reply["question"]["status"], "answered")
        self.assertEqual(reply["question"]["actions"], ["edit", "on_air"])
        self.assertIsNotNone(reply["question"]["answered_ms"])
        status = self.studio.wait_until(lambda s: s["on_air_question"] is None, 5, "nothing on air")
        self.assertGreaterEqual(status["questions"]["answered"], 1)
        metrics = self.studio.metrics()
        self.assertGreaterEqual(metrics.value("yst_questions_received_total"), 1)
        self.assertGreaterEqual(metrics.value("yst_questions", status="answered"), 1)
        undo = self.producer.ok("question.undo")
        self.assertEqual(undo["undone"], "answered")
        self.studio.wait_until(lambda s: (s["on_air_question"] or {}).get("id") == qid, 5,
                               "undo puts it back on air")
        self.producer.ok("question.off_air")
        # Stored: the edit with who and when, every action in the log.
        db = self.db()
        edits = db.execute("SELECT text, editor FROM question_edits WHERE question_id=?",
                           (qid,)).fetchall()
        self.assertEqual(edits[0][0], "公交12路为什么经常晚点？")
        actions = [a for (a,) in db.execute(
            "SELECT action FROM moderation_log WHERE question_id=? ORDER BY id", (qid,))]
        self.assertEqual(actions, ["received", "approve", "edit", "on_air", "answered", "undo",
                                   "off_air"])

    def test_reject_merge_move_and_votes(self):
        viewers = [self.viewer() for _ in range(4)]
        texts = ["温州南站的出租车为什么总是排长队？", "温州南站出租车为什么总排长队",
                 "地铁 S2 线什么时候开通？", "菜市场的占道经营谁来管？"]
        ids = [self.submit_ok(v, t)["id"] for v, t in zip(viewers, texts)]
        listed = {q["id"]: q for q in self.producer.ok("questions.list")["questions"]}
        self.assertEqual(listed[ids[1]]["duplicate_of"], ids[0], "near-duplicate not grouped")
        self.assertIn("duplicate", listed[ids[1]]["flags"])
        for qid in ids:
            self.producer.ok("question.approve", question=qid)
        self.assert_error(viewers[0].command("question.vote", question=999999), "not_found",
                          "voting on an unknown question")
        voted = viewers[2].command("question.vote", question=ids[1])
        self.assertEqual((voted["type"], voted["votes"]), ("vote", 1))
        self.assert_error(viewers[2].command("question.vote", question=ids[1]), "already_voted",
                          "a second vote")
        viewers[3].ok_vote = viewers[3].command("question.vote", question=ids[0])
        merged = self.producer.ok("question.merge", question=ids[1], into=ids[0])
        self.assertEqual(merged["question"]["status"], "merged")
        listed = {q["id"]: q for q in self.producer.ok("questions.list")["questions"]}
        self.assertEqual(listed[ids[0]]["votes"], 2, "votes follow the merge")
        asked = viewers[1].wait_event("question.updated",
                                      predicate=lambda e: e["question"]["status"] == "merged")
        self.assertEqual(asked["question"]["merged_into"], ids[0])
        rejected = self.producer.ok("question.reject", question=ids[3], reason="off_topic")
        self.assertEqual(rejected["question"]["reject_reason"], "off_topic")
        self.assert_error(self.producer.command("question.reject", question=ids[2], reason="nope"),
                          "invalid", "an unknown reason")
        # The queue: move the S2 question to the front.
        self.producer.ok("question.move", question=ids[2], position=0)
        queue = sorted((q for q in self.producer.ok("questions.list")["questions"]
                        if q["status"] == "approved"), key=lambda q: q["position"])
        self.assertEqual([q["id"] for q in queue][:1], [ids[2]])
        # Viewers saw the rejected and merged ones leave the public list.
        removed = set()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not {ids[1], ids[3]} <= removed:
            try:
                e = viewers[0].wait_event("questions.public", timeout=1)
                removed |= set(e["removed"])
            except AssertionError:
                pass
        self.assertTrue({ids[1], ids[3]} <= removed, f"removed: {removed}")

    def test_sensitive_words_flagged_and_kept_private(self):
        v = self.viewer()
        watcher = self.viewer()
        q = self.submit_ok(v, "小区里有人赌．博，还有人ＦＵＣＫ代 开 发 票")
        listed = {x["id"]: x for x in self.producer.ok("questions.list")["questions"]}
        self.assertEqual(listed[q["id"]]["matched_words"], ["赌博", "代开发票", "fuck"])
        self.assertIn("sensitive", listed[q["id"]]["flags"])
        # A fence instead of a pause: a plain question approved after it.
        # The watcher gets its events in order, so anything about the flagged
        # question would have come before the plain one's.
        plain = self.submit_ok(self.viewer(), "社区医院能开通医保结算吗？")
        self.producer.ok("question.approve", question=plain["id"])
        fence = watcher.wait_event(
            "questions.public", predicate=lambda e: any(x["id"] == plain["id"] for x in e["questions"]))
        leaked = [e for e in watcher.events + [fence] if e.get("type") == "questions.public" and
                  any(x["id"] == q["id"] for x in e["questions"])]
        self.assertEqual(leaked, [], "a pending flagged question reached viewers")
        public_ids = [x["id"] for x in self.viewer().hello_reply["public"]["questions"]]
        self.assertNotIn(q["id"], public_ids)
        # Approved by a producer, it is public like any other.
        self.producer.ok("question.approve", question=q["id"])
        watcher.wait_event("questions.public",
                           predicate=lambda e: any(x["id"] == q["id"] for x in e["questions"]))

    def test_observers(self):
        binary = harness.studio_binary()
        out = subprocess.run([str(binary), "observers", "add", "李观察", "--data",
                              str(self.studio.data_dir), "--url", "https://wzrb.example/yst"],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        link = out.stdout.strip().splitlines()[-1]
        self.assertTrue(link.startswith("https://wzrb.example/yst/o/"), link)
        token = link.rsplit("/", 1)[1]
        # The link's path on our own server redirects to the page, token in the fragment.
        code, _, headers = self.studio.http_get_noredirect("/o/" + token)
        self.assertEqual(code, 302)
        self.assertEqual(headers.get("location") or headers.get("Location"), "/#o=" + token)
        o = self.viewer(observer_token=token)
        self.assertEqual(o.hello_reply["role"], "observer")
        self.assertEqual(o.hello_reply["observer"], "李观察")
        q = self.submit_ok(o, "观察员的问题：老旧小区加装电梯进度如何？")
        self.assertEqual(q["observer"], "李观察")
        listed = {x["id"]: x for x in self.producer.ok("questions.list")["questions"]}
        self.assertIn("observer", listed[q["id"]]["flags"])
        self.assertNotIn(token, self.studio.log_text())
        # A wrong token: forbidden, then a plain viewer.
        wrong = self.viewer(observer_token=token[:-2] + "zz", hello=False)
        first = wrong.hello(expect_ok=False)
        self.assert_error(first, "forbidden", "a wrong observer token")
        self.assertEqual(wrong.recv_json()["role"], "viewer")
        # Revoked: refused from then on.
        listing = subprocess.run([str(binary), "observers", "list", "--data",
                                  str(self.studio.data_dir)], capture_output=True, text=True,
                                 timeout=20)
        observer_id = next(line.split("\t")[0] for line in listing.stdout.splitlines()
                           if "李观察" in line)
        subprocess.run([str(binary), "observers", "remove", observer_id, "--data",
                        str(self.studio.data_dir)], check=True, capture_output=True, timeout=20)
        revoked = self.viewer(observer_token=token, hello=False)
        self.assert_error(revoked.hello(expect_ok=False), "forbidden", "a revoked observer")

    # -- viewer ids and votes

    def test_viewer_ids_are_the_studios(self):
        v = self.viewer()
        vid = v.hello_reply["viewer"]
        self.assertRegex(vid, VIEWER_ID)
        # An id the page made up, an earlier version's, or the studio's with
        # one character changed: not the studio's, so a fresh one is issued.
        tampered = vid[:-1] + ("B" if vid[-1] == "A" else "A")
        for made_up in (secrets.token_urlsafe(18), "A" * 44, tampered):
            other = self.viewer(viewer_id=made_up)
            issued = other.hello_reply["viewer"]
            self.assertNotEqual(issued, made_up, "a made-up viewer id was taken")
            self.assertNotEqual(issued, vid)
            self.assertRegex(issued, VIEWER_ID)
        # The studio's own id is kept (a reload of the page), with its questions.
        q = self.submit_ok(v, "我的问题在刷新后还在吗？")
        again = self.viewer(viewer_id=vid)
        self.assertEqual(again.hello_reply["viewer"], vid)
        self.assertIn(q["id"], [m["id"] for m in again.hello_reply["mine"]])

    def test_one_viewer_id_per_connection(self):
        asker = self.viewer()
        qid = self.submit_ok(asker, "一个连接能投几票？")["id"]
        self.producer.ok("question.approve", question=qid)
        v = self.viewer()
        other = self.viewer()
        self.assertEqual(v.command("question.vote", question=qid).get("type"), "vote")
        # Another (genuine) id on the same connection: refused; the vote stays one.
        v.send_json({"type": "hello", "role": "viewer", "viewer": other.viewer_id})
        self.assert_error(v._await_hello(False, None), "identity_locked", "a second viewer id")
        self.assert_error(v.command("question.vote", question=qid), "already_voted",
                          "a vote after a refused change of id")
        # An id the studio did not sign: the connection keeps its own.
        v.send_json({"type": "hello", "role": "viewer", "viewer": secrets.token_urlsafe(18)})
        self.assertEqual(v._await_hello(True, None)["viewer"], v.viewer_id)
        # Three hellos a connection, then they are refused for a while.
        v.send_json({"type": "hello", "role": "viewer", "viewer": v.viewer_id})
        refused = v._await_hello(False, None)
        self.assert_error(refused, "rate_limited", "a fourth hello on one connection")
        self.assertGreater(refused["retry_after_s"], 0)
        listed = {q["id"]: q for q in self.producer.ok("questions.list")["questions"]}
        self.assertEqual(listed[qid]["votes"], 1)
        n = self.db().execute("SELECT count(*) FROM question_votes WHERE question_id=?",
                              (qid,)).fetchone()[0]
        self.assertEqual(n, 1)

    def test_votes_per_address_are_capped(self):
        # Two connections an address, two votes a viewer: four votes an address at once.
        studio = Studio(self.case_dir(), question_show(max_connections_per_address=2,
                                                        vote_burst=2, vote_interval_s=600))
        self.addCleanup(studio.close)
        studio.start()
        producer = studio.producer()
        self.addCleanup(producer.close)
        qid = producer.command("question.submit", text="刷票能刷多少？")["question"]["id"]
        producer.ok("question.approve", question=qid)
        counted, refused = 0, []
        # Stuffing: a new connection (a new viewer id) for every vote.
        for _ in range(7):
            v = connect_viewer(studio)
            try:
                reply = v.command("question.vote", question=qid)
            finally:
                v.close()
            if reply.get("type") == "vote":
                counted += 1
            else:
                refused.append(reply)
        self.assertEqual(counted, 4, f"votes counted from one address: {counted}")
        for reply in refused:
            self.assert_error(reply, "rate_limited", "a vote over the address's budget")
            self.assertGreater(reply["retry_after_s"], 0)
        listed = {q["id"]: q for q in producer.ok("questions.list")["questions"]}
        self.assertEqual(listed[qid]["votes"], 4)

    def test_viewer_id_survives_a_restart(self):
        studio = Studio(self.case_dir(), question_show())
        self.addCleanup(studio.close)
        studio.start()
        v = studio.viewer()
        vid = v.viewer_id
        q = self.submit_ok(v, "重启以后我的问题还在吗？")
        v.close()
        studio.kill9()  # the session is resumed at the next start
        again = Studio(self.case_dir(), question_show())
        self.addCleanup(again.close)
        again.start()
        back = again.viewer(viewer_id=vid)
        self.addCleanup(back.close)
        self.assertEqual(back.hello_reply["viewer"], vid, "the studio no longer knows its own id")
        self.assertIn(q["id"], [m["id"] for m in back.hello_reply["mine"]])

    # -- web

    def test_pages_and_links(self):
        for path in ("/", "/producer/"):
            code, body, headers = self.studio.http_get(path)
            self.assertEqual(code, 200, path)
            csp = headers.get("content-security-policy") or headers.get("Content-Security-Policy")
            self.assertIn("script-src 'self'", csp or "", f"{path}: no strict CSP")
            self.assertNotIn(b"<script>", body, f"{path}: inline script")
        code, _, headers = self.studio.http_get_noredirect("/q")
        self.assertEqual((code, headers.get("location") or headers.get("Location")), (302, "/"))
        code, body, _ = self.studio.http_get("/vendor/hls.min.js")
        self.assertEqual(code, 200)
        self.assertIn(b"Hls", body[:200000])
        for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/vendor/../../package.json",
                     "/vendor/%2e%2e%2f%2e%2e%2fpackage.json", "/o/../../etc/passwd",
                     "/..%2f..%2fetc%2fpasswd"):
            code, body, _ = raw_get(self.studio.host, self.studio.port, path)
            self.assertIn(code, (400, 403, 404), f"{path}: {code}")
            self.assertNotIn(b"root:", body)
            self.assertNotIn(b"playwright", body)


def connect_viewer(studio: Studio, timeout: float = 5.0):
    """A new viewer connection; waits while the address is at its connection
    limit (a connection just closed is let go by the server a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return studio.viewer()
        except AssertionError as e:
            if "429" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def raw_get(host: str, port: int, path: str) -> tuple[int, bytes, str]:
    """GET with the path exactly as given (urllib would normalise it)."""
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body, head.decode("latin-1")


if __name__ == "__main__":
    harness.main()
