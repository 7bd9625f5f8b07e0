#include "streaming/output.h"
#include "studio/base/clock.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "streaming/uri_secrets.h"
#include "studio/base/log.h"

namespace yst::streaming {

// The part of an output that the encoder's streaming threads touch.
struct Output::Feed {
  std::mutex mutex;
  // Guarded by mutex. Output::transport_, or null once taken out: push()
  // is called under the mutex, so the encoder's two threads take turns and
  // none is inside the transport when it is closed.
  Transport* transport = nullptr;
  bool gate_open = false;  // Guarded by mutex. Opens on the first video keyframe.
  GstClockTime base = 0;   // Guarded by mutex. Program time of that keyframe.
  GstClockTime last_dts[2] = {GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE};  // Guarded by mutex.
  std::atomic<std::uint64_t> media_ns{0};  // timestamp of the newest packet handed on
};

Output::Output(std::string scope, std::vector<std::string> secrets, QObject* parent)
    : QObject(parent), scope_(std::move(scope)), secrets_(std::move(secrets)) {
  retry_timer_.setSingleShot(true);
  connect(&retry_timer_, &QTimer::timeout, this, &Output::attempt);
  connect(&tick_timer_, &QTimer::timeout, this, &Output::tick);
}

Output::~Output() {
  teardown(StopMode::kImmediate);
}

std::string Output::mask(std::string text) const {
  return scrub(std::move(text), secrets_);
}

void Output::start() {
  if (state_ != OutputState::kStopped && state_ != OutputState::kFailed) return;
  backoff_ = Backoff(backoff_policy);
  last_error_.clear();
  setState(OutputState::kConnecting);
  tick_timer_.start(tick_interval_ms);
  attempt();
}

void Output::stop(StopMode mode) {
  retry_timer_.stop();
  tick_timer_.stop();
  teardown(mode);
  bitrate_kbps_ = 0;
  setState(OutputState::kStopped);
}

OutputStats Output::stats() const {
  OutputStats s;
  s.state = state_;
  s.bytes_sent = bytes_total_before_ + (transport_ ? transport_->bytes() : 0);
  s.bitrate_kbps = bitrate_kbps_;
  s.media_duration_ms = feed_ ? feed_->media_ns.load() / 1000000 : 0;
  s.reconnects = reconnects_;
  s.last_error = last_error_;
  return s;
}

void Output::setState(OutputState state) {
  if (state_ == state) return;
  state_ = state;
  logInfo(scope_, std::string("state ") + outputStateName(state));
  emit stateChanged();
}

void Output::attempt() {
  std::unique_ptr<Transport> transport;
  try {
    transport = makeTransport();
  } catch (const std::exception& e) {
    // A folder that became a file or went away with its disk: this output
    // retries like after any other failure. Thrown on, it would leave the
    // timer's slot and end the whole show.
    fail(e.what());
    return;
  }
  if (!transport) {
    fail("no transport for this output");
    return;
  }
  flowing_since_ms_ = -1;
  last_progress_ms_ = steadyNowMs();
  bytes_at_tick_ = 0;
  dropped_logged_ = 0;
  try {
    transport->start(*this);
  } catch (const std::exception& e) {
    fail(e.what());  // a missing element, a link that failed
    return;
  }
  auto feed = std::make_shared<Feed>();
  feed->transport = transport.get();
  transport_ = std::move(transport);
  std::atomic_store(&feed_, std::move(feed));
}

void Output::teardown(StopMode mode) {
  if (feed_) {
    {
      std::lock_guard lock(feed_->mutex);
      feed_->transport = nullptr;  // no more packets from the encoder threads after this
    }
    std::atomic_store(&feed_, std::shared_ptr<Feed>());
  }
  if (transport_) {
    const std::string problem = transport_->close(mode, finalize_timeout_ms);
    if (!problem.empty()) logWarn(scope_, mask(problem));
    bytes_total_before_ += transport_->bytes();
    transport_.reset();
  }
}

void Output::fail(const std::string& reason) {
  teardown(StopMode::kImmediate);
  last_error_ = mask(reason);
  ++reconnects_;
  bitrate_kbps_ = 0;
  const int delay_ms = backoff_.nextDelayMs();
  logWarn(scope_, last_error_ + "; retrying in " + std::to_string(delay_ms) + " ms");
  if (state_ == OutputState::kRetrying) emit stateChanged();  // new error text
  setState(OutputState::kRetrying);
  if (backoff_.exhausted()) {
    setState(OutputState::kFailed);
    tick_timer_.stop();
    return;
  }
  retry_timer_.start(delay_ms);
}

void Output::transportFailed(const std::string& reason) {
  fail(reason);  // masked there
}

void Output::transportWarning(const std::string& text) {
  logDebug(scope_, [&] { return mask(text); });
}

void Output::tick() {
  const std::int64_t now = steadyNowMs();
  if (!transport_) {
    bitrate_kbps_ = 0;
    return;
  }
  const std::uint64_t dropped = transport_->droppedPackets();
  if (dropped > dropped_logged_) {
    logWarn(scope_, "the partner site is not taking the stream as fast as it comes: " +
                        std::to_string(dropped) + " packets dropped in this connection");
    dropped_logged_ = dropped;
  }
  const std::uint64_t bytes = transport_->bytes();
  const std::uint64_t delta = bytes - bytes_at_tick_;
  bytes_at_tick_ = bytes;
  bitrate_kbps_ = delta * 8.0 / tick_interval_ms;  // bits per ms: kb/s
  if (delta > 0) {
    last_progress_ms_ = now;
    if (flowing_since_ms_ < 0) flowing_since_ms_ = now;
  } else {
    flowing_since_ms_ = -1;  // "live" needs data moving without a break
  }
  if (state_ != OutputState::kLive) {
    if (flowing_since_ms_ >= 0 && now - flowing_since_ms_ >= liveAfterMs()) {
      backoff_.reset();
      last_error_.clear();
      setState(OutputState::kLive);
    } else if (now - last_progress_ms_ > stall_timeout_ms) {
      fail("no data accepted within " + std::to_string(stall_timeout_ms / 1000) + " s");
    }
    return;
  }
  if (now - last_progress_ms_ > stall_timeout_ms) {
    fail("stalled: nothing written for " + std::to_string(stall_timeout_ms / 1000) + " s");
  }
}

void Output::pushPacket(MediaKind kind, GstSample* sample) {
  std::shared_ptr<Feed> feed = std::atomic_load(&feed_);
  if (!feed) return;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  if (!buffer) return;
  std::lock_guard lock(feed->mutex);
  Transport* transport = feed->transport;
  if (!transport) return;
  // Timestamps as program running time: the video encoder shifts its
  // segment (x264enc starts at 1000 h so DTS never goes negative), so raw
  // PTS of audio and video are not comparable, running times are.
  const GstSegment* segment = gst_sample_get_segment(sample);
  if (!segment || segment->format != GST_FORMAT_TIME) return;
  const GstClockTime pts =
      gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return;
  if (!feed->gate_open) {
    // The stream begins once the transport takes it (RTMP: once the partner
    // site has accepted it).
    if (!transport->ready()) return;
    // A new viewer of the stream can only start decoding at a keyframe.
    if (kind != MediaKind::kVideo || GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT)) {
      return;
    }
    feed->gate_open = true;
    feed->base = pts;
  }
  if (pts < feed->base) return;
  // Each output starts its own timeline at zero; the copy shares the packet's
  // memory, only the timestamps differ.
  GstBuffer* out = gst_buffer_copy(buffer);
  GST_BUFFER_PTS(out) = pts - feed->base;
  GstClockTime dts = GST_CLOCK_TIME_NONE;
  if (GST_BUFFER_DTS_IS_VALID(buffer)) {
    guint64 running = 0;
    const int sign = gst_segment_to_running_time_full(segment, GST_FORMAT_TIME,
                                                      GST_BUFFER_DTS(buffer), &running);
    dts = sign > 0 && running > feed->base ? running - feed->base : 0;
    // Muxers refuse decode times that do not increase (Matroska, FLV): the
    // clamp above can make two packets at the start share zero.
    GstClockTime& last = feed->last_dts[kind == MediaKind::kVideo ? 0 : 1];
    if (GST_CLOCK_TIME_IS_VALID(last) && dts <= last) dts = last + 1;
    last = dts;
  }
  GST_BUFFER_DTS(out) = dts;
  if (kind == MediaKind::kVideo) feed->media_ns.store(pts - feed->base, std::memory_order_relaxed);
  transport->push(kind, out, gst_sample_get_caps(sample));
}

}  // namespace yst::streaming
