#!/usr/bin/python3
"""The public edge, end to end: a real nats-server with JetStream, the studio
(`yishiting serve` with [edge]) and two edges (`yishiting edge`). Viewers at
the edges say hello, ask, are acknowledged only after the studio's commit,
retry at the other edge without making a second question, follow the public
feed, and keep their place when an edge is killed (assets/protocol.md, "The
public edge").

Run alone: /usr/bin/python3 tests/integration/test_edge.py
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, Viewer, make_show  # noqa: E402
from edge_peers import (Edge, NatsServer, nats_client_says, nats_password,  # noqa: E402
                        nats_server_binary)

REPO = Path(__file__).resolve().parents[2]

CHANNEL = "itest-edge"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx comes back as it is (an HTTPError), not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def edge_show(nats: NatsServer) -> dict:
    show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300)
    show["audience"] = {"question_interval_s": 0, "question_burst": 100}
    show["edge"] = {"nats": nats.url, "channel": CHANNEL}
    return show


def client_id() -> str:
    return secrets.token_urlsafe(16)[:22]


def start_nats_and_studio(cls) -> None:
    """cls.nats and cls.studio (with [edge] on it), stopped with the class."""
    cls.nats = NatsServer(cls.work.path)
    cls.addClassCleanup(cls.nats.stop)
    cls.nats.start()
    cls.studio = Studio(cls.work.path, edge_show(cls.nats))
    cls.addClassCleanup(cls.studio.close)
    cls.studio.start()


class PublicEdge(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        start_nats_and_studio(cls)
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)
        cls.edges = [Edge(cls.work.path, cls.nats, CHANNEL, name=f"edge-{x}") for x in "ab"]
        for edge in cls.edges:
            cls.addClassCleanup(edge.stop)
            edge.start()

    def viewer(self, edge: Edge, **kwargs) -> Viewer:
        v = Viewer(edge.ws_url, **kwargs)
        self.addCleanup(v.close)
        return v

    def question_ids(self, text: str) -> list[int]:
        listed = self.producer.ok("questions.list")
        return [q["id"] for q in listed["questions"] if q["text"] == text]

    def test_a_question_at_an_edge_is_acknowledged_once_committed_and_reaches_the_producers(self):
        v = self.viewer(self.edges[0])
        self.assertEqual(v.hello_reply["type"], "hello.ok", v.hello_reply)
        self.assertRegex(v.viewer_id, r"^[A-Za-z0-9_-]{20,}$", "the studio's id, signed")
        text = f"边缘节点的问题 {secrets.token_hex(3)}"
        reply = v.submit(text, client_id=client_id())
        self.assertEqual(reply.get("type"), "question.received", reply)
        qid = reply["question"]["id"]
        # Acknowledged means committed: the producers' list has it already.
        self.assertEqual(self.question_ids(text), [qid])
        changed = self.producer.wait_event(
            "questions.changed", timeout=5,
            predicate=lambda m: any(q.get("id") == qid for q in m.get("questions", [])))
        self.assertTrue(changed)

    def test_a_retry_at_another_edge_gets_the_same_question_never_a_second(self):
        a = self.viewer(self.edges[0])
        text = f"换节点重发的问题 {secrets.token_hex(3)}"
        cid = client_id()
        first = a.submit(text, client_id=cid)
        self.assertEqual(first.get("type"), "question.received", first)
        a.close()
        # The page lost the acknowledgement and comes back through the other
        # edge with its id and the same client id.
        b = self.viewer(self.edges[1], viewer_id=a.viewer_id)
        self.assertEqual(b.viewer_id, a.viewer_id)
        again = b.submit(text, client_id=cid)
        self.assertEqual(again.get("type"), "question.received", again)
        self.assertEqual(again["question"]["id"], first["question"]["id"])
        self.assertEqual(self.question_ids(text), [first["question"]["id"]])
        # Another viewer with the same client id learns nothing of it.
        other = self.viewer(self.edges[1])
        refused = other.submit(text, client_id=cid)
        self.assertEqual(refused.get("code"), "conflict", refused)

    def test_public_messages_reach_the_viewers_at_every_edge_in_the_studios_order(self):
        at_studio = self.studio.viewer()
        self.addCleanup(at_studio.close)
        watchers = [self.viewer(e) for e in self.edges]
        asker = self.viewer(self.edges[0])
        reply = asker.submit(f"要公开的问题 {secrets.token_hex(3)}", client_id=client_id())
        qid = reply["question"]["id"]
        self.assertTrue(self.producer.command("question.approve", question=qid).get("ok"))

        def public_with(v):
            return v.wait_event("questions.public", timeout=10,
                                predicate=lambda m: any(q["id"] == qid for q in m["questions"]))
        local = public_with(at_studio)
        for w in watchers:
            remote = public_with(w)
            self.assertEqual(remote["feed"], local["feed"], "the studio's number, unchanged")
        # The asker hears about their own question wherever they are.
        updated = asker.wait_event("question.updated", timeout=10,
                                   predicate=lambda m: m["question"]["id"] == qid)
        self.assertEqual(updated["question"]["status"], "approved")

    def test_the_viewer_page_at_an_edge_asks_and_is_acknowledged_in_a_browser(self):
        title = self.studio.status()["show"]["title"]
        shots = harness.run_e2e_script("edge.test.mjs", self.edges[0].base_url,
                                       env={"YST_TITLE": title},
                                       context=lambda: self.edges[0].log_text()[-3000:])
        self.assertTrue(any(shots.glob("edge-*.png")), "no screenshot was kept")
        asked = [line for line in (shots / "node.log").read_text().splitlines()
                 if line.startswith("[question] ")]
        self.assertEqual(len(asked), 1, "the page said which question it got")
        qid = int(asked[0].split()[1])
        listed = self.producer.ok("questions.list")["questions"]
        self.assertEqual([q["id"] for q in listed if q["id"] == qid], [qid])

    def test_a_returning_page_gets_its_questions_and_a_new_one_costs_the_studio_nothing(self):
        new = self.viewer(self.edges[0])
        self.assertEqual(new.hello_reply["mine"], [])
        reply = new.submit(f"回来的网友的问题 {secrets.token_hex(3)}", client_id=client_id())
        self.assertNotIn("questions.mine", [m.get("type") for m in new.drain(1.0)],
                         "an id issued just now has nothing to fetch")
        back = self.viewer(self.edges[1], viewer_id=new.viewer_id)
        mine = back.wait_event("questions.mine", timeout=5)
        self.assertEqual([q["id"] for q in mine["questions"]], [reply["question"]["id"]])

    def test_staff_are_refused_at_the_edge_and_its_status_is_not_public(self):
        v = Viewer(self.edges[0].ws_url, hello=False)
        self.addCleanup(v.close)
        v.send_json({"type": "hello", "role": "producer", "token": self.studio.token})
        reply = v.recv_json(timeout=5)
        self.assertEqual((reply.get("type"), reply.get("code")), ("error", "forbidden"), reply)
        self.assertNotIn(self.studio.token, self.edges[0].log_text())
        status, _ = self.edges[0].http_get("/api/status")
        self.assertEqual(status, 401)
        status, page = self.edges[0].http_get("/")
        self.assertEqual(status, 200)
        self.assertIn(b"<html", page.lower())
        public = self.edges[0].public_status()
        self.assertEqual(public["hls"]["playlist"], "/hls/program.m3u8")
        self.assertEqual(public["show"]["title"], self.studio.status()["show"]["title"])

    def test_the_archive_answers_at_an_edge_from_the_studio_without_its_files(self):
        edge = self.edges[0]
        status, body = edge.http_get("/api/archive/sessions")
        self.assertEqual(status, 200, body[:300])
        sessions = json.loads(body)["sessions"]
        at_studio = json.loads(self.studio.http_get("/api/archive/sessions")[1])["sessions"]
        self.assertEqual([s["id"] for s in sessions], [s["id"] for s in at_studio])
        live = next(s for s in sessions if s["live"])
        self.assertEqual(live["title"], self.studio.status()["show"]["title"])
        status, body = edge.http_get(f"/api/archive/session?id={live['id']}")
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(json.loads(body)["session"]["id"], live["id"])
        # The package files are on the studio's disk: an edge names none.
        self.assertTrue(all(s["files"] == {} and s["video"] is None for s in sessions))
        self.assertTrue(all(s["package"] in ("live", "pending", "unpublished") for s in sessions))
        # The studio's refusals come through as they are.
        status, body = edge.http_get("/api/archive/session?id=999999")
        self.assertEqual((status, json.loads(body)["code"]), (404, "not_found"))
        status, body = edge.http_get("/api/archive/search?q=")
        self.assertEqual(status, 400, body[:300])
        # The page itself is the edge's.
        status, page = edge.http_get("/archive/")
        self.assertEqual(status, 200)
        self.assertIn(b"<html", page.lower())

    def test_the_followup_tracker_answers_at_an_edge_from_the_studio(self):
        # 问政跟踪's public reads come the archive's way: asked of the studio,
        # kept a while at the edge; the feed keeps its type.
        added = subprocess.run([str(harness.studio_binary()), "departments", "add", "边缘测试局",
                                "--data", str(self.studio.data_dir)],
                               capture_output=True, text=True, timeout=20)
        self.assertEqual(added.returncode, 0, added.stderr)
        department = int(added.stdout.split(":")[0].split()[1])
        v = self.viewer(self.edges[0])
        reply = v.submit(f"转交部门的问题 {secrets.token_hex(3)}", client_id=client_id())
        item = self.producer.ok("followup.forward", question=reply["question"]["id"],
                                department=department)["item"]
        edge = self.edges[1]
        status, body = edge.http_get(f"/api/followup?department={department}")
        self.assertEqual(status, 200, body[:300])
        self.assertEqual([i["id"] for i in json.loads(body)["items"]], [item["id"]])
        status, body = edge.http_get(f"/api/followup/item?id={item['id']}")
        self.assertEqual((status, json.loads(body)["item"]["text"]), (200, item["text"]))
        status, body = edge.http_get("/api/followup?status=late")
        self.assertEqual(status, 400, body[:300])
        with urllib.request.urlopen(edge.base_url + "/followup/feed.atom", timeout=5) as r:
            self.assertIn("application/atom+xml", r.headers.get("Content-Type", ""))
            self.assertIn(b"<feed", r.read())
        status, page = edge.http_get("/followup/")
        self.assertEqual(status, 200)
        self.assertIn(b"<html", page.lower())

    def departments_cli(self, *args: str) -> str:
        out = subprocess.run([str(harness.studio_binary()), "departments", *args, "--data",
                              str(self.studio.data_dir)], capture_output=True, text=True,
                             timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def desk(self, edge: Edge, token: str, expect_ok: bool = True):
        """A department's desk at an edge: the connection and its hello's answer."""
        client = harness.Producer(edge.ws_url, None, hello=False)
        self.addCleanup(client.close)
        client.send_json({"type": "hello", "role": "department", "token": token})
        return client, client._await_hello(expect_ok, None)

    def assert_refused(self, reply: dict, code: str, what: str) -> None:
        self.assertEqual((reply.get("type"), reply.get("code")), ("error", code), f"{what}: {reply}")

    def test_a_departments_desk_and_the_askers_followup_at_the_edges(self):
        # 问政跟踪 where the public is: the desk signs in at an edge by its
        # link, sees and answers its own items only; the asker, at another
        # edge, is told live, finds the reply when it comes back, rates once.
        suffix = secrets.token_hex(3)
        added = self.departments_cli("add", f"边缘住建局{suffix}", "--url", "https://wzrb.example")
        housing = int(added.split(":")[0].split()[1])
        token = added.strip().splitlines()[-1].rsplit("/d/", 1)[1]
        other = int(self.departments_cli("add", f"边缘医保局{suffix}").split(":")[0].split()[1])
        asker = self.viewer(self.edges[0])
        first = asker.submit(f"安置房办证难 {suffix}", client_id=client_id())["question"]
        second = asker.submit(f"异地就医备案 {suffix}", client_id=client_id())["question"]
        item = self.producer.ok("followup.forward", question=first["id"],
                                department=housing)["item"]
        elsewhere = self.producer.ok("followup.forward", question=second["id"],
                                     department=other)["item"]

        edge = self.edges[1]
        opener = urllib.request.build_opener(NoRedirect)
        with self.assertRaises(urllib.error.HTTPError) as redirect:
            opener.open(edge.base_url + "/d/" + token, timeout=5)
        self.assertEqual(redirect.exception.code, 302)
        self.assertEqual(redirect.exception.headers.get("Location"), "/dept/#d=" + token)

        desk, ok = self.desk(edge, token)
        self.assertEqual((ok["role"], ok["department"]["id"]), ("department", housing), ok)
        self.assertIn("followup.reply", ok["commands"])
        self.assertNotIn("followup.forward", ok["commands"])
        listed = desk.ok("followup.list", department=other)["items"]  # asks for another's
        self.assertEqual([i["id"] for i in listed], [item["id"]])
        self.assert_refused(desk.command("followup.item", item=elsewhere["id"]), "not_found",
                            "another department's item at an edge")
        self.assert_refused(desk.command("followup.reply", item=elsewhere["id"], text="越权"),
                            "not_found", "a reply to another department's item at an edge")
        self.assert_refused(desk.command("followup.forward", question=first["id"],
                                         department=other), "forbidden",
                            "a producer's command from a department's desk")
        self.assert_refused(desk.command("question.approve", question=first["id"]), "forbidden",
                            "a staff command from a department's desk")
        reply_text = f"已协调不动产登记中心，月底前办结。<img src=x onerror=alert(1)>{suffix}"
        answered = desk.ok("followup.reply", item=item["id"], text=reply_text)["item"]
        self.assertEqual((answered["status"], answered["reply"]), ("answered", reply_text))
        told = asker.wait_event("followup.updated",
                                predicate=lambda e: e["item"]["id"] == item["id"]
                                and e["item"]["reply"])
        self.assertEqual(told["item"]["reply"], reply_text)
        # A producer's change on the studio's LAN reaches the desk at the edge.
        self.producer.ok("followup.due", item=item["id"], due=10)
        changed = desk.wait_event("followup.changed",
                                  predicate=lambda e: e["action"] == "due")
        self.assertEqual(changed["item"]["id"], item["id"])
        self.assertEqual(self.producer.ok("followup.item", item=item["id"])["history"][-2]["action"],
                         "reply", "the desk's reply is the department's, stored once")

        # The asker comes back at the other edge: questions.mine says there is
        # follow-up, followup.mine has the reply; one rating, nobody else's.
        back = self.viewer(self.edges[1], viewer_id=asker.viewer_id)
        mine = back.wait_event("questions.mine")
        self.assertIs(mine.get("followup"), True, mine)
        self.assertIn("followup.mine", back.hello_reply["commands"])
        items = back.ok("followup.mine")["items"]
        self.assertEqual({i["id"]: i.get("reply") for i in items},
                         {item["id"]: reply_text, elsewhere["id"]: None})
        rated = back.ok("followup.rate", item=item["id"], rating="satisfied")
        self.assertEqual(rated["item"]["rating"]["satisfied"], 1)
        self.assert_refused(back.command("followup.rate", item=item["id"], rating="dissatisfied"),
                            "conflict", "a second rating at an edge")
        stranger = self.viewer(self.edges[0])
        self.assertNotIn("followup", stranger.hello_reply)
        self.assert_refused(stranger.command("followup.rate", item=item["id"], rating="satisfied"),
                            "forbidden", "a rating by someone who did not ask, at an edge")
        self.assert_refused(stranger.command("followup.forward", question=first["id"],
                                             department=housing), "forbidden",
                            "a producer's command from a viewer at an edge")
        # Each costs the studio a read or a write: 5 at once, then one per 3 s.
        answers = [stranger.command("followup.mine").get("type") for _ in range(4)]
        self.assertEqual(answers, ["reply"] * 4)
        self.assert_refused(stranger.command("followup.mine"), "rate_limited",
                            "a flood of follow-up reads at an edge")

        # A wrong link is refused; a replaced one stops at once, mid-session too.
        _, refused = self.desk(edge, token[:-2] + "zz", expect_ok=False)
        self.assert_refused(refused, "forbidden", "a wrong department link at an edge")
        self.departments_cli("link", str(housing))
        self.assert_refused(desk.command("followup.list"), "forbidden",
                            "a desk whose link was replaced")
        _, refused = self.desk(self.edges[0], token, expect_ok=False)
        self.assert_refused(refused, "forbidden", "a replaced department link at an edge")
        self.assertNotIn(token, self.studio.log_text() + edge.log_text())

    def test_the_department_desk_and_the_askers_page_at_an_edge_in_a_browser(self):
        name = f"浏览器测试局{secrets.token_hex(2)}"
        edge = self.edges[1]
        added = self.departments_cli("add", name, "--url", edge.base_url)
        department = int(added.split(":")[0].split()[1])
        link = added.strip().splitlines()[-1]
        asker = self.viewer(self.edges[0])
        question = asker.submit(f"老城区夜间停车难 {secrets.token_hex(3)}",
                                client_id=client_id())["question"]
        item = self.producer.ok("followup.forward", question=question["id"],
                                department=department)["item"]
        shots = harness.run_e2e_script(
            "edge-followup.test.mjs", edge.base_url,
            env={"YST_DEPT_LINK": link, "YST_DEPT_NAME": name, "YST_VIEWER_ID": asker.viewer_id,
                 "YST_ITEM": str(item["id"])},
            context=lambda: edge.log_text()[-3000:])
        self.assertTrue(any(shots.glob("edge-followup-*.png")), "no screenshot was kept")
        rated = self.producer.ok("followup.item", item=item["id"])["item"]
        self.assertEqual(rated["rating"]["satisfied"], 1, "the rating made at the edge is stored")

    def test_an_observer_signs_in_at_an_edge_by_the_studios_invitation(self):
        out = subprocess.run([str(harness.studio_binary()), "observers", "add", "边缘观察员",
                              "--data", str(self.studio.data_dir)],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        token = out.stdout.strip().splitlines()[-1].rsplit("/o/", 1)[1]
        o = self.viewer(self.edges[0], observer_token=token)
        self.assertEqual((o.hello_reply["role"], o.hello_reply["observer"]),
                         ("observer", "边缘观察员"))
        q = o.submit(f"观察员在边缘提问 {secrets.token_hex(3)}", client_id=client_id())
        self.assertEqual(q["question"]["observer"], "边缘观察员", q)
        # A wrong token: forbidden, then carried on as a plain viewer.
        wrong = self.viewer(self.edges[1], observer_token=token[:-2] + "zz", hello=False)
        self.assert_refused(wrong.hello(expect_ok=False), "forbidden", "a wrong observer token")
        self.assertEqual(wrong.recv_json()["role"], "viewer")
        self.assertNotIn(token, self.edges[0].log_text() + self.studio.log_text())

    def test_the_studio_counts_the_edges_viewers(self):
        viewers = [self.viewer(self.edges[1]) for _ in range(3)]
        self.assertEqual(len(viewers), 3)
        status = self.studio.wait_until(
            lambda s: sum(e["viewers"] for e in s["edge"]["edges"]) >= 3, 15,
            "the edges' viewers in the studio's status")
        self.assertEqual(status["edge"]["bus"], "connected")
        self.assertEqual({e["edge"] for e in status["edge"]["edges"]}, {"edge-a", "edge-b"})

    def test_an_edge_killed_mid_show_loses_nothing_its_viewers_come_back_elsewhere(self):
        victim = self.edges[1]
        v = self.viewer(victim)
        start = v.hello_reply["feed"]
        victim.kill9()
        # Meanwhile the show goes on.
        asker = self.viewer(self.edges[0])
        reply = asker.submit(f"节点宕机期间的问题 {secrets.token_hex(3)}", client_id=client_id())
        qid = reply["question"]["id"]
        self.assertTrue(self.producer.command("question.approve", question=qid).get("ok"))
        # The page reconnects to the surviving edge where it was.
        back = self.viewer(self.edges[0], viewer_id=v.viewer_id, since=start)
        self.assertTrue(back.hello_reply.get("resumed"), back.hello_reply)
        missed = back.wait_event("questions.public", timeout=10,
                                 predicate=lambda m: any(q["id"] == qid for q in m["questions"]))
        self.assertTrue(missed)
        victim.start()


class EdgeThroughCrashes(IntegrationTest):
    """kill -9 of the studio and of nats-server, each while a viewer asks."""

    @classmethod
    def set_up_fixtures(cls):
        start_nats_and_studio(cls)
        cls.edge = Edge(cls.work.path, cls.nats, CHANNEL, name="edge-c")
        cls.addClassCleanup(cls.edge.stop)
        cls.edge.start()

    def viewer(self, **kwargs) -> Viewer:
        v = Viewer(self.edge.ws_url, **kwargs)
        self.addCleanup(v.close)
        return v

    def count_at_studio(self, text: str) -> int:
        with self.studio.producer() as producer:
            listed = producer.ok("questions.list")
        return sum(1 for q in listed["questions"] if q["text"] == text)

    def test_a_question_asked_while_the_studio_is_down_is_acknowledged_once_it_committed(self):
        v = self.viewer()
        self.assertEqual(self.edge.http_get("/api/archive/sessions")[0], 200)
        self.studio.kill9()
        self.edge.wait_public(lambda s: s.get("studio") == "reconnecting", 15,
                              "told the studio is out of reach")
        # The page hears it too, and stays connected to the edge.
        v.wait_event("studio.state", timeout=10, predicate=lambda m: m["state"] == "reconnecting")
        text = f"演播室重启期间的问题 {secrets.token_hex(3)}"
        v.send_json({"type": "question.submit", "id": 7, "text": text, "client_id": client_id()})
        # Kept in the stream, not acknowledged: nothing is committed yet.
        with self.assertRaises(TimeoutError):
            v.wait_reply(7, timeout=2)
        # The archive's answers the edge kept are still served.
        status, _ = self.edge.http_get("/api/archive/sessions")
        self.assertEqual(status, 200, "kept from before the crash")
        self.studio.start()
        reply = v.wait_reply(7, timeout=30)
        self.assertEqual(reply.get("type"), "question.received", reply)
        self.assertEqual(self.count_at_studio(text), 1)
        v.wait_event("studio.state", timeout=15, predicate=lambda m: m["state"] == "live")

    def test_nats_killed_mid_show_a_retry_after_it_returns_makes_one_question(self):
        v = self.viewer()
        text = f"消息服务器重启前后的问题 {secrets.token_hex(3)}"
        cid = client_id()
        self.nats.kill9()
        self.edge.wait_public(lambda s: s.get("studio") == "reconnecting", 15,
                              "told the studio is out of reach")
        refused = v.submit(text, client_id=cid)
        self.assertEqual((refused.get("type"), refused.get("code")), ("error", "unavailable"),
                         refused)
        self.nats.start()
        self.edge.wait_public(lambda s: s.get("studio") == "live", 30, "the studio back")
        reply = v.submit(text, client_id=cid)
        self.assertEqual(reply.get("type"), "question.received", reply)
        again = v.submit(text, client_id=cid)
        self.assertEqual(again["question"]["id"], reply["question"]["id"])
        self.assertEqual(self.count_at_studio(text), 1)


class EdgeWithTheShippedPermissions(IntegrationTest):
    """deploy/nats/permissions.conf in a real nats-server: the studio and the
    edge each sign in as their own user and do their work; an edge's user
    cannot speak for the studio."""

    channel = "itest-perm"

    @classmethod
    def set_up_fixtures(cls):
        cls.studio_password = nats_password()
        cls.edge_password = nats_password()
        cls.nats = NatsServer(cls.work.path, include=REPO / "deploy/nats/permissions.conf",
                              env={"YST_NATS_STUDIO_PASSWORD": cls.studio_password,
                                   "YST_NATS_EDGE_PASSWORD": cls.edge_password})
        cls.addClassCleanup(cls.nats.stop)
        cls.nats.start()
        show = edge_show(cls.nats)
        show["edge"].update({"channel": cls.channel, "user_env": "YST_NATS_USER",
                             "password_env": "YST_NATS_PASSWORD"})
        cls.studio = Studio(cls.work.path, show,
                            extra_env={"YST_NATS_USER": "yst-studio",
                                       "YST_NATS_PASSWORD": cls.studio_password})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)
        cls.edge = Edge(cls.work.path, cls.nats, cls.channel, name="edge-p",
                        nats_keys={"user_env": "YST_NATS_USER", "password_env": "YST_NATS_PASSWORD"},
                        env={"YST_NATS_USER": "yst-edge", "YST_NATS_PASSWORD": cls.edge_password})
        cls.addClassCleanup(cls.edge.stop)
        cls.edge.start()

    def test_the_studio_and_the_edge_work_each_as_its_own_user(self):
        v = Viewer(self.edge.ws_url)
        self.addCleanup(v.close)
        reply = v.submit(f"权限配置下的问题 {secrets.token_hex(3)}", client_id=client_id())
        self.assertEqual(reply.get("type"), "question.received", reply)
        qid = reply["question"]["id"]
        self.assertTrue(self.producer.command("question.approve", question=qid).get("ok"))
        v.wait_event("questions.public", timeout=10,
                     predicate=lambda m: any(q["id"] == qid for q in m["questions"]))
        # 问政跟踪's subjects too: a department's desk at the edge signs in,
        # reads its items and hears of a new one.
        added = subprocess.run([str(harness.studio_binary()), "departments", "add", "权限测试局",
                                "--data", str(self.studio.data_dir)],
                               capture_output=True, text=True, timeout=20)
        self.assertEqual(added.returncode, 0, added.stderr)
        department = int(added.stdout.split(":")[0].split()[1])
        desk = harness.Producer(self.edge.ws_url, None, hello=False)
        self.addCleanup(desk.close)
        desk.send_json({"type": "hello", "role": "department",
                        "token": added.stdout.strip().rsplit("/d/", 1)[1]})
        self.assertEqual(desk._await_hello(True, None)["department"]["id"], department)
        self.assertEqual(desk.ok("followup.list")["items"], [])
        self.producer.ok("followup.forward", question=qid, department=department)
        desk.wait_event("followup.changed", predicate=lambda e: e["action"] == "forward")
        for log in (self.studio.log_text(), self.edge.log_text()):
            self.assertNotIn(self.studio_password, log)
            self.assertNotIn(self.edge_password, log)

    def test_the_shipped_cluster_node_configuration_is_valid(self):
        """deploy/nats/nats.conf as shipped, only its certificate and store
        paths pointed at a throw-away certificate: nats-server accepts it."""
        folder = self.case_dir()
        for name in ("nats.conf", "permissions.conf"):
            shutil.copyfile(REPO / "deploy/nats" / name, folder / name)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=nats-1", "-keyout", str(folder / "server.key"),
                        "-out", str(folder / "server.crt")], check=True, capture_output=True)
        # The self-signed certificate is its own CA, for the routes' ca_file.
        shutil.copyfile(folder / "server.crt", folder / "ca.pem")
        conf = (folder / "nats.conf").read_text(encoding="utf-8")
        self.assertIn("/etc/nats/tls/", conf)
        conf = conf.replace("/etc/nats/tls/", f"{folder}/").replace(
            "/var/lib/nats/jetstream", str(folder / "js"))
        (folder / "nats.conf").write_text(conf, encoding="utf-8")
        checked = subprocess.run([nats_server_binary(), "-t", "-c", "nats.conf"], cwd=folder,
                                 capture_output=True, text=True, timeout=30,
                                 env=dict(os.environ, YST_NATS_STUDIO_PASSWORD="s" * 24,
                                          YST_NATS_EDGE_PASSWORD="e" * 24))
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn("is valid", checked.stdout + checked.stderr)

    def test_an_edges_user_cannot_speak_for_the_studio_nor_read_the_intake(self):
        c = self.channel
        for forged in (f"yst.{c}.feed", f"yst.{c}.received", f"yst.{c}.viewer", f"yst.{c}.studio",
                       f"yst.{c}.desk", "$JS.API.STREAM.DELETE.YST_INTAKE_" + c):
            said = nats_client_says(self.nats, "yst-edge", self.edge_password,
                                    [f"PUB {forged} 2\r\nhi\r\n"])
            self.assertIn("Permissions Violation for Publish", said, forged)
        said = nats_client_says(self.nats, "yst-edge", self.edge_password,
                                [f"SUB yst.{c}.intake 1\r\n"])
        self.assertIn("Permissions Violation for Subscription", said)
        allowed = nats_client_says(self.nats, "yst-edge", self.edge_password,
                                   [f"PUB yst.{c}.edges 2\r\n{{}}\r\n"])
        self.assertNotIn("Violation", allowed)
        self.assertIn("Authorization Violation",
                      nats_client_says(self.nats, "yst-edge", "not-the-password", []))


if __name__ == "__main__":
    harness.main()
