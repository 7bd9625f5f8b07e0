#!/usr/bin/python3
"""SRT and RTMPS partner sites, added at run time next to an RTMP one.

- An SRT destination added over /ws reaches a real SRT listener (ffprobe in
  listener mode, as a partner's SRT ingest): H.264 + AAC at the program size.
- An SRT destination whose partner does not answer retries and says why,
  while the RTMP destination beside it stays live.
- `destination.update` moves a destination to another partner site and
  another key while it streams; a key left out is kept; the key is never
  shown, only masked; a bad URL changes nothing.
- RTMPS: a TLS ingest (stunnel with a self-signed certificate in front of an
  nginx-rtmp) refuses a studio that verifies certificates (the default), and
  receives the program when the destination is told `tls_verify = false`.

Run alone: /usr/bin/python3 tests/integration/test_destinations.py
"""

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (IntegrationTest, NginxRtmp, Studio, check_h264_aac, find_by_id,  # noqa: E402
                     free_port, make_show)


def start_studio_to(cls, site: NginxRtmp, destination: str, key: str) -> Studio:
    """A small studio (no archive, no HLS) sending to one RTMP destination on
    `site`, started and live; closed with the test class."""
    show = make_show(destinations=[{"id": destination, "name": "温州网", "url": site.url,
                                    "key": key}],
                     archive=False, hls=False, preset="ultrafast")
    studio = Studio(cls.work.path, show)
    cls.addClassCleanup(studio.close)
    studio.start()
    studio.wait_destination_state(destination, "live", 30)
    return studio


class SrtDestinations(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.site = NginxRtmp(cls.work.path, name="nginx_rtmp").start()
        cls.addClassCleanup(cls.site.stop)
        cls.studio = start_studio_to(cls, cls.site, "rtmp_site", "rtmp_key_0123456789")

    def test_srt_partner_receives_the_program(self):
        port = free_port()
        # The partner's SRT ingest listens; the studio calls it.
        listener = subprocess.Popen(
            ["ffprobe", "-v", "error", "-show_streams", "-of", "json",
             f"srt://127.0.0.1:{port}?mode=listener"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: listener.poll() is None and listener.kill())
        time.sleep(0.5)
        with self.studio.producer() as p:
            p.ok("destination.add", destination="srt_cdn", name="CDN SRT",
                 url=f"srt://127.0.0.1:{port}")
        out, err = listener.communicate(timeout=30)
        self.assertEqual(listener.returncode, 0, f"ffprobe as SRT listener failed: {err[-800:]}")
        check_h264_aac(json.loads(out).get("streams", []), 640, 360, where="SRT destination")
        status = self.studio.status()
        self.assertEqual(find_by_id(status["destinations"], "rtmp_site")["state"], "live")

    def test_srt_partner_that_does_not_answer_retries_alone(self):
        port = free_port()  # nobody listens there
        with self.studio.producer() as p:
            p.ok("destination.add", destination="srt_dead", name="Dead SRT",
                 url=f"srt://127.0.0.1:{port}")
        status = self.studio.wait_until(
            lambda s: (find_by_id(s["destinations"], "srt_dead")["reconnects"] >= 1
                       and find_by_id(s["destinations"], "srt_dead")["last_error"]),
            30, "the silent SRT partner to be retried with a reason")
        self.assertEqual(find_by_id(status["destinations"], "rtmp_site")["state"], "live",
                         "the RTMP destination is not touched")
        before = find_by_id(status["destinations"], "rtmp_site")["bytes_sent"]
        time.sleep(2)
        after = find_by_id(self.studio.status()["destinations"], "rtmp_site")["bytes_sent"]
        self.assertGreater(after, before)


class UpdatedDestination(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.first = NginxRtmp(cls.work.path, name="first_site").start()
        cls.addClassCleanup(cls.first.stop)
        cls.second = NginxRtmp(cls.work.path, name="second_site").start()
        cls.addClassCleanup(cls.second.stop)
        cls.studio = start_studio_to(cls, cls.first, "partner", "first_key_0123456789")

    def wait_gone(self, site: NginxRtmp, key: str) -> None:
        deadline = time.monotonic() + 30
        while (s := site.stat().get(key)) and s["publishing"]:
            if time.monotonic() > deadline:
                raise AssertionError(f"{site.name}: the old stream is still published")
            time.sleep(0.3)

    def test_update_moves_the_stream_and_keeps_what_is_left_out(self):
        self.first.wait_publishing("first_key_0123456789", timeout=30)
        with self.studio.producer() as p:
            # Another site and another key, while live.
            d = p.ok("destination.update", destination="partner", url=self.second.url,
                     key="second_key_0123456789", name="温州网（备用）")["destination"]
            self.assertEqual(d["name"], "温州网（备用）")
            self.assertNotIn("second_key_0123456789", json.dumps(d, ensure_ascii=False))
            self.second.wait_publishing("second_key_0123456789", timeout=30)
            self.wait_gone(self.first, "first_key_0123456789")
            # Only the name: the URL and the key stay.
            p.ok("destination.update", destination="partner", name="温州网")
            self.studio.wait_destination_state("partner", "live", 30)
            self.second.wait_publishing("second_key_0123456789", timeout=30)
            # A bad URL is refused and changes nothing.
            err = p.command("destination.update", destination="partner", url="http://example.com/x")
            self.assertEqual(err.get("code"), "invalid", err)
            err = p.command("destination.update", destination="nobody", name="x")
            self.assertEqual(err.get("code"), "not_found", err)
        status = self.studio.status()
        partner = find_by_id(status["destinations"], "partner")
        self.assertEqual(partner["name"], "温州网")
        self.assertIn(str(self.second.rtmp_port), partner["url"])
        self.assertNotIn("second_key_0123456789", self.studio.status_text())
        self.assertNotIn("second_key_0123456789", self.studio.log_tail(400))
        streams = harness.probe(self.second.stream_url("second_key_0123456789"), timeout=15)
        check_h264_aac(streams, 640, 360, where="the updated destination")


class RtmpsDestination(IntegrationTest):
    KEY = "rtmps_key_0123456789"

    @classmethod
    def set_up_fixtures(cls):
        work = cls.work.path
        cls.site = NginxRtmp(work, name="nginx_behind_tls").start()
        cls.addClassCleanup(cls.site.stop)
        cert, key = work / "cert.pem", work / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
        cls.tls_port = free_port()
        rtmp_port = int(cls.site.url.split(":")[2].split("/")[0])
        conf = work / "stunnel.conf"
        conf.write_text(f"foreground = yes\npid =\n[rtmps]\naccept = 127.0.0.1:{cls.tls_port}\n"
                        f"connect = 127.0.0.1:{rtmp_port}\ncert = {cert}\nkey = {key}\n")
        with open(work / "stunnel.log", "ab") as log:
            cls.stunnel = subprocess.Popen(["stunnel", str(conf)], stdout=log,
                                           stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls.stunnel.kill)
        deadline = time.monotonic() + 10
        while not harness.port_open(cls.tls_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        cls.studio = Studio(work, make_show(archive=False, hls=False, preset="ultrafast"))
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_self_signed_ingest_is_refused_by_default_and_accepted_when_told(self):
        url = f"rtmps://127.0.0.1:{self.tls_port}/live"
        with self.studio.producer() as p:
            p.ok("destination.add", destination="strict", url=url, key=self.KEY)
            status = self.studio.wait_until(
                lambda s: find_by_id(s["destinations"], "strict")["reconnects"] >= 1, 20,
                "the unverifiable certificate to be refused")
            strict = find_by_id(status["destinations"], "strict")
            self.assertNotEqual(strict["state"], "live")
            self.assertTrue(strict["last_error"])
            self.assertNotIn(self.KEY, json.dumps(status))
            p.ok("destination.remove", destination="strict")
            p.ok("destination.add", destination="private", url=url, key=self.KEY,
                 tls_verify=False)
        self.studio.wait_destination_state("private", "live", 30)
        streams = harness.probe(self.site.stream_url(self.KEY))
        check_h264_aac(streams, 640, 360, where="RTMPS destination via the TLS ingest")


if __name__ == "__main__":
    harness.main()
