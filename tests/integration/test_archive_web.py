#!/usr/bin/python3
"""The public archive's server side: a show is recorded (lines typed, a
question on air, an XSS string in a line), ended, and a second show starts
on the same data directory. Then:

- the ended show was packaged when it ended (<data>/exports/<id>/), and
  /api/archive/sessions lists both, the running one as live, the ended one
  with its video, poster, subtitles and the offset that maps transcript
  time to video time;
- /api/archive/session?id= has the lines in order, the XSS string as data;
- /api/archive/search finds 1-, 2- and 4-character Chinese terms with
  marked snippets, scoped to a session when asked; empty, over-long,
  invalid-UTF-8 and malformed requests get their error codes;
- /archive/media/<id>/program.mp4 is served with byte ranges (206, 416,
  suffix ranges, HEAD) and ffprobe reads it over HTTP with its chapters;
  the package's private files (questions.csv, summary.json) and anything
  outside it are 404, %-encoded traversal included;
- a package deleted while the studio is down is made again at the next
  start, in the background.

Run alone: /usr/bin/python3 tests/integration/test_archive_web.py
"""

import json
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

XSS = "<script>alert('x')</script>"
assert XSS in harness.ARCHIVE_SCRIPT_LINE


def archive_show(title: str) -> dict:
    show = make_show(sources=(("host", "test://smpte"),), hls=False, width=320, height=180,
                     fps=15, video_bitrate_kbps=300, preset="ultrafast")
    show["show"]["title"] = title
    show["program"]["keyframe_interval_s"] = 1
    show["audience"] = {"question_interval_s": 0}
    show["overlay"] = {"clock": False, "qr": False}
    return show


class ArchiveWeb(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        first = Studio(cls.work.path, archive_show("温网议事厅 · 对话市医保局"), name="studio")
        cls.addClassCleanup(first.close)
        recorded = harness.record_short_show(first)
        cls.session = recorded["session"]
        cls.lines = recorded["lines"]
        cls.question = recorded["question"]
        cls.first = first
        # The next show, on the same data directory.
        cls.studio = Studio(cls.work.path, archive_show("温网议事厅 · 对话市住建局"), name="studio")
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def get_json(self, path: str) -> tuple[int, dict]:
        code, body, headers = self.studio.http_get(path)
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertTrue(headers.get("content-type", "").startswith("application/json"), headers)
        return code, json.loads(body)

    def api(self, path: str) -> dict:
        code, body = self.get_json(path)
        self.assertEqual(code, 200, f"{path}: {body}")
        return body

    def assert_error(self, path: str, status: int, code: str) -> None:
        got, body = self.get_json(path)
        self.assertEqual(got, status, f"{path}: {body}")
        self.assertEqual(body.get("code"), code, f"{path}: {body}")
        self.assertTrue(body.get("message"), body)

    def package_dir(self) -> Path:
        return self.studio.data_dir / "exports" / str(self.session)

    def test_a_the_ended_show_is_packaged_and_listed(self):
        self.assertTrue((self.package_dir() / "program.mp4").is_file(),
                        f"no package after the show ended:\n{self.first.log_tail()}")
        self.assertIn("packaged in", self.first.log_tail())
        sessions = self.api("/api/archive/sessions")["sessions"]
        # The running show first (whichever it is: test_e starts the studio
        # again, and that is a show of its own), the recorded one among the
        # ended ones.
        current = self.studio.status()["show"]["session_id"]
        self.assertEqual(sessions[0]["id"], current, [s["id"] for s in sessions])
        by_id = {s["id"]: s for s in sessions}
        self.assertIn(self.session, by_id, [s["id"] for s in sessions])
        live, ended = by_id[current], by_id[self.session]
        self.assertTrue(live["live"])
        self.assertEqual(live["package"], "live")
        self.assertIsNone(live["video"])
        self.assertEqual(ended["title"], "温网议事厅 · 对话市医保局")
        self.assertFalse(ended["live"])
        self.assertEqual(ended["package"], "ready")
        self.assertEqual(ended["lines"], 5)  # four typed, one question
        self.assertEqual(ended["aired"], 1)
        self.assertEqual(ended["host"]["name"], "王芳")
        self.assertTrue(ended["ended_at"])
        video = ended["video"]
        base = f"/archive/media/{self.session}/"
        self.assertEqual(video["url"], base + "program.mp4")
        self.assertEqual(video["poster"], base + "poster.jpg")
        self.assertEqual(video["subtitles"], base + "subtitles.vtt")
        self.assertGreater(video["duration_ms"], 5000)
        self.assertGreaterEqual(video["offset_ms"], 0)
        self.assertNotIn("questions.csv", ended["files"])

    def test_b_session_lines(self):
        body = self.api(f"/api/archive/session?id={self.session}")
        self.assertEqual(body["session"]["id"], self.session)
        lines = body["lines"]
        self.assertEqual([l["id"] for l in lines[:4]], [l["id"] for l in self.lines])
        self.assertEqual(lines[1]["name"], "张三")
        self.assertEqual(lines[2]["text"], f"有网友留言：{XSS}")
        self.assertEqual(lines[4]["kind"], "question")
        self.assertEqual(lines[4]["question"], self.question)
        starts = [l["start_ms"] for l in lines]
        self.assertEqual(starts, sorted(starts))
        self.assert_error("/api/archive/session?id=999999", 404, "not_found")
        self.assert_error("/api/archive/session?id=abc", 400, "bad_request")
        self.assert_error("/api/archive/session", 400, "bad_request")
        self.assert_error("/api/archive/nothing", 404, "not_found")

    def search(self, query: str, *extra: str) -> list[dict]:
        q = urllib.parse.quote(query)
        return self.api(f"/api/archive/search?q={q}" + "".join("&" + e for e in extra))["hits"]

    def test_c_search(self):
        for query, line in (("房", 3), ("医保", 1), ("异地使用", 1), ("网友留言", 2)):
            hits = self.search(query)
            ids = [h["line"] for h in hits]
            self.assertIn(self.lines[line]["id"], ids, f"{query}: {hits}")
            hit = hits[ids.index(self.lines[line]["id"])]
            self.assertEqual(hit["session"], self.session)
            self.assertEqual(hit["title"], "温网议事厅 · 对话市医保局")
            self.assertEqual(hit["start_ms"], self.lines[line]["start_ms"])
            marked = [p["text"] for p in hit["snippet"] if p["match"]]
            self.assertIn(query, marked, hit)
        # 医保 is in two typed lines and the question line.
        self.assertGreaterEqual(len(self.search("医保")), 3)
        self.assertEqual(self.search("医保", "session=" + str(self.session + 1)), [])
        self.assertEqual(len(self.search("医保", "limit=1")), 1)
        self.assertEqual(self.search("没有这句话"), [])
        self.assert_error("/api/archive/search?q=", 400, "empty")
        self.assert_error("/api/archive/search?q=%20%20", 400, "empty")
        self.assert_error("/api/archive/search", 400, "bad_request")
        self.assert_error("/api/archive/search?q=%FF%FE", 400, "bad_request")
        self.assert_error("/api/archive/search?q=" + urllib.parse.quote("医" * 65), 400,
                          "too_long")

    def request(self, path: str, method: str = "GET", headers: dict | None = None):
        req = urllib.request.Request(self.studio.base_url + path, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read(), {k.lower(): v for k, v in r.headers.items()}
        except urllib.error.HTTPError as e:
            return e.code, e.read(), {k.lower(): v for k, v in (e.headers or {}).items()}

    def test_d_media_with_byte_ranges(self):
        path = f"/archive/media/{self.session}/program.mp4"
        data = (self.package_dir() / "program.mp4").read_bytes()
        size = len(data)
        code, body, headers = self.request(path)
        self.assertEqual(code, 200)
        self.assertEqual(headers["content-type"], "video/mp4")
        self.assertEqual(headers["accept-ranges"], "bytes")
        self.assertEqual(body, data)
        code, body, headers = self.request(path, headers={"Range": "bytes=100-1099"})
        self.assertEqual(code, 206)
        self.assertEqual(headers["content-range"], f"bytes 100-1099/{size}")
        self.assertEqual(body, data[100:1100])
        code, body, headers = self.request(path, headers={"Range": "bytes=-500"})
        self.assertEqual((code, body), (206, data[-500:]))
        code, body, headers = self.request(path, headers={"Range": f"bytes={size}-"})
        self.assertEqual(code, 416)
        self.assertEqual(headers["content-range"], f"bytes */{size}")
        code, body, headers = self.request(path, method="HEAD", headers={"Range": "bytes=0-9"})
        self.assertEqual((code, body, headers["content-length"]), (206, b"", "10"))
        # ffprobe over HTTP seeks with ranges to read the MP4's index.
        out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_format",
                              "-show_chapters", self.studio.base_url + path],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        info = json.loads(out.stdout)
        self.assertGreater(float(info["format"]["duration"]), 5.0)
        self.assertEqual(len(info["chapters"]), 1)
        self.assertTrue(info["chapters"][0]["tags"]["title"].startswith(f"Q{self.question} "))
        for name in ("poster.jpg", "subtitles.vtt", "transcript.html"):
            code, body, _ = self.request(f"/archive/media/{self.session}/{name}")
            self.assertEqual(code, 200, name)
        code, body, headers = self.request(f"/archive/media/{self.session}/transcript.html")
        self.assertIn("default-src 'self'", headers.get("content-security-policy", ""))
        self.assertNotIn(XSS.encode(), body)
        # Not public, or not there.
        for bad in (f"/archive/media/{self.session}/questions.csv",
                    f"/archive/media/{self.session}/summary.json",
                    f"/archive/media/{self.session}/clips/q{self.question}.mp4",
                    f"/archive/media/{self.session}",
                    "/archive/media/../yishiting.db",
                    f"/archive/media/%2e%2e/{self.session}/program.mp4",
                    f"/archive/media/{self.session}%2f..%2f..%2fyishiting.db/program.mp4",
                    "/archive/media/999999/program.mp4"):
            code, _, _ = self.request(bad)
            self.assertEqual(code, 404, bad)

    def test_e_a_lost_package_is_made_again(self):
        # The package goes while the studio is down; the next start makes it
        # again in the background while the new show runs.
        self.assertEqual(self.studio.stop(), 0)
        shutil.rmtree(self.package_dir())
        self.studio.start()
        self.studio.wait_until(
            lambda s: (self.package_dir() / "program.mp4").is_file(), 30, "the package again")
        ended = [s for s in self.api("/api/archive/sessions")["sessions"]
                 if s["id"] == self.session][0]
        self.assertEqual(ended["package"], "ready")
        self.assertFalse(any(p.suffix in (".part", ".old")
                             for p in (self.studio.data_dir / "exports").iterdir()))


if __name__ == "__main__":
    harness.main()
