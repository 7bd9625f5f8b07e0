#!/usr/bin/python3
"""Who may send which command: every command type the studio knows, and a
few it does not, from every kind of connection on /ws.

For each role (a connection that never said hello, a viewer, an observer,
a department (问政跟踪), a typist, the host, a producer) and each type, the
answer is one of:
  forbidden     {"type":"error","code":"forbidden"} with the role it needs
                ("\"cue.send\" needs the producer role", "… the typist or
                producer role");
  unknown_type  {"type":"error","code":"unknown_type"}: no such command
                (a non-producer's "overlay.nope" is forbidden: the overlay
                commands are the producer's, known or not);
  accepted      anything else: a reply, or an error about the command's
                own fields (invalid, not_found, …). Commands are sent
                with a question that does not exist and no other field,
                so that the accepted ones are refused for what is missing
                and change nothing (request ids are strings: a number
                would also name a question).
Voting is a viewer's: anyone else's question.vote is forbidden ("say hello
as a viewer before voting"). A connection that never said hello becomes an
anonymous viewer's with its first question.submit; each of its commands
here goes on a connection of its own.
The table below says which, from the protocol (assets/protocol.md); the
test sends every pair and compares. It pins the rules that the command
registry of the architecture step (one list of commands, one role check)
must keep.

Run alone: /usr/bin/python3 tests/integration/test_commands.py
"""

import secrets
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

TYPIST_TOKEN = "typist-" + secrets.token_urlsafe(12)
HOST_TOKEN = "host-" + secrets.token_urlsafe(12)

ROLES = ("none", "viewer", "observer", "department", "typist", "host", "producer")

# The producer's own commands.
PRODUCER = (
    "status.get", "program.set", "preview.set", "program.take", "audio.set", "audio.listen",
    "framing.set",
    "destination.add", "destination.start", "destination.stop", "destination.remove",
    "destination.update", "recording.start", "recording.stop", "cue.send",
    "overlay.lower_third", "overlay.slate", "overlay.theme", "overlay.card", "overlay.bug",
    "overlay.clock", "overlay.qr", "overlay.ticker", "overlay.clear", "overlay.get",
    "questions.list",
    "question.approve", "question.reject", "question.edit", "question.merge",
    "question.on_air", "question.off_air", "question.answered", "question.move",
    "question.undo",
    "followup.forward", "followup.reassign", "followup.due", "followup.moderate",
    "guests.admit", "guests.hold", "guests.end", "guests.invite", "guests.list", "guests.cue",
    "guests.talk",
)
# The typist's (and the producer's, who may do a typist's work).
TYPIST = ("transcript.commit", "transcript.edit", "transcript.delete", "followup.commit",
          "followup.departments")
# 问政跟踪: a department's writing and reading (a producer may do it too), and
# what only a department asks.
DEPARTMENT = ("followup.reply", "followup.progress", "followup.list", "followup.item")
DEPARTMENT_ONLY = ("followup.reassign_request",)
# A citizen's: the asker's follow-up and its rating.
CITIZEN = {"followup.rate": "say hello as a viewer before rating a reply",
           "followup.mine": "say hello as a viewer before asking for your questions' follow-up"}
# Anyone's, a connection without hello included.
ANYONE = ("question.submit", "question.vote", "questions.mine", "transcript.list")
UNKNOWN = ("nope", "overlay.nope", "question.nope", "questions.nope", "transcript.nope",
           "status.nope", "followup.nope")


def expected(role: str, msg_type: str) -> tuple[str, str]:
    """(outcome, the error message for a refusal, "" otherwise)."""
    if msg_type == "question.vote" and role not in ("viewer", "observer"):
        return "forbidden", "say hello as a viewer before voting"
    if msg_type in ANYONE:
        return "accepted", ""
    if msg_type in CITIZEN:
        if role in ("viewer", "observer"):
            return "accepted", ""
        return "forbidden", CITIZEN[msg_type]
    if msg_type in DEPARTMENT:
        if role in ("department", "producer"):
            return "accepted", ""
        return "forbidden", f'"{msg_type}" needs the department or producer role'
    if msg_type in DEPARTMENT_ONLY:
        if role == "department":
            return "accepted", ""
        return "forbidden", f'"{msg_type}" needs the department role'

    if msg_type in TYPIST:
        if role in ("typist", "producer"):
            return "accepted", ""
        return "forbidden", f'"{msg_type}" needs the typist or producer role'
    if msg_type in PRODUCER:
        if role == "producer":
            return "accepted", ""
        return "forbidden", f'"{msg_type}" needs the producer role'
    if msg_type == "overlay.nope" and role != "producer":
        return "forbidden", f'"{msg_type}" needs the producer role'
    return "unknown_type", f'unknown message type "{msg_type}"'


def outcome(reply: dict) -> tuple[str, str]:
    if reply.get("type") == "error" and reply.get("code") in ("forbidden", "unknown_type"):
        return reply["code"], reply.get("message", "")
    return "accepted", ""


class Commands(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=320, height=180, fps=15, video_bitrate_kbps=300, preset="ultrafast")
        cls.studio = Studio(cls.work.path, show,
                            extra_env={"YISHITING_TYPIST_TOKEN": TYPIST_TOKEN,
                                       "YISHITING_HOST_TOKEN": HOST_TOKEN})
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()
        out = subprocess.run([str(harness.studio_binary()), "observers", "add", "命令观察员",
                              "--data", str(cls.studio.data_dir)],
                             capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise AssertionError(f"observers add: {out.stderr}")
        cls.observer_token = out.stdout.strip().splitlines()[-1].rsplit("/", 1)[1]
        out = subprocess.run([str(harness.studio_binary()), "departments", "add", "命令部门",
                              "--data", str(cls.studio.data_dir)],
                             capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise AssertionError(f"departments add: {out.stderr}")
        cls.department_token = out.stdout.strip().splitlines()[-1].rsplit("/", 1)[1]

    def connect(self, role: str):
        """A connection signed in as `role` (none: no hello at all); its
        hello.ok is kept in self.welcome[role]."""
        studio = self.studio
        if role in ("none", "viewer", "observer"):
            client = studio.viewer(hello=role != "none",
                                   observer_token=self.observer_token if role == "observer"
                                   else None)
        elif role == "producer":
            client = studio.producer()
        else:
            client = studio.producer(hello=False)
            token = {"typist": TYPIST_TOKEN, "host": HOST_TOKEN,
                     "department": self.department_token}[role]
            client.send_json({"type": "hello", "role": role, "token": token})
            reply = client._await_hello(True, None)
            self.assertEqual(reply.get("role"), role, reply)
            client.hello_reply = reply
        self.addCleanup(client.close)
        if role in ("viewer", "observer"):
            self.assertEqual(client.hello_reply.get("role"), role, client.hello_reply)
        if role != "none":
            self.welcome[role] = client.hello_reply
        return client

    def setUp(self):
        self.welcome = {}

    def test_every_role_and_command(self):
        types = PRODUCER + TYPIST + ANYONE + DEPARTMENT + DEPARTMENT_ONLY + tuple(CITIZEN) + UNKNOWN
        wrong = []
        for role in ROLES:
            # A connection may send 40 messages at once (the server's burst):
            # a fresh one for every 15 commands. Without hello, one for each:
            # a question sent without hello makes the connection a viewer's.
            per_connection = 1 if role == "none" else 15
            for start in range(0, len(types), per_connection):
                client = self.connect(role)
                for n, msg_type in enumerate(types[start:start + per_connection]):
                    got = outcome(client.command(msg_type, id=f"c{n}", question=999999))
                    want = expected(role, msg_type)
                    if got != want:
                        wrong.append(f"{role:9} {msg_type:22} got {got}, expected {want}")
                client.close()
        harness.verbose(f"{len(ROLES)} roles × {len(types)} types checked")
        self.assertEqual(wrong, [], "answers that differ from the table:\n" + "\n".join(wrong))

        # Each hello.ok lists the commands its role may send: exactly those
        # the table accepts, and hello (a page can build its controls from it).
        for role in ROLES[1:]:
            want = sorted(["hello"] + [t for t in PRODUCER + TYPIST + ANYONE + DEPARTMENT +
                                       DEPARTMENT_ONLY + tuple(CITIZEN)
                                       if expected(role, t)[0] == "accepted"])
            self.assertEqual(self.welcome[role].get("commands"), want, f"{role}'s hello.ok")


if __name__ == "__main__":
    harness.main()
