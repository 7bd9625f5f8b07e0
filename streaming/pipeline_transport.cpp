#include "streaming/pipeline_transport.h"

#include <gst/app/gstappsrc.h>

#include <QCoreApplication>
#include <QMetaObject>

#include <utility>

#include "streaming/reaper.h"

namespace yst::streaming {

PipelineTransport::PipelineTransport(Builder build) : build_(std::move(build)) {}

PipelineTransport::~PipelineTransport() {
  (void)close(StopMode::kImmediate, 0);
}

void PipelineTransport::start(TransportListener& listener) {
  listener_ = &listener;
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
  GstElement* counted = build_(pipeline.get(), video_src, audio_src);
  PadPtr pad(gst_element_get_static_pad(counted, "sink"));
  using Counter = std::shared_ptr<std::atomic<std::uint64_t>>;
  gst_pad_add_probe(
      pad.get(),
      static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        std::uint64_t n = 0;
        if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
          n = gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
        } else {
          n = gst_buffer_list_calculate_size(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
        }
        (*static_cast<Counter*>(data))->fetch_add(n, std::memory_order_relaxed);
        return GST_PAD_PROBE_OK;
      },
      new Counter(bytes_), [](gpointer data) { delete static_cast<Counter*>(data); });
  relayBus(pipeline.get(), life_, [this](GstMessage* m) { onMessage(m); });
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The element that refused has posted why on the bus ("Connection
    // refused", a wrong SRT passphrase, a folder it cannot write), and the
    // relay has queued it to the controller thread: it goes first and fails
    // the attempt with that text. This one is for an element that failed
    // without saying why.
    pipeline_ = std::move(pipeline);
    if (QCoreApplication* app = QCoreApplication::instance()) {
      QMetaObject::invokeMethod(
          app,
          [this, life = std::weak_ptr<int>(life_)] {
            if (!life.expired()) listener_->transportFailed("could not start");
          },
          Qt::QueuedConnection);
    }
    return;
  }
  video_src_.reset(GST_ELEMENT(gst_object_ref(video_src)));
  audio_src_.reset(GST_ELEMENT(gst_object_ref(audio_src)));
  pipeline_ = std::move(pipeline);
  accepting_.store(true, std::memory_order_release);
}

void PipelineTransport::push(MediaKind kind, GstBuffer* packet, GstCaps* caps) {
  GstElement* src = kind == MediaKind::kAudio ? audio_src_.get() : video_src_.get();
  if (!src) {
    gst_buffer_unref(packet);
    return;
  }
  bool& caps_set = caps_set_[kind == MediaKind::kVideo ? 0 : 1];
  if (!caps_set) {
    g_object_set(src, "caps", caps, nullptr);
    caps_set = true;
  }
  gst_app_src_push_buffer(GST_APP_SRC(src), packet);
}

std::string PipelineTransport::close(StopMode mode, int finalize_timeout_ms) {
  std::string problem;
  life_.reset();  // the listener hears nothing more
  accepting_.store(false, std::memory_order_release);
  if (pipeline_ && mode == StopMode::kFinalize && video_src_) {
    // Let the muxer write its index and close the file properly.
    unrelayBus(pipeline_.get());
    gst_app_src_end_of_stream(GST_APP_SRC(video_src_.get()));
    gst_app_src_end_of_stream(GST_APP_SRC(audio_src_.get()));
    BusPtr bus(gst_element_get_bus(pipeline_.get()));
    MessagePtr msg(gst_bus_timed_pop_filtered(
        bus.get(), static_cast<GstClockTime>(finalize_timeout_ms) * GST_MSECOND,
        static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
    if (!msg) problem = "did not finish writing within the finalize timeout";
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }
  video_src_.reset();
  audio_src_.reset();
  if (pipeline_) {
    unrelayBus(pipeline_.get());
    disposeAsync(std::move(pipeline_));
  }
  return problem;
}

void PipelineTransport::onMessage(GstMessage* message) {
  // The listener may close and destroy this transport: each case ends with
  // its call.
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
      // With the element's reason ("Failed to resolve host …").
      listener_->transportFailed(describeFailure(message));
      return;
    case GST_MESSAGE_EOS:
      listener_->transportFailed("the transport ended the stream");
      return;
    case GST_MESSAGE_WARNING:
      listener_->transportWarning(describeMessage(message));
      return;
    default:
      return;
  }
}

}  // namespace yst::streaming
