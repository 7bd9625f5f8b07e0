// How an output's packets leave the studio: one attempt at one place (a
// partner site's socket, the archive's file, the HLS folder). An Output
// (output.h) owns one Transport per attempt, made by its factory, and keeps
// everything around it: the state machine and back-off, the keyframe gate and
// timestamp rebasing, the stall watchdog, stats and masking secrets. A
// transport knows nothing of those; Output knows nothing of RTMP or muxers.
//
// Two kinds (OBS: the output is transport only): PipelineTransport
// (pipeline_transport.h: appsrc → mux → sink, for SRT, the Matroska archive
// and HLS) and RtmpTransport (rtmp_transport.h: FLV tags to the studio's own
// RTMP client).
//
// Threads, and who calls what:
//   - start(), close(), bytes(), droppedPackets(): the controller thread (the
//     Qt application's), which owns the transport.
//   - ready() and push(): the encoder's streaming threads (video and audio
//     come on different ones), one at a time: the owner serialises them and
//     stops calling before close() (Output holds its feed's lock around
//     push() and takes the transport out of the feed before close()).
//   - The listener: always on the controller thread, through its event loop;
//     never from within start() or close(), never after close() has begun.
//     A transport's own threads (the RTMP client's, GStreamer's) hand their
//     news over to that thread first. The listener may close and destroy the
//     transport from within the call: the transport touches nothing of its
//     own after calling it.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <string>

#include "streaming/media_format.h"
#include "streaming/output_types.h"

namespace yst::streaming {

// What a transport tells its owner. Controller thread (see above). The texts
// may hold secrets (a URL, a stream key a server echoed): the owner masks them.
class TransportListener {
 public:
  virtual ~TransportListener() = default;
  // The attempt failed (refused, disconnected, the disk full, the muxer at
  // its end of stream): the transport takes nothing more, and the owner
  // closes it. More reasons may be on their way (a pipeline's "could not
  // start" follows the element's own); once closed, none is delivered.
  virtual void transportFailed(const std::string& reason) = 0;
  // Worth a line in a debug log (a GStreamer warning), no more.
  virtual void transportWarning(const std::string& text) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Begins the attempt (a pipeline set to PLAYING, a connection begun on a
  // thread of its own). Throws std::exception with the reason when it cannot
  // begin at all (a missing GStreamer element); a failure found later, or
  // that an element posts on its bus, comes through `listener`, which must
  // outlive the transport. Once per transport.
  virtual void start(TransportListener& listener) = 0;

  // Whether packets are taken yet: an RTMP site first has to accept the
  // stream, and a pipeline that did not start takes none. Until then the
  // owner keeps its keyframe gate shut.
  virtual bool ready() const = 0;
  // Takes `packet` (timestamps on this attempt's own timeline, from zero at
  // a video keyframe; decode times increasing per kind) with the caps it
  // came with: H.264 in avc/au form or raw AAC, each with codec_data. Never
  // blocks: what the far end cannot take is dropped or waits, bounded.
  virtual void push(MediaKind kind, GstBuffer* packet, GstCaps* caps) = 0;

  // Bytes handed on in this attempt (what the socket took, what the sink
  // was given). After close(), final.
  virtual std::uint64_t bytes() const = 0;
  // Packets given up because the far end did not take them fast enough.
  virtual std::uint64_t droppedPackets() const { return 0; }

  // Ends the attempt. kFinalize first sends what is held (FLV tags waiting
  // for the other kind; the muxer's index, up to `finalize_timeout_ms`, on
  // this thread) so that the file or stream ends properly; kImmediate drops
  // it. What may wait on the network goes to a worker thread (reaper.h).
  // Returns what did not go as it should, for the owner's log ("did not
  // finish writing within the finalize timeout"); empty when all did.
  [[nodiscard]] virtual std::string close(StopMode mode, int finalize_timeout_ms) = 0;
};

}  // namespace yst::streaming
