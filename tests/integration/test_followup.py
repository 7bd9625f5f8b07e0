#!/usr/bin/python3
"""问政跟踪 end to end over real WebSockets and HTTP, the studio's follow-up
clock set with `--now`:

- during a show, the typist marks a commitment from the line just typed and
  a producer marks another; two questions stay unanswered;
- after the show (the studio started again), a producer forwards them to two
  departments (one by the show file's list, one added with `yishiting
  departments add`); each department signs in through its own link, sees
  only its own items, cannot read or answer another's, replies to its own;
- the asker sees the reply (followup.updated, followup.mine) and rates it
  once; nobody else may;
- the clock passes the other item's due date: it is overdue in the tracker
  API, in /metrics and in the producer's view; the statistics and the Atom
  feed say what happened;
- bad input: a past or impossible due date, an unknown department, a
  viewer forwarding, an over-long reply, a wrong or revoked link.

Run alone: /usr/bin/python3 tests/integration/test_followup.py
"""

import json
import secrets
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ElementTree
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show, wait_until  # noqa: E402

TYPIST_TOKEN = "typist-" + secrets.token_urlsafe(12)
XSS = '<img src=x onerror="alert(1)">'
ATOM = "{http://www.w3.org/2005/Atom}"


# A citizen's comment on a reply, with a word of the test's sensitive-word list.
COMMENT = "希望按时办结，别再有代 开 发票的事"


def followup_show(word_list: str) -> dict:
    show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300)
    show["show"]["title"] = "温网议事厅 · 对话市住建局"
    show["audience"] = {"question_interval_s": 0, "word_list": word_list}
    show["followup"] = {"departments": ["市住建局"], "reply_working_days": 7}
    return show


class Followup(IntegrationTest):
    """One studio's data directory through a show, the day after it, and the
    day the second reply falls due."""

    @classmethod
    def set_up_fixtures(cls):
        cls.studio = None
        cls.restart("2026-12-03T10:00:00+08:00")  # a Thursday

    @classmethod
    def restart(cls, now: str) -> None:
        """The studio (again) on the same data, its follow-up clock at `now`."""
        if cls.studio is not None:
            cls.assert_stopped_cleanly(cls.studio)
        words = cls.work.path / "words.txt"
        words.write_text("代开发票\n", encoding="utf-8")
        studio = Studio(cls.work.path, followup_show(str(words)),
                        extra_env={"YISHITING_TYPIST_TOKEN": TYPIST_TOKEN})
        studio.args = ["serve", "--show", str(studio.show_path), "--data", str(studio.data_dir),
                       "--new-session", "--now", now]
        cls.addClassCleanup(studio.close)
        studio.start()
        cls.studio = studio

    @staticmethod
    def assert_stopped_cleanly(studio: Studio) -> None:
        code = studio.stop()
        if code != 0:
            raise AssertionError(f"the studio ended with {code}")

    # -- helpers

    def cli(self, *args: str) -> str:
        out = subprocess.run([str(harness.studio_binary()), *args, "--data",
                              str(self.studio.data_dir)], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def department(self, token: str, expect_ok: bool = True):
        client = self.studio.producer(hello=False)
        self.addCleanup(client.close)
        client.send_json({"type": "hello", "role": "department", "token": token})
        return client, client._await_hello(expect_ok, None)

    def api(self, path: str) -> dict:
        code, body, headers = self.studio.http_get(path)
        self.assertEqual(code, 200, body[:300])
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertIn("application/json", headers.get("content-type", ""))
        return json.loads(body)

    def assert_error(self, reply: dict, code: str, what: str) -> None:
        self.assertEqual(reply.get("type"), "error", f"{what} must be refused: {reply}")
        self.assertEqual(reply.get("code"), code, f"{what}: {reply}")
        self.assertTrue(reply.get("message"), f"{what}: no message")

    # -- the story, in order

    def test_a_show_its_follow_up_and_the_due_date_passing(self):
        producer = self.studio.producer()
        self.addCleanup(producer.close)
        departments = producer.ok("followup.departments")["departments"]
        housing = next(d["id"] for d in departments if d["name"] == "市住建局")
        added = self.cli("departments", "add", "市医保局", "--url", "https://wzrb.example/yst")
        health = int(added.split(":")[0].split()[1])
        health_link = added.strip().splitlines()[-1]
        self.assertTrue(health_link.startswith("https://wzrb.example/yst/d/"), health_link)
        housing_link = self.cli("departments", "link", str(housing)).strip().splitlines()[-1]
        housing_token = housing_link.rsplit("/", 1)[1]
        health_token = health_link.rsplit("/", 1)[1]

        # --- the show: three questions, a commitment by the typist's key and one by a producer
        asker = self.studio.viewer()
        self.addCleanup(asker.close)
        other = self.studio.viewer()
        self.addCleanup(other.close)
        q1 = asker.submit("安置房办证难，什么时候能办下来？")
        q2 = other.submit("异地就医备案能不能网上办？")
        self.assertEqual(q1.get("type"), "question.received", q1)
        self.assertEqual(q2.get("type"), "question.received", q2)
        q1, q2 = q1["question"], q2["question"]
        for q in (q1, q2):
            producer.ok("question.approve", question=q["id"])
        producer.ok("question.on_air", question=q1["id"])

        typist = self.studio.producer(hello=False)
        self.addCleanup(typist.close)
        typist.send_json({"type": "hello", "role": "typist", "token": TYPIST_TOKEN, "name": "速记"})
        typist._await_hello(True, None)
        line = typist.ok("transcript.commit", speaker="host",
                         text="安置房办证难的问题，到年底要全部办结。")["line"]
        commitment = typist.ok("followup.commit", line=line["id"], department=housing,
                               due="2026-12-31")["item"]
        self.assertEqual(commitment["kind"], "commitment")
        self.assertEqual(commitment["text"], "安置房办证难的问题，到年底要全部办结。")
        self.assertEqual(commitment["status"], "in_progress")
        self.assertEqual(commitment["timeline_ms"], line["start_ms"])
        self.assertTrue(commitment["archive"].startswith("/archive/#s="), commitment)
        event = producer.wait_event("followup.changed",
                                    predicate=lambda e: e["item"]["id"] == commitment["id"])
        self.assertEqual(event["action"], "commit")
        marked = producer.ok("followup.commit", text="老旧小区加装电梯，明年三月前出台补贴细则",
                             department=housing, due="2027-03-31", question=q1["id"])["item"]
        self.assertEqual(marked["question"], q1["id"])
        # Bad input, each with its error and nothing stored.
        self.assert_error(producer.command("followup.commit", text="x", department=housing,
                                           due="2026-02-30"), "invalid", "an impossible date")
        self.assert_error(producer.command("followup.commit", text="x", department=housing,
                                           due="2026-12-01"), "invalid", "a date that has passed")
        self.assert_error(producer.command("followup.commit", text="x", department=999,
                                           due="2026-12-31"), "not_found", "an unknown department")
        self.assert_error(producer.command("followup.commit", text="x", department=housing),
                          "invalid", "a commitment without its deadline")
        self.assert_error(asker.command("followup.forward", question=q1["id"], department=housing),
                          "forbidden", "a viewer forwarding")
        self.assert_error(producer.command("followup.forward", question=[], department=housing),
                          "invalid", "an empty bulk forward")

        # --- the day after: the studio again, a producer forwards the two questions
        self.restart("2026-12-04T09:30:00+08:00")  # Friday
        producer = self.studio.producer()
        self.addCleanup(producer.close)
        first = producer.ok("followup.forward", question=q1["id"], department=housing)["item"]
        self.assertEqual(first["due"], "2026-12-15", "7 working days from Friday 4 December")
        self.assertEqual(first["status"], "awaiting_reply")
        self.assertEqual(first["asker"], q1.get("nickname") or "")
        second = producer.ok("followup.forward", question=q2["id"], department=health, due=3)["item"]
        self.assertEqual(second["due"], "2026-12-09")
        self.assert_error(producer.command("followup.forward", question=q1["id"],
                                           department=housing), "conflict", "forwarded twice")

        # --- each department sees its own
        code, _, headers = self.studio.http_get_noredirect("/d/" + housing_token)
        self.assertEqual(code, 302)
        self.assertEqual({k.lower(): v for k, v in headers.items()}.get("location"),
                         "/dept/#d=" + housing_token)
        desk, ok = self.department(housing_token)
        self.assertEqual(ok["role"], "department")
        self.assertEqual(ok["department"]["name"], "市住建局")
        self.assertIn("followup.reply", ok["commands"])
        self.assertNotIn("followup.forward", ok["commands"])
        own = desk.ok("followup.list", department=health)["items"]  # asks for another's: gets its own
        self.assertEqual({i["id"] for i in own}, {first["id"], commitment["id"], marked["id"]})
        self.assert_error(desk.command("followup.item", item=second["id"]), "not_found",
                          "another department's item")
        self.assert_error(desk.command("followup.reply", item=second["id"], text="越权"),
                          "not_found", "a reply to another department's item")
        self.assert_error(desk.command("followup.reply", item=first["id"], text="长" * 1201),
                          "too_long", "an over-long reply")
        reply_text = f"已协调不动产登记中心，本月底前办结。{XSS}"
        answered = desk.ok("followup.reply", item=first["id"], text=reply_text)["item"]
        self.assertEqual(answered["status"], "answered")
        self.assertEqual(answered["reply"], reply_text, "a reply is stored as text, as written")
        done = desk.ok("followup.progress", item=commitment["id"], state="in_progress",
                       text="已完成六成")["item"]
        self.assertEqual(done["status"], "in_progress")
        history = desk.ok("followup.item", item=first["id"])["history"]
        self.assertEqual([h["action"] for h in history], ["forward", "reply"])

        # --- the asker sees the reply and rates it once; nobody else may
        asker2 = self.studio.viewer(viewer_id=asker.viewer_id)
        self.addCleanup(asker2.close)
        mine = asker2.ok("followup.mine")["items"]
        self.assertEqual([i["id"] for i in mine], [first["id"]])
        self.assertEqual(mine[0]["reply"], reply_text)
        self.assertIsNone(mine[0]["my_rating"])
        desk.ok("followup.reply", item=first["id"], text="修订：12月25日前办结。")
        updated = asker2.wait_event("followup.updated",
                                    predicate=lambda e: e["item"]["id"] == first["id"])
        self.assertEqual(updated["item"]["reply"], "修订：12月25日前办结。")
        rated = asker2.ok("followup.rate", item=first["id"], rating="basically_satisfied",
                          comment=COMMENT)
        self.assertEqual(rated["item"]["rating"]["basically_satisfied"], 1)
        self.assert_error(asker2.command("followup.rate", item=first["id"], rating="satisfied"),
                          "conflict", "a second rating")
        stranger = self.studio.viewer()
        self.addCleanup(stranger.close)
        self.assert_error(stranger.command("followup.rate", item=first["id"], rating="dissatisfied"),
                          "forbidden", "a rating by someone who did not ask")
        self.assert_error(asker2.command("followup.rate", item=first["id"], rating="great"),
                          "invalid", "an unknown rating")
        # A viewer's reads and ratings cost the studio: 5 at once, then one per 3 s.
        flooder = self.studio.viewer()
        self.addCleanup(flooder.close)
        answers = [flooder.command("followup.mine").get("type") for _ in range(6)]
        self.assertEqual(answers[:5], ["reply"] * 5)
        self.assert_error(flooder.command("followup.mine"), "rate_limited", "a flood of reads")
        # The comment waits for a producer before the public sees it.
        item_page = self.api(f"/api/followup/item?id={first['id']}")
        self.assertEqual(item_page["comments"], [])
        pending = producer.ok("followup.list")["pending_comments"]
        self.assertEqual(len(pending), 1)
        # A word of the newsroom's list is flagged for the producer, as in a
        # question (flagged, not refused: a person decides).
        self.assertEqual(pending[0]["matched_words"], ["代开发票"])
        producer.ok("followup.moderate", rating=pending[0]["id"], action="approve")
        item_page = self.api(f"/api/followup/item?id={first['id']}")
        self.assertEqual([c["comment"] for c in item_page["comments"]], [COMMENT])
        self.assertNotIn("actor", item_page["history"][0], "staff names stay off the public page")

        # --- the department's token: wrong, then revoked
        _, refused = self.department(housing_token[:-2] + "zz", expect_ok=False)
        self.assert_error(refused, "forbidden", "a wrong department link")
        self.cli("departments", "link", str(health))
        _, refused = self.department(health_token, expect_ok=False)
        self.assert_error(refused, "forbidden", "a department link replaced by a new one")
        for token in (housing_token, health_token):
            self.assertNotIn(token, self.studio.log_text())

        # --- the tracker: filters and search
        listed = self.api("/api/followup")["items"]
        self.assertEqual({i["id"] for i in listed},
                         {first["id"], second["id"], commitment["id"], marked["id"]})
        by_health = self.api(f"/api/followup?department={health}")["items"]
        self.assertEqual([i["id"] for i in by_health], [second["id"]])
        found = self.api("/api/followup?q=" + urllib.parse.quote("备案"))["items"]
        self.assertEqual([i["id"] for i in found], [second["id"]])
        code, body, _ = self.studio.http_get("/api/followup?status=late")
        self.assertEqual(code, 400, body)

        # --- the second item's due date passes
        self.restart("2026-12-10T09:00:00+08:00")
        producer = self.studio.producer()
        self.addCleanup(producer.close)
        overdue = self.api("/api/followup?status=overdue")["items"]
        self.assertEqual([i["id"] for i in overdue], [second["id"]])
        self.assertEqual(overdue[0]["status_label"], "逾期未答复")
        view = producer.ok("followup.list", status="overdue")["items"]
        self.assertEqual([i["id"] for i in view], [second["id"]])
        self.assertEqual(view[0]["days_left"], -1)
        metrics = wait_until(lambda: self.studio.metrics(), 10, "overdue in /metrics",
                             accept=lambda m: m.value("yst_followup_overdue",
                                                      department="市医保局") == 1)
        self.assertEqual(metrics.value("yst_followup_overdue", department="市住建局"), 0)
        self.assertEqual(metrics.value("yst_followup_open", department="市住建局"), 2)
        status = self.studio.status()
        self.assertEqual(status["followup"]["overdue"], 1)
        stats = {d["department"]["name"]: d for d in self.api("/api/followup/stats")["departments"]}
        self.assertEqual(stats["市住建局"]["on_time_pct"], 100)
        self.assertEqual(stats["市住建局"]["satisfaction_pct"], 100)
        self.assertEqual(stats["市医保局"]["on_time_pct"], 0)
        self.assertEqual(stats["市医保局"]["overdue"], 1)

        # --- the Atom feed of replies, for partner sites
        code, body, headers = self.studio.http_get("/followup/feed.atom")
        self.assertEqual(code, 200)
        self.assertIn("application/atom+xml",
                      {k.lower(): v for k, v in headers.items()}.get("content-type", ""))
        feed = ElementTree.fromstring(body)
        entries = feed.findall(f"{ATOM}entry")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0].find(f"{ATOM}content").text, "修订：12月25日前办结。")
        code, body, _ = self.studio.http_get(f"/followup/feed.atom?department={health}")
        self.assertEqual(code, 200)
        self.assertEqual(ElementTree.fromstring(body).findall(f"{ATOM}entry"), [])


if __name__ == "__main__":
    harness.main()
