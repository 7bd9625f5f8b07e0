#!/usr/bin/python3
"""An IP camera that wants a login (rtsp://user:password@host/…), as most do:
a real RTSP server (gst-rtsp-server with HTTP Basic authentication, see
gst_peers.py) that answers 401 to anything but its login.

- The right login, written in the show file with its password
  percent-escaped as the README says (@ as %40, : as %3A), gets the picture.
- A wrong login is refused by the camera (it says so) and the source
  says so in its last_error, retrying with its back-off.
- The password, as written or unescaped, is nowhere: not in /api/status,
  /metrics, the logs (at debug level) or the database.
- The camera vanishes (kill -9) and comes back: the source with the login
  is live again.

Run alone: /usr/bin/python3 tests/integration/test_rtsp.py
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (IntegrationTest, Peer, Studio, find_by_id, free_port,  # noqa: E402
                     make_show, wait_frames_rising)

USER = "admin"
PASSWORD = "Cam@pass:2026"
ESCAPED = "Cam%40pass%3A2026"  # as the README says to write it
WRONG = "Wrong@pass9"
WRONG_ESCAPED = "Wrong%40pass9"


class CameraWithLogin(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.port = free_port()
        cls.camera = Peer("camera", [sys.executable, str(harness.GST_PEERS), "rtsp",
                                     str(cls.port), USER, PASSWORD], cls.work.path).start()
        cls.addClassCleanup(cls.camera.kill)
        cls.camera.wait_log(r"login required", 15)
        where = f"127.0.0.1:{cls.port}/cam"
        show = make_show(sources=[("cam", f"rtsp://{USER}:{ESCAPED}@{where}"),
                                  ("stranger", f"rtsp://{USER}:{WRONG_ESCAPED}@{where}")],
                         layout="side_by_side", archive=False, hls=False, preset="ultrafast")
        cls.studio = Studio(cls.work.path, show, log_level="debug")
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_right_login_gets_the_picture(self):
        studio = self.studio
        studio.wait_source_state("cam", "live", 30)
        wait_frames_rising(studio, "cam")
        self.assertEqual(studio.source("cam")["last_error"], "")
        self.camera.wait_log(r"login accepted", 5)

    def test_wrong_login_is_refused_clearly(self):
        studio = self.studio
        # The camera turned the login down.
        self.camera.wait_log(r"login refused", 20)
        status = studio.wait_until(lambda s: find_by_id(s["sources"], "stranger")["last_error"],
                                   30, "the stranger to say why")
        stranger = find_by_id(status["sources"], "stranger")
        harness.verbose(f"stranger: {stranger['last_error']}")
        self.assertRegex(stranger["last_error"], re.compile(r"unauthori[sz]ed|401|login", re.I),
                         f"the error should say the login was refused: {stranger}")
        self.assertNotEqual(stranger["state"], "live")
        self.assertEqual(stranger["frames"], 0)
        studio.wait_until(lambda s: find_by_id(s["sources"], "stranger")["reconnects"] >= 2, 30,
                          "the refused login to be tried again")
        # The status still says where the camera is, without the password.
        self.assertIn(f"127.0.0.1:{self.port}/cam", stranger["uri"])

    def test_the_passwords_are_nowhere(self):
        studio = self.studio
        studio.wait_source_state("cam", "live", 30)
        studio.wait_until(lambda s: find_by_id(s["sources"], "stranger")["reconnects"] >= 1, 30,
                          "a refused login")
        places = {"status": studio.status_text(), "metrics": studio.metrics_text(),
                  "logs": studio.log_text()}
        database = b"".join(p.read_bytes() for p in studio.data_dir.glob("yishiting.db*"))
        self.assertTrue(database, "no database found")
        for secret in (PASSWORD, ESCAPED, WRONG, WRONG_ESCAPED, "pass:2026", "pass%3A2026"):
            for where, text in places.items():
                self.assertIsNone(harness.where_secret_is(text, secret),
                                  f"a camera password in the {where}")
            self.assertNotIn(secret.encode(), database, "a camera password in the database")

    def test_z_camera_vanishes_and_comes_back(self):
        studio = self.studio
        studio.wait_source_state("cam", "live", 30)
        self.camera.kill()
        studio.wait_source_state("cam", "retrying", 15)
        self.camera.start()
        self.camera.wait_log(r"login required", 15)
        studio.wait_source_state("cam", "live", 60)
        wait_frames_rising(studio, "cam")


if __name__ == "__main__":
    harness.main()
