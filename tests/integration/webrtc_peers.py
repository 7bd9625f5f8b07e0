#!/usr/bin/python3
"""A WHIP publisher for the tests (RFC 9725), built from GStreamer's own
webrtcbin through PyGObject (Debian: python3-gi, gir1.2-gst-plugins-bad-1.0),
as OBS or a hardware encoder would publish into a webrtc:// slot:

  webrtc_peers.py whip URL TOKEN [--color 0xAARRGGBB] [--codec vp8|h264]
                  [--tone HZ] [--turn turn://USER:PASS@HOST:PORT --relay]
                  [--record-return FILE.wav] [--latency MS]
                  [--flash-every SECONDS]   (lip sync; latency benchmarks)
                  [--watch-return]          (latency benchmarks)

It makes its offer (picture: a solid colour, --size 640x360 at --fps 25;
sound: a sine), waits until ICE has gathered every candidate (WHIP sends none later),
POSTs it with "Authorization: Bearer TOKEN" and prints what came back:

  status 201
  location /whip/remote1/AbC…
  connected               (ICE connected: media flows)
  return video            (what the studio sends back flows: a guest's
  return audio             return feed, the program and a mix-minus)

Any other status is printed with the body and the publisher exits 3. On
SIGTERM it DELETEs its Location, prints "deleted STATUS", and exits 0 (a
recording of the return feed is finished first: EOS through the WAV); on
SIGKILL it just vanishes, as a field unit losing its network would.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import urllib.error
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstController", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstController, GstSdp, GstWebRTC  # noqa: E402

ENCODERS = {
    "vp8": "vp8enc deadline=1 cpu-used=8 target-bitrate=1500000 keyframe-max-dist=25 ! "
           "rtpvp8pay ! "
           "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96",
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! "
            "video/x-h264,profile=constrained-baseline ! rtph264pay config-interval=-1 ! "
            "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=102",
}


def say(line: str) -> None:
    print(line, flush=True)


def request(method: str, url: str, token: str, body: bytes | None = None,
            content_type: str | None = None) -> tuple[int, dict, bytes]:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class Publisher:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.location: str | None = None
        self.recorder = None  # the return feed's WAV recording, if asked for
        self.watching: dict[str, dict] = {}  # --watch-return's state per kind
        self.offered = False
        self.loop = GLib.MainLoop()
        width, height = args.size.split("x")
        # A moving pattern for benchmarks (a camera's picture changes); the
        # tests' solid colour is what they look for in the program.
        pattern = (f"pattern=solid-color foreground-color={args.color}"
                   if args.pattern == "solid-color" else f"pattern={args.pattern} horizontal-speed=4")
        video = (f"videotestsrc name=camera is-live=true {pattern} ! "
                 f"video/x-raw,width={width},height={height},framerate={args.fps}/1 ! "
                 + ENCODERS[args.codec])
        audio = (f"audiotestsrc name=microphone is-live=true wave=sine freq={args.tone} "
                 "volume=0.3 ! "
                 "audioconvert ! opusenc ! rtpopuspay ! "
                 "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111")
        self.pipeline = Gst.parse_launch(
            f"webrtcbin name=w bundle-policy=max-bundle {video} ! w. {audio} ! w.")
        self.webrtc = self.pipeline.get_by_name("w")
        self.webrtc.set_property("latency", args.latency)
        if args.turn:
            # TURN's user name ("<expiry>:guestN") percent-encoded in the URI.
            self.webrtc.set_property("turn-server", args.turn)
        if args.relay:
            self.webrtc.set_property("ice-transport-policy",
                                     GstWebRTC.WebRTCICETransportPolicy.RELAY)
        self.webrtc.connect("on-negotiation-needed", self.on_negotiation_needed)
        self.webrtc.connect("notify::ice-gathering-state", self.on_gathering)
        self.webrtc.connect("notify::ice-connection-state", self.on_connection)
        self.webrtc.connect("pad-added", self.on_incoming)

    def run(self) -> int:
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, self.stop)
        if self.args.flash_every:
            self.schedule_flashes(self.args.flash_every)
        self.pipeline.set_state(Gst.State.PLAYING)
        self.code = 0
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return self.code

    def schedule_flashes(self, period: float) -> None:
        """White and the tone on together for half a second every `period`
        seconds of the pipeline's running time, on the exact frame and
        within 10 ms of sound (control points the sources apply to the
        buffers they make: a flash and its beep are one event, for the
        tests' lip-sync check). "flash T" (CLOCK_MONOTONIC) is printed as
        each flash's first frame leaves the camera, for the benchmarks."""
        camera = self.pipeline.get_by_name("camera")
        microphone = self.pipeline.get_by_name("microphone")
        microphone.set_property("samplesperbuffer", 480)  # 10 ms at 48 kHz
        colour = GstController.InterpolationControlSource.new()
        volume = GstController.InterpolationControlSource.new()
        for source in (colour, volume):
            source.set_property("mode", GstController.InterpolationMode.NONE)
        camera.add_control_binding(
            GstController.DirectControlBinding.new_absolute(camera, "foreground-color", colour))
        microphone.add_control_binding(
            GstController.DirectControlBinding.new_absolute(microphone, "volume", volume))
        step = int(period * Gst.SECOND)
        colour.set(0, float(int(self.args.color, 16)))
        volume.set(0, 0.0)
        for at in range(step, 3600 * Gst.SECOND, step):
            colour.set(at, float(0xffffffff))
            colour.set(at + Gst.SECOND // 2, float(int(self.args.color, 16)))
            volume.set(at, 0.3)
            volume.set(at + Gst.SECOND // 2, 0.0)
        last = {"window": 0}

        def leaving(_pad, info):
            buffer = info.get_buffer()
            window = buffer.pts // step if buffer.pts != Gst.CLOCK_TIME_NONE else 0
            if window > last["window"] and buffer.pts % step < Gst.SECOND // 2:
                last["window"] = window
                say(f"flash {time.monotonic():.3f}")
            return Gst.PadProbeReturn.OK
        camera.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, leaving)

    def watch(self, kind: str, buffer: Gst.Buffer, caps: Gst.Caps) -> None:
        """For latency benchmarks: "seen flash T" when white floods the
        return's picture (a tenth of its pixels more than before), "heard
        beep T" when its sound jumps up (CLOCK_MONOTONIC, at decode)."""
        ok, info = buffer.map(Gst.MapFlags.READ)
        if not ok:
            return
        try:
            data = info.data
            if kind == "video":
                width = caps.get_structure(0).get_value("width")
                height = caps.get_structure(0).get_value("height")
                luma = data[:width * height:7]  # every 7th pixel of the Y plane
                level = sum(1 for y in luma if y > 225) / max(1, len(luma))
            else:
                samples = memoryview(data).cast("h")[::4]
                level = max((abs(x) for x in samples), default=0) / 32768
        finally:
            buffer.unmap(info)
        state = self.watching.setdefault(kind, {"base": None, "high": False})
        if state["base"] is None:
            state["base"] = level
            return
        rise = 0.10 if kind == "video" else 0.05
        if not state["high"] and level > state["base"] + rise:
            state["high"] = True
            say(f"{'seen flash' if kind == 'video' else 'heard beep'} {time.monotonic():.3f}")
        elif state["high"] and level < state["base"] + rise / 2:
            state["high"] = False
        elif not state["high"]:
            state["base"] = min(state["base"], level) if kind == "audio" else (
                0.9 * state["base"] + 0.1 * level)

    def on_negotiation_needed(self, webrtc) -> None:
        if self.offered:
            return
        self.offered = True
        promise = Gst.Promise.new_with_change_func(self.on_offer, None)
        webrtc.emit("create-offer", None, promise)

    def on_offer(self, promise, _data) -> None:
        reply = promise.get_reply()
        offer = reply.get_value("offer") if reply else None
        if offer is None:
            # webrtcbin asks before every stream's caps are known; it asks
            # again once they are.
            say("offer not ready: " + (reply.to_string() if reply else "no reply"))
            self.offered = False
            return
        self.webrtc.emit("set-local-description", offer, None)

    def on_gathering(self, webrtc, _pspec) -> None:
        if webrtc.get_property("ice-gathering-state") != GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            return
        GLib.idle_add(self.post)

    def post(self) -> bool:
        sdp = self.webrtc.get_property("local-description").sdp.as_text()
        # CLOCK_MONOTONIC, the same in every process: a benchmark times from it.
        say(f"posting {time.monotonic():.3f}")
        code, headers, body = request("POST", self.args.url, self.args.token, sdp.encode(),
                                      "application/sdp")
        say(f"status {code}")
        if code != 201:
            say("body " + body.decode(errors="replace")[:300].replace("\n", " "))
            self.code = 3
            self.loop.quit()
            return False
        self.location = headers.get("Location") or headers.get("location")
        say(f"location {self.location}")
        _, answer = GstSdp.SDPMessage.new_from_text(body.decode())
        self.webrtc.emit("set-remote-description",
                         GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER,
                                                                answer), None)
        return False

    def on_incoming(self, _webrtc, pad) -> None:
        """What the studio sends back (a guest's return feed): decoded and
        counted; "return video" / "return audio" once it flows."""
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        kind = "video" if "video" in pad.get_current_caps().to_string() else "audio"
        decode = Gst.ElementFactory.make("decodebin")
        self.pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))
        seen = {"said": False}

        def decoded(_decode, out_pad):
            if kind == "audio" and self.args.record_return:
                # The return feed's sound, as the guest would hear it.
                record = Gst.parse_bin_from_description(
                    "audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1 "
                    f"! wavenc ! filesink location={self.args.record_return}", True)
                self.pipeline.add(record)
                record.sync_state_with_parent()
                out_pad.link(record.get_static_pad("sink"))
                self.recorder = record
                say("return audio")
                return
            sink = Gst.ElementFactory.make("fakesink")
            sink.set_property("signal-handoffs", True)
            sink.set_property("sync", False)

            def handoff(_sink, buffer, pad):
                if not seen["said"]:
                    seen["said"] = True
                    say(f"return {kind}")
                if self.args.watch_return:
                    self.watch(kind, buffer, pad.get_current_caps())
            sink.connect("handoff", handoff)
            target = sink
            if self.args.watch_return:
                # Raw frames the watcher can read: I420 pictures, 16-bit sound.
                convert = Gst.parse_bin_from_description(
                    'videoconvert ! capsfilter caps="video/x-raw,format=I420"' if kind == "video"
                    else 'audioconvert ! capsfilter caps="audio/x-raw,format=S16LE,channels=1"', True)
                self.pipeline.add(convert)
                convert.sync_state_with_parent()
                out_pad.link(convert.get_static_pad("sink"))
                out_pad = convert.get_static_pad("src")
            self.pipeline.add(target)
            target.sync_state_with_parent()
            out_pad.link(target.get_static_pad("sink"))
        decode.connect("pad-added", decoded)

    def on_connection(self, webrtc, _pspec) -> None:
        state = webrtc.get_property("ice-connection-state")
        if state in (GstWebRTC.WebRTCICEConnectionState.CONNECTED,
                     GstWebRTC.WebRTCICEConnectionState.COMPLETED):
            say("connected")

    def stop(self) -> bool:
        if self.recorder is not None:
            # The WAV's header is written at end of stream.
            self.recorder.get_static_pad("sink").send_event(Gst.Event.new_eos())
            GLib.usleep(300000)
        if self.location:
            base = self.args.url.split("/whip/")[0]
            code, _, _ = request("DELETE", base + self.location, self.args.token)
            say(f"deleted {code}")
        self.loop.quit()
        return False


def main() -> int:
    Gst.init(None)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    whip = sub.add_parser("whip")
    whip.add_argument("url")
    whip.add_argument("token")
    whip.add_argument("--color", default="0xffff0000")
    whip.add_argument("--codec", choices=sorted(ENCODERS), default="vp8")
    whip.add_argument("--tone", type=int, default=1000)
    whip.add_argument("--size", default="640x360")
    whip.add_argument("--fps", type=int, default=25)
    whip.add_argument("--pattern", default="solid-color")
    whip.add_argument("--turn", default="", help="turn://user:password@host:port")
    whip.add_argument("--relay", action="store_true", help="relay candidates only (through TURN)")
    whip.add_argument("--record-return", default="",
                      help="write the sound the studio sends back to this WAV file")
    whip.add_argument("--flash-every", type=float, default=0,
                      help="white and a beep together every so many seconds ('flash T')")
    whip.add_argument("--watch-return", action="store_true",
                      help="benchmarks: say 'seen flash T' / 'heard beep T' from the return")
    whip.add_argument("--latency", type=int, default=200,
                      help="the jitter buffer for what comes back (ms)")
    args = parser.parse_args()
    return Publisher(args).run()


if __name__ == "__main__":
    sys.exit(main())
