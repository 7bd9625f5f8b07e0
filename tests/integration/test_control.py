#!/usr/bin/python3
"""The producer protocol on /ws, end to end.

Real WebSocket clients against the running studio: authentication, bad
messages, program/preview switching with the events other producers
receive, audio, destinations added and driven at run time (checked on a
real nginx) and recording stop/start. Every command is checked both by its
reply and by what /api/status shows afterwards.

Run alone: /usr/bin/python3 tests/integration/test_control.py
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (ConnectionClosed, IntegrationTest, NginxRtmp, Producer, Studio,  # noqa: E402
                     find_by_id, make_show)

START_PROGRAM = {"layout": "side_by_side", "primary": "host", "secondary": "guest"}


def program_of(status: dict) -> dict:
    p = status["program"]
    return {"layout": p["layout"], "primary": p["primary"], "secondary": p.get("secondary")}


class Control(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx_site").start()
        cls.addClassCleanup(cls.site.stop)
        cls.studio = Studio(cls.work.path, make_show(archive=True, hls=False))
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        cls.studio.wait_until(lambda s: s["program"]["frames"] > 0, 20, "program frames")
        cls.producer = cls.studio.producer()
        cls.addClassCleanup(cls.producer.close)

    def connect(self, **kwargs) -> Producer:
        p = self.studio.producer(**kwargs)
        self.addCleanup(p.close)
        return p

    def set_program(self, **program) -> dict:
        self.producer.ok("program.set", transition="cut", **program)
        return self.studio.wait_until(lambda s: all(s["program"][k] == v for k, v in program.items()),
                                      5, f"program to be {program}")

    def assert_error(self, reply: dict, codes: tuple[str, ...], what: str) -> None:
        self.assertEqual(reply.get("type"), "error", f"{what} must be refused, got {reply}")
        self.assertIn(reply.get("code"), codes, f"{what}: error code should be one of {codes}: "
                                                f"{reply}")
        self.assertTrue(reply.get("message"), f"{what}: the error needs a message: {reply}")

    # -- session

    def test_hello_ok_carries_the_status(self):
        reply = self.producer.hello_reply
        self.assertEqual(reply.get("role"), "producer", f"hello.ok: {reply}")
        self.assertIn("program", reply.get("status", {}), f"hello.ok must carry the status: {reply}")
        self.assertEqual(len(reply["status"].get("sources", [])), 2)
        status = self.producer.ok("status.get")
        self.assertTrue(status.get("ok"))

    def test_wrong_token_is_forbidden_and_changes_nothing(self):
        before = program_of(self.studio.status())
        p = self.connect(hello=False)
        reply = p.hello("not-the-token", expect_ok=False)
        self.assertEqual(reply.get("type"), "error", f"a wrong token must be refused: {reply}")
        self.assertEqual(reply.get("code"), "forbidden", f"a wrong token must be refused: {reply}")
        self.assertNotIn("not-the-token", json.dumps(reply))
        try:
            p.send_json({"type": "program.set", "id": 1, "layout": "single", "primary": "guest"})
            answer = p.wait_reply(1, "program.set after a refused hello", timeout=5)
            self.assertEqual((answer.get("type"), answer.get("code")), ("error", "forbidden"),
                             f"a command after a refused hello must be forbidden: {answer}")
        except (ConnectionClosed, BrokenPipeError, ConnectionError):
            pass  # closing the connection is a refusal too
        # The status published after the refusal, not a pause.
        self.assertEqual(program_of(self.studio.fresh_status()[0]), before,
                         "a refused command must not change the program")

    def test_command_without_hello_is_forbidden(self):
        before = program_of(self.studio.status())
        p = self.connect(hello=False)
        try:
            p.send_json({"type": "program.set", "id": 1, "layout": "single", "primary": "guest"})
            answer = p.wait_reply(1, "program.set without hello", timeout=5)
            self.assertEqual((answer.get("type"), answer.get("code")), ("error", "forbidden"),
                             f"a command before hello must be forbidden: {answer}")
        except (ConnectionClosed, BrokenPipeError, ConnectionError):
            pass
        # The status published after the refusal, not a pause.
        self.assertEqual(program_of(self.studio.fresh_status()[0]), before)

    def test_malformed_json_is_bad_message(self):
        p = self.connect()
        p.send_raw('{"type": "program.set", "layout": ')
        # Broadcast events (audio.levels) may arrive before the answer.
        reply = p.wait_event("error", 5)
        self.assert_error(reply, ("bad_message",), "malformed JSON")

    def test_unknown_type(self):
        p = self.connect()
        reply = p.command("no.such.command")
        self.assert_error(reply, ("unknown_type", "bad_message"), "an unknown type")

    def test_oversized_message_closes_the_connection(self):
        p = self.connect()
        message = json.dumps({"type": "status.get", "id": 1, "padding": "x" * 5000})
        self.assertGreater(len(message), 4096)
        p.send_raw(message)
        p.expect_closed(timeout=5)
        # Only that connection is gone.
        self.studio.status()
        fresh = self.connect()
        self.assertTrue(fresh.ok("status.get")["ok"])

    # -- program and preview

    def test_cut_to_single_is_broadcast(self):
        self.set_program(**START_PROGRAM)
        other = self.connect()
        self.producer.ok("program.set", layout="single", primary="guest", transition="cut")
        self.studio.wait_until(
            lambda s: (s["program"]["layout"], s["program"]["primary"]) == ("single", "guest"),
            5, "program single/guest")
        event = other.wait_event(
            "program.changed", 5,
            lambda e: (e["program"]["layout"], e["program"]["primary"]) == ("single", "guest"))
        self.assertIn("utc", event, f"events carry utc: {event}")
        self.assertIsInstance(event.get("timeline_ms"), int, f"events carry timeline_ms: {event}")
        self.assertGreaterEqual(event["timeline_ms"], 0)

    def test_fade_transition(self):
        self.set_program(layout="single", primary="guest")
        reply = self.producer.command("program.set", layout="side_by_side", primary="host",
                                      secondary="guest", transition="fade", duration_ms=500)
        self.assertTrue(reply.get("ok"), f"a fade must be accepted: {reply}")
        self.studio.wait_until(lambda s: program_of(s) == START_PROGRAM, 3,
                               "the fade to side_by_side host/guest")

    def test_unknown_source_is_refused_and_changes_nothing(self):
        self.set_program(**START_PROGRAM)
        reply = self.producer.command("program.set", layout="single", primary="nobody")
        self.assert_error(reply, ("not_found", "invalid"), "program.set with an unknown source")
        reply = self.producer.command("program.set", layout="grid")
        self.assert_error(reply, ("invalid",), "program.set with an unknown layout")
        self.assertEqual(program_of(self.studio.fresh_status()[0]), START_PROGRAM,
                         "a refused program.set must change nothing")

    def test_preview_then_take(self):
        self.set_program(**START_PROGRAM)
        self.producer.ok("preview.set", layout="pip", primary="guest", secondary="host")
        status = self.studio.wait_until(
            lambda s: (s["preview"]["layout"], s["preview"]["primary"],
                       s["preview"]["secondary"]) == ("pip", "guest", "host"),
            5, "preview pip guest/host")
        self.assertEqual(program_of(status), START_PROGRAM, "preview.set must not touch program")
        self.producer.wait_event("preview.changed", 5, lambda e: e["preview"]["layout"] == "pip")
        self.producer.ok("program.take", transition="cut")
        self.studio.wait_until(
            lambda s: program_of(s) == {"layout": "pip", "primary": "guest", "secondary": "host"},
            5, "program to become the former preview (pip guest/host)")

    # -- audio

    def test_audio_set(self):
        self.producer.ok("audio.set", source="guest", gain=0.5, muted=True)
        self.addCleanup(self.producer.command, "audio.set", source="guest", gain=1.0, muted=False)
        self.studio.wait_until(
            lambda s: (abs(find_by_id(s["sources"], "guest")["gain"] - 0.5) < 1e-6
                       and find_by_id(s["sources"], "guest")["muted"] is True),
            5, "guest gain 0.5, muted")
        self.assertIs(self.studio.source("host")["muted"], False, "host must stay unmuted")
        self.producer.ok("audio.set", source="guest", muted=False)
        self.studio.wait_until(lambda s: find_by_id(s["sources"], "guest")["muted"] is False, 5,
                               "guest unmuted (gain unchanged)")
        self.assertAlmostEqual(self.studio.source("guest")["gain"], 0.5)
        self.assert_error(self.producer.command("audio.set", source="nobody", gain=1.0),
                          ("not_found", "invalid"), "audio.set on an unknown source")
        self.assert_error(self.producer.command("audio.set", source="guest", gain=-1),
                          ("invalid",), "audio.set with a negative gain")

    # -- destinations

    def test_destination_added_driven_and_removed_at_run_time(self):
        key = "sk_rt_added_at_runtime_42"
        p = self.producer
        p.ok("destination.add", destination="extra", name="新浪直播", url=self.site.url, key=key)
        self.studio.wait_destination_state("extra", "live", 20)
        self.site.wait_publishing(key, timeout=10, min_bytes=10_000)
        harness.check_h264_aac(harness.probe(self.site.stream_url(key)), 640, 360, 30,
                               where="destination added at run time")
        p.wait_event("destination.changed", 5)
        d = self.studio.destination("extra")
        self.assertNotIn(key, json.dumps(d, ensure_ascii=False), "status must mask the key")

        p.ok("destination.stop", destination="extra")
        self.studio.wait_destination_state("extra", "stopped", 10)
        harness.wait_until(lambda: self.site.stat().get(key, {}).get("publishing"), 10,
                           "nothing to publish to the site after destination.stop",
                           accept=lambda publishing: not publishing)

        p.ok("destination.start", destination="extra")
        self.studio.wait_destination_state("extra", "live", 20)
        self.site.wait_publishing(key, timeout=10)

        p.ok("destination.remove", destination="extra")
        self.studio.wait_until(lambda s: find_by_id(s["destinations"], "extra") is None, 10,
                               "destination 'extra' to be gone from status")

        self.assert_error(p.command("destination.start", destination="extra"), ("not_found",),
                          "destination.start of a removed destination")
        self.assert_error(p.command("destination.add", destination="broken", name="x", url="rtmp//x",
                                    key="k"), ("invalid",), "destination.add with a bad URL")
        self.assertIsNone(find_by_id(self.studio.status()["destinations"], "broken"))
        self.assertNotIn(key, self.studio.log_text(), "the key must not be logged")

    # -- recording

    def test_recording_stop_and_start(self):
        status = self.studio.wait_until(lambda s: s["recording"]["state"] == "recording", 10,
                                        "recording")
        first_path = status["recording"]["path"]
        self.producer.ok("recording.stop")
        self.studio.wait_until(lambda s: s["recording"]["state"] == "stopped", 10,
                               "recording.state stopped")
        self.producer.wait_event("recording.changed", 5)
        self.producer.ok("recording.start")
        status = self.studio.wait_until(lambda s: s["recording"]["state"] == "recording", 10,
                                        "recording.state recording again")
        self.assertNotEqual(status["recording"]["path"], first_path,
                            "recording.start must begin a new file")
        self.studio.wait_until(lambda s: s["recording"]["bytes"] > 0, 10,
                               "the new recording to grow")


def small_show() -> dict:
    return make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300)


class SignIn(IntegrationTest):
    """Guessing tokens: the third refusal closes a connection, an address
    that keeps guessing is locked out for longer and longer (right tokens
    too), and the log says so in a few lines. Each test has a studio of its
    own: a lock-out would spill over into the next."""

    def start_studio(self) -> Studio:
        studio = Studio(self.case_dir(), small_show())
        self.addCleanup(studio.close)
        studio.start()
        return studio

    def client(self, studio: Studio) -> Producer:
        c = studio.producer(hello=False)
        self.addCleanup(c.close)
        return c

    def hello(self, client: Producer, role: str, token: str) -> dict:
        client.send_json({"type": "hello", "role": role, "token": token})
        return client._await_hello(False, None)

    def assert_code(self, reply: dict, code: str, what: str) -> None:
        self.assertEqual((reply.get("type"), reply.get("code")), ("error", code), f"{what}: {reply}")
        self.assertTrue(reply.get("message"), f"{what}: the error needs a message: {reply}")

    def test_third_wrong_staff_token_closes_the_connection(self):
        studio = self.start_studio()
        c = self.client(studio)
        self.assert_code(self.hello(c, "producer", "wrong-token-number-1"), "forbidden", "1st")
        self.assert_code(self.hello(c, "typist", "wrong-token-number-2"), "forbidden", "2nd")
        # Still open after two.
        self.assert_code(c.command("status.get"), "forbidden", "a command after two refusals")
        self.assert_code(self.hello(c, "host", "wrong-token-number-3"), "forbidden", "3rd")
        c.expect_closed()
        # Another connection of the address may still sign in with the right token.
        ok = self.hello(self.client(studio), "producer", studio.token)
        self.assertEqual(ok.get("type"), "hello.ok", ok)

    def test_third_wrong_observer_token_closes_the_connection(self):
        studio = self.start_studio()
        v = studio.viewer(observer_token="not-an-invitation-1", hello=False)
        self.addCleanup(v.close)
        for i in range(1, 3):
            v.observer_token = f"not-an-invitation-{i}"
            self.assert_code(v.hello(expect_ok=False), "forbidden", f"observer token {i}")
            # Refused, but a viewer all the same.
            self.assertEqual(v.recv_json()["role"], "viewer")
        v.observer_token = "not-an-invitation-3"
        self.assert_code(v.hello(expect_ok=False), "forbidden", "observer token 3")
        v.expect_closed()

    def test_an_address_that_keeps_guessing_is_locked_out(self):
        studio = self.start_studio()
        wrong = "x" * 32
        # Five wrong tokens are free (three close a connection) ...
        a, b = self.client(studio), self.client(studio)
        for c, n in ((a, 3), (b, 2)):
            for _ in range(n):
                self.assert_code(self.hello(c, "producer", wrong), "forbidden", "a wrong token")
        # ... the sixth locks the address out for a second: even the right
        # token is not looked at meanwhile.
        self.assert_code(self.hello(b, "producer", wrong), "forbidden", "the sixth wrong token")
        c = self.client(studio)
        locked = self.hello(c, "producer", studio.token)
        self.assert_code(locked, "too_many_attempts", "the right token while locked out")
        self.assertEqual(locked["retry_after_s"], 1)
        # An observer invitation from the address waits too (the connection stays a viewer).
        o = studio.viewer(observer_token="some-invitation-token", hello=False)
        self.addCleanup(o.close)
        self.assert_code(o.hello(expect_ok=False), "too_many_attempts", "an observer while locked out")
        self.assertEqual(o.recv_json()["role"], "viewer")
        # The next wrong token after the wait doubles it. (A server timer,
        # not asynchronous state: the wait is what is being tested.)
        time.sleep(locked["retry_after_s"] + 0.1)
        d = self.client(studio)
        self.assert_code(self.hello(d, "producer", wrong), "forbidden", "the seventh wrong token")
        locked = self.hello(self.client(studio), "host", studio.token)
        self.assert_code(locked, "too_many_attempts", "the right token while locked out again")
        self.assertEqual(locked["retry_after_s"], 2)
        # Once it has passed, the right token signs in and the address starts afresh.
        time.sleep(locked["retry_after_s"] + 0.1)
        ok = self.hello(self.client(studio), "producer", studio.token)
        self.assertEqual(ok.get("type"), "hello.ok", ok)
        e = self.client(studio)
        self.assert_code(self.hello(e, "typist", wrong), "forbidden", "a wrong token afterwards")
        ok = self.hello(e, "producer", studio.token)
        self.assertEqual(ok.get("type"), "hello.ok", f"no lock-out after a fresh start: {ok}")

    def test_wrong_tokens_are_summarised_in_the_log(self):
        studio = self.start_studio()
        tokens = [f"guess-{i:04d}-abcdefghijkl" for i in range(15)]
        roles = ("producer", "typist", "host")
        for i in range(5):
            c = self.client(studio)
            for j in range(3):
                reply = self.hello(c, roles[j], tokens[i * 3 + j])
                self.assertIn(reply.get("code"), ("forbidden", "too_many_attempts"), reply)
        def lines() -> list[str]:
            return [line for line in studio.log_text().splitlines() if "sign-in" in line]
        # One line at once; the rest in one summary within the log interval (10 s).
        self.assertEqual(len(lines()), 1, lines())
        deadline = time.monotonic() + 15
        while len(lines()) < 2 and time.monotonic() < deadline:
            time.sleep(0.25)
        logged = lines()
        self.assertEqual(len(logged), 2, logged)
        self.assertIn("wrong producer token", logged[0])
        self.assertIn("127.0.0.1", logged[0])
        self.assertRegex(logged[1], r"\d+ × wrong (producer|typist|host) token")
        self.assertIn("address locked out", logged[1])
        self.assertIn("hello refused while locked out", logged[1])
        log = studio.log_text()
        for token in tokens:
            self.assertNotIn(token, log)
        self.assertNotIn(studio.token, log)


if __name__ == "__main__":
    harness.main()
