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
- Secrets in push URLs: a Tencent-style signed URL (the stream and its
  txSecret/txTime in the query) to a port where nothing listens fails and is
  retried, and neither the status (url, last_error), the replies and events,
  nor the studio's log (at debug level) shows the stream or the signature; a
  camera's signed RTMP URL neither. A stored key is not sent to another
  server: `destination.update` to another scheme, host or port without the
  key is `key_required`, the same host with another path keeps the key, and
  an address copied back with its masks is refused.

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
        harness.wait_until(lambda: harness.udp_port_held(port), 15,
                           f"ffprobe's SRT listener on UDP port {port}")
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
        self.studio.wait_until(
            lambda s: find_by_id(s["destinations"], "rtmp_site")["bytes_sent"] > before, 15,
            f"the RTMP destination's bytes_sent to keep rising from {before}")


    def test_srt_partner_whose_host_does_not_resolve_says_so(self):
        # The transport refuses to start; what it said on its way down is
        # the error, not a generic "could not start".
        with self.studio.producer() as p:
            p.ok("destination.add", destination="srt_typo", name="Typo SRT",
                 url="srt://no-such-host.invalid:9000")
        status = self.studio.wait_until(
            lambda s: find_by_id(s["destinations"], "srt_typo")["last_error"], 30,
            "the SRT partner with a host that does not resolve to fail with a reason")
        error = find_by_id(status["destinations"], "srt_typo")["last_error"]
        harness.verbose(f"srt_typo: {error}")
        self.assertIn("no-such-host.invalid", error, "the error names the host it could not find")
        self.assertEqual(find_by_id(status["destinations"], "rtmp_site")["state"], "live",
                         "the RTMP destination is not touched")


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
            if cls.stunnel.poll() is not None:
                break
            time.sleep(0.1)
        # The refusal below must be the certificate's, not a closed port's.
        if not harness.port_open(cls.tls_port):
            raise AssertionError(f"stunnel is not listening on {cls.tls_port}:\n"
                                 f"{harness.tail(harness.read_text(work / 'stunnel.log'))}")
        cls.studio = Studio(work, make_show(archive=False, hls=False, preset="ultrafast"))
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_self_signed_ingest_is_refused_by_default_and_accepted_when_told(self):
        url = f"rtmps://127.0.0.1:{self.tls_port}/live"
        self.assertTrue(harness.port_open(self.tls_port), "stunnel stopped listening")
        with self.studio.producer() as p:
            p.ok("destination.add", destination="strict", url=url, key=self.KEY)
            status = self.studio.wait_until(
                lambda s: find_by_id(s["destinations"], "strict")["reconnects"] >= 1, 20,
                "the unverifiable certificate to be refused")
            strict = find_by_id(status["destinations"], "strict")
            self.assertNotEqual(strict["state"], "live")
            # Refused for the certificate: not a closed port, not a missing
            # TLS backend (glib-networking).
            self.assertIn("certificate", strict["last_error"].lower(),
                          f"the refusal does not mention the certificate: {strict}")
            self.assertNotIn("not available", strict["last_error"], strict)
            self.assertNotIn(self.KEY, json.dumps(status))
            p.ok("destination.remove", destination="strict")
            p.ok("destination.add", destination="private", url=url, key=self.KEY,
                 tls_verify=False)
        self.studio.wait_destination_state("private", "live", 30)
        streams = harness.probe(self.site.stream_url(self.KEY))
        check_h264_aac(streams, 640, 360, where="RTMPS destination via the TLS ingest")


class SecretsInPushUrls(IntegrationTest):
    # Tencent's form; Alibaba's auth_key, Wangsu's wsSecret/wsTime and
    # Huawei's hwSecret are the same for the studio (unit tests).
    TENCENT_SECRETS = ("show42", "abc123def", "5F5E0FFF")
    CAMERA_SECRETS = ("cam7x", "0123456789abcdef", "65a1b2c3")
    KEY = "keyed_secret_0123456789"

    @classmethod
    def set_up_fixtures(cls):
        cls.port = free_port()  # nothing listens there: every connection fails
        camera = (f"rtmp://127.0.0.1:{cls.port}/live/cam7x"
                  "?wsSecret=0123456789abcdef&wsTime=65a1b2c3")
        show = make_show(sources=(("host", "test://smpte"), ("guest", "test://ball"),
                                  ("cdn_cam", camera)),
                         archive=False, hls=False, preset="ultrafast")
        # At debug level: whatever the studio logs about them, at any level,
        # is checked.
        cls.studio = Studio(cls.work.path, show, log_level="debug")
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def tencent_url(self, host: str = "127.0.0.1") -> str:
        return f"rtmp://{host}:{self.port}/live/show42?txSecret=abc123def&txTime=5F5E0FFF"

    def test_a_signed_push_url_is_shown_nowhere(self):
        with self.studio.producer() as p:
            d = p.ok("destination.add", destination="tencent", name="腾讯云",
                     url=self.tencent_url())["destination"]
            self.assertEqual(d["url"],
                             f"rtmp://127.0.0.1:{self.port}/live/***?txSecret=***&txTime=***")
            self.assertEqual(d["key_masked"], "", "no key is set")
            status = self.studio.wait_until(
                lambda s: (find_by_id(s["destinations"], "tencent")["reconnects"] >= 1
                           and find_by_id(s["destinations"], "tencent")["last_error"]
                           and find_by_id(s["sources"], "cdn_cam")["last_error"]),
                30, "the signed destination and camera to fail with a reason")
            tencent = find_by_id(status["destinations"], "tencent")
            self.assertNotEqual(tencent["state"], "live")
            self.assertEqual(find_by_id(status["sources"], "cdn_cam")["uri"],
                             f"rtmp://127.0.0.1:{self.port}/live/***?wsSecret=***&wsTime=***")
            reply = p.ok("status.get")
            events = p.drain(1.0)
        shown = {
            "status": json.dumps(self.studio.status()),
            "status.get": json.dumps(reply),
            "events": json.dumps(events),
            "log": self.studio.log_text(),
        }
        self.assertIn("tencent", shown["log"], "the log speaks of the destination")
        for where, text in shown.items():
            for secret in self.TENCENT_SECRETS + self.CAMERA_SECRETS:
                self.assertNotIn(secret, text, f"{where} shows a secret of the push URL")

    def test_the_key_goes_only_to_the_server_it_was_given_for(self):
        base = f"rtmp://127.0.0.1:{self.port}"
        other_port = self.port + 1 if self.port < 65535 else self.port - 1
        with self.studio.producer() as p:
            d = p.ok("destination.add", destination="keyed", url=f"{base}/live",
                     key=self.KEY)["destination"]
            self.assertEqual(d["key_masked"], "***")
            for elsewhere in (f"rtmp://127.0.0.2:{self.port}/live",
                              f"rtmp://localhost:{self.port}/live",
                              f"rtmp://127.0.0.1:{other_port}/live",
                              f"rtmps://127.0.0.1:{self.port}/live"):
                err = p.command("destination.update", destination="keyed", url=elsewhere)
                self.assertEqual(err.get("code"), "key_required", f"{elsewhere}: {err}")
                self.assertIn("key", err.get("message", ""))
            self.assertEqual(self.studio.destination("keyed")["url"], f"{base}/live",
                             "a refused update changes nothing")
            # The same server, another application: the key stays.
            d = p.ok("destination.update", destination="keyed", url=f"{base}/live2")["destination"]
            self.assertEqual(d["url"], f"{base}/live2")
            self.assertEqual(d["key_masked"], "***")
            # Another server with its key given again.
            d = p.ok("destination.update", destination="keyed",
                     url=f"rtmp://127.0.0.2:{self.port}/live",
                     key="other_secret_0123456789")["destination"]
            self.assertEqual(d["url"], f"rtmp://127.0.0.2:{self.port}/live")
            # A key-less signed URL has no key to keep: another server is fine,
            # and the new URL is taken whole.
            p.ok("destination.add", destination="signed", url=self.tencent_url())
            d = p.ok("destination.update", destination="signed",
                     url=self.tencent_url("127.0.0.2"))["destination"]
            self.assertEqual(d["url"],
                             f"rtmp://127.0.0.2:{self.port}/live/***?txSecret=***&txTime=***")
            # The address as the studio shows it is not an address.
            err = p.command("destination.update", destination="signed", url=d["url"])
            self.assertEqual(err.get("code"), "invalid", err)
            self.assertEqual(self.studio.destination("signed")["url"], d["url"])
        self.assertNotIn(self.KEY, self.studio.status_text())
        self.assertNotIn(self.KEY, self.studio.log_text())


if __name__ == "__main__":
    harness.main()
