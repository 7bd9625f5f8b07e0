#include "streaming/loudness_element.h"

#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

#include <memory>
#include <mutex>

namespace {

using yst::streaming::LoudnessControl;
using yst::streaming::LoudnessSettings;

struct Impl {
  std::mutex mutex;
  LoudnessSettings settings;                 // Guarded by mutex.
  std::shared_ptr<LoudnessControl> control;  // Guarded by mutex; used on the streaming thread.
};

struct YstLoudness {
  GstAudioFilter parent;
  Impl* impl;
};

struct YstLoudnessClass {
  GstAudioFilterClass parent_class;
};

GType yst_loudness_get_type();
G_DEFINE_TYPE(YstLoudness, yst_loudness, GST_TYPE_AUDIO_FILTER)

YstLoudness* self_of(gpointer object) {
  return reinterpret_cast<YstLoudness*>(object);
}

gboolean setup(GstAudioFilter* filter, const GstAudioInfo* info) {
  Impl& impl = *self_of(filter)->impl;
  std::lock_guard lock(impl.mutex);
  impl.control = std::make_shared<LoudnessControl>(GST_AUDIO_INFO_RATE(info),
                                                   GST_AUDIO_INFO_CHANNELS(info), impl.settings);
  return TRUE;
}

GstFlowReturn transform_ip(GstBaseTransform* transform, GstBuffer* buffer) {
  Impl& impl = *self_of(transform)->impl;
  std::shared_ptr<LoudnessControl> control;
  {
    std::lock_guard lock(impl.mutex);
    control = impl.control;
  }
  if (!control) return GST_FLOW_NOT_NEGOTIATED;
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE)) return GST_FLOW_ERROR;
  const GstAudioInfo& info = GST_AUDIO_FILTER(transform)->info;
  const std::size_t frames = map.size / static_cast<std::size_t>(GST_AUDIO_INFO_BPF(&info));
  control->process(reinterpret_cast<float*>(map.data), frames);
  gst_buffer_unmap(buffer, &map);
  return GST_FLOW_OK;
}

void finalize(GObject* object) {
  delete self_of(object)->impl;
  G_OBJECT_CLASS(yst_loudness_parent_class)->finalize(object);
}

void yst_loudness_class_init(YstLoudnessClass* klass) {
  G_OBJECT_CLASS(klass)->finalize = finalize;
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  gst_element_class_set_static_metadata(
      element_class, "Yishiting loudness", "Filter/Effect/Audio",
      "EBU R128 metering, automatic gain to a loudness target and a true-peak limiter",
      "Yishiting Studio");
  GstCaps* caps = gst_caps_from_string(
      "audio/x-raw,format=F32LE,layout=interleaved,rate=[8000,192000],channels=[1,8]");
  gst_audio_filter_class_add_pad_templates(GST_AUDIO_FILTER_CLASS(klass), caps);
  gst_caps_unref(caps);
  GST_AUDIO_FILTER_CLASS(klass)->setup = setup;
  GST_BASE_TRANSFORM_CLASS(klass)->transform_ip = transform_ip;
  GST_BASE_TRANSFORM_CLASS(klass)->transform_ip_on_passthrough = FALSE;
}

void yst_loudness_init(YstLoudness* self) {
  self->impl = new Impl();
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}

}  // namespace

namespace yst::streaming {

void registerLoudnessElement() {
  static std::once_flag once;
  std::call_once(once, [] {
    gst_element_register(nullptr, "yst-loudness", GST_RANK_NONE, yst_loudness_get_type());
  });
}

void setLoudnessSettings(GstElement* element, const LoudnessSettings& settings) {
  Impl& impl = *self_of(element)->impl;
  std::lock_guard lock(impl.mutex);
  impl.settings = settings;
}

std::optional<LoudnessReading> loudnessReading(GstElement* element) {
  Impl& impl = *self_of(element)->impl;
  std::shared_ptr<LoudnessControl> control;
  {
    std::lock_guard lock(impl.mutex);
    control = impl.control;
  }
  if (!control) return std::nullopt;
  return control->reading();
}

}  // namespace yst::streaming
