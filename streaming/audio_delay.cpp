#include "streaming/audio_delay.h"

#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

#include <algorithm>
#include <cmath>
#include <mutex>

namespace yst::streaming {

DelayLine::DelayLine(int rate, int channels) : rate_(rate), channels_(channels) {
  // The longest delay, and the sample the interpolation reads beside it.
  frames_in_ring_ = static_cast<std::size_t>(rate) * kMaxDelayMs / 1000 + 4;
  ring_.assign(frames_in_ring_ * static_cast<std::size_t>(channels), 0.0f);
}

void DelayLine::setDelayMs(int delay_ms) {
  target_ = std::clamp(delay_ms, 0, kMaxDelayMs) * static_cast<double>(rate_) / 1000.0;
  if (!started_) delay_ = target_;
}

double DelayLine::currentDelayMs() const {
  return delay_ * 1000.0 / rate_;
}

namespace {
inline float toFloat(float v) {
  return v;
}
inline float toFloat(std::int16_t v) {
  return static_cast<float>(v);
}
inline void store(float* out, float v) {
  *out = v;
}
inline void store(std::int16_t* out, float v) {
  *out = static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
}
}  // namespace

template <typename T>
void DelayLine::run(T* samples, std::size_t frames) {
  started_ = true;
  const auto channels = static_cast<std::size_t>(channels_);
  const double size = static_cast<double>(frames_in_ring_);
  for (std::size_t f = 0; f < frames; ++f) {
    T* frame = samples + f * channels;
    float* slot = ring_.data() + write_ * channels;
    for (std::size_t c = 0; c < channels; ++c) slot[c] = toFloat(frame[c]);
    if (delay_ != target_) {
      delay_ =
          delay_ < target_ ? std::min(target_, delay_ + kSlew) : std::max(target_, delay_ - kSlew);
    }
    if (delay_ == 0.0) {
      write_ = (write_ + 1) % frames_in_ring_;
      continue;  // the sample itself
    }
    // The sound `delay_` frames ago, between two stored frames.
    double at = static_cast<double>(write_) - delay_;
    if (at < 0) at += size;
    const auto i0 = static_cast<std::size_t>(at) % frames_in_ring_;
    const std::size_t i1 = (i0 + 1) % frames_in_ring_;
    const auto t = static_cast<float>(at - std::floor(at));
    const float* a = ring_.data() + i0 * channels;
    const float* b = ring_.data() + i1 * channels;
    for (std::size_t c = 0; c < channels; ++c) store(frame + c, a[c] + (b[c] - a[c]) * t);
    write_ = (write_ + 1) % frames_in_ring_;
  }
}

void DelayLine::process(float* samples, std::size_t frames) {
  run(samples, frames);
}

void DelayLine::process(std::int16_t* samples, std::size_t frames) {
  run(samples, frames);
}

}  // namespace yst::streaming

// The element. GObject boilerplate around a DelayLine (in a namespace of its
// own: a unity build puts it beside the loudness element's).
namespace {
namespace delay_element {

using yst::streaming::DelayLine;

struct Impl {
  std::mutex mutex;
  int delay_ms = 0;                 // Guarded by mutex.
  std::unique_ptr<DelayLine> line;  // Guarded by mutex (the streaming thread's, set up by caps).
};

struct YstAudioDelay {
  GstAudioFilter parent;
  Impl* impl;
};

struct YstAudioDelayClass {
  GstAudioFilterClass parent_class;
};

enum { PROP_0, PROP_DELAY_MS };

GType yst_audio_delay_get_type();
G_DEFINE_TYPE(YstAudioDelay, yst_audio_delay, GST_TYPE_AUDIO_FILTER)

Impl& impl_of(gpointer object) {
  return *reinterpret_cast<YstAudioDelay*>(object)->impl;
}

gboolean setup(GstAudioFilter* filter, const GstAudioInfo* info) {
  Impl& impl = impl_of(filter);
  std::lock_guard lock(impl.mutex);
  impl.line = std::make_unique<DelayLine>(GST_AUDIO_INFO_RATE(info), GST_AUDIO_INFO_CHANNELS(info));
  impl.line->setDelayMs(impl.delay_ms);
  return TRUE;
}

GstFlowReturn transform_ip(GstBaseTransform* transform, GstBuffer* buffer) {
  Impl& impl = impl_of(transform);
  std::lock_guard lock(impl.mutex);  // never contended but for a property set
  if (!impl.line) return GST_FLOW_NOT_NEGOTIATED;
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE)) return GST_FLOW_ERROR;
  const GstAudioInfo& info = GST_AUDIO_FILTER(transform)->info;
  const std::size_t frames = map.size / static_cast<std::size_t>(GST_AUDIO_INFO_BPF(&info));
  if (GST_AUDIO_INFO_FORMAT(&info) == GST_AUDIO_FORMAT_F32LE) {
    impl.line->process(reinterpret_cast<float*>(map.data), frames);
  } else {
    impl.line->process(reinterpret_cast<std::int16_t*>(map.data), frames);
  }
  gst_buffer_unmap(buffer, &map);
  return GST_FLOW_OK;
}

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  if (id != PROP_DELAY_MS) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    return;
  }
  Impl& impl = impl_of(object);
  std::lock_guard lock(impl.mutex);
  impl.delay_ms = g_value_get_int(value);
  if (impl.line) impl.line->setDelayMs(impl.delay_ms);
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  if (id != PROP_DELAY_MS) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    return;
  }
  Impl& impl = impl_of(object);
  std::lock_guard lock(impl.mutex);
  g_value_set_int(value, impl.delay_ms);
}

void finalize(GObject* object) {
  delete reinterpret_cast<YstAudioDelay*>(object)->impl;
  G_OBJECT_CLASS(yst_audio_delay_parent_class)->finalize(object);
}

void yst_audio_delay_class_init(YstAudioDelayClass* klass) {
  GObjectClass* object_class = G_OBJECT_CLASS(klass);
  object_class->set_property = set_property;
  object_class->get_property = get_property;
  object_class->finalize = finalize;
  g_object_class_install_property(
      object_class, PROP_DELAY_MS,
      g_param_spec_int("delay-ms", "Delay", "The sound's delay against the picture (ms)", 0,
                       DelayLine::kMaxDelayMs, 0,
                       static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  gst_element_class_set_static_metadata(
      element_class, "Yishiting audio delay", "Filter/Effect/Audio",
      "Lip sync: the sound delayed, sliding to a new delay", "Yishiting Studio");
  GstCaps* caps = gst_caps_from_string(
      "audio/x-raw,format={S16LE,F32LE},layout=interleaved,rate=[8000,192000],channels=[1,8]");
  gst_audio_filter_class_add_pad_templates(GST_AUDIO_FILTER_CLASS(klass), caps);
  gst_caps_unref(caps);
  GST_AUDIO_FILTER_CLASS(klass)->setup = setup;
  GST_BASE_TRANSFORM_CLASS(klass)->transform_ip = transform_ip;
  GST_BASE_TRANSFORM_CLASS(klass)->transform_ip_on_passthrough = FALSE;
}

void yst_audio_delay_init(YstAudioDelay* self) {
  self->impl = new Impl();
}

}  // namespace delay_element
}  // namespace

namespace yst::streaming {

void registerAudioDelay() {
  static std::once_flag once;
  std::call_once(once, [] {
    gst_element_register(nullptr, "yst-audiodelay", GST_RANK_NONE,
                         delay_element::yst_audio_delay_get_type());
  });
}

}  // namespace yst::streaming
