#!/usr/bin/python3
"""Cues and the host's monitor over /ws (the console's second window and
/host/ read the same messages):

- a producer's cue.send reaches producers as a `cue` event, the host as a
  new host.state, and /api/status as `cue`; empty, over-long, multi-line,
  non-text and viewer cues are refused;
- the host signs in with the host token (or the producer's), never with a
  wrong one; its hello carries the whole state — show, planned length,
  question on air, the next three in air order, the latest cue;
- host.state follows the question desk (approve, on air, reorder, answered)
  and is not sent again when nothing it shows changed;
- the host can command nothing.

Run alone: /usr/bin/python3 tests/integration/test_host.py
"""

import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

HOST_TOKEN = "host-" + secrets.token_urlsafe(12)


class Host(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=320, height=180, fps=15, video_bitrate_kbps=300, preset="ultrafast")
        show["show"]["duration_min"] = 45
        show["audience"] = {"question_interval_s": 0}
        cls.studio = Studio(cls.work.path, show, extra_env={"YISHITING_HOST_TOKEN": HOST_TOKEN})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)

    def host(self, token: str = HOST_TOKEN):
        client = self.studio.producer(hello=False)
        self.addCleanup(client.close)
        client.send_json({"type": "hello", "role": "host", "token": token})
        return client, client._await_hello(False, None)

    def next_state(self, client, predicate, what: str, timeout: float = 10.0) -> dict:
        """The first host.state matching `predicate`; the states before it are
        dropped too, as the host's page would have drawn over them (else a
        later wait could match one of those stale states: a state with no
        question on air from before one was put on air)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(client.events):
                if m.get("type") == "host.state" and predicate(m):
                    client.events[:i + 1] = [e for e in client.events[:i]
                                             if e.get("type") != "host.state"]
                    return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no host.state with {what}; got "
                                     f"{[e.get('type') for e in client.events[-8:]]}")
            try:
                client.events.append(client.recv_json(left))
            except TimeoutError:
                pass

    def test_a_cues(self):
        r = self.producer.ok("cue.send", text="  还有 5 分钟  ")
        self.assertEqual(r["cue"]["text"], "还有 5 分钟")
        self.assertGreaterEqual(r["cue"]["timeline_ms"], 0)
        self.producer.wait_event("cue", predicate=lambda m: m["cue"]["text"] == "还有 5 分钟")
        self.studio.wait_until(lambda s: s["cue"] and s["cue"]["text"] == "还有 5 分钟", 5, "the cue")
        for fields, code in (({"text": "   "}, "empty"), ({"text": "请" * 61}, "too_long"),
                             ({"text": 5}, "invalid"), ({}, "invalid")):
            reply = self.producer.command("cue.send", **fields)
            self.assertEqual(reply.get("code"), code, f"{fields}: {reply}")
        # A line break is one line on the host's screen.
        self.assertEqual(self.producer.ok("cue.send", text="请\n收尾")["cue"]["text"], "请 收尾")
        viewer = self.studio.viewer()
        self.addCleanup(viewer.close)
        self.assertEqual(viewer.command("cue.send", text="我是观众").get("code"), "forbidden")
        self.studio.wait_until(lambda s: s["cue"]["text"] == "请 收尾", 5, "the last cue in the status")

    def test_b_host_sign_in(self):
        _, refused = self.host("not-the-host-token")
        self.assertEqual(refused.get("code"), "forbidden")
        _, missing = self.host("")
        self.assertEqual(missing.get("code"), "forbidden")
        _, by_producer = self.host(self.studio.token)
        self.assertEqual(by_producer.get("type"), "hello.ok")
        client, hello = self.host()
        self.assertEqual(hello["role"], "host")
        state = hello["host"]
        self.assertEqual(state["show"]["title"], "温网议事厅 · 集成测试")
        self.assertEqual(state["show"]["duration_ms"], 45 * 60000)
        self.assertEqual(state["show"]["host"]["name"], "王芳")
        self.assertIsInstance(state["show"]["timeline_ms"], int)
        self.assertIn("next", state)
        # Nothing to command.
        for message in ({"type": "program.set", "layout": "single"}, {"type": "cue.send", "text": "x"},
                        {"type": "question.approve", "question": 1},
                        {"type": "transcript.commit", "speaker": "host", "text": "x"}):
            reply = client.command(message.pop("type"), **message)
            self.assertEqual(reply.get("code"), "forbidden", reply)

    def test_c_host_state_follows_the_desk(self):
        client, hello = self.host()
        ids = []
        for text in ("医保卡丢了怎么补办？", "公交卡能在手机上充值吗？", "老小区加装电梯怎么申请？",
                     "停车难什么时候能解决？"):
            q = self.producer.command("question.submit", text=text)["question"]["id"]
            ids.append(q)
            self.producer.ok("question.approve", question=q)
        state = self.next_state(client, lambda m: [q["id"] for q in m["next"]] == ids[:3],
                                "the first three approved in order")
        self.assertIsNone(state["on_air"])
        self.producer.ok("question.on_air", question=ids[0])
        state = self.next_state(client, lambda m: m["on_air"] and m["on_air"]["id"] == ids[0],
                                "the question on air")
        self.assertEqual(state["on_air"]["text"], "医保卡丢了怎么补办？")
        self.assertEqual([q["id"] for q in state["next"]], ids[1:4])
        # Reordered: the last one first.
        self.producer.ok("question.move", question=ids[3], position=0)
        self.next_state(client, lambda m: [q["id"] for q in m["next"]] == [ids[3], ids[1], ids[2]],
                        "the new air order")
        self.producer.ok("cue.send", text="下一个问题")
        self.next_state(client, lambda m: m["cue"] and m["cue"]["text"] == "下一个问题", "the cue")
        self.producer.ok("question.answered")
        self.next_state(client, lambda m: m["on_air"] is None, "no question on air")
        # Nothing it shows changes for a while: nothing is sent, though the
        # status is published every second. The window is three status
        # publications, however long they take on this machine.
        client.events.clear()
        for _ in range(3):
            self.studio.fresh_status()
        try:
            while True:
                client.events.append(client.recv_json(0.2))
        except TimeoutError:
            pass
        self.assertEqual([m for m in client.events if m.get("type") == "host.state"], [])


if __name__ == "__main__":
    harness.main()
