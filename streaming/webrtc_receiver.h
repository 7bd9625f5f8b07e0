// A remote guest's browser or a WHIP publisher (OBS, a hardware encoder)
// into a source's input pipeline: webrtcbin receiving, each incoming stream
// decoded as its pad appears and linked to the source's video or audio
// chain; and the SDP exchange, which WHIP makes one request and one answer:
// the offer applied, the answer made, and handed back only once ICE has
// gathered the studio's candidates (OBS sends none of its own later and
// takes none later).
//
// What the answer accepts: VP8 or H.264 (packetization mode 1) for the
// picture and Opus for the sound, through receive-only transceivers added
// before the offer; NACK on, so a lost packet is asked for again before the
// jitter buffer gives up on it; a keyframe asked for when the decoder starts
// and after a loss. An offer of other codecs only (VP9, AV1) gets
// webrtcbin's own transceiver and is decoded if GStreamer can.
//
// GStreamer 1.22's webrtcbin has no ICE restart: a guest that reconnects
// starts a new session (a new pipeline), which is what the source does.
#pragma once

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <string>

#include "streaming/return_feed.h"

namespace yst::streaming {

struct WebrtcOptions {
  int latency_ms = 200;  // the jitter buffer: 200 on a LAN, more for field guests on mobile
  // The UDP ports ICE may use (a firewall's opening); 0 and 0: any.
  int min_port = 0;
  int max_port = 0;
  std::string stun_server;  // "stun://host:port"; "" none
  std::string turn_server;  // "turn(s)://user:password@host:port"; "" none (a secret)
};

// The return feed a guest gets on the same peer connection: the program's
// picture and their mix-minus, from `feed` (null: none).
struct ReturnLink {
  std::shared_ptr<ReturnFeed> feed;
  std::string guest;  // the slot's source id
  // The offer the pipeline is built for: the return streams carry its
  // payload types for VP8 and Opus from the start. webrtcbin 1.22 matches a
  // transceiver to an offer's section by the caps its sink pad already has,
  // payload type included: Chromium's 96 and 111 matched, Firefox's 120 and
  // 109 did not, and Firefox got no return feed.
  std::string offer_sdp;
};

// Adds webrtcbin to `pipeline` (which owns it) and returns it. Each stream
// that arrives is decoded and linked to `video_entry`'s or `audio_entry`'s
// sink pad (elements already in the pipeline); a second stream of the same
// kind is left unlinked. With a return link, each section of the offer that
// also receives (sendrecv: the guest page's) is answered sendrecv and gets
// the return feed: the shared VP8 picture and the guest's Opus mix-minus,
// with the payload types the offer gave those codecs; a keyframe is asked
// for when the guest's browser loses a packet of it (PLI).
GstElement* addWebrtcReceiver(GstElement* pipeline, const WebrtcOptions& options,
                              GstElement* video_entry, GstElement* audio_entry,
                              ReturnLink return_link = {});

// Applies `offer_sdp` and makes the answer; `done` runs once, on one of
// GStreamer's threads, with the answer's SDP (all its candidates) or with ""
// and why not. The pipeline must be PLAYING. `done` may outlive the call:
// it must check that what it reaches is still there.
void answerOffer(GstElement* webrtc, const std::string& offer_sdp,
                 std::function<void(std::string answer_sdp, std::string error)> done);

// The local description as it stands ("" before one is set): what
// answerOffer() would return, with the candidates gathered so far.
std::string localDescription(GstElement* webrtc);

// Whether the offer is an SDP offer webrtcbin can read, with at least one
// audio or video section; "" when it is, else why not (for a 400).
std::string checkOffer(const std::string& offer_sdp);

// Runs `changed` (on a GStreamer thread) with webrtcbin's ICE connection
// state's name ("checking", "connected", "completed", "failed",
// "disconnected", "closed") whenever it changes.
void watchIceConnection(GstElement* webrtc, std::function<void(std::string state)> changed);

}  // namespace yst::streaming
