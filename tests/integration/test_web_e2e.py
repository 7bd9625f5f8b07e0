#!/usr/bin/python3
"""The web pages in a real browser: tests/e2e/questions.test.mjs drives
Debian's Chromium (playwright-core) against a running `yishiting serve`.

A viewer submits on `/` (an XSS string in the text), a producer logs in on
`/producer/`, approves and puts it on air, the viewer sees 正在回答, and
/api/status names the question on air; then the producer drives the
graphics from the 节目包装 panel (ticker with markup in it, the guest's
lower-third, the starting and hold slates, the theme) and /api/status
follows each step; no console error or CSP violation is allowed.
Screenshots of every step land in tests/artifacts/e2e/.

Run alone: /usr/bin/python3 tests/integration/test_web_e2e.py
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


class WebEndToEnd(IntegrationTest):
    def test_viewer_to_producer_to_air(self):
        for tool in ("node", "/usr/bin/chromium"):
            self.assertTrue(shutil.which(tool), f"{tool} is missing: run scripts/setup")
        self.assertTrue((ROOT / "node_modules" / "playwright-core").is_dir(),
                        "playwright-core is missing: run scripts/setup")
        show = make_show(sources=(("host", "test://smpte"), ("guest", "test://ball")),
                         archive=False, hls=True, width=640, height=360)
        studio = Studio(self.case_dir(), show)
        self.addCleanup(studio.close)
        studio.start()
        studio.wait_until(lambda s: s["hls"]["state"] == "running", 30, "HLS to be running")
        artifacts = ROOT / "tests" / "artifacts" / "e2e"
        artifacts.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, YST_URL=studio.base_url, YST_PRODUCER_TOKEN=studio.token,
                   YST_ARTIFACTS=str(artifacts))
        run = subprocess.run(["node", str(ROOT / "tests" / "e2e" / "questions.test.mjs")],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
        harness.verbose(run.stdout)
        self.assertEqual(run.returncode, 0,
                         f"browser test failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}\n"
                         f"{studio.log_tail()}")
        self.assertTrue(any(artifacts.glob("*.png")), "no screenshots were kept")


if __name__ == "__main__":
    harness.main()
