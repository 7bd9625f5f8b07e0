#!/usr/bin/python3
"""Real network peers for the source tests, built from GStreamer's own parts
through PyGObject (Debian: python3-gi, gir1.2-gst-rtsp-server-1.0):

  rtsp       an IP camera that wants a login: gst-rtsp-server with HTTP Basic
             authentication, H.264 + AAC at rtsp://127.0.0.1:PORT/cam. Each
             request for the stream is printed as "login asked for" (no
             credentials yet), "login accepted" or "login refused", so a test
             can tell a refused login from one never tried.
  srt-relay  an SRT relay the studio calls into (srtsink in listener mode,
             MPEG-TS): a passphrase, and a stream id that must match, as
             relays route by stream id. Every caller's stream id is printed
             ("caller-connecting <id> accepted|rejected") and the latency
             each caller negotiated ("negotiated-latency-ms N").

Each runs until killed; SIGKILL is how a test makes it vanish.

  gst_peers.py rtsp PORT USER PASSWORD
  gst_peers.py srt-relay PORT PASSPHRASE STREAMID
"""

from __future__ import annotations

import re
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

CAMERA = ("videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,"
          "framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30")
TONE = ("audiotestsrc is-live=true wave=sine freq=660 ! audio/x-raw,rate=48000,channels=2 "
        "! avenc_aac")


def say(line: str) -> None:
    print(line, flush=True)


class LoggingAuth(GstRtspServer.RTSPAuth):
    """Basic authentication that says how each request for the stream went:
    "login asked for" (a client's first try, without credentials), "login
    accepted" or "login refused" (credentials that do not match)."""

    def do_check(self, context, check):
        ok = GstRtspServer.RTSPAuth.do_check(self, context, check)
        if check == "auth.check.media.factory.access":
            _res, value = context.request.get_header(GstRtsp.RTSPHeaderField.AUTHORIZATION, 0)
            say("login asked for" if not value else f"login {'accepted' if ok else 'refused'}")
        return ok


def rtsp(port: str, user: str, password: str) -> None:
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f"( {CAMERA} ! rtph264pay name=pay0 pt=96 {TONE} ! rtpmp4apay name=pay1 "
                       "pt=97 )")
    factory.set_shared(True)
    # Only the "camera" role may see the stream; only the login has it.
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("camera", "media.factory.access", True)
    permissions.add_permission_for_role("camera", "media.factory.construct", True)
    factory.set_permissions(permissions)
    auth = LoggingAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "camera")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    mounts = server.get_mount_points()
    mounts.add_factory("/cam", factory)
    if server.attach(None) == 0:
        say(f"cannot listen on port {port}")
        sys.exit(1)
    say(f"rtsp://127.0.0.1:{port}/cam (login required)")
    GLib.MainLoop().run()


def srt_relay(port: str, passphrase: str, streamid: str) -> None:
    pipeline = Gst.parse_launch(
        f"{CAMERA} ! h264parse config-interval=-1 ! mpegtsmux name=mux alignment=7 "
        "! srtsink name=out wait-for-connection=false sync=false "
        f"{TONE} ! aacparse ! mux.")
    sink = pipeline.get_by_name("out")
    sink.set_property("uri", f"srt://127.0.0.1:{port}?mode=listener")
    sink.set_property("passphrase", passphrase)
    sink.set_property("pbkeylen", 16)
    sink.set_property("authentication", True)

    def on_connecting(_sink, _address, caller_streamid):
        ok = caller_streamid == streamid
        say(f"caller-connecting {caller_streamid!r} {'accepted' if ok else 'rejected'}")
        return ok

    sink.connect("caller-connecting", on_connecting)
    sink.connect("caller-added", lambda *_: say("caller-added"))
    sink.connect("caller-removed", lambda *_: say("caller-removed"))
    bus = pipeline.get_bus()
    bus.add_signal_watch()

    def on_message(_bus, message):
        if message.type == Gst.MessageType.ERROR:
            err, debug = message.parse_error()
            say(f"error: {err.message} ({debug})")
            loop.quit()

    bus.connect("message", on_message)
    # The latency each caller negotiated (the larger of the two sides'),
    # whenever it changes: what a caller asked for is visible here.
    shown = set()

    def report_latency():
        stats = sink.get_property("stats")
        for ms in re.findall(r"negotiated-latency-ms\\?=\\?\(int\\?\)(\d+)",
                             stats.to_string() if stats else ""):
            if ms not in shown:
                shown.add(ms)
                say(f"negotiated-latency-ms {ms}")
        return True

    GLib.timeout_add(500, report_latency)
    loop = GLib.MainLoop()
    pipeline.set_state(Gst.State.PLAYING)
    say(f"srt://127.0.0.1:{port}?mode=listener (passphrase, stream id required)")
    loop.run()
    pipeline.set_state(Gst.State.NULL)


def main() -> None:
    Gst.init(None)
    if len(sys.argv) == 5 and sys.argv[1] == "rtsp":
        rtsp(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "srt-relay":
        srt_relay(*sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
