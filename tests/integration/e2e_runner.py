#!/usr/bin/python3
"""Runs one browser script, tests/e2e/<name>.test.mjs, as its own ctest
entry (e2e.<name>; tests/integration/CMakeLists.txt adds one per script by
glob, so a new script always runs).

The test methods that drive the script, found in tests/integration/test_*.py
by the script's file name in their source, are run with their classes'
fixtures (those files leave them out of their own entries: YST_E2E_APART).
When no method names the script, it runs against a default studio: two test
cameras, HLS and the archive on, with producer, typist and host tokens
(YST_URL, YST_PRODUCER_TOKEN, YST_TYPIST_TOKEN, YST_HOST_TOKEN,
YST_LIVE_SESSION); a script that needs more gets a method of its own.

YST_TEST_ORDER and YST_TEST_TIMEOUT_S apply as in any test file.

  /usr/bin/python3 tests/integration/e2e_runner.py tests/e2e/host.test.mjs
"""

import importlib
import secrets
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402


def drivers(script: str, loader: harness.OrderedLoader) -> list[unittest.TestSuite]:
    """A suite per class holding the methods that name `script`."""
    suites = []
    for path in sorted(HERE.glob("test_*.py")):
        module = importlib.import_module(path.stem)
        for name in dir(module):
            cls = getattr(module, name)
            if not (isinstance(cls, type) and issubclass(cls, unittest.TestCase)
                    and cls.__module__ == module.__name__):
                continue
            methods = [m for m in loader.getTestCaseNames(cls)
                       if script in harness.e2e_scripts_of(getattr(cls, m))]
            if methods:
                suites.append(loader.suiteClass(cls(m) for m in methods))
    return suites


class DefaultE2E(IntegrationTest):
    """A script no test method drives, against a default studio."""

    script = ""

    def test_script(self):
        typist_token = secrets.token_urlsafe(24)
        host_token = secrets.token_urlsafe(24)
        show = make_show(archive=True, hls=True)
        show["audience"] = {"typist_token_env": "YST_E2E_TYPIST_TOKEN",
                            "host_token_env": "YST_E2E_HOST_TOKEN"}
        studio = Studio(self.case_dir(), show, extra_env={"YST_E2E_TYPIST_TOKEN": typist_token,
                                                          "YST_E2E_HOST_TOKEN": host_token})
        self.addCleanup(studio.close)
        studio.start()
        status = studio.wait_until(lambda s: s["hls"]["state"] == "running", 30, "HLS running")
        harness.run_e2e_script(
            self.script, studio.base_url,
            {"YST_PRODUCER_TOKEN": studio.token, "YST_TYPIST_TOKEN": typist_token,
             "YST_HOST_TOKEN": host_token, "YST_LIVE_SESSION": str(status["show"]["session_id"])},
            context=studio.log_tail, screenshots=False)


def main() -> int:
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    script = Path(sys.argv[1]).name
    if not (harness.E2E_DIR / script).is_file() or not script.endswith(".test.mjs"):
        sys.stderr.write(f"no browser script tests/e2e/{script}\n")
        return 2
    harness.start_watchdog()
    loader = harness.OrderedLoader(e2e_apart=False)
    suites = drivers(script, loader)
    if suites:
        names = [t.id() for s in suites for t in s]
        sys.stderr.write(f"[e2e] {script}: driven by {', '.join(names)}\n")
    else:
        sys.stderr.write(f"[e2e] {script}: no test method names it; default studio\n")
        DefaultE2E.script = script
        suites = [loader.suiteClass([DefaultE2E("test_script")])]
    suite = loader.suiteClass(loader._reorder(suites, script))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
