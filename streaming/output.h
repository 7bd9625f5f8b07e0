// Everything that consumes the program's encoded packets: partner-site
// destinations, the archive recording and HLS.
//
// As in OBS, an output is transport only: it never encodes. The program's
// encoders run once; their packets are handed to every output through
// PacketSink::pushPacket() on the encoder's streaming threads. Each attempt
// has a Transport of its own (transport.h), made by the subclass's factory:
// a small pipeline (appsrc → mux → sink) for SRT, the archive and HLS, so that
// an error in one sink stays on that pipeline's bus and can never stop the
// encoder or the other outputs (DESIGN.md: a tee would propagate it
// upstream); the studio's own RTMP client for RTMP, which never blocks.
//
// The base class owns what every transport shares: the state machine
// (stopped → connecting → live, retrying with jittered exponential back-off),
// the keyframe gate and timestamp rebasing on (re)start, bytes and bitrate,
// a stall watchdog, and masking of the secrets in every error text. It knows
// nothing of RTMP or of muxers.
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
#include "streaming/media_format.h"
#include "streaming/output_types.h"
#include "streaming/transport.h"

namespace yst::streaming {

// Receives encoded packets; called on GStreamer streaming threads.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void pushPacket(MediaKind kind, GstSample* sample) = 0;
};

class Output : public QObject, public PacketSink, private TransportListener {
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

  // Tuning, before start().
  BackoffPolicy backoff_policy;
  int stall_timeout_ms = 10000;  // live, but no byte written for this long: reconnect
  int finalize_timeout_ms = 5000;
  int tick_interval_ms = 1000;  // how often bitrate, liveness and the watchdog are looked at

 signals:
  void stateChanged();

 protected:
  // A transport for the next attempt, not started yet: called before each
  // one (the archive picks a new file name here). May throw: the attempt
  // then fails with that reason and is retried.
  virtual std::unique_ptr<Transport> makeTransport() = 0;
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
  void tick();
  // TransportListener: the current transport, on this thread.
  void transportFailed(const std::string& reason) override;
  void transportWarning(const std::string& text) override;

  std::string scope_;
  std::vector<std::string> secrets_;
  OutputState state_ = OutputState::kStopped;
  std::string last_error_;
  int reconnects_ = 0;
  Backoff backoff_;
  // This attempt's, from start() to close(); null between attempts. The
  // encoder's threads reach it only through feed_.
  std::unique_ptr<Transport> transport_;
  std::shared_ptr<Feed> feed_;  // with the encoder's threads; null between attempts
  std::uint64_t bytes_at_tick_ = 0;
  std::int64_t flowing_since_ms_ = -1;  // steady ms when bytes started moving in this attempt
  std::int64_t last_progress_ms_ = 0;
  double bitrate_kbps_ = 0;
  std::uint64_t bytes_total_before_ = 0;  // bytes of earlier attempts
  std::uint64_t dropped_logged_ = 0;      // packets the transport dropped, as last logged
  QTimer retry_timer_;
  QTimer tick_timer_;
};

}  // namespace yst::streaming
