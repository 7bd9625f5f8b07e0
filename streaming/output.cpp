#include "streaming/output.h"
#include "studio/base/clock.h"

#include <gst/app/gstappsrc.h>

#include <QCoreApplication>
#include <QMetaObject>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "streaming/flv.h"
#include "streaming/reaper.h"
#include "streaming/uri_secrets.h"
#include "studio/base/log.h"

namespace yst::streaming {

// The part of an output that the encoder's streaming threads touch.
struct Output::Feed {
  std::mutex mutex;
  GstElement* video_src = nullptr;  // Guarded by mutex. Strong refs; null when not accepting.
  GstElement* audio_src = nullptr;  // Guarded by mutex.
  // PacketFormat::kRtmp instead of the appsrcs: null when not accepting.
  std::shared_ptr<RtmpPublisher> rtmp;  // Guarded by mutex.
  std::unique_ptr<FlvPackager> flv;     // Guarded by mutex. Set with rtmp.
  std::vector<GstBuffer*> tags;         // Guarded by mutex. Due, not yet handed on (pushTags).
  bool header_sent = false;             // Guarded by mutex.
  bool gate_open = false;               // Guarded by mutex. Opens on the first video keyframe.
  GstClockTime base = 0;                // Guarded by mutex. Program time of that keyframe.
  bool video_caps_set = false;          // Guarded by mutex.
  bool audio_caps_set = false;          // Guarded by mutex.
  GstClockTime last_dts[2] = {GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE};  // Guarded by mutex.
  std::atomic<std::uint64_t> bytes{0};                                    // taken by the transport
  std::atomic<std::uint64_t> media_ns{0};  // timestamp of the newest packet handed on

  // Sends the tags now due, one write per video frame: the audio tags due
  // before a frame wait for it, so the socket sees ~30 writes a second
  // instead of ~80. Should the video stop, audio still leaves every
  // kMaxAudioHold. `force`: everything now (end of stream). Mutex held.
  static constexpr GstClockTime kMaxAudioHold = 100 * GST_MSECOND;
  void pushTags(bool force = false) {
    if (tags.empty()) return;
    const bool frame = std::any_of(tags.begin(), tags.end(), isVideoTag);
    if (!force && !frame &&
        GST_BUFFER_DTS(tags.back()) - GST_BUFFER_DTS(tags.front()) < kMaxAudioHold) {
      return;
    }
    if (!header_sent) {
      // What a viewer needs before the first keyframe, first on the connection.
      const std::vector<GstBuffer*>& header = flv->streamHeader();
      bytes.fetch_add(rtmp->send(header.data(), header.size()), std::memory_order_relaxed);
      header_sent = true;
    }
    bytes.fetch_add(rtmp->send(tags.data(), tags.size()), std::memory_order_relaxed);
    for (GstBuffer* tag : tags) gst_buffer_unref(tag);
    tags.clear();
  }

  ~Feed() {
    for (GstBuffer* tag : tags) gst_buffer_unref(tag);
  }

  // Stops taking packets; returns the publisher, if any, for the caller to close.
  std::shared_ptr<RtmpPublisher> detach() {
    std::lock_guard lock(mutex);
    if (video_src) gst_object_unref(video_src);
    if (audio_src) gst_object_unref(audio_src);
    video_src = audio_src = nullptr;
    return std::move(rtmp);
  }
};

Output::Output(std::string scope, std::vector<std::string> secrets, QObject* parent)
    : QObject(parent), scope_(std::move(scope)), secrets_(std::move(secrets)) {
  retry_timer_.setSingleShot(true);
  connect(&retry_timer_, &QTimer::timeout, this, &Output::attempt);
  tick_timer_.setInterval(1000);
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
  tick_timer_.start();
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
  s.bytes_sent = bytes_total_before_ + (feed_ ? feed_->bytes.load() : 0);
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
  ++generation_;
  try {
    prepareAttempt();
  } catch (const std::exception& e) {
    // A folder that became a file or went away with its disk: this output
    // retries like after any other failure. Thrown on, it would leave the
    // timer's slot and end the whole show.
    fail(e.what());
    return;
  }
  flowing_since_ms_ = -1;
  last_progress_ms_ = steadyNowMs();
  bytes_at_tick_ = 0;
  dropped_logged_ = 0;
  auto feed = std::make_shared<Feed>();
  if (packetFormat() == PacketFormat::kRtmp) {
    // No pipeline: the encoder's thread sends (see rtmp.h). Errors come from
    // the publisher's thread or the encoder's; they are handled here.
    const int generation = generation_;
    // Every failure is retried the same way; its text tells the producer which.
    std::unique_ptr<RtmpPublisher> publisher =
        makePublisher([this, life = std::weak_ptr<int>(life_), generation](
                          RtmpPublisher::Failure, const std::string& reason) {
          QCoreApplication* app = QCoreApplication::instance();
          if (!app) return;
          QMetaObject::invokeMethod(
              app,
              [this, life, generation, reason] {
                if (!life.expired() && generation == generation_) fail(reason);
              },
              Qt::QueuedConnection);
        });
    if (!publisher) {
      fail("no RTMP transport for this output");
      return;
    }
    feed->flv = std::make_unique<FlvPackager>();
    feed->rtmp = std::move(publisher);
    feed->rtmp->start();
    std::atomic_store(&feed_, std::move(feed));
    return;
  }
  try {
    ElementPtr pipeline = holdElement(gst_pipeline_new(nullptr));
    GstElement* video_src = makeElement("appsrc");
    GstElement* audio_src = makeElement("appsrc");
    for (GstElement* src : {video_src, audio_src}) {
      // Live, timestamps from the program, bounded: a transport that cannot
      // keep up loses its oldest packets, never the studio's memory.
      g_object_set(src, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE,
                   "max-bytes", guint64{8} << 20, "block", FALSE, nullptr);
      gst_util_set_object_arg(G_OBJECT(src), "leaky-type", "downstream");
      gst_bin_add(GST_BIN(pipeline.get()), src);
    }
    GstElement* counted = buildTransport(pipeline.get(), video_src, audio_src);
    PadPtr pad(gst_element_get_static_pad(counted, "sink"));
    auto* held = new std::shared_ptr<Feed>(feed);
    gst_pad_add_probe(
        pad.get(),
        static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
          auto& f = *static_cast<std::shared_ptr<Feed>*>(data);
          std::uint64_t n = 0;
          if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
            n = gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
          } else {
            n = gst_buffer_list_calculate_size(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
          }
          f->bytes.fetch_add(n, std::memory_order_relaxed);
          return GST_PAD_PROBE_OK;
        },
        held, [](gpointer data) { delete static_cast<std::shared_ptr<Feed>*>(data); });
    const int generation = generation_;
    relayBus(pipeline.get(), life_,
             [this, generation](GstMessage* m) { onMessage(generation, m); });
    if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      // The element that refused has posted why on the bus ("Connection
      // refused", a wrong SRT passphrase, a folder it cannot write), and
      // the relay has queued it to this thread: it goes first and fails the
      // output with that text. This one is for an element that failed
      // without saying why.
      pipeline_ = std::move(pipeline);
      QMetaObject::invokeMethod(
          this,
          [this, generation] {
            if (generation == generation_) fail("could not start");
          },
          Qt::QueuedConnection);
      return;
    }
    {
      std::lock_guard lock(feed->mutex);
      feed->video_src = GST_ELEMENT(gst_object_ref(video_src));
      feed->audio_src = GST_ELEMENT(gst_object_ref(audio_src));
    }
    pipeline_ = std::move(pipeline);
    std::atomic_store(&feed_, std::move(feed));
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

void Output::teardown(StopMode mode) {
  if (feed_) {
    GstElement* video_src = nullptr;
    GstElement* audio_src = nullptr;
    {
      std::lock_guard lock(feed_->mutex);
      if (feed_->video_src) video_src = GST_ELEMENT(gst_object_ref(feed_->video_src));
      if (feed_->audio_src) audio_src = GST_ELEMENT(gst_object_ref(feed_->audio_src));
      if (mode == StopMode::kFinalize && feed_->rtmp && feed_->gate_open) {
        feed_->flv->flush(feed_->tags);  // what waited for the other kind
        feed_->pushTags(true);
      }
    }
    // No more packets from the encoder threads after this.
    if (std::shared_ptr<RtmpPublisher> rtmp = feed_->detach()) {
      // Unpublishing and closing may wait on the network: off this thread.
      // With kImmediate the partner site still hears that the stream ended
      // if it answers within a second.
      const int timeout_ms = mode == StopMode::kFinalize ? finalize_timeout_ms : 1000;
      disposeAsync([rtmp = std::move(rtmp), timeout_ms] { rtmp->close(timeout_ms); });
    }
    bytes_total_before_ += feed_->bytes.load();
    if (pipeline_ && mode == StopMode::kFinalize && video_src) {
      // Let the muxer write its index and close the file properly.
      unrelayBus(pipeline_.get());
      gst_app_src_end_of_stream(GST_APP_SRC(video_src));
      gst_app_src_end_of_stream(GST_APP_SRC(audio_src));
      BusPtr bus(gst_element_get_bus(pipeline_.get()));
      MessagePtr msg(gst_bus_timed_pop_filtered(
          bus.get(), static_cast<GstClockTime>(finalize_timeout_ms) * GST_MSECOND,
          static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
      if (!msg) logWarn(scope_, "did not finish writing within the finalize timeout");
      gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    }
    if (video_src) gst_object_unref(video_src);
    if (audio_src) gst_object_unref(audio_src);
    std::atomic_store(&feed_, std::shared_ptr<Feed>());
  }
  if (pipeline_) {
    unrelayBus(pipeline_.get());
    disposeAsync(std::move(pipeline_));
  }
  ++generation_;
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

void Output::onMessage(int generation, GstMessage* message) {
  if (generation != generation_) return;
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
      // With the element's reason ("Failed to resolve host …"), masked in fail().
      fail(describeFailure(message));
      break;
    case GST_MESSAGE_EOS:
      fail("the transport ended the stream");
      break;
    case GST_MESSAGE_WARNING:
      logDebug(scope_, [&] { return mask(describeMessage(message)); });
      break;
    default:
      break;
  }
}

void Output::tick() {
  const std::int64_t now = steadyNowMs();
  if (!feed_) {
    bitrate_kbps_ = 0;
    return;
  }
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock(feed_->mutex);
    if (feed_->rtmp) dropped = feed_->rtmp->droppedTags();
  }
  if (dropped > dropped_logged_) {
    logWarn(scope_, "the partner site is not taking the stream as fast as it comes: " +
                        std::to_string(dropped) + " packets dropped in this connection");
    dropped_logged_ = dropped;
  }
  const std::uint64_t bytes = feed_->bytes.load();
  const std::uint64_t delta = bytes - bytes_at_tick_;
  bytes_at_tick_ = bytes;
  bitrate_kbps_ = delta * 8.0 / 1000.0;
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
  GstElement* src = kind == MediaKind::kAudio ? feed->audio_src : feed->video_src;
  if (!src && !feed->rtmp) return;
  // Timestamps as program running time: the video encoder shifts its
  // segment (x264enc starts at 1000 h so DTS never goes negative), so raw
  // PTS of audio and video are not comparable, running times are.
  const GstSegment* segment = gst_sample_get_segment(sample);
  if (!segment || segment->format != GST_FORMAT_TIME) return;
  const GstClockTime pts =
      gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return;
  if (!feed->gate_open) {
    // RTMP: the stream begins once the partner site has accepted it.
    if (feed->rtmp && !feed->rtmp->ready()) return;
    // A new viewer of the stream can only start decoding at a keyframe.
    if (kind != MediaKind::kVideo || GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT)) {
      return;
    }
    feed->gate_open = true;
    feed->base = pts;
  }
  if (pts < feed->base) return;
  GstCaps* caps = gst_sample_get_caps(sample);
  if (!feed->rtmp) {
    bool& caps_set = kind == MediaKind::kVideo ? feed->video_caps_set : feed->audio_caps_set;
    if (!caps_set) {
      g_object_set(src, "caps", caps, nullptr);
      caps_set = true;
    }
  } else if (!caps) {
    return;  // FLV needs the codec data
  }
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
  if (feed->rtmp) {
    feed->flv->push(kind, out, caps, feed->tags);
    feed->pushTags();
    return;
  }
  gst_app_src_push_buffer(GST_APP_SRC(src), out);
}

}  // namespace yst::streaming
