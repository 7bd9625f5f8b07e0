// A transport that muxes (transport.h): the program's packets go into two
// appsrcs of a small pipeline of the output's own, and on into what the
// output builds behind them: mpegtsmux → srtsink for an SRT partner site,
// matroskamux → filesink for the archive, hlssink2 for HLS (outputs.cpp).
//
// A pipeline of its own, not a tee branch, so that an error in one sink
// stays on that pipeline's bus and can never stop the encoder or the other
// outputs (DESIGN.md: a tee propagates a branch's flow error upstream). The
// appsrcs are live, bounded and leaky: a sink that cannot keep up loses its
// oldest packets, never the studio's memory. Bus errors and an early end of
// stream fail the attempt through the listener, with the element's reason.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "streaming/bus_relay.h"
#include "streaming/gst_ptr.h"
#include "streaming/transport.h"

namespace yst::streaming {

class PipelineTransport : public Transport {
 public:
  // Adds the mux and the sink to `pipeline` and links them from the two
  // appsrcs already in it (video: H.264 avc/au; audio: raw AAC). Returns the
  // element whose sink pad counts as "bytes handed on". Throws on a missing
  // element or a link that fails. Called once, in start().
  using Builder = std::function<GstElement*(GstElement* pipeline, GstElement* video_src,
                                            GstElement* audio_src)>;

  explicit PipelineTransport(Builder build);
  ~PipelineTransport() override;  // close(kImmediate) unless closed
  PipelineTransport(const PipelineTransport&) = delete;
  PipelineTransport& operator=(const PipelineTransport&) = delete;

  void start(TransportListener& listener) override;
  bool ready() const override { return accepting_.load(std::memory_order_acquire); }
  void push(MediaKind kind, GstBuffer* packet, GstCaps* caps) override;
  std::uint64_t bytes() const override { return bytes_->load(std::memory_order_relaxed); }
  std::string close(StopMode mode, int finalize_timeout_ms) override;

 private:
  void onMessage(GstMessage* message);

  Builder build_;
  TransportListener* listener_ = nullptr;
  ElementPtr pipeline_;
  // Set once the pipeline plays; then push()'s (the owner serialises it and
  // stops before close()).
  ElementPtr video_src_;
  ElementPtr audio_src_;
  bool caps_set_[2] = {false, false};  // push()'s: [0] video, [1] audio
  std::atomic<bool> accepting_{false};
  // Counted by a pad probe on a streaming thread; shared with it, as the
  // pipeline may be disposed of after this transport is gone.
  std::shared_ptr<std::atomic<std::uint64_t>> bytes_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  // The bus relay and the queued "could not start" hold it weakly: nothing
  // reaches the listener once close() has begun.
  LifeToken life_ = std::make_shared<int>(0);
};

}  // namespace yst::streaming
