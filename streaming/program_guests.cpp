// The program's side of remote guests (webrtc:// slots): holding a guest in
// the green room off air, and the return feed each guest gets on their own
// peer connection, the program's picture encoded once and a mix-minus of
// every other source's sound (return_feed.h). Parts of Program, apart from
// the mixing and encoding of the program itself (program.cpp).
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <cstring>
#include <stdexcept>

#include "streaming/program.h"

namespace yst::streaming {

void Program::buildReturnFeed(GstElement* program_tee) {
  GstElement* bin = pipeline_.get();
  const VideoFormat& v = settings_.video;
  // Its own leaky queue: a slow encode here drops its frames, never the program's.
  GstElement* queue = addLeakyQueue(bin, 2);
  GstElement* scale = addElement(bin, "videoscale");
  GstElement* caps =
      addCapsFilter(bin, "video/x-raw,format=I420,width=" + std::to_string(ReturnFeed::kWidth) +
                             ",height=" + std::to_string(ReturnFeed::kHeight));
  GstElement* vp8 = addElement(bin, "vp8enc", "return-video");
  // Real time, one thread, no frames held back; a keyframe every 10 s and
  // whenever a guest asks (ReturnFeed::requestKeyframe); errors a lost
  // packet costs stay local to what it carried.
  g_object_set(vp8, "deadline", gint64{1}, "cpu-used", 8, "threads", 1, "lag-in-frames", 0,
               "target-bitrate", ReturnFeed::kVideoBitrateKbps * 1000, "keyframe-max-dist",
               10 * v.fps, nullptr);
  gst_util_set_object_arg(G_OBJECT(vp8), "end-usage", "cbr");
  gst_util_set_object_arg(G_OBJECT(vp8), "error-resilient", "default");
  GstElement* sink = addElement(bin, "appsink", "return-video-sink");
  g_object_set(sink, "sync", FALSE, "emit-signals", FALSE, "max-buffers", 8u, "drop", TRUE, "async",
               FALSE, nullptr);
  GstElement* valve = addValve(program_tee);
  linkChain({valve, queue, scale, caps, vp8, sink});
  g_object_set(valve, "drop", FALSE, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* appsink, gpointer data) -> GstFlowReturn {
    SamplePtr sample(gst_app_sink_pull_sample(appsink));
    if (sample) static_cast<ReturnFeed*>(data)->pushVideo(gst_sample_get_buffer(sample.get()));
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, return_feed_.get(), nullptr);
  // A keyframe on request: the upstream event a decoder's PLI becomes, sent
  // into the encoder from downstream.
  // The requester holds the pad; stop() takes the requester away before the
  // pipeline goes.
  std::shared_ptr<GstPad> encoder_src(gst_element_get_static_pad(vp8, "src"),
                                      [](GstPad* pad) { gst_object_unref(pad); });
  return_feed_->setKeyframeRequester([encoder_src] {
    gst_pad_send_event(encoder_src.get(),
                       gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  });
}

void Program::buildMixMinus(const std::map<std::string, GstElement*>& source_tees) {
  GstElement* bin = pipeline_.get();
  for (const ProgramSourceInput& guest : sources_) {
    if (!guest.return_feed) continue;
    GstElement* mixer = addElement(bin, "audiomixer", ("minus-" + guest.id).c_str());
    // Its inputs come through a queue (a thread hop the program's own mixer
    // does not have): 100 ms more to wait for them before it mixes without
    // them. Without it a loaded machine (the studio under AddressSanitizer)
    // had every input late and sent the guest silence.
    g_object_set(mixer, "latency", guint64{100} * GST_MSECOND, nullptr);
    for (const ProgramSourceInput& s : sources_) {
      if (s.id == guest.id) continue;  // everything but the guest's own voice
      auto tee = source_tees.find(s.id);
      if (tee == source_tees.end()) continue;
      // A leaky queue: a mix-minus that falls behind drops its own sound,
      // never holds up the program's.
      GstElement* queue = addElement(bin, "queue");
      g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
                   guint64{200} * GST_MSECOND, nullptr);
      gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
      PadPtr tee_pad(gst_element_request_pad_simple(tee->second, "src_%u"));
      PadPtr queue_sink(gst_element_get_static_pad(queue, "sink"));
      if (gst_pad_link(tee_pad.get(), queue_sink.get()) != GST_PAD_LINK_OK) {
        throw std::runtime_error("cannot link " + s.id + " into " + guest.id + "'s mix-minus");
      }
      GstPad* pad = linkToRequestPad(queue, mixer, "sink_%u");
      pads_[s.id].minus.emplace_back(guest.id, pad);
    }
    GstElement* caps = addCapsFilter(bin, rawAudioCaps());
    GstElement* convert = addElement(bin, "audioconvert");
    // Mono: voices, for one pair of headphones (and what every offer takes).
    GstElement* mono = addCapsFilter(bin, "audio/x-raw,channels=1");
    GstElement* opus = addElement(bin, "opusenc");
    g_object_set(opus, "bitrate", ReturnFeed::kAudioBitrateKbps * 1000, nullptr);
    GstElement* sink = addElement(bin, "appsink");
    g_object_set(sink, "sync", FALSE, "emit-signals", FALSE, "max-buffers", 16u, "drop", TRUE,
                 "async", FALSE, nullptr);
    linkChain({mixer, caps, convert, mono, opus, sink});
    struct Target {
      std::shared_ptr<ReturnFeed> feed;
      std::string guest;
    };
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = [](GstAppSink* appsink, gpointer data) -> GstFlowReturn {
      SamplePtr sample(gst_app_sink_pull_sample(appsink));
      auto* target = static_cast<Target*>(data);
      if (sample) target->feed->pushAudio(target->guest, gst_sample_get_buffer(sample.get()));
      return GST_FLOW_OK;
    };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, new Target{return_feed_, guest.id},
                               [](gpointer data) { delete static_cast<Target*>(data); });
  }
  for (auto& [id, pads] : pads_) applyAudioPad(id);
}

void Program::setHeld(const std::string& source, bool held) {
  auto& flag = held_[source];
  if (!flag) flag = std::make_shared<std::atomic<bool>>(false);
  flag->store(held);
  applyAudioPad(source);
}

void Program::setTalkback(const std::string& guest, bool on) {
  if (on == talkingTo(guest)) return;
  if (on) {
    talking_to_.insert(guest);
  } else {
    talking_to_.erase(guest);
  }
  for (auto& [id, pads] : pads_) applyAudioPad(id);
}

bool Program::talkingTo(const std::string& guest) const {
  return talking_to_.count(guest) > 0;
}

bool Program::held(const std::string& source) const {
  auto it = held_.find(source);
  return it != held_.end() && it->second && it->second->load();
}

void Program::blackWhileHeld(GstElement* scaler, std::shared_ptr<std::atomic<bool>> held) {
  struct Black {
    std::shared_ptr<std::atomic<bool>> held;
    GstBuffer* frame = nullptr;  // black, of the size last seen; reused (this thread only)
    gsize size = 0;
    ~Black() {
      if (frame) gst_buffer_unref(frame);
    }
  };
  PadPtr sink(gst_element_get_static_pad(scaler, "sink"));
  gst_pad_add_probe(
      sink.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad* pad, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        auto* black = static_cast<Black*>(data);
        if (!black->held->load(std::memory_order_relaxed)) return GST_PAD_PROBE_OK;
        GstBuffer* in = GST_PAD_PROBE_INFO_BUFFER(info);
        const gsize size = gst_buffer_get_size(in);
        if (!black->frame || black->size != size) {
          // The program's I420, in GStreamer's default layout (what the
          // channel carries): Y 16 (black), U and V 128.
          CapsPtr caps(gst_pad_get_current_caps(pad));
          GstVideoInfo video;
          if (!caps || !gst_video_info_from_caps(&video, caps.get()) ||
              GST_VIDEO_INFO_SIZE(&video) != size) {
            return GST_PAD_PROBE_OK;
          }
          if (black->frame) gst_buffer_unref(black->frame);
          black->frame = gst_buffer_new_allocate(nullptr, size, nullptr);
          black->size = size;
          GstMapInfo map;
          if (gst_buffer_map(black->frame, &map, GST_MAP_WRITE)) {
            std::memset(map.data, 128, size);
            std::memset(
                map.data + GST_VIDEO_INFO_PLANE_OFFSET(&video, 0), 16,
                GST_VIDEO_INFO_PLANE_OFFSET(&video, 1) - GST_VIDEO_INFO_PLANE_OFFSET(&video, 0));
            gst_buffer_unmap(black->frame, &map);
          }
        }
        // The black pixels shared; the frame's times and flags its own.
        GstBuffer* out = gst_buffer_copy_region(black->frame, GST_BUFFER_COPY_MEMORY, 0, size);
        gst_buffer_copy_into(
            out, in, GstBufferCopyFlags(GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS), 0, -1);
        gst_buffer_unref(in);
        GST_PAD_PROBE_INFO_DATA(info) = out;
        return GST_PAD_PROBE_OK;
      },
      new Black{std::move(held)}, [](gpointer data) { delete static_cast<Black*>(data); });
}

}  // namespace yst::streaming
