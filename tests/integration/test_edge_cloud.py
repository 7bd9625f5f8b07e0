#!/usr/bin/python3
"""The public edge as it runs in the cloud, with the files of deploy/ as
shipped (only their placeholders filled in):

- EdgesBehindNginx: nginx (deploy/nginx/yishiting-edges.conf, TLS with a
  test CA) in front of two `yishiting edge`s, and the HLS origin
  (deploy/nginx/hls-origin.conf: nginx-rtmp with `hls on`) to which the
  studio pushes its program like to a partner site. A viewer asks through
  nginx; the live program comes from the origin through nginx's cache, one
  origin fetch per segment however many ask at once; when an edge is
  killed, its viewers come back through the same address to the other edge
  and miss nothing; the viewer page plays the program in Chromium, and comes
  back by itself when its edge dies (edge-failover.test.mjs).
- ArchiveFromTheCloud: the studio uploads each show's package to the origin
  ([edge] archive_upload, over TLS with a password); a refused upload is
  said and finished by the next start; an edge's archive plays the video
  from the origin through the front's cache.
- StudioLinkCut: the studio's link to NATS cut for 60 s (no reset) and
  healed: the edge keeps its viewer, the questions asked meanwhile are
  acknowledged in order afterwards, the LAN's staff work all along.
- EdgesOnATlsCluster: three nats-server nodes running deploy/nats/nats.conf
  and permissions.conf (TLS between the nodes and to every client, each its
  own user), the studio with `[edge] replicas = 3` and two edges dialling
  different nodes. The intake is kept on the three nodes; the node leading
  it is killed mid-show and the show goes on: every question is
  acknowledged once and stored once; the node comes back and catches up.

Run alone: /usr/bin/python3 tests/integration/test_edge_cloud.py
"""

# ctest-timeout-s: 360 (a 60 s cut, three recorded shows, a cluster of three)

import json
import re
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (LOOPBACK, ConnectionClosed, IntegrationTest, Studio, Viewer,  # noqa: E402
                     make_show, read_text, tail)
from cloud_peers import HlsOrigin, front_fail_timeout_s, render_edges_conf, segments_of  # noqa: E402
from edge_peers import Edge, LinkCut, NatsServer, nats_password, start_cluster  # noqa: E402
from proxy_peers import (NginxSite, ProxyPki, TlsConnection, https_get,  # noqa: E402
                         proxied_viewer)



def client_id() -> str:
    return secrets.token_urlsafe(16)[:22]


def small_show(title: str = "温网议事厅 · 云端测试") -> dict:
    show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300, title=title)
    show["audience"] = {"question_interval_s": 0, "question_burst": 100}
    return show


# --------------------------------------------------------------------------- edges behind nginx

class EdgesBehindNginx(IntegrationTest):
    channel = "itest-cloud"
    # When a test last killed an edge (the front leaves it out for a while).
    edge_killed_at = float("-inf")

    @classmethod
    def set_up_fixtures(cls):
        cls.pki = ProxyPki(cls.work.sub("pki"))
        cls.nats = NatsServer(cls.work.path)
        cls.addClassCleanup(cls.nats.stop)
        cls.nats.start()
        cls.origin = HlsOrigin(cls.work.path, cls.pki)
        cls.addClassCleanup(cls.origin.stop)
        cls.origin.start()
        show = small_show()
        show["edge"] = {"nats": cls.nats.url, "channel": cls.channel}
        show["destinations"] = [{"id": "cloud", "name": "云端 HLS 源站",
                                 "url": cls.origin.publish_url("program")}]
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)
        # The front's address first: the edges' public_url names it.
        cls.edges = [Edge(cls.work.path, cls.nats, cls.channel, name=f"edge-{x}",
                          edge_keys={"trusted_proxies": [LOOPBACK]}) for x in "ab"]
        cls.front = NginxSite(cls.work.path, lambda site: render_edges_conf(
            site, cls.pki, cls.edges, cls.origin.http_address), name="front")
        for edge in cls.edges:
            edge.config["edge"]["public_url"] = f"{cls.front.base_url}/"
            (edge.dir / "edge.toml").write_text(harness.dump_toml(edge.config), encoding="utf-8")
            cls.addClassCleanup(edge.stop)
            edge.start()
        cls.front.start()
        cls.addClassCleanup(cls.front.stop)
        cls.playlist = cls.wait_playlist(segments=3, timeout=40)

    @classmethod
    def wait_playlist(cls, segments: int, timeout: float) -> bytes:
        """The playlist through the front once it lists `segments` segments."""
        def listed():
            status, body, _ = https_get(cls.pki, cls.front.https_port, "/hls/program.m3u8")
            return body if status == 200 and len(segments_of(body)) >= segments else None
        return harness.wait_until(listed, timeout, f"a playlist of {segments} segments through "
                                  f"the front\n{tail(read_text(cls.origin.error_log), 10)}")

    def get(self, path: str, **kwargs) -> tuple[int, bytes, dict]:
        return https_get(self.pki, self.front.https_port, path, **kwargs)

    def viewer(self, **kwargs) -> Viewer:
        v = proxied_viewer(self.front, self.pki, **kwargs)
        self.addCleanup(v.close)
        return v

    def edge_viewers(self) -> dict[str, int]:
        status = self.studio.status()
        return {e["edge"]: e["viewers"] for e in status["edge"]["edges"]}

    def test_a_viewer_through_nginx_asks_at_an_edge_and_staff_find_nothing_there(self):
        v = self.viewer()
        self.assertEqual(v.hello_reply["type"], "hello.ok", v.hello_reply)
        reply = v.submit(f"经由云端代理的问题 {secrets.token_hex(3)}", client_id=client_id())
        self.assertEqual(reply.get("type"), "question.received", reply)
        listed = self.producer.ok("questions.list")["questions"]
        self.assertIn(reply["question"]["id"], [q["id"] for q in listed])
        status, body, headers = self.get("/api/public-status")
        self.assertEqual(status, 200, body[:200])
        public = json.loads(body)
        self.assertEqual((public["hls"]["playlist"], public["studio"]), ("/hls/program.m3u8", "live"))
        self.assertRegex(headers.get("strict-transport-security", ""), r"max-age=\d+")
        for staff in ("/producer/", "/api/status", "/metrics", "/host/"):
            self.assertEqual(self.get(staff)[0], 404, staff)

    def test_the_program_comes_from_the_origin_through_the_cache_once_per_segment(self):
        # A segment cut from now on: nobody has asked for it yet.
        known = set(segments_of(self.wait_playlist(segments=3, timeout=20)))
        newest = harness.wait_until(
            lambda: next((s for s in segments_of(self.wait_playlist(segments=1, timeout=10))
                          if s not in known), None), 20, "a new segment in the playlist")
        self.assertRegex(newest, r"^program-\d+\.ts$", "segments named by time (never reused)")
        path = f"/hls/{newest}"
        self.assertEqual(self.origin.fetches(path), 0, "nobody asked for it yet")
        # A crowd asks for the newest segment at once, from 16 addresses:
        # connected first, then every request sent together.
        answers: list[tuple[int, bytes]] = [None] * 16
        connections = [TlsConnection(self.pki, self.front.https_port, f"127.0.1.{i + 1}", 30)
                       for i in range(len(answers))]
        for c in connections:
            c.connect()
            self.addCleanup(c.close)
        together = threading.Barrier(len(connections))

        def fetch(i: int) -> None:
            together.wait(10)
            connections[i].request("GET", path)
            response = connections[i].getresponse()
            answers[i] = (response.status, response.read())
        crowd = [threading.Thread(target=fetch, args=(i,)) for i in range(len(answers))]
        for t in crowd:
            t.start()
        for t in crowd:
            t.join(30)
        self.assertEqual({a[0] for a in answers}, {200}, [a[0] for a in answers])
        self.assertEqual(len({a[1] for a in answers}), 1, "every viewer got the same bytes")
        # The origin logs a request once it has sent it all.
        harness.wait_until(lambda: self.origin.fetches(path), 5, "the origin's log line")
        self.assertEqual(self.origin.fetches(path), 1, "one origin fetch for the crowd")
        # What arrived is the program: 188-byte MPEG-TS packets of H.264 and AAC.
        segment = self.case_dir() / newest
        segment.write_bytes(answers[0][1])
        self.assertEqual(len(answers[0][1]) % 188, 0)
        harness.check_h264_aac(harness.probe(str(segment)), 320, 180)
        # Browsers are told what the origin says: fetch the playlist again,
        # keep a segment.
        status, _, headers = self.get("/hls/program.m3u8")
        self.assertEqual((status, headers.get("cache-control")), (200, "no-cache"))
        self.assertEqual(self.get(path)[2].get("cache-control"), "max-age=600")

    def test_an_edge_killed_its_viewers_come_back_through_the_same_address_and_miss_nothing(self):
        viewers = [self.viewer(source=f"127.0.2.{i + 1}") for i in range(6)]
        harness.wait_until(lambda: (lambda c: c if sum(c.values()) >= 6 and min(c.values()) > 0
                                    and len(c) == 2 else None)(self.edge_viewers()),
                           15, "nginx to spread the viewers over both edges")
        victim, survivor = self.edges
        asked = viewers[0]
        cid = client_id()
        text = f"节点宕机前问的问题 {secrets.token_hex(3)}"
        before = asked.submit(text, client_id=cid)
        self.assertEqual(before.get("type"), "question.received", before)
        positions = {id(v): v.hello_reply["feed"] for v in viewers}
        killed_at = time.monotonic()
        type(self).edge_killed_at = killed_at
        victim.kill9()
        # Which viewers lost their connection: those the victim held.
        dropped = []
        for v in viewers:
            try:
                for m in v.drain(0.5):
                    if "feed" in m:
                        positions[id(v)] = m["feed"]
            except ConnectionClosed:
                dropped.append(v)
        self.assertTrue(0 < len(dropped) < len(viewers), f"{len(dropped)} of 6 were on the victim")
        # Each comes back as the page does: the same address, its id and
        # where it was in the feed; nginx passes it to the edge that answers.
        back = []
        for v in dropped:
            def reconnect(v=v):
                try:
                    return proxied_viewer(self.front, self.pki, viewer_id=v.viewer_id,
                                          since=positions[id(v)])
                except AssertionError:
                    return None
            again = harness.wait_until(reconnect, 15, "a viewer back through nginx")
            self.addCleanup(again.close)
            self.assertTrue(again.hello_reply.get("resumed"), again.hello_reply)
            back.append(again)
        harness.log_measured("an edge's viewers back through nginx",
                             time.monotonic() - killed_at, "s", "15 s", "the issue's 5 s")
        # The retry of the question asked before the kill makes no second one.
        retrier = back[dropped.index(asked)] if asked in dropped else asked
        again = retrier.submit(text, client_id=cid)
        self.assertEqual(again["question"]["id"], before["question"]["id"])
        # The show goes on: what is approved now reaches every viewer.
        qid = before["question"]["id"]
        self.assertTrue(self.producer.command("question.approve", question=qid).get("ok"))
        for v in [v for v in viewers if v not in dropped] + back:
            v.wait_event("questions.public", timeout=10,
                         predicate=lambda m: any(q["id"] == qid for q in m["questions"]))
        listed = self.producer.ok("questions.list")["questions"]
        self.assertEqual([q["id"] for q in listed if q["text"] == text], [qid])
        self.assertIn(survivor.name, self.edge_viewers())
        victim.start()

    def test_the_viewer_page_comes_back_through_nginx_when_its_edge_dies(self):
        node_log = harness.ARTIFACTS_DIR / "e2e" / "edge-failover" / "node.log"  # as it runs
        node_log.unlink(missing_ok=True)  # a previous run's "[ready]" is not this one's
        killed: list[Edge] = []

        def kill_the_pages_edge():
            # Once the page is in and the studio counts it at one edge.
            harness.wait_until(lambda: "[ready]" in read_text(node_log), 60, "the page in")
            counts = harness.wait_until(
                lambda: (lambda c: c if sorted(c.values()) == [0, 1] else None)(self.edge_viewers()),
                20, "the page counted at one edge")
            victim = next(e for e in self.edges if counts.get(e.name) == 1)
            # An edge killed by an earlier test is back only once the front's
            # fail_timeout has run out after the last failed attempt on it (its
            # viewers try it for a few seconds after the kill): until then the
            # page would have nowhere to go.
            harness.wait_until(lambda: time.monotonic() - self.edge_killed_at
                               > front_fail_timeout_s() + 5, front_fail_timeout_s() + 6,
                               "the front offering viewers to both edges again")
            type(self).edge_killed_at = time.monotonic()
            victim.kill9()
            killed.append(victim)
        killer = threading.Thread(target=kill_the_pages_edge, daemon=True)
        killer.start()
        try:
            shots = harness.run_e2e_script(
                "edge-failover.test.mjs", self.front.base_url,
                {"YST_TRUST_SPKI": self.pki.spki_sha256}, timeout=150,
                context=lambda: "\n".join(tail(read_text(p), 15) for p in (
                    self.front.error_log, self.edges[0].log_path, self.edges[1].log_path)))
        finally:
            killer.join(5)
            for edge in killed:
                edge.start()
        self.assertEqual(len(killed), 1, "the page's edge was killed")
        said = (shots / "node.log").read_text()
        back_ms = int(re.search(r"^\[back\] (\d+)$", said, re.M).group(1))
        harness.log_measured("the page back through nginx after its edge died", back_ms / 1000,
                             "s", "15 s", "the issue's 5 s")
        qid = int(re.search(r"^\[question\] (\d+)$", said, re.M).group(1))
        listed = self.producer.ok("questions.list")["questions"]
        self.assertEqual([q["id"] for q in listed if q["id"] == qid], [qid])

    def test_the_viewer_page_through_nginx_plays_the_program_from_the_origin(self):
        harness.run_e2e_script(
            "proxy.test.mjs", self.front.base_url, {"YST_TRUST_SPKI": self.pki.spki_sha256},
            timeout=150,
            context=lambda: "\n".join(tail(read_text(p), 15) for p in (
                self.front.error_log, self.origin.error_log, self.edges[0].log_path,
                self.edges[1].log_path)))


# --------------------------------------------------------------------------- the archive in the cloud

class ArchiveFromTheCloud(IntegrationTest):
    """Three shows on one data folder: the first ends and its package goes up
    to the origin as it ends; the second's upload is refused (a wrong
    password) and waits; the third studio, running now, uploads it in the
    background. An edge behind the front nginx then lists both with their
    videos, which come from the origin through the front's cache."""

    channel = "itest-archive"

    @classmethod
    def show(cls, title: str) -> dict:
        show = make_show(sources=(("host", "test://smpte"),), hls=False, width=320, height=180,
                         fps=15, video_bitrate_kbps=300, preset="ultrafast", title=title)
        show["program"]["keyframe_interval_s"] = 1
        show["audience"] = {"question_interval_s": 0}
        show["overlay"] = {"clock": False, "qr": False}
        show["edge"] = {"nats": cls.nats.url, "channel": cls.channel,
                        "archive_upload": cls.origin.upload_url,
                        "archive_upload_user_env": "YST_UPLOAD_USER",
                        "archive_upload_password_env": "YST_UPLOAD_PASSWORD",
                        "archive_upload_ca": str(cls.pki.ca)}
        return show

    @classmethod
    def set_up_fixtures(cls):
        cls.pki = ProxyPki(cls.work.sub("pki"))
        cls.password = secrets.token_urlsafe(18)
        cls.wrong_password = secrets.token_urlsafe(18)
        cls.nats = NatsServer(cls.work.path)
        cls.addClassCleanup(cls.nats.stop)
        cls.nats.start()
        cls.origin = HlsOrigin(cls.work.path, cls.pki, "studio", cls.password)
        cls.addClassCleanup(cls.origin.stop)
        cls.origin.start()
        good = {"YST_UPLOAD_USER": "studio", "YST_UPLOAD_PASSWORD": cls.password}
        bad = {"YST_UPLOAD_USER": "studio", "YST_UPLOAD_PASSWORD": cls.wrong_password}
        first = Studio(cls.work.path, cls.show("温网议事厅 · 对话市医保局"), extra_env=good)
        cls.addClassCleanup(first.close)
        cls.first = harness.record_short_show(first)["session"]
        cls.first_log = first.log_text()
        second = Studio(cls.work.path, cls.show("温网议事厅 · 对话市住建局"), extra_env=bad)
        cls.addClassCleanup(second.close)
        cls.second = harness.record_short_show(second)["session"]
        cls.second_log = second.log_text()
        cls.studio = Studio(cls.work.path, cls.show("温网议事厅 · 对话市交通局"), extra_env=good)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.edge = Edge(cls.work.path, cls.nats, cls.channel, name="edge-m",
                        edge_keys={"trusted_proxies": [LOOPBACK]})
        cls.front = NginxSite(cls.work.path, lambda site: render_edges_conf(
            site, cls.pki, [cls.edge], cls.origin.http_address), name="front")
        cls.edge.config["edge"]["public_url"] = f"{cls.front.base_url}/"
        (cls.edge.dir / "edge.toml").write_text(harness.dump_toml(cls.edge.config),
                                                encoding="utf-8")
        cls.addClassCleanup(cls.edge.stop)
        cls.edge.start()
        cls.front.start()
        cls.addClassCleanup(cls.front.stop)

    def get(self, path: str, **kwargs) -> tuple[int, bytes, dict]:
        return https_get(self.pki, self.front.https_port, path, **kwargs)

    def packaged(self, session: int, name: str) -> Path:
        return self.studio.data_dir / "exports" / str(session) / name

    def session_at_the_edge(self, session: int) -> dict:
        status, body, _ = self.get(f"/api/archive/session?id={session}")
        self.assertEqual(status, 200, body[:300])
        return json.loads(body)["session"]

    def test_a_package_goes_up_to_the_origin_as_its_show_ends(self):
        self.assertIn(f"session {self.first} uploaded to {self.origin.upload_url}{self.first}/",
                      self.first_log)
        for name in ("program.mp4", "poster.jpg", "subtitles.vtt", "transcript.html"):
            self.assertEqual(self.origin.archived(self.first, name).read_bytes(),
                             self.packaged(self.first, name).read_bytes(), name)
        self.assertFalse(self.origin.archived(self.first, "questions.csv").exists(),
                         "the producers' CSV is not public")

    def test_a_refused_upload_is_said_and_goes_up_at_the_next_start(self):
        self.assertRegex(self.second_log, r"uploading session \d+ failed: .*answered 401")
        for log in (self.first_log, self.second_log, self.studio.log_text()):
            self.assertNotIn(self.password, log)
            self.assertNotIn(self.wrong_password, log)
        # The studio running now sends it in the background.
        harness.wait_until(lambda: self.origin.archived(self.second, "program.mp4").exists()
                           and f"session {self.second} uploaded" in self.studio.log_text(),
                           60, "the refused package uploaded by the next start")
        self.assertEqual(self.origin.archived(self.second, "program.mp4").read_bytes(),
                         self.packaged(self.second, "program.mp4").read_bytes())

    def test_the_archive_at_the_edge_plays_its_videos_from_the_cloud(self):
        session = harness.wait_until(lambda: (lambda s: s if s["package"] == "ready" else None)(
            self.session_at_the_edge(self.first)), 30, "the first show ready at the edge")
        video = session["video"]["url"]
        self.assertRegex(video, rf"^/archive/media/{self.first}/program\.mp4\?v=\d+$")
        local = self.packaged(self.first, "program.mp4").read_bytes()
        # A player's first request, then the whole file, through the front.
        status, head, headers = self.get(video, headers={"Range": "bytes=0-1023"})
        self.assertEqual(status, 206)
        self.assertEqual(head, local[:1024])
        self.assertEqual(headers.get("content-range"), f"bytes 0-1023/{len(local)}")
        status, whole, _ = self.get(video)
        self.assertEqual((status, whole), (200, local))
        fetched = self.origin.fetches(video.split("?")[0].replace("/archive/media/", "/archive/", 1))
        self.get(video)
        self.assertEqual(self.origin.fetches(
            video.split("?")[0].replace("/archive/media/", "/archive/", 1)), fetched,
            "the second viewer is served from the front's cache")
        poster = self.get(session["video"]["poster"])
        self.assertEqual((poster[0], poster[2].get("content-type")), (200, "image/jpeg"))
        # The studio's own page names its files without a version.
        own = json.loads(self.studio.http_get(f"/api/archive/session?id={self.first}")[1])
        self.assertEqual(own["session"]["video"]["url"], f"/archive/media/{self.first}/program.mp4")


# --------------------------------------------------------------------------- the studio's link cut

class StudioLinkCut(IntegrationTest):
    """The control room's uplink down for a minute: the studio reaches NATS
    through a relay that stops passing bytes (no reset, no refusal) and then
    heals. The edge keeps its viewers and tells them; their questions wait in
    JetStream and are acknowledged, in order, once the studio is back; the
    staff on the studio's LAN address keep working all along."""

    CUT_S = 60
    channel = "itest-cut"

    @classmethod
    def set_up_fixtures(cls):
        cls.nats = NatsServer(cls.work.path)
        cls.addClassCleanup(cls.nats.stop)
        cls.nats.start()
        cls.link = LinkCut(cls.nats.port)
        cls.addClassCleanup(cls.link.close)
        show = small_show()
        show["edge"] = {"nats": cls.link.url, "channel": cls.channel}
        cls.studio = Studio(cls.work.path, show)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.edge = Edge(cls.work.path, cls.nats, cls.channel, name="edge-l")
        cls.addClassCleanup(cls.edge.stop)
        cls.edge.start()

    def test_a_minute_without_the_studios_link_loses_nothing_and_the_lan_keeps_working(self):
        v = Viewer(self.edge.ws_url)
        self.addCleanup(v.close)
        producer = self.studio.producer()
        self.addCleanup(producer.close)
        self.link.cut()
        cut_at = time.monotonic()
        v.wait_event("studio.state", timeout=30, predicate=lambda m: m["state"] == "reconnecting")
        texts = [f"断网期间的第{n}个问题 {secrets.token_hex(3)}" for n in (1, 2, 3)]
        for n, text in enumerate(texts):
            v.send_json({"type": "question.submit", "id": 100 + n, "text": text,
                         "client_id": client_id()})
        # The rest of the minute: the viewer stays connected and unanswered
        # (nothing is committed), the producers on the LAN work as usual.
        local = Viewer(self.studio.ws_url)
        self.addCleanup(local.close)
        rounds = 0
        while time.monotonic() - cut_at < self.CUT_S:
            self.assertIsInstance(producer.ok("questions.list")["questions"], list)
            reply = local.submit(f"演播室现场的问题 {rounds} {secrets.token_hex(3)}",
                                 client_id=client_id())
            self.assertEqual(reply.get("type"), "question.received", reply)
            early = [m for m in v.drain(min(5.0, max(0.1, self.CUT_S - (time.monotonic() - cut_at))))
                     if m.get("id") in (100, 101, 102)]
            self.assertEqual(early, [], "acknowledged before the studio could commit it")
            rounds += 1
        self.link.heal()
        healed_at = time.monotonic()
        replies = [v.wait_reply(100 + n, timeout=60) for n in range(len(texts))]
        harness.log_measured("the questions asked during a 60 s cut acknowledged after it healed",
                             time.monotonic() - healed_at, "s", "60 s", "the issue's 10 s")
        self.assertEqual([r.get("type") for r in replies], ["question.received"] * 3, replies)
        ids = [r["question"]["id"] for r in replies]
        self.assertEqual(ids, sorted(ids), "committed in the order they were asked")
        listed = producer.ok("questions.list")["questions"]
        for text, qid in zip(texts, ids):
            self.assertEqual([q["id"] for q in listed if q["text"] == text], [qid])
        v.wait_event("studio.state", timeout=30, predicate=lambda m: m["state"] == "live")


# --------------------------------------------------------------------------- a cluster of three

class EdgesOnATlsCluster(IntegrationTest):
    channel = "itest-cluster"

    @classmethod
    def set_up_fixtures(cls):
        cls.pki = ProxyPki(cls.work.sub("pki"), client_auth=True)
        cls.passwords = {"YST_NATS_STUDIO_PASSWORD": nats_password(),
                         "YST_NATS_EDGE_PASSWORD": nats_password()}
        cls.nodes = start_cluster(cls.work.path, cls.pki, cls.passwords)
        for node in cls.nodes:
            cls.addClassCleanup(node.stop)
        urls = [n.url for n in cls.nodes]
        show = small_show()
        show["edge"] = {"nats": ",".join(urls), "channel": cls.channel, "replicas": 3,
                        "ca": str(cls.pki.ca), "user_env": "YST_NATS_USER",
                        "password_env": "YST_NATS_PASSWORD"}
        cls.studio = Studio(cls.work.path, show, extra_env={
            "YST_NATS_USER": "yst-studio",
            "YST_NATS_PASSWORD": cls.passwords["YST_NATS_STUDIO_PASSWORD"]})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)
        cls.edges = []
        for i, name in enumerate(("edge-x", "edge-y")):
            # Each edge lists the nodes from another one first.
            order = urls[i + 1:] + urls[:i + 1]
            edge = Edge(cls.work.path, ",".join(order), cls.channel, name=name,
                        nats_keys={"ca": str(cls.pki.ca), "user_env": "YST_NATS_USER",
                                   "password_env": "YST_NATS_PASSWORD"},
                        env={"YST_NATS_USER": "yst-edge",
                             "YST_NATS_PASSWORD": cls.passwords["YST_NATS_EDGE_PASSWORD"]})
            cls.addClassCleanup(edge.stop)
            cls.edges.append(edge)
            edge.start(timeout=30)

    @property
    def stream(self) -> str:
        return f"YST_INTAKE_{self.channel}"

    def intake_at_its_leader(self) -> dict | None:
        """The intake stream as its leader reports it (/jsz: config and
        cluster, the followers' replicas with whether each is current)."""
        for node in self.nodes:
            if not node.running:
                continue
            jsz = node.monitor("/jsz?accounts=true&streams=true&config=true")
            for account in jsz.get("account_details", []):
                for stream in account.get("stream_detail", []):
                    if (stream.get("name") == self.stream
                            and stream.get("cluster", {}).get("leader") == node.server_name):
                        return stream
        return None

    def viewer(self, edge: Edge, **kwargs) -> Viewer:
        v = Viewer(edge.ws_url, **kwargs)
        self.addCleanup(v.close)
        return v

    def stored(self, text: str) -> list[int]:
        listed = self.producer.ok("questions.list")["questions"]
        return [q["id"] for q in listed if q["text"] == text]

    def submit_until_received(self, v: Viewer, text: str, cid: str, timeout: float) -> dict:
        """Submits as the page does: an `unavailable` answer (or none) means
        retry with the same client id; anything else is the answer."""
        def submit() -> dict:
            try:
                return v.submit(text, client_id=cid, timeout=5)
            except AssertionError:
                return {"type": "error", "code": "no answer"}
        reply = harness.wait_until(
            submit, timeout, f"{text!r} received",
            accept=lambda r: r.get("code") not in ("unavailable", "no answer"), interval=0.5)
        self.assertEqual(reply.get("type"), "question.received", reply)
        return reply

    def test_the_intake_is_kept_on_three_nodes_and_every_link_is_tls(self):
        v = self.viewer(self.edges[0])
        reply = v.submit(f"三节点集群的问题 {secrets.token_hex(3)}", client_id=client_id())
        self.assertEqual(reply.get("type"), "question.received", reply)
        seen = harness.wait_until(self.intake_at_its_leader, 10, "the intake in the cluster's report")
        self.assertEqual(seen["config"]["num_replicas"], 3)
        replicas = seen["cluster"].get("replicas", [])
        self.assertEqual(len(replicas), 2, seen["cluster"])
        self.assertTrue(all(r.get("current") for r in replicas), replicas)
        # Every client connection on every node is TLS, each as its own user.
        users = set()
        for node in self.nodes:
            for conn in node.monitor("/connz?auth=true").get("connections", []):
                self.assertTrue(conn.get("tls_version"), f"{node.name}: plain connection {conn}")
                users.add(conn.get("authorized_user"))
        self.assertEqual(users, {"yst-studio", "yst-edge"})
        for log in [self.studio.log_text()] + [e.log_text() for e in self.edges]:
            for password in self.passwords.values():
                self.assertNotIn(password, log)

    def test_the_node_leading_the_intake_killed_mid_show_nothing_lost_nothing_twice(self):
        viewers = [self.viewer(e) for e in self.edges]
        warm = self.submit_until_received(viewers[0], f"宕机前 {secrets.token_hex(3)}",
                                          client_id(), 10)
        self.assertTrue(warm)
        leader_name = harness.wait_until(self.intake_at_its_leader, 10,
                                         "the intake's leader")["cluster"]["leader"]
        leader = next(n for n in self.nodes if n.server_name == leader_name)
        leader.kill9()
        # Questions asked meanwhile at both edges: each either acknowledged
        # after the commit or told `unavailable`, retried with its client id.
        asked = []
        for n in range(6):
            v = viewers[n % 2]
            text = f"节点宕机期间的问题 {n} {secrets.token_hex(3)}"
            reply = self.submit_until_received(v, text, client_id(), 60)
            asked.append((text, reply["question"]["id"]))
        for text, qid in asked:
            self.assertEqual(self.stored(text), [qid], text)
        # What is approved now still reaches the viewers at both edges.
        qid = asked[-1][1]
        self.assertTrue(self.producer.command("question.approve", question=qid).get("ok"))
        for v in viewers:
            v.wait_event("questions.public", timeout=15,
                         predicate=lambda m: any(q["id"] == qid for q in m["questions"]))
        # The node comes back and catches up: its copy of the intake is current.
        leader.start(timeout=60)

        def caught_up():
            seen = self.intake_at_its_leader()
            replicas = (seen or {}).get("cluster", {}).get("replicas", [])
            return seen if len(replicas) == 2 and all(r.get("current") for r in replicas) else None
        harness.wait_until(caught_up, 60, "the restarted node current again")
        self.assertEqual(self.studio.status()["edge"]["bus"], "connected")


if __name__ == "__main__":
    harness.main()
