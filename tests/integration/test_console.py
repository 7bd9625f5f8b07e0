#!/usr/bin/python3
"""`yishiting studio` as a user starts it, with the Qt Quick windows on Qt's
offscreen platform:

- `--screenshot DIR` runs the show, renders the producer console and the
  host monitor to PNG once every preview shows pictures, ends the show and
  exits 0 — in Chinese, and in English with `--lang en`;
- the QML loads and runs without a single Qt warning (the studio logs Qt's
  messages as "[qt]" lines; any warning fails);
- the English translation covers every string in the QML and the console's
  C++ (lupdate finds nothing new or unfinished);
- a wrong show file is refused before any window opens (exit 2).

The windows are driven key by key in tests/console/console_test.cpp.

Run alone: /usr/bin/python3 tests/integration/test_console.py
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TS_FILE = ROOT / "qml" / "i18n" / "yishiting_en.ts"
QT_WARNING = re.compile(r"\b(WARN|ERROR)\s+\[qt\]")


def png_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def console_show() -> dict:
    show = make_show(sources=(("host", "test://smpte"), ("guest", "test://ball"),
                              ("wide", "test://snow")), hls=False, archive=False,
                     width=640, height=360, fps=15, video_bitrate_kbps=600, preset="ultrafast")
    show["show"]["duration_min"] = 60
    return show


class Console(IntegrationTest):
    def screenshot(self, lang: str) -> Path:
        out = self.case_dir() / f"shots-{lang}"
        studio = Studio(self.case_dir(), console_show(), name=f"studio-{lang}",
                        extra_env={"QT_QPA_PLATFORM": "offscreen"})
        studio.args = ["studio", "--show", str(studio.show_path), "--data", str(studio.data_dir),
                       "--lang", lang, "--screenshot", str(out)]
        rc, _, stderr = studio.run_to_exit(timeout=90)
        self.assertEqual(rc, 0, f"studio --screenshot failed:\n{stderr[-3000:]}")
        warnings = [line for line in stderr.splitlines() if QT_WARNING.search(line)]
        self.assertEqual(warnings, [], "Qt warnings while the console ran")
        self.assertNotIn("screenshot taken before every preview", stderr)
        self.assertEqual(png_size(out / "producer-console.png"), (1600, 900))
        self.assertEqual(png_size(out / "host-monitor.png"), (1280, 720))
        self.assertIn("the console ended the show", stderr)
        self.assertIn("show ended cleanly", stderr)
        return out

    def test_screenshots_in_chinese_and_english(self):
        zh = self.screenshot("zh")
        en = self.screenshot("en")
        # The two languages draw different pixels.
        self.assertNotEqual((zh / "producer-console.png").read_bytes(),
                            (en / "producer-console.png").read_bytes())
        if os.environ.get("YST_UPDATE_SCREENSHOTS") == "1":
            for lang, folder in (("zh", zh), ("en", en)):
                for name in ("producer-console", "host-monitor"):
                    shutil.copy(folder / f"{name}.png",
                                ROOT / "assets" / "screenshots" / f"console-{name}-{lang}.png")

    def test_the_english_translation_is_complete(self):
        # Qt 6's (qt6-l10n-tools); a Qt 5 lupdate on the PATH would not do.
        lupdate = "/usr/lib/qt6/bin/lupdate"
        self.assertTrue(Path(lupdate).exists(), "lupdate is missing: run scripts/setup")
        with tempfile.TemporaryDirectory() as tmp:
            ts = Path(tmp) / "check.ts"
            shutil.copy(TS_FILE, ts)
            run = subprocess.run([lupdate, "-extensions", "qml,cpp,h", str(ROOT / "qml"),
                                  str(ROOT / "studio" / "console"), "-source-language", "zh_CN",
                                  "-target-language", "en", "-locations", "none", "-ts", str(ts)],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            untranslated = []
            for message in ET.parse(ts).getroot().iter("message"):
                translation = message.find("translation")
                kind = translation.get("type", "")
                if kind in ("unfinished", "vanished", "obsolete") or not (translation.text or "").strip():
                    untranslated.append((message.findtext("source"), kind or "empty"))
            self.assertEqual(untranslated, [],
                             "strings without an English translation (or no longer used): update "
                             "qml/i18n/yishiting_en.ts with lupdate and translate them")

    def test_a_wrong_show_file_is_refused_before_any_window(self):
        studio = Studio(self.case_dir(), "[show]\ntitle = \"x\"\nbogus = 1\n", name="bad",
                        extra_env={"QT_QPA_PLATFORM": "offscreen"})
        studio.args = ["studio", "--show", str(studio.show_path), "--data", str(studio.data_dir)]
        rc, _, stderr = studio.run_to_exit(timeout=30)
        self.assertEqual(rc, 2, stderr)
        self.assertIn("bogus", stderr)


if __name__ == "__main__":
    harness.main()
