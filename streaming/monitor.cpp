#include "streaming/monitor.h"

#include <utility>

#include "streaming/media_format.h"
#include "streaming/reaper.h"
#include "studio/base/log.h"

namespace yst::streaming {
namespace {

BackoffPolicy monitorBackoff() {
  BackoffPolicy policy;
  policy.initial_ms = 1000;  // a headset plugged back in is heard within seconds
  policy.max_ms = 30000;
  return policy;
}

}  // namespace

Monitor::Monitor(MediaUrl device, std::string channel, QObject* parent)
    : QObject(parent),
      device_(std::move(device)),
      channel_(std::move(channel)),
      backoff_(monitorBackoff()) {
  retry_timer_.setSingleShot(true);
  connect(&retry_timer_, &QTimer::timeout, this, &Monitor::attempt);
}

Monitor::~Monitor() {
  teardown();
}

void Monitor::start() {
  if (state_ != State::kStopped) return;
  backoff_.reset();
  attempt();
}

void Monitor::stop() {
  retry_timer_.stop();
  teardown();
  setState(State::kStopped);
}

const char* Monitor::stateName() const {
  switch (state_) {
    case State::kPlaying:
      return "playing";
    case State::kRetrying:
      return "retrying";
    case State::kStopped:
      break;
  }
  return "stopped";
}

void Monitor::attempt() {
  teardown();
  ElementPtr pipeline = holdElement(gst_pipeline_new("monitor"));
  GstElement* bin = pipeline.get();
  try {
    GstElement* src = addElement(bin, "interaudiosrc");
    // A bounded backlog, as the program's own inputs.
    g_object_set(src, "channel", channel_.c_str(), "buffer-time", guint64{kInterAudioBufferNs},
                 nullptr);
    GstElement* convert = addElement(bin, "audioconvert");
    GstElement* resample = addElement(bin, "audioresample");
    const bool pulse = device_.scheme == UrlScheme::kPulse;
    GstElement* sink = addElement(bin, pulse ? "pulsesink" : "alsasink");
    // What the producer hears now, not what the clock says it should: the
    // program is already timed.
    g_object_set(sink, "device", device_.host.c_str(), "sync", FALSE, nullptr);
    if (pulse) g_object_set(sink, "client-name", "Yishiting Studio monitor", nullptr);
    linkChain({src, convert, resample, sink});
  } catch (const std::exception& e) {
    fail(e.what());
    return;
  }
  life_ = std::make_shared<int>(0);
  relayBus(bin, life_, [this](GstMessage* message) {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR:
        fail(describeFailure(message));
        return;
      case GST_MESSAGE_STATE_CHANGED: {
        // Playing once the device has opened (a sink opens it on the way,
        // and says so by an error if it cannot): only then does the back-off
        // start again from its first delay.
        GstState now = GST_STATE_NULL;
        gst_message_parse_state_changed(message, nullptr, &now, nullptr);
        if (now == GST_STATE_PLAYING && pipeline_ &&
            GST_MESSAGE_SRC(message) == GST_OBJECT(pipeline_.get())) {
          last_error_.clear();
          backoff_.reset();
          setState(State::kPlaying);
        }
        return;
      }
      default:
        return;
    }
  });
  pipeline_ = std::move(pipeline);
  // A sink that cannot open its device (no such device, no sound server)
  // posts why, and the relay hands it to fail().
  gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
}

void Monitor::fail(const std::string& why) {
  teardown();
  last_error_ = why;
  const int delay_ms = backoff_.nextDelayMs();
  logWarn("monitor", why + "; retrying in " + std::to_string(delay_ms) + " ms");
  if (state_ == State::kRetrying) emit stateChanged();  // a new reason
  setState(State::kRetrying);
  retry_timer_.start(delay_ms);
}

void Monitor::teardown() {
  life_.reset();
  if (pipeline_) {
    unrelayBus(pipeline_.get());
    disposeAsync(std::move(pipeline_));
  }
}

void Monitor::setState(State state) {
  if (state_ == state) return;
  state_ = state;
  logInfo("monitor", std::string("state ") + stateName());
  emit stateChanged();
}

}  // namespace yst::streaming
