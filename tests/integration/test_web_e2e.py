#!/usr/bin/python3
"""The web pages in a real browser: tests/e2e/questions.test.mjs drives
Debian's Chromium (playwright-core) against a running `yishiting serve`.

A viewer submits on `/` (an XSS string in the text), a producer logs in on
`/producer/`, approves and puts it on air, the viewer sees 正在回答, and
/api/status names the question on air; then the producer drives the
graphics from the 节目包装 panel (ticker with markup in it, the guest's
lower-third, the starting and hold slates, the theme) and /api/status
follows each step; no console error or CSP violation is allowed.

tests/e2e/typist.test.mjs does the same for the live text (图文直播): a
typist logs in on `/typist/` with the typist token (a wrong one first),
switches speakers with F1/F2, types, corrects and deletes lines, and an open
viewer page follows within a second; a question put on air becomes a line on
both pages and /api/status counts the lines.

tests/e2e/producer.test.mjs moderates on `/producer/` as a producer does:
j/k and the arrows select, A approves, Alt+↑/↓ and dragging order the queue,
R rejects with a reason, Ctrl+Z and U undo, E edits (an <img onerror> stays
text; 2,000 characters are held back with the reason beside the editor and
refused by the studio), M merges (a bad number is refused beside the field),
O/F/D air a question; a second producer connection and /api/status check the
studio's state after every step.

tests/e2e/voting.test.mjs opens an observer invitation made with
`yishiting observers add` (/o/<token>), sends the observer's question (it
reaches the producer with the observer's badge), and votes on it once it is
approved: the count goes up on every page, the producer's included; a second
vote by the same viewer is refused with the page's message; a wrong link
says so.

tests/e2e/resend.test.mjs cuts the viewer page's WebSocket (a relay in the
browser) after the studio committed a question and before its
acknowledgement reached the page, then before a submission reached the
studio, and reloads the page while a question waits: the page shows it as
等待确认, sends it again with the same client id after reconnecting (from
localStorage after the reload), and the question is listed once on the page
and stored once in the studio.

Screenshots of every step land in tests/artifacts/e2e/<script>/, emptied
before each run. ctest runs each script as its own entry (e2e.<script>);
this file's own entry then runs nothing (YST_E2E_APART).

Run alone: /usr/bin/python3 tests/integration/test_web_e2e.py
"""

import secrets
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# The typist token reaches the studio through this variable, named in the
# show file's [audience] typist_token_env, as a real show would set it.
TYPIST_TOKEN_ENV = "YST_E2E_TYPIST_TOKEN"

# The citizen observer invited in test_votes_and_observer_link.
OBSERVER_NAME = "李观察"


class WebEndToEnd(IntegrationTest):
    """Each method drives one tests/e2e script; ctest runs each as its own
    entry (e2e.<script>, tests/integration/e2e_runner.py)."""

    def start_studio(self, show: dict, extra_env: dict | None = None) -> Studio:
        studio = Studio(self.case_dir(), show, extra_env=extra_env)
        self.addCleanup(studio.close)
        studio.start()
        studio.wait_until(lambda s: s["hls"]["state"] == "running", 30, "HLS to be running")
        return studio

    def run_browser_test(self, script: str, studio: Studio, **env_vars: str) -> Path:
        """Runs tests/e2e/<script> against the studio; fails with its output.
        Its screenshots (tests/artifacts/e2e/<name>/, emptied first) must be
        this run's."""
        # self.artifacts: that folder, for methods that look there.
        self.artifacts = harness.run_e2e_script(script, studio.base_url,
                                                {"YST_PRODUCER_TOKEN": studio.token, **env_vars},
                                                timeout=240, context=studio.log_tail)
        return self.artifacts

    def test_viewer_to_producer_to_air(self):
        show = make_show(sources=(("host", "test://smpte"), ("guest", "test://ball")),
                         archive=False, hls=True, width=640, height=360)
        studio = self.start_studio(show)
        shots = self.run_browser_test("questions.test.mjs", studio)
        self.assertTrue(any(shots.glob("producer-graphics.png")), "no graphics panel screenshot")

    def test_typist_to_live_text(self):
        show = make_show(sources=(("host", "test://smpte"), ("guest", "test://ball")),
                         archive=False, hls=True, width=640, height=360)
        show.setdefault("audience", {})["typist_token_env"] = TYPIST_TOKEN_ENV
        typist_token = secrets.token_urlsafe(24)
        studio = self.start_studio(show, extra_env={TYPIST_TOKEN_ENV: typist_token})
        shots = self.run_browser_test("typist.test.mjs", studio, YST_TYPIST_TOKEN=typist_token)
        self.assertTrue(any(shots.glob("typist-*.png")), "no typist screenshots were kept")

    def test_host_monitor_page(self):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=640, height=360)
        show["show"]["duration_min"] = 45
        show["audience"] = {"question_interval_s": 0, "host_token_env": "YST_E2E_HOST_TOKEN"}
        host_token = secrets.token_urlsafe(24)
        studio = Studio(self.case_dir(), show, extra_env={"YST_E2E_HOST_TOKEN": host_token})
        self.addCleanup(studio.close)
        studio.start()
        shots = self.run_browser_test("host.test.mjs", studio, YST_HOST_TOKEN=host_token)
        self.assertTrue(any(shots.glob("host-*.png")), "no host screenshots were kept")

    def test_archive_page(self):
        # An ended, packaged show, and the next one live on the same data.
        show = make_show(sources=(("host", "test://smpte"),), archive=True, hls=False,
                         width=640, height=360, title="温网议事厅 · 对话市医保局")
        show["audience"] = {"question_interval_s": 0}
        first = Studio(self.case_dir(), show, name="archive")
        self.addCleanup(first.close)
        recorded = harness.record_short_show(first)
        show["show"]["title"] = "温网议事厅 · 对话市住建局"
        studio = Studio(self.case_dir(), show, name="archive")
        self.addCleanup(studio.close)
        studio.start()
        shots = self.run_browser_test("archive.test.mjs", studio,
                                      YST_SESSION=str(recorded["session"]),
                                      YST_LIVE_SESSION=str(studio.status()["show"]["session_id"]))
        self.assertTrue(any(shots.glob("archive-*.png")), "no archive screenshots were kept")

    def test_producer_moderation(self):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=640, height=360)
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        studio.start()
        shots = self.run_browser_test("producer.test.mjs", studio)
        self.assertTrue(any(shots.glob("moderate-*.png")), "no screenshots were kept")

    def test_questions_sent_again_after_a_drop(self):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=320, height=180, fps=15)
        show["audience"] = {"question_burst": 5}
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        studio.start()
        shots = self.run_browser_test("resend.test.mjs", studio)
        self.assertTrue(any(shots.glob("resend-*.png")), "no screenshots were kept")

    def test_votes_and_observer_link(self):
        show = make_show(sources=(("host", "test://smpte"),), archive=False, hls=False,
                         width=640, height=360)
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        studio.start()
        # The invitation is made as an organiser makes it: the CLI, on the
        # running studio's data, with the page's public address.
        made = subprocess.run([str(harness.studio_binary()), "observers", "add", OBSERVER_NAME,
                               "--data", str(studio.data_dir), "--url", studio.base_url + "/"],
                              capture_output=True, text=True, timeout=20)
        self.assertEqual(made.returncode, 0, made.stderr)
        link = made.stdout.strip().splitlines()[-1]
        self.assertTrue(link.startswith(studio.base_url + "/o/"), made.stdout)
        shots = self.run_browser_test("voting.test.mjs", studio, YST_OBSERVER_LINK=link,
                                      YST_OBSERVER_NAME=OBSERVER_NAME)
        self.assertTrue(any(shots.glob("voting-*.png")), "no screenshots were kept")

    def test_followup_pages(self):
        # A recorded show: two questions left unanswered, a promise marked
        # from the typist's line. The next day's studio forwards them; a week
        # and a half later the one given 3 working days is overdue.
        show = make_show(sources=(("host", "test://smpte"),), archive=True, hls=False,
                         width=640, height=360, title="温网议事厅 · 对话市住建局")
        words = self.case_dir() / "words.txt"
        words.write_text("代开发票\n", encoding="utf-8")
        show["audience"] = {"question_interval_s": 0, "word_list": str(words)}
        show["followup"] = {"departments": ["市住建局", "市医保局"]}
        first = Studio(self.case_dir(), show, name="followup")
        first.args = ["serve", "--show", str(first.show_path), "--data", str(first.data_dir),
                      "--now", "2026-12-03T10:00:00+08:00"]
        self.addCleanup(first.close)
        first.start()
        first.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 2000, 20, "recording")
        producer = first.producer()
        asker = first.viewer()
        other = first.viewer()
        q1 = asker.submit("安置房办证难，什么时候能办下来？")["question"]["id"]
        q2 = other.submit("异地就医备案能不能网上办？")["question"]["id"]
        departments = {d["name"]: d["id"] for d in producer.ok("followup.departments")["departments"]}
        line = producer.ok("transcript.commit", speaker="guest1", text="安置房办证难的问题，到年底要全部办结。",
                           typing_ms=500)["line"]
        first.wait_recorded(1500, "the promise on the recording")
        commitment = producer.ok("followup.commit", line=line["id"], department=departments["市住建局"],
                                 due="2026-12-31")["item"]
        first.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 5000, 20, "recording")
        producer.ok("followup.forward", question=q1, department=departments["市住建局"])
        overdue = producer.ok("followup.forward", question=q2, department=departments["市医保局"],
                              due=3)["item"]
        for client in (producer, asker, other):
            client.close()
        self.assertEqual(first.stop(), 0, first.log_tail())
        studio = Studio(self.case_dir(), show, name="followup")
        studio.args = ["serve", "--show", str(studio.show_path), "--data", str(studio.data_dir),
                       "--now", "2026-12-14T10:00:00+08:00"]
        self.addCleanup(studio.close)
        studio.start()
        made = subprocess.run([str(harness.studio_binary()), "departments", "link",
                               str(departments["市住建局"]), "--data", str(studio.data_dir), "--url",
                               studio.base_url + "/"], capture_output=True, text=True, timeout=20)
        self.assertEqual(made.returncode, 0, made.stderr)
        link = made.stdout.strip().splitlines()[-1]
        shots = self.run_browser_test(
            "followup.test.mjs", studio, YST_DEPT_LINK=link, YST_VIEWER_ID=asker.viewer_id,
            YST_COMMITMENT=str(commitment["id"]), YST_OVERDUE_ITEM=str(overdue["id"]),
            YST_COMMITMENT_MS=str(line["start_ms"]), YST_SESSION=str(commitment["show"]["id"]))
        self.assertTrue(any(shots.glob("followup-*.png")), "no screenshots were kept")


if __name__ == "__main__":
    harness.main()
