#include "streaming/program.h"
#include "studio/base/clock.h"

#include <gst/app/gstappsink.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <gst/video/gstvideoaggregator.h>
#include <gst/video/video.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "streaming/audio_delay.h"
#include "streaming/boxscale.h"
#include "streaming/loudness_element.h"
#include "studio/base/log.h"

namespace yst::streaming {

namespace {

// Silence is -inf dB in the level element; meters and JSON want a number.
constexpr double kLevelFloorDb = -100.0;

double clampDb(double db) {
  return std::isfinite(db) ? std::max(db, kLevelFloorDb) : kLevelFloorDb;
}

std::vector<double> levelValues(const GstStructure* s, const char* field) {
  std::vector<double> out;
  const GValue* list = gst_structure_get_value(s, field);
  if (!list) return out;
  if (GST_VALUE_HOLDS_ARRAY(list)) {
    for (guint i = 0; i < gst_value_array_get_size(list); ++i) {
      out.push_back(clampDb(g_value_get_double(gst_value_array_get_value(list, i))));
    }
    return out;
  }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (G_VALUE_HOLDS(list, g_value_array_get_type())) {
    auto* array = static_cast<GValueArray*>(g_value_get_boxed(list));
    for (guint i = 0; i < array->n_values; ++i) {
      out.push_back(clampDb(g_value_get_double(g_value_array_get_nth(array, i))));
    }
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  return out;
}

}  // namespace

FrameTap::FrameTap(GstElement* appsink, std::vector<GstElement*> valves)
    : appsink_(GST_ELEMENT(gst_object_ref(appsink))), valves_(std::move(valves)) {
  for (GstElement* v : valves_) gst_object_ref(v);
  setOpen(false);
}

FrameTap::~FrameTap() {
  for (GstElement* v : valves_) gst_object_unref(v);
  gst_object_unref(appsink_);
}

void FrameTap::setOpen(bool open) {
  open_ = open;
  for (GstElement* v : valves_) g_object_set(v, "drop", open ? FALSE : TRUE, nullptr);
}

SamplePtr FrameTap::latest() {
  std::lock_guard lock(mutex_);
  last_read_ms_ = steadyNowMs();
  if (!open_) setOpen(true);
  if (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(appsink_), 0)) last_.reset(s);
  return SamplePtr(last_ ? gst_sample_ref(last_.get()) : nullptr);
}

void FrameTap::closeIfIdle(std::int64_t idle_ms) {
  std::lock_guard lock(mutex_);
  if (open_ && steadyNowMs() - last_read_ms_ > idle_ms) setOpen(false);
}

Program::Program(EncoderSettings settings, std::vector<ProgramSourceInput> sources, QObject* parent)
    : QObject(parent), settings_(std::move(settings)), sources_(std::move(sources)) {
  fade_timer_.setInterval(std::max(10, 1000 / std::max(1, settings_.video.fps)));
  connect(&fade_timer_, &QTimer::timeout, this, &Program::fadeStep);
  stats_timer_.setInterval(1000);
  connect(&stats_timer_, &QTimer::timeout, this, [this] {
    const std::uint64_t encoded = counters_->encoded.load();
    encoder_fps_ = static_cast<double>(encoded - encoded_at_tick_);
    encoded_at_tick_ = encoded;
    for (auto& [name, tap] : taps_) tap->closeIfIdle(5000);
  });
  if (!sources_.empty()) {
    for (const ProgramSourceInput& s : sources_) scene_.tiles.push_back(s.id);
    preview_scene_ = scene_;
  }
}

Program::~Program() {
  stop();
}

GstElement* Program::addValve(GstElement* upstream) {
  GstElement* valve = addElement(pipeline_.get(), "valve");
  g_object_set(valve, "drop", TRUE, nullptr);
  linkChain({upstream, valve});
  return valve;
}

GstElement* Program::addTap(GstElement* tee, const std::string& name, int width, int height,
                            int fps) {
  GstElement* bin = pipeline_.get();
  // The valve sits before the queue, so a closed tap costs no thread wake-ups.
  GstElement* valve = addValve(tee);
  GstElement* q = addLeakyQueue(bin, 1);
  GstElement* rate = addElement(bin, "videorate");
  g_object_set(rate, "drop-only", TRUE, nullptr);
  GstElement* scale = addElement(bin, "videoscale");
  GstElement* caps = addCapsFilter(bin, "video/x-raw,format=I420,width=" + std::to_string(width) +
                                            ",height=" + std::to_string(height) +
                                            ",framerate=" + std::to_string(fps) + "/1");
  GstElement* sink = addElement(bin, "appsink");
  g_object_set(sink, "max-buffers", 1u, "drop", TRUE, "sync", FALSE, "emit-signals", FALSE, "async",
               FALSE, nullptr);
  linkChain({valve, q, rate, scale, caps, sink});
  taps_[name] = std::make_unique<FrameTap>(sink, std::vector<GstElement*>{valve});
  return sink;
}

void Program::build() {
  registerBoxScale();
  registerLoudnessElement();
  registerAudioDelay();
  pipeline_ = holdElement(gst_pipeline_new("program"));
  GstElement* bin = pipeline_.get();
  const VideoFormat& v = settings_.video;
  const int tap_w = 320;
  const int tap_h = std::max(2, (tap_w * v.height / v.width) & ~1);

  // Video mixing.
  compositor_ = addElement(bin, "compositor", "program-mixer");
  gst_util_set_object_arg(G_OBJECT(compositor_), "background", "black");
  // The mixer blends on its own thread. With worker threads (one per core
  // by default) it splits every frame's blending across a pool and waits
  // for it: thread wake-ups each frame to spread well under a millisecond of
  // work. (The cameras arrive at their slot's size already, halved side by
  // side and quartered for the inset, by yst-boxscale; a pad that still
  // scales, at a frame size the box filters do not fit, does so on the pool:
  // GstVideoAggregator converts its pads as asynchronous tasks.)
  g_object_set(compositor_, "max-threads", 1u, nullptr);
  // Scene changes take effect between two frames, on the mixer's thread.
  g_object_set(compositor_, "emit-signals", TRUE, nullptr);
  g_signal_connect(compositor_, "samples-selected", G_CALLBACK(&Program::onSamplesSelected), this);
  GstElement* comp_caps = addCapsFilter(bin, rawVideoCaps(v));
  GstElement* program_tee = addElement(bin, "tee");
  GstElement* preview = addElement(bin, "compositor", "preview-mixer");
  gst_util_set_object_arg(G_OBJECT(preview), "background", "black");
  // A 10 fps thumbnail needs no worker threads of its own.
  g_object_set(preview, "max-threads", 1u, nullptr);
  // Its inputs start whenever a console first looks (the valves below), so
  // its output starts at their first frame, not at the pipeline's zero: with
  // "zero", now and then it never showed a frame (the console test's preview
  // check failed 3 runs in 30; with "first", 0 in 40).
  gst_util_set_object_arg(G_OBJECT(preview), "start-time-selection", "first");
  linkChain({compositor_, comp_caps, program_tee});

  // Encode once. The queue before the encoder is leaky so that a slow
  // encoder drops whole frames (counted) instead of stalling the mixer.
  encoder_queue_ = addLeakyQueue(bin, 8);
  GstElement* x264 = addElement(bin, "x264enc");
  gst_util_set_object_arg(G_OBJECT(x264), "tune", "zerolatency");
  gst_util_set_object_arg(G_OBJECT(x264), "speed-preset", settings_.preset.c_str());
  const std::string x264_options = "scenecut=0";  // GOPs of fixed length: even HLS segments
  g_object_set(x264, "bitrate", static_cast<guint>(settings_.video_bitrate_kbps), "key-int-max",
               static_cast<guint>(settings_.keyframe_interval_s * v.fps), "option-string",
               x264_options.c_str(), nullptr);
  GstElement* h264_caps = addCapsFilter(bin, "video/x-h264,profile=high");
  GstElement* h264_parse = addElement(bin, "h264parse");
  GstElement* avc_caps = addCapsFilter(bin, "video/x-h264,stream-format=avc,alignment=au");
  GstElement* video_sink = addElement(bin, "appsink", "encoded-video");
  linkChain({program_tee, encoder_queue_, x264, h264_caps, h264_parse, avc_caps, video_sink});
  // The program tap feeds the console's large program view and the host's
  // monitor: twice the sources' width (the program at 640×360 for 720p).
  const int program_tap_w = std::min(v.width, tap_w * 2) & ~1;
  const int program_tap_h = std::max(2, (program_tap_w * v.height / v.width) & ~1);
  addTap(program_tee, "program", program_tap_w, program_tap_h, 10);

  GstElement* preview_caps =
      addCapsFilter(bin, "video/x-raw,format=I420,width=" + std::to_string(tap_w * 3 / 2) +
                             ",height=" + std::to_string(tap_h * 3 / 2) + ",framerate=10/1");
  GstElement* preview_sink = addElement(bin, "appsink");
  g_object_set(preview_sink, "max-buffers", 1u, "drop", TRUE, "sync", FALSE, "async", FALSE,
               nullptr);
  linkChain({preview, preview_caps, preview_sink});
  std::vector<GstElement*> preview_valves;  // one per source, added below

  // Audio mixing and encoding.
  GstElement* mixer = addElement(bin, "audiomixer", "program-audio");
  GstElement* mix_caps = addCapsFilter(bin, rawAudioCaps());
  program_volume_ = addElement(bin, "volume", "program-volume");
  g_object_set(program_volume_, "mute", silenced_ ? TRUE : FALSE, nullptr);
  // The loudness stage works in float: the gain and the limiter must not clip
  // before they have done their work.
  GstElement* to_float = addElement(bin, "audioconvert");
  GstElement* float_caps = addCapsFilter(
      bin, "audio/x-raw,format=F32LE,layout=interleaved,rate=" + std::to_string(kAudioRate) +
               ",channels=" + std::to_string(kAudioChannels));
  loudness_ = addElement(bin, "yst-loudness", "program-loudness");
  setLoudnessSettings(loudness_, settings_.loudness);
  GstElement* program_level = addElement(bin, "level", "level-program");
  g_object_set(program_level, "interval", guint64{100} * GST_MSECOND, "post-messages", TRUE,
               nullptr);
  // No queue before the encoder: the mixer's own thread encodes its 10-ms
  // blocks (AAC is cheap) and the outputs only queue the packets, so a
  // hand-off to one more thread would cost a wake-up per block for nothing.
  GstElement* aconvert = addElement(bin, "audioconvert");  // the AAC encoder takes planar float
  GstElement* aac = addElement(bin, "avenc_aac");
  g_object_set(aac, "bitrate", settings_.audio_bitrate_kbps * 1000, nullptr);
  GstElement* aac_parse = addElement(bin, "aacparse");
  GstElement* audio_sink = addElement(bin, "appsink", "encoded-audio");
  linkChain({mixer, mix_caps, program_volume_, to_float, float_caps, loudness_, program_level});
  GstElement* program_sound = program_level;
  if (!settings_.monitor_channel.empty()) {
    buildMonitor();
    program_sound = addElement(bin, "tee");
    linkChain({program_level, program_sound});
    addMonitorInput(program_sound, "");
  }
  linkChain({program_sound, aconvert, aac, aac_parse, audio_sink});

  for (GstElement* sink : {video_sink, audio_sink}) {
    g_object_set(sink, "sync", FALSE, "emit-signals", FALSE, "max-buffers", 64u, "drop", TRUE,
                 "async", FALSE, nullptr);
  }
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* sink, gpointer data) -> GstFlowReturn {
    auto* self = static_cast<Program*>(data);
    SamplePtr sample(gst_app_sink_pull_sample(sink));
    if (!sample) return GST_FLOW_OK;
    const bool video = std::string_view(GST_OBJECT_NAME(sink)) == "encoded-video";
    if (video) self->counters_->encoded.fetch_add(1, std::memory_order_relaxed);
    self->fanOut(video ? MediaKind::kVideo : MediaKind::kAudio, sample.get());
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(video_sink), &callbacks, this, nullptr);
  gst_app_sink_set_callbacks(GST_APP_SINK(audio_sink), &callbacks, this, nullptr);

  // Graphics go onto the mixed picture, before the tee: the encoder (and so
  // every output) and the program tap see the same frame.
  if (graphics_) {
    PadPtr pad(gst_element_get_static_pad(comp_caps, "src"));
    overlay::GraphicsLayer::attach(graphics_, pad.get());
  }

  // Counters: frames out of the mixer (and gaps in their timestamps), frames
  // into the encoder.
  {
    PadPtr pad(gst_element_get_static_pad(comp_caps, "src"));
    struct GapProbe {
      std::shared_ptr<Counters> counters;
      GstClockTime frame_ns;
      std::uint64_t warmup_frames;  // the mixer settles its latency in the first second
    };
    auto* held = new GapProbe{counters_, static_cast<GstClockTime>(GST_SECOND / std::max(1, v.fps)),
                              static_cast<std::uint64_t>(v.fps)};
    gst_pad_add_probe(
        pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
          auto* probe = static_cast<GapProbe*>(data);
          Counters& c = *probe->counters;
          const std::uint64_t n = c.frames.fetch_add(1, std::memory_order_relaxed);
          const GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
          const std::uint64_t last = c.last_pts.exchange(pts);
          const GstClockTime frame = probe->frame_ns;
          if (n > probe->warmup_frames && GST_CLOCK_TIME_IS_VALID(pts) &&
              last != GST_CLOCK_TIME_NONE && pts > last && pts - last > frame * 3 / 2) {
            c.gaps.fetch_add((pts - last + frame / 2) / frame - 1, std::memory_order_relaxed);
          }
          return GST_PAD_PROBE_OK;
        },
        held, [](gpointer data) { delete static_cast<GapProbe*>(data); });
    PadPtr qpad(gst_element_get_static_pad(encoder_queue_, "src"));
    auto* held2 = new std::shared_ptr<Counters>(counters_);
    gst_pad_add_probe(
        qpad.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo*, gpointer data) -> GstPadProbeReturn {
          (*static_cast<std::shared_ptr<Counters>*>(data))->to_encoder.fetch_add(1);
          return GST_PAD_PROBE_OK;
        },
        held2, [](gpointer data) { delete static_cast<std::shared_ptr<Counters>*>(data); });
  }

  // Sources.
  const bool guests = return_feed_ && std::any_of(sources_.begin(), sources_.end(),
                                                  [](const auto& s) { return s.return_feed; });
  std::map<std::string, GstElement*> source_tees;  // post-fader sound, for the mix-minus
  for (const ProgramSourceInput& s : sources_) {
    GstElement* vsrc = addElement(bin, "intervideosrc");
    // Repeat the last frame for a while rather than flash black when a
    // camera's pipeline is being replaced by its slate.
    g_object_set(vsrc, "channel", s.channel.c_str(), "timeout", guint64{3} * GST_SECOND, nullptr);
    GstElement* vcaps = addCapsFilter(bin, rawVideoCaps(v));
    GstElement* tee = addElement(bin, "tee");
    linkChain({vsrc, vcaps, tee});
    // The source's own thread (intervideosrc, clocked at the program rate)
    // hands each frame straight to both of the mixer's pads (through their
    // yst-boxscale, below): a live aggregator pad holds two frames before
    // it blocks, so the mixer is never starved and a queue per pad would
    // only add a thread wake-up per frame.
    GstElement* qp = addLeakyQueue(bin, 1);
    GstElement* preview_valve = addValve(tee);
    preview_valves.push_back(preview_valve);
    SourcePads pads;
    pads.scale_preview = addElement(bin, "yst-boxscale");
    linkChain({preview_valve, qp, pads.scale_preview});
    // Each program pad's scaler cuts and scales the camera into its tile on
    // this thread (see boxscale.h), so the mixer only blends.
    pads.scale_a = addElement(bin, "yst-boxscale");
    pads.scale_b = addElement(bin, "yst-boxscale");
    linkChain({tee, pads.scale_a});
    linkChain({tee, pads.scale_b});
    auto& held = held_[s.id];
    if (!held) held = std::make_shared<std::atomic<bool>>(false);
    blackWhileHeld(pads.scale_a, held);
    blackWhileHeld(pads.scale_b, held);
    pads.a = linkToRequestPad(pads.scale_a, compositor_, "sink_%u");
    pads.b = linkToRequestPad(pads.scale_b, compositor_, "sink_%u");
    pads.preview = linkToRequestPad(pads.scale_preview, preview, "sink_%u");
    addTap(tee, "source:" + s.id, tap_w, tap_h, 10);

    GstElement* asrc = addElement(bin, "interaudiosrc");
    // At most 200 ms of the source's sound waiting in the channel (1 s by
    // default): a source whose pipeline started sending before this read it
    // (every guest's new offer rebuilds theirs) kept that backlog as a fixed
    // delay. Measured: a guest's voice reached another guest 0.9 s after
    // their picture's 0.3 s; 0.3 s with this.
    g_object_set(asrc, "channel", s.channel.c_str(), "buffer-time", guint64{kInterAudioBufferNs},
                 nullptr);
    GstElement* acaps = addCapsFilter(bin, rawAudioCaps());
    // Pre-fader meter: a producer sees a muted microphone is still live.
    GstElement* level = addElement(bin, "level", ("level-" + s.id).c_str());
    g_object_set(level, "interval", guint64{100} * GST_MSECOND, "post-messages", TRUE, nullptr);
    // After the pre-fader meter: audio-follows-video, ramped.
    pads.follow = addElement(bin, "volume");
    GstControlSource* ramp = gst_interpolation_control_source_new();
    g_object_set(ramp, "mode", GST_INTERPOLATION_MODE_LINEAR, nullptr);
    gst_object_add_control_binding(
        GST_OBJECT(pads.follow),
        gst_direct_control_binding_new_absolute(GST_OBJECT(pads.follow), "volume", ramp));
    pads.follow_ramp = ramp;
    pads.heard = !s.audio_follows_video || s.talkback || onAir(s.id);
    gst_timed_value_control_source_set(GST_TIMED_VALUE_CONTROL_SOURCE(ramp), 0,
                                       pads.heard ? 1.0 : 0.0);
    pads.delay = addElement(bin, "yst-audiodelay");
    g_object_set(pads.delay, "delay-ms", s.audio_offset_ms, nullptr);
    GstElement* pre_fader = level;
    if (monitor_select_) {
      // Before the fader, to the monitor's selector (PFL).
      pre_fader = addElement(bin, "tee");
      linkChain({level, pre_fader});
      addMonitorInput(pre_fader, s.id);
    }
    linkChain({asrc, acaps, pads.delay, level});
    linkChain({pre_fader, pads.follow});
    GstElement* after_fader = pads.follow;
    if (guests) {
      // Post-fader, to the program and to the guests' mix-minus.
      after_fader = addElement(bin, "tee");
      linkChain({pads.follow, after_fader});
      source_tees[s.id] = after_fader;
    }
    if (s.talkback) {
      // Never in the program: to the guests' mix-minus only (or nowhere).
      if (!guests) linkChain({after_fader, addElement(bin, "fakesink")});
    } else {
      pads.audio = linkToRequestPad(after_fader, mixer, "sink_%u");
      g_object_set(pads.audio, "volume", s.gain, "mute", s.muted || held->load() ? TRUE : FALSE,
                   nullptr);
    }
    pads_[s.id] = pads;
  }
  if (guests) {
    buildReturnFeed(program_tee);
    buildMixMinus(source_tees);
  }
  applyListening();
  taps_["preview"] = std::make_unique<FrameTap>(preview_sink, preview_valves);
}

bool Program::start(std::string* error) {
  try {
    build();
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    stop();
    return false;
  }
  front_is_b_ = false;
  applyScene(false, scene_, 1.0, 0);
  applyScene(true, Scene{Layout::kInvalid, {}}, 0.0, 10);
  applyPreview();
  relayBus(pipeline_.get(), life_, [this](GstMessage* m) { onMessage(m); });
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    if (error) *error = "the program pipeline did not start";
    stop();
    return false;
  }
  stats_timer_.start();
  return true;
}

void Program::stop() {
  fade_timer_.stop();
  stats_timer_.stop();
  fade_.running = false;
  if (return_feed_) return_feed_->setKeyframeRequester(nullptr);
  if (pipeline_) {
    unrelayBus(pipeline_.get());
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }
  for (auto& [id, p] : pads_) {
    for (GstPad* pad : {p.a, p.b, p.preview, p.audio}) {
      if (pad) gst_object_unref(pad);
    }
    for (auto& [guest, pad] : p.minus) gst_object_unref(pad);
    if (p.follow_ramp) gst_object_unref(p.follow_ramp);
  }
  pads_.clear();
  for (auto& [source, pad] : monitor_pads_) gst_object_unref(pad);
  monitor_pads_.clear();
  monitor_select_ = nullptr;
  {
    std::lock_guard lock(staged_mutex_);
    staged_.clear();
    staged_waits_ = 0;
  }
  taps_.clear();
  pipeline_.reset();
  compositor_ = nullptr;
  encoder_queue_ = nullptr;
  program_volume_ = nullptr;
  loudness_ = nullptr;
}

std::optional<LoudnessReading> Program::loudness() const {
  return loudness_ ? loudnessReading(loudness_) : std::nullopt;
}

Rect Program::regionFor(const std::string& source, int source_w, int source_h, int w, int h) const {
  Framing framing;
  for (const ProgramSourceInput& s : sources_) {
    if (s.id == source) framing = s.framing;
  }
  return framedRegion(framing, source_w, source_h, w, h);
}

void Program::applyScene(bool use_b, const Scene& scene, double alpha, int zbase) {
  const int frame_w = settings_.video.width, frame_h = settings_.video.height;
  const std::vector<std::string> shown = scene.shown();
  const std::vector<Tile> tiles =
      layoutTiles(scene.layout, static_cast<int>(shown.size()), frame_w, frame_h);
  std::lock_guard lock(staged_mutex_);
  for (auto& [id, pads] : pads_) {
    Slot slot;
    slot.scaler = use_b ? pads.scale_b : pads.scale_a;
    const auto at = std::find(shown.begin(), shown.end(), id);
    if (at != shown.end() && static_cast<std::size_t>(at - shown.begin()) < tiles.size()) {
      const Tile& tile = tiles[static_cast<std::size_t>(at - shown.begin())];
      slot.placed = true;
      slot.x = tile.rect.x;
      slot.y = tile.rect.y;
      slot.width = tile.rect.width;
      slot.height = tile.rect.height;
      slot.zorder = static_cast<guint>(zbase + tile.z);
      slot.alpha = alpha;
    }
    stageSlot(use_b ? pads.b : pads.a, slot);
  }
}

namespace {
// Points a scaler at a tile (0×0: pass through) and a region of the picture,
// touching only what changed (each set is a lock and a check per frame).
void aimScaler(GstElement* scaler, int width, int height, const Rect& region) {
  int w = 0, h = 0, cx = 0, cy = 0, cw = 0, ch = 0;
  g_object_get(scaler, "target-width", &w, "target-height", &h, "crop-x", &cx, "crop-y", &cy,
               "crop-width", &cw, "crop-height", &ch, nullptr);
  if (w == width && h == height && cx == region.x && cy == region.y && cw == region.width &&
      ch == region.height) {
    return;
  }
  g_object_set(scaler, "crop-x", region.x, "crop-y", region.y, "crop-width", region.width,
               "crop-height", region.height, "target-width", width, "target-height", height,
               nullptr);
}
}  // namespace

void Program::stageSlot(GstPad* pad, Slot slot) {
  // A placed pad's scaler is aimed at its tile now, so that by the time the
  // look takes effect the mixer has frames of the tile's size (the look waits
  // for them, see onSamplesSelected). A pad that is hidden keeps its frames
  // until then, and passes them through afterwards.
  if (slot.placed) {
    const std::string* source = nullptr;
    for (const auto& [id, pads] : pads_) {
      if (pads.a == pad || pads.b == pad) source = &id;
    }
    const int frame_w = settings_.video.width, frame_h = settings_.video.height;
    aimScaler(slot.scaler, slot.width, slot.height,
              source ? regionFor(*source, frame_w, frame_h, slot.width, slot.height)
                     : Rect{0, 0, frame_w, frame_h});
  }
  staged_[pad] = slot;
}

bool Program::stagedFramesReady() {
  for (const auto& [pad, slot] : staged_) {
    if (!slot.placed || slot.alpha <= 0.0) continue;
    GstBuffer* frame = gst_video_aggregator_pad_get_current_buffer(GST_VIDEO_AGGREGATOR_PAD(pad));
    if (!frame) continue;
    GstVideoInfo tile;
    gst_video_info_set_format(&tile, GST_VIDEO_FORMAT_I420, static_cast<guint>(slot.width),
                              static_cast<guint>(slot.height));
    if (gst_buffer_get_size(frame) != tile.size) return false;  // not yet cut for this tile
  }
  return true;
}

void Program::onSamplesSelected(GstElement*, GstSegment*, guint64, guint64, guint64, GstStructure*,
                                gpointer data) {
  auto* self = static_cast<Program*>(data);
  std::lock_guard lock(self->staged_mutex_);
  if (self->staged_.empty()) return;
  // A look whose tiles changed size waits for the scalers' first frames of
  // the new sizes, one or two frames: the mixer would otherwise squeeze a
  // frame cut for one tile into another. The wait is bounded should a camera
  // stop just then.
  constexpr int kMaxWaitFrames = 5;
  if (!self->stagedFramesReady() && ++self->staged_waits_ <= kMaxWaitFrames) return;
  for (const auto& [pad, slot] : self->staged_) {
    if (slot.placed) {
      g_object_set(pad, "xpos", slot.x, "ypos", slot.y, "width", slot.width, "height", slot.height,
                   "zorder", slot.zorder, "alpha", slot.alpha, nullptr);
    } else {
      g_object_set(pad, "alpha", 0.0, nullptr);
      aimScaler(slot.scaler, 0, 0, Rect{});
    }
  }
  self->staged_.clear();
  self->staged_waits_ = 0;
}

void Program::applyPreview() {
  if (!pipeline_) return;
  const int w = 480, h = std::max(2, (480 * settings_.video.height / settings_.video.width) & ~1);
  const std::vector<std::string> shown = preview_scene_.shown();
  const std::vector<Tile> tiles =
      layoutTiles(preview_scene_.layout, static_cast<int>(shown.size()), w, h);
  for (auto& [id, pads] : pads_) {
    const auto at = std::find(shown.begin(), shown.end(), id);
    if (at == shown.end() || static_cast<std::size_t>(at - shown.begin()) >= tiles.size()) {
      g_object_set(pads.preview, "alpha", 0.0, nullptr);
      aimScaler(pads.scale_preview, 0, 0, Rect{});
      continue;
    }
    const Tile& tile = tiles[static_cast<std::size_t>(at - shown.begin())];
    const Rect& r = tile.rect;
    // The monitor is small and not on air: it takes the new look at once.
    aimScaler(pads.scale_preview, r.width, r.height,
              regionFor(id, settings_.video.width, settings_.video.height, r.width, r.height));
    g_object_set(pads.preview, "xpos", r.x, "ypos", r.y, "width", r.width, "height", r.height,
                 "zorder", static_cast<guint>(tile.z), "alpha", 1.0, nullptr);
  }
}

void Program::setScene(const Scene& scene, Transition transition, int duration_ms) {
  if (fade_.running) {
    // A new take during a fade completes the running one at once.
    fade_.clock = QElapsedTimer();
    fade_.duration_ms = 0;
    fadeStep();
  }
  if (transition != Transition::kFade || duration_ms <= 0 || !pipeline_) {
    scene_ = scene;
    if (pipeline_) {
      // A cut: the other pad set takes the new look while hidden and is
      // swapped in, in one frame, once its tiles have frames.
      applyScene(!front_is_b_, scene_, 1.0, 0);
      applyScene(front_is_b_, Scene{Layout::kInvalid, {}}, 0.0, 10);
      front_is_b_ = !front_is_b_;
    }
    applyAudioFollow(kCutRampMs);
    return;
  }
  fade_.from = scene_;
  fade_.duration_ms = duration_ms;
  fade_.running = true;
  fade_.clock.start();
  scene_ = scene;
  applyScene(!front_is_b_, scene_, 0.0, 10);
  applyAudioFollow(duration_ms);  // the sound fades with the picture
  fade_timer_.start();
}

void Program::fadeStep() {
  if (!fade_.running) return;
  const double t = fade_.duration_ms > 0 && fade_.clock.isValid()
                       ? std::min(1.0, fade_.clock.elapsed() / double(fade_.duration_ms))
                       : 1.0;
  if (t >= 1.0) {
    applyScene(!front_is_b_, scene_, 1.0, 0);
    applyScene(front_is_b_, Scene{Layout::kInvalid, {}}, 0.0, 10);
    front_is_b_ = !front_is_b_;
    fade_.running = false;
    fade_timer_.stop();
    return;
  }
  applyScene(front_is_b_, fade_.from, 1.0 - t, 0);
  applyScene(!front_is_b_, scene_, t, 10);
}

void Program::setFraming(const std::string& source, const Framing& framing) {
  for (auto& s : sources_) {
    if (s.id == source) s.framing = framing;
  }
  if (!pipeline_) return;
  // The tiles keep their size: the scalers cut the new region from the next
  // frame on.
  if (fade_.running) {
    fadeStep();
  } else {
    applyScene(front_is_b_, scene_, 1.0, 0);
  }
  applyPreview();
}

void Program::setAudioOffset(const std::string& source, int offset_ms) {
  for (auto& s : sources_) {
    if (s.id == source) s.audio_offset_ms = offset_ms;
  }
  auto it = pads_.find(source);
  if (it != pads_.end() && it->second.delay) {
    g_object_set(it->second.delay, "delay-ms", offset_ms, nullptr);
  }
}

int Program::audioOffset(const std::string& source) const {
  for (const auto& s : sources_) {
    if (s.id == source) return s.audio_offset_ms;
  }
  return 0;
}

Framing Program::framing(const std::string& source) const {
  for (const auto& s : sources_) {
    if (s.id == source) return s.framing;
  }
  return {};
}

void Program::setPreviewScene(const Scene& scene) {
  preview_scene_ = scene;
  applyPreview();
}

void Program::setGain(const std::string& source, double gain) {
  for (auto& s : sources_)
    if (s.id == source) s.gain = gain;
  applyAudioPad(source);
}

void Program::applyAudioPad(const std::string& source) {
  auto it = pads_.find(source);
  if (it == pads_.end()) return;
  const bool mute = muted(source) || held(source);
  const double volume = gain(source);
  if (it->second.audio) {
    g_object_set(it->second.audio, "volume", volume, "mute", mute ? TRUE : FALSE, nullptr);
  }
  const bool talkback = isTalkback(source);
  static const double dip = std::pow(10.0, kTalkbackDipDb / 20);
  for (auto& [guest, pad] : it->second.minus) {
    const bool talking = talkingTo(guest);
    g_object_set(pad, "volume", talkback || !talking ? volume : volume * dip, "mute",
                 mute || (talkback && !talking) ? TRUE : FALSE, nullptr);
  }
}

bool Program::isTalkback(const std::string& source) const {
  return std::any_of(sources_.begin(), sources_.end(),
                     [&](const ProgramSourceInput& s) { return s.id == source && s.talkback; });
}

bool Program::onAir(const std::string& source) const {
  return scene_.tileOf(source) >= 0;
}

void Program::applyAudioFollow(int ramp_ms) {
  if (!pipeline_) return;
  // The pipeline's running time now: where the ramp starts.
  GstClockTime now = 0;
  if (GstClock* clock = gst_element_get_clock(pipeline_.get())) {
    const GstClockTime base = gst_element_get_base_time(pipeline_.get());
    const GstClockTime at = gst_clock_get_time(clock);
    now = at > base ? at - base : 0;
    gst_object_unref(clock);
  }
  for (const ProgramSourceInput& s : sources_) {
    auto it = pads_.find(s.id);
    if (it == pads_.end() || !it->second.follow_ramp) continue;
    SourcePads& p = it->second;
    const bool heard = !s.audio_follows_video || s.talkback || onAir(s.id);
    if (heard == p.heard) continue;
    p.heard = heard;
    auto* ramp = GST_TIMED_VALUE_CONTROL_SOURCE(p.follow_ramp);
    // From wherever the last ramp has got to (a take during a fade), to the
    // new end.
    double from = heard ? 0.0 : 1.0;
    (void)gst_control_source_get_value(p.follow_ramp, now, &from);
    gst_timed_value_control_source_unset_all(ramp);
    gst_timed_value_control_source_set(ramp, now, from);
    gst_timed_value_control_source_set(
        ramp, now + static_cast<GstClockTime>(std::max(1, ramp_ms)) * GST_MSECOND,
        heard ? 1.0 : 0.0);
  }
}

void Program::setFollowsVideo(const std::string& source, bool follows) {
  for (auto& s : sources_) {
    if (s.id == source) s.audio_follows_video = follows;
  }
  applyAudioFollow(kCutRampMs);
}

bool Program::followsVideo(const std::string& source) const {
  for (const auto& s : sources_) {
    if (s.id == source) return s.audio_follows_video;
  }
  return true;
}

void Program::setMuted(const std::string& source, bool muted) {
  for (auto& s : sources_)
    if (s.id == source) s.muted = muted;
  applyAudioPad(source);
}

double Program::gain(const std::string& source) const {
  for (const auto& s : sources_)
    if (s.id == source) return s.gain;
  return 1.0;
}

bool Program::muted(const std::string& source) const {
  for (const auto& s : sources_)
    if (s.id == source) return s.muted;
  return false;
}

void Program::setProgramSilenced(bool silenced) {
  silenced_ = silenced;
  if (program_volume_) g_object_set(program_volume_, "mute", silenced ? TRUE : FALSE, nullptr);
}

void Program::addConsumer(PacketSink* sink) {
  std::lock_guard lock(consumers_mutex_);
  if (std::find(consumers_.begin(), consumers_.end(), sink) == consumers_.end()) {
    consumers_.push_back(sink);
  }
}

void Program::removeConsumer(PacketSink* sink) {
  std::lock_guard lock(consumers_mutex_);
  consumers_.erase(std::remove(consumers_.begin(), consumers_.end(), sink), consumers_.end());
}

void Program::fanOut(MediaKind kind, GstSample* sample) {
  // Outputs only queue the packet (non-blocking appsrc), so holding the lock
  // across the loop is cheap, and it guarantees removeConsumer() waits for
  // any push in progress.
  std::lock_guard lock(consumers_mutex_);
  for (PacketSink* sink : consumers_) sink->pushPacket(kind, sample);
}

std::uint64_t Program::droppedFrames() const {
  std::uint64_t dropped = counters_->gaps.load();
  if (encoder_queue_) {
    guint level = 0;
    g_object_get(encoder_queue_, "current-level-buffers", &level, nullptr);
    const std::uint64_t produced = counters_->frames.load();
    const std::uint64_t taken = counters_->to_encoder.load();
    if (produced > taken + level) dropped += produced - taken - level;
  }
  return dropped;
}

std::int64_t Program::runningTimeMs() const {
  if (!pipeline_) return 0;
  GstClock* clock = gst_element_get_clock(pipeline_.get());
  if (!clock) return 0;
  const GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  const GstClockTime base = gst_element_get_base_time(pipeline_.get());
  return now > base ? static_cast<std::int64_t>((now - base) / GST_MSECOND) : 0;
}

FrameTap* Program::tap(const std::string& name) {
  auto it = taps_.find(name);
  return it == taps_.end() ? nullptr : it->second.get();
}

void Program::onMessage(GstMessage* message) {
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ELEMENT: {
      const GstStructure* s = gst_message_get_structure(message);
      if (!s || !gst_structure_has_name(s, "level")) return;
      std::string name = GST_OBJECT_NAME(GST_MESSAGE_SRC(message));
      if (name.rfind("level-", 0) != 0) return;
      name = name.substr(6);
      AudioLevel& level = levels_[name];
      level.peak_db = levelValues(s, "peak");
      level.rms_db = levelValues(s, "rms");
      if (name == "program") emit levelsChanged();
      break;
    }
    case GST_MESSAGE_ERROR: {
      const std::string reason = describeMessage(message);
      logError("program", reason);
      emit failed(QString::fromStdString(reason));
      break;
    }
    case GST_MESSAGE_WARNING:
      logDebug("program", [&] { return describeMessage(message); });
      break;
    default:
      break;
  }
}

}  // namespace yst::streaming
