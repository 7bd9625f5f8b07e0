// A transport to an RTMP or RTMPS partner site (transport.h) without a
// pipeline: the packets become FLV tags on the encoder's thread (flv.h) and
// go to the studio's own RTMP client (rtmp_publisher.h), which writes them
// without blocking. Why not flvmux ! rtmp2sink: see rtmp_publisher.h.
//
// Writes are batched one per video frame: the audio tags due before a frame
// wait for it, so the socket sees ~30 writes a second instead of ~80. The
// stream header (onMetaData and the sequence headers) goes first on the
// connection. The publisher's failures reach the listener on the controller
// thread; every one is retried the same way by the owner, and its text tells
// the producer which it was.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "streaming/bus_relay.h"
#include "streaming/flv.h"
#include "streaming/transport.h"

namespace yst::streaming {

class RtmpPublisher;

class RtmpTransport : public Transport {
 public:
  // Should the video stop, audio still leaves every kMaxAudioHold.
  static constexpr GstClockTime kMaxAudioHold = 100 * GST_MSECOND;

  // `url`: rtmp[s]://host[:port]/app[/…][?…]; `key`: the stream name (the
  // secret), or empty when the URL's last path segment is the stream.
  RtmpTransport(std::string url, std::string key, bool tls_verify);
  ~RtmpTransport() override;  // close(kImmediate) unless closed
  RtmpTransport(const RtmpTransport&) = delete;
  RtmpTransport& operator=(const RtmpTransport&) = delete;

  void start(TransportListener& listener) override;
  // Once the site has said NetStream.Publish.Start.
  bool ready() const override;
  void push(MediaKind kind, GstBuffer* packet, GstCaps* caps) override;
  std::uint64_t bytes() const override { return bytes_.load(std::memory_order_relaxed); }
  // Tags the publisher dropped while the site did not keep up.
  std::uint64_t droppedPackets() const override;
  std::string close(StopMode mode, int finalize_timeout_ms) override;

 private:
  // Sends the tags now due, one write per video frame (above); `force`:
  // everything now (end of stream).
  void sendTags(bool force);

  std::string url_;
  std::string key_;
  bool tls_verify_;
  TransportListener* listener_ = nullptr;
  // Made in start(); null once closed. Shared with the worker that closes it
  // (closing may wait on the network).
  std::shared_ptr<RtmpPublisher> publisher_;
  // push()'s (the owner serialises it and stops before close()).
  FlvPackager flv_;
  std::vector<GstBuffer*> tags_;  // due, not yet handed on (ours)
  bool header_sent_ = false;
  std::atomic<std::uint64_t> bytes_{0};
  // The publisher's error handler holds it weakly: nothing reaches the
  // listener once close() has begun.
  LifeToken life_ = std::make_shared<int>(0);
};

}  // namespace yst::streaming
