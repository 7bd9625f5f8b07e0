// FLV tags for RTMP destinations, made straight from the program's encoded
// packets (Adobe FLV file format, version 10.1, annex E).
//
// An RTMP media message is an FLV tag's body (rtmp_publisher.h). flvmux,
// used before, is an aggregator: a thread and a timer of its own for every
// destination, to wrap packets that are already H.264 in AVC form and raw
// AAC, exactly what FLV carries. A tag is an 11-byte header, a 2- or 5-byte codec prefix,
// the packet, and the 4-byte size of the tag, so each destination builds its
// tags on the encoder's thread instead.
//
// What a muxer does besides wrapping is kept:
//   - audio and video leave in decode-time order (one queue a kind; the
//     earlier head goes first). Should one kind stop coming, the other waits
//     at most kMaxInterleaveWait and then goes on alone;
//   - the stream header (onMetaData, the AVC and AAC sequence headers) is
//     built from the encoders' caps, to go first on every connection;
//   - a change of codec data mid-stream is announced with a new sequence
//     header tag before the first packet that needs it.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <deque>
#include <vector>

#include "streaming/media_format.h"

namespace yst::streaming {

class FlvPackager {
 public:
  static constexpr GstClockTime kMaxInterleaveWait = 500 * GST_MSECOND;

  FlvPackager() = default;
  ~FlvPackager();
  FlvPackager(const FlvPackager&) = delete;
  FlvPackager& operator=(const FlvPackager&) = delete;

  // Takes `packet` (timestamps on the destination's own timeline, starting
  // at a video keyframe) with the caps it came with: video/x-h264 in avc/au
  // form, or raw audio/mpeg version 4, each with codec_data. Appends every
  // tag now due to `tags`, in decode order; the caller owns them.
  void push(MediaKind kind, GstBuffer* packet, GstCaps* caps, std::vector<GstBuffer*>& tags);
  // Everything still held, in decode order: at the end of the stream.
  void flush(std::vector<GstBuffer*>& tags);

  // The tags a viewer needs first: onMetaData, then the AVC and AAC
  // sequence headers. Empty until the first tag is due. Still owned here.
  const std::vector<GstBuffer*>& streamHeader() const { return header_; }

 private:
  struct Pending {
    GstBuffer* packet;
    GstClockTime dts;
    GstCaps* caps;
  };
  void drain(bool all, std::vector<GstBuffer*>& tags);
  void release(int kind, Pending pending, std::vector<GstBuffer*>& tags);
  void buildStreamHeader();

  std::deque<Pending> queue_[2];  // [0] video, [1] audio
  GstCaps* announced_[2] = {};    // caps whose sequence header was sent
  std::vector<GstBuffer*> header_;
};

// The 13 bytes an .flv file starts with: signature, version, which kinds it
// carries, header size, PreviousTagSize0. (RTMP has no use for it.)
GstBuffer* flvFileHeader(bool video, bool audio);

// Whether `tag` (from FlvPackager) is a video tag.
bool isVideoTag(GstBuffer* tag);

// One FLV tag: header, body, previous-tag-size. `timestamp_ms` wraps after
// 2^32 ms as FLV does. Exposed for the tests.
GstBuffer* flvTag(std::uint8_t type, std::uint32_t timestamp_ms, const std::uint8_t* prefix,
                  std::size_t prefix_size, GstBuffer* body);

}  // namespace yst::streaming
