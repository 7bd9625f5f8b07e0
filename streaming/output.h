// Everything that consumes the program's encoded packets: partner-site
// destinations, the archive recording and HLS.
//
// As in OBS, an output is transport only: it never encodes. The program's
// encoders run once; their packets are handed to every output through
// PacketSink::push*() on the encoder's streaming thread. Each output runs its
// own pipeline (appsrc → mux → sink), so an error in one partner site's socket
// stays on that pipeline's bus and can never stop the encoder or the other
// outputs (see DESIGN.md: a tee would propagate it upstream). RTMP needs no
// pipeline: the encoder's thread hands each destination's FLV tags to its
// RtmpPublisher, which never blocks and reports its errors to this object.
//
// The base class owns what every transport shares: the state machine
// (stopped → connecting → live, retrying with jittered exponential back-off),
// the keyframe gate and timestamp rebasing on (re)start, bytes and bitrate,
// a stall watchdog, and masking of the secret in every error text.
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "streaming/backoff.h"
#include "streaming/bus_relay.h"
#include "streaming/gst_ptr.h"
#include "streaming/media_format.h"
#include "streaming/output_types.h"
#include "streaming/rtmp_publisher.h"

namespace yst::streaming {

// Receives encoded packets; called on GStreamer streaming threads.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void pushPacket(MediaKind kind, GstSample* sample) = 0;
};

class Output : public QObject, public PacketSink {
  Q_OBJECT
 public:
  // `scope` names the output in logs ("destination zjol"); `secrets` (a
  // stream key, a passphrase in the URL) are masked out of every error text
  // this output reports.
  Output(std::string scope, std::vector<std::string> secrets, QObject* parent = nullptr);
  ~Output() override;

  void start();
  // Stops; with kFinalize the muxer gets an end-of-stream first (up to
  // `finalize_timeout_ms`) so that the file it writes is complete.
  using StopMode = streaming::StopMode;
  void stop(StopMode mode = StopMode::kImmediate);

  OutputStats stats() const;
  OutputState state() const { return state_; }

  // PacketSink: streaming threads.
  void pushPacket(MediaKind kind, GstSample* sample) override;

  // Tuning.
  BackoffPolicy backoff_policy;
  int stall_timeout_ms = 10000;  // live, but no byte written for this long: reconnect
  int finalize_timeout_ms = 5000;

 signals:
  void stateChanged();

 protected:
  // What the transport takes in.
  enum class PacketFormat {
    kInvalid = 0,
    kElementaryStreams,  // an appsrc of H.264 (avc/au) and one of raw AAC: it muxes
    kRtmp,               // FLV tags in decode order (flv.h) to makePublisher()'s publisher
  };
  virtual PacketFormat packetFormat() const { return PacketFormat::kElementaryStreams; }
  // kElementaryStreams: builds the transport part of `pipeline` and returns
  // the element whose sink pad counts as "bytes sent". video_src/audio_src
  // are appsrcs already in the pipeline; link them to the mux.
  virtual GstElement* buildTransport(GstElement* pipeline, GstElement* video_src,
                                     GstElement* audio_src) = 0;
  // kRtmp: a publisher for one attempt, not started yet.
  virtual std::unique_ptr<RtmpPublisher> makePublisher(RtmpPublisher::ErrorHandler on_error) {
    return nullptr;
  }
  // Called before each attempt; e.g. the archive picks a new file name. May
  // throw: the attempt then fails with that reason and is retried.
  virtual void prepareAttempt() {}
  // How long data must flow without error before the output counts as live.
  virtual int liveAfterMs() const { return 1000; }
  const std::string& scope() const { return scope_; }
  std::string mask(std::string text) const;

 private:
  struct Feed;  // what the streaming threads touch; see output.cpp

  void attempt();
  void fail(const std::string& reason);
  void teardown(StopMode mode);
  void setState(OutputState state);
  void onMessage(int generation, GstMessage* message);
  void tick();

  std::string scope_;
  std::vector<std::string> secrets_;
  OutputState state_ = OutputState::kStopped;
  std::string last_error_;
  int reconnects_ = 0;
  Backoff backoff_;
  ElementPtr pipeline_;
  int generation_ = 0;
  std::shared_ptr<Feed> feed_;  // shared with the pad probe
  std::uint64_t bytes_at_tick_ = 0;
  std::int64_t flowing_since_ms_ = -1;  // steady ms when bytes started moving in this attempt
  std::int64_t last_progress_ms_ = 0;
  double bitrate_kbps_ = 0;
  std::uint64_t bytes_total_before_ = 0;  // bytes of earlier attempts
  std::uint64_t dropped_logged_ = 0;      // RTMP tags dropped, as last logged
  LifeToken life_ = std::make_shared<int>(0);
  QTimer retry_timer_;
  QTimer tick_timer_;
};

}  // namespace yst::streaming
