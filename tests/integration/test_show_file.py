#!/usr/bin/python3
"""The show file is checked completely before anything starts.

A bad show file (unknown key, wrong type, unknown source id, malformed URL or
URI, a value out of its set, broken TOML) ends `yishiting serve` with exit
code 2 and a message on stderr naming the key and its line; bad arguments
also exit 2; an address already in use exits 1; a good file starts and ends
cleanly on SIGINT.

Run alone: /usr/bin/python3 tests/integration/test_show_file.py
"""

import re
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, line_of  # noqa: E402

GOOD_SHOW = """\
[show]
title = "温网议事厅 · 对话市医保局"
host = { name = "王芳", title = "主持人" }
guests = [ { name = "张三", title = "温州市医疗保障局局长" } ]

[program]
width = 640
height = 360
fps = 30
video_bitrate_kbps = 800
audio_bitrate_kbps = 128
preset = "veryfast"
keyframe_interval_s = 2
layout = "side_by_side"
primary = "host"
secondary = "guest"

[[sources]]
id = "host"
label = "主持人机位"
uri = "test://smpte"

[[sources]]
id = "guest"
label = "嘉宾机位"
uri = "test://ball"

[[destinations]]
id = "zjol"
name = "浙江在线"
url = "rtmp://127.0.0.1:1935/live"
key = "not-a-real-key"
enabled = false

[archive]
enabled = false

[hls]
enabled = false

[audience]
listen = "@LISTEN@"
producer_token_env = "YISHITING_PRODUCER_TOKEN"
"""

SHOW_NAME = "show.toml"


def line_mention(line: int) -> str:
    """A regex for "show.toml:14:" or "line 14"."""
    return rf"({re.escape(SHOW_NAME)}:{line}\b|\bline {line}\b)"


def replace_line(text: str, old: str, new: str) -> str:
    """The show with the one line containing `old` replaced by `new`."""
    assert text.count(old) == 1, f"{old!r} must occur once in the template"
    return text.replace(old, new)


class BadShowFile(IntegrationTest):
    """Each bad file: exit 2, stderr names the key and the line."""

    def run_bad(self, text: str, key_pattern: str, line: int, name: str) -> str:
        studio = Studio(self.case_dir(), text, name=name)
        rc, out, err = studio.run_to_exit(timeout=15)
        where = f"\n--- show ---\n{text}\n--- stderr ---\n{err[-3000:]}\n--- stdout ---\n{out[-1500:]}"
        self.assertEqual(rc, 2, f"a bad show file must end with exit code 2, got {rc}{where}")
        self.assertRegex(err, key_pattern, f"stderr must name the key ({key_pattern}){where}")
        line_pattern = line_mention(line)
        self.assertRegex(err, line_pattern, f"stderr must name line {line} of {SHOW_NAME}{where}")
        self.assertTrue(any(re.search(key_pattern, l) and re.search(line_pattern, l)
                            for l in err.splitlines()),
                        f"one message must name both the key and line {line}{where}")
        return err

    def test_unknown_key(self):
        text = replace_line(GOOD_SHOW, 'layout = "side_by_side"',
                            'layout = "side_by_side"\nlayuot = "pip"')
        self.run_bad(text, r"program\.layuot", line_of(text, "layuot"), "unknown_key")

    def test_wrong_type(self):
        text = replace_line(GOOD_SHOW, "width = 640", 'width = "1280"')
        self.run_bad(text, r"program\.width", line_of(text, 'width = "1280"'), "wrong_type")

    def test_value_out_of_set(self):
        text = replace_line(GOOD_SHOW, 'layout = "side_by_side"', 'layout = "grid"')
        err = self.run_bad(text, r"program\.layout", line_of(text, '"grid"'), "bad_layout")
        self.assertIn("grid", err, "the message should quote the value it refused")

    def test_unknown_source_in_primary(self):
        text = replace_line(GOOD_SHOW, 'primary = "host"', 'primary = "nobody"')
        self.run_bad(text, r"program\.primary", line_of(text, '"nobody"'), "unknown_primary")

    def test_malformed_destination_url(self):
        text = replace_line(GOOD_SHOW, 'url = "rtmp://127.0.0.1:1935/live"', 'url = "rtmp//x"')
        self.run_bad(text, r"destinations(\[\d+\])?\.url", line_of(text, '"rtmp//x"'),
                     "bad_destination_url")

    def test_malformed_source_uri(self):
        text = replace_line(GOOD_SHOW, 'uri = "test://ball"', 'uri = "rtsp//10.0.0.5/stream"')
        self.run_bad(text, r"sources(\[\d+\])?\.uri", line_of(text, '"rtsp//10.0.0.5/stream"'),
                     "bad_source_uri")

    def test_short_staff_token(self):
        # Anyone who can reach the port can try tokens: 15 characters are refused.
        short = "fifteen-chars-x"
        text = replace_line(GOOD_SHOW, 'producer_token_env = "YISHITING_PRODUCER_TOKEN"',
                            'producer_token_env = "YISHITING_PRODUCER_TOKEN"\n'
                            'typist_token_env = "YST_TEST_TYPIST_TOKEN"')
        studio = Studio(self.case_dir(), text, name="short_token",
                        extra_env={"YST_TEST_TYPIST_TOKEN": short})
        rc, out, err = studio.run_to_exit(timeout=15)
        self.assertEqual(rc, 2, f"a 15-character token must end with exit code 2, got {rc}\n"
                                f"{err[-2000:]}")
        self.assertRegex(err, r"audience\.typist_token_env.*YST_TEST_TYPIST_TOKEN.*shorter than 16",
                         err[-2000:])
        self.assertNotIn(short, err + out, "the refused token was printed")

    def test_toml_syntax_error(self):
        text = replace_line(GOOD_SHOW, "fps = 30", "fps = = 30")
        studio = Studio(self.case_dir(), text, name="syntax_error")
        rc, _, err = studio.run_to_exit(timeout=15)
        self.assertEqual(rc, 2, f"broken TOML must end with exit code 2, got {rc}\n{err[-2000:]}")
        line = line_of(text, "fps = = 30")
        self.assertRegex(err, line_mention(line), f"stderr must name line {line}\n{err[-2000:]}")


class BadInvocation(IntegrationTest):
    """Bad arguments exit 2; a studio that cannot start exits 1."""

    def test_missing_show_argument(self):
        studio = Studio(self.case_dir(), GOOD_SHOW, name="no_show_arg", args=["serve"])
        rc, _, err = studio.run_to_exit(timeout=15)
        self.assertEqual(rc, 2, f"`serve` without --show must exit 2, got {rc}\n{err[-2000:]}")
        self.assertIn("--show", err, f"stderr should say --show is missing\n{err[-2000:]}")

    def test_unreadable_show_file(self):
        d = self.case_dir()
        missing = d / "no-such-show.toml"
        studio = Studio(d, GOOD_SHOW, name="missing_file",
                        args=["serve", "--show", str(missing), "--data", str(d / "data")])
        rc, _, err = studio.run_to_exit(timeout=15)
        self.assertEqual(rc, 2, f"a show file that cannot be read must exit 2, got {rc}\n"
                                f"{err[-2000:]}")
        self.assertIn("no-such-show.toml", err, f"stderr should name the file\n{err[-2000:]}")

    def test_unknown_log_level(self):
        d = self.case_dir()
        studio = Studio(d, GOOD_SHOW, name="bad_log_level")
        studio.args = ["serve", "--show", str(studio.show_path), "--data", str(d / "data"),
                       "--log-level", "chatty"]
        rc, _, err = studio.run_to_exit(timeout=15)
        self.assertEqual(rc, 2, f"--log-level chatty must exit 2, got {rc}\n{err[-2000:]}")

    def test_port_in_use_exits_1(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
            busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            port = busy.getsockname()[1]
            text = GOOD_SHOW.replace("@LISTEN@", f"127.0.0.1:{port}")
            studio = Studio(self.case_dir(), text, name="port_in_use")
            rc, _, err = studio.run_to_exit(timeout=20)
        self.assertEqual(rc, 1, f"a studio whose address is in use must exit 1, got {rc}\n"
                                f"{err[-2000:]}")
        self.assertIn(str(port), err, f"stderr should name the address it could not bind\n"
                                      f"{err[-2000:]}")


class GoodShowFile(IntegrationTest):
    def test_good_file_starts_and_stops_cleanly(self):
        studio = Studio(self.case_dir(), GOOD_SHOW, name="good")
        self.addCleanup(studio.close)
        studio.start()
        status = studio.wait_until(lambda s: s["program"]["frames"] > 0, 20,
                                   "the program to produce frames")
        self.assertEqual(status["show"]["title"], "温网议事厅 · 对话市医保局",
                         "the title must come through as UTF-8 unchanged")
        program = status["program"]
        self.assertEqual((program["width"], program["height"], program["fps"]), (640, 360, 30))
        self.assertEqual((program["layout"], program["primary"], program["secondary"]),
                         ("side_by_side", "host", "guest"))
        self.assertEqual([s["id"] for s in status["sources"]], ["host", "guest"])
        zjol = harness.find_by_id(status["destinations"], "zjol")
        self.assertIsNotNone(zjol, "a disabled destination is still listed")
        self.assertEqual(zjol["state"], "stopped", f"enabled = false must stay stopped: {zjol}")
        self.assertFalse(zjol["enabled"])
        rc = studio.stop()
        self.assertEqual(rc, 0, f"SIGINT must end the studio with 0\n{studio.log_tail()}")
        self.assertNotRegex(studio.log_text(), re.compile(r"not-a-real-key"),
                            "the stream key must not be logged")


if __name__ == "__main__":
    harness.main()
