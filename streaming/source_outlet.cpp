#include "streaming/source_outlet.h"

#include <gst/app/gstappsink.h>

#include <stdexcept>
#include <utility>

#include "streaming/reaper.h"

namespace yst::streaming {

SourceOutlet::SourceOutlet(const std::string& channel, const std::string& caps) {
  pipeline_ = holdElement(gst_pipeline_new(("outlet-" + channel).c_str()));
  GstElement* sink = makeElement("intervideosink");
  // The frames come already timed by the appsinks upstream: render each one
  // on arrival, and never wait for a preroll that nothing here provides.
  g_object_set(sink, "channel", channel.c_str(), "sync", FALSE, "async", FALSE, "qos", FALSE,
               "enable-last-sample", FALSE, nullptr);
  gst_bin_add(GST_BIN(pipeline_.get()), sink);
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    close();
    throw std::runtime_error("the source's video outlet did not start");
  }
  pad_ = GST_PAD(gst_object_ref_sink(gst_pad_new("outlet", GST_PAD_SRC)));
  PadPtr sinkpad(gst_element_get_static_pad(sink, "sink"));
  gst_pad_set_active(pad_, TRUE);
  if (gst_pad_link(pad_, sinkpad.get()) != GST_PAD_LINK_OK) {
    close();
    throw std::runtime_error("the source's video outlet did not link");
  }
  CapsPtr parsed(gst_caps_from_string(caps.c_str()));
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  const std::string stream_id = "outlet-" + channel;
  if (!parsed || !gst_pad_push_event(pad_, gst_event_new_stream_start(stream_id.c_str())) ||
      !gst_pad_push_event(pad_, gst_event_new_caps(parsed.get())) ||
      !gst_pad_push_event(pad_, gst_event_new_segment(&segment))) {
    close();
    throw std::runtime_error("the source's video outlet refused its format");
  }
}

SourceOutlet::~SourceOutlet() {
  close();
}

void SourceOutlet::close() {
  std::lock_guard lock(mutex_);
  attempt_ = -1;
  camera_on_ = false;
  if (pad_) {
    gst_pad_set_active(pad_, FALSE);
    gst_object_unref(pad_);
    pad_ = nullptr;
  }
  if (pipeline_) disposeAsync(std::move(pipeline_));
}

void SourceOutlet::beginAttempt(int generation) {
  std::lock_guard lock(mutex_);
  attempt_ = generation;
  camera_on_ = false;
}

void SourceOutlet::showSlate() {
  std::lock_guard lock(mutex_);
  attempt_ = -1;
  camera_on_ = false;
}

bool SourceOutlet::pushCamera(int generation, GstBuffer* frame) {
  std::lock_guard lock(mutex_);
  if (generation != attempt_) return false;
  camera_on_ = true;
  return pushLocked(frame);
}

bool SourceOutlet::pushSlate(GstBuffer* frame) {
  std::lock_guard lock(mutex_);
  if (camera_on_) return false;
  return pushLocked(frame);
}

bool SourceOutlet::pushLocked(GstBuffer* frame) {
  if (!pad_) return false;
  // A shallow copy (the pixels are shared) without the timestamps of the
  // pipeline the frame came from, which mean nothing in this segment.
  GstBuffer* out = gst_buffer_make_writable(gst_buffer_ref(frame));
  GST_BUFFER_PTS(out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  return gst_pad_push(pad_, out) == GST_FLOW_OK;
}

GstElement* makeFrameSink(std::function<void(GstBuffer*)> deliver) {
  GstElement* sink = makeElement("appsink");
  // As a video sink would: wait for each frame's time (a file plays at its
  // pace, not as fast as it decodes) and drop what is more than 20 ms late,
  // telling upstream (QoS) so that it can skip work.
  g_object_set(sink, "sync", TRUE, "qos", TRUE, "max-lateness", gint64{20} * GST_MSECOND,
               "enable-last-sample", FALSE, "max-buffers", 1u, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* appsink, gpointer data) -> GstFlowReturn {
    SamplePtr sample(gst_app_sink_pull_sample(appsink));
    if (!sample) return GST_FLOW_FLUSHING;
    if (GstBuffer* buffer = gst_sample_get_buffer(sample.get())) {
      (*static_cast<std::function<void(GstBuffer*)>*>(data))(buffer);
    }
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(
      GST_APP_SINK(sink), &callbacks, new std::function<void(GstBuffer*)>(std::move(deliver)),
      [](gpointer data) { delete static_cast<std::function<void(GstBuffer*)>*>(data); });
  return sink;
}

}  // namespace yst::streaming
