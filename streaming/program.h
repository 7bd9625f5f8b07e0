// The program: every source mixed into one picture and one sound, encoded
// once, and handed to every output.
//
//   per source:  intervideosrc ─ tee ─┬ yst-boxscale ─ compositor pad A ┐
//                                     ├ yst-boxscale ─ compositor pad B ┤ program compositor ─ tee
//                                     ─┬ leaky queue ─ x264enc ─ h264parse ─ appsink ─┐ ├ leaky
//                                     queue ─ preview compositor ─ tap "preview"      └ program tap
//                                     fan-out to outputs ◄─┤ └ leaky queue ─ videorate ─ scale ─
//                                     tap "source:<id>" │
//                interaudiosrc ─ yst-audiodelay (lip sync) ─ level ─ volume (follows video) ─
//                audiomixer pad (gain, mute) ─
//                audiomixer ─ volume ─
//                yst-loudness (R128 meter, gain to the target, true-peak limiter) ─ level ─
//                avenc_aac ─ aacparse ─ appsink ───────────────┘
//
// Each source has two compositor pads (A and B) so that a cut or a fade can
// bring in a whole new layout over the old one: the incoming set is placed
// while hidden, its scalers cut and scale each camera to its new tile, and
// once every one of them has a frame of its tile's size the set is shown (a
// cut: at once, with the old set hidden in the same frame; a fade: by
// animating pad alpha). So no frame ever shows a picture squeezed into a tile
// of another shape. Sources not in the layout sit at alpha 0, which the
// compositor skips, behind scalers that pass frames through untouched.
//
// Controller thread for everything except the fan-out, which runs on the
// encoders' streaming threads under `consumers_mutex_`.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "overlay/layer.h"
#include "streaming/bus_relay.h"
#include "streaming/gst_ptr.h"
#include "streaming/layout.h"
#include "streaming/loudness.h"
#include "streaming/media_format.h"
#include "streaming/output.h"
#include "streaming/return_feed.h"

namespace yst::streaming {

struct EncoderSettings {
  VideoFormat video;
  int video_bitrate_kbps = 2500;
  int audio_bitrate_kbps = 128;
  std::string preset = "veryfast";
  int keyframe_interval_s = 2;
  // The program's loudness stage (loudness.h): target, true-peak ceiling.
  LoudnessSettings loudness;
  // The control room's monitor (monitor.h): the interaudio channel the
  // program's sound, or the one source listened to, goes to; "": none.
  std::string monitor_channel;
};

struct AudioLevel {
  std::vector<double> peak_db;  // per channel, dBFS, floored at -100 (silence)
  std::vector<double> rms_db;
};

struct ProgramSourceInput {
  std::string id;
  std::string channel;  // intervideo/interaudio channel (Source::channel())
  double gain = 1.0;
  bool muted = false;
  // Heard only while its picture is on air (a camera's microphone), faded in
  // and out with it; false: always in the mix (a lavalier, the desk's feed).
  bool audio_follows_video = true;
  // Which part of the picture a tile shows (layout.h).
  Framing framing;
  // Lip sync: the sound delayed against the picture (audio_delay.h).
  int audio_offset_ms = 0;
  // A remote guest's slot: gets the program back, with a sound mix of its own
  // without its own voice (return_feed.h).
  bool return_feed = false;
  // The producer's talkback microphone: never in the program, heard only in
  // the mix-minus of the guests it is talking to (setTalkback).
  bool talkback = false;
};

// Latest small raw frames for the UI; thread-safe.
//
// A tap costs CPU only while somebody looks at it: its branch starts behind
// closed valves, the first latest() opens them, and Program closes them
// again when nobody has asked for a frame for a few seconds. (Measured: three
// always-on taps cost a tenth of a core at 720p30, a headless show needs none.)
class FrameTap {
 public:
  FrameTap(GstElement* appsink, std::vector<GstElement*> valves);
  ~FrameTap();
  FrameTap(const FrameTap&) = delete;
  FrameTap& operator=(const FrameTap&) = delete;
  // The newest frame (I420, caps in the sample), or the last one returned
  // when nothing newer has arrived; null before the first frame (the first
  // call opens the tap, so frames follow within a tenth of a second).
  SamplePtr latest();
  // Closes the tap if nobody asked for a frame within `idle_ms`.
  void closeIfIdle(std::int64_t idle_ms);

 private:
  void setOpen(bool open);
  GstElement* appsink_;
  std::vector<GstElement*> valves_;  // strong refs
  std::mutex mutex_;
  SamplePtr last_;                 // Guarded by mutex_.
  bool open_ = false;              // Guarded by mutex_.
  std::int64_t last_read_ms_ = 0;  // Guarded by mutex_.
};

class Program : public QObject {
  Q_OBJECT
 public:
  Program(EncoderSettings settings, std::vector<ProgramSourceInput> sources,
          QObject* parent = nullptr);
  ~Program() override;

  // The broadcast graphics blended into every program frame (before start;
  // kept across restarts). Null: none.
  void setGraphicsLayer(std::shared_ptr<overlay::GraphicsLayer> layer) {
    graphics_ = std::move(layer);
  }
  // Where the guests' return feed goes (before start; kept across restarts).
  // Built only when a source has return_feed set.
  void setReturnFeed(std::shared_ptr<ReturnFeed> feed) { return_feed_ = std::move(feed); }

  bool start(std::string* error);
  void stop();

  // Changes what is on air. Unknown source ids are the caller's to refuse.
  void setScene(const Scene& scene, Transition transition, int duration_ms);
  const Scene& scene() const { return scene_; }
  void setPreviewScene(const Scene& scene);
  const Scene& previewScene() const { return preview_scene_; }
  bool transitionRunning() const { return fade_.running; }

  // A source's gain and mute: kept here, read back by whoever shows them
  // (1.0 and false for an unknown source).
  void setGain(const std::string& source, double gain);
  void setMuted(const std::string& source, bool muted);
  double gain(const std::string& source) const;
  bool muted(const std::string& source) const;
  void setFollowsVideo(const std::string& source, bool follows);
  bool followsVideo(const std::string& source) const;
  // A source held off air (a remote guest in the green room): wherever the
  // program shows it, a black tile, and none of its sound in the mix, while
  // the multiview and the preview see and meter it as usual. Kept across a
  // rebuild of the pipeline.
  void setHeld(const std::string& source, bool held);
  bool held(const std::string& source) const;
  // What the control room's monitor plays: the program's sound (""), or one
  // source alone before its fader, gain and mute (PFL). Kept across a
  // rebuild; false for an unknown source.
  bool setListening(const std::string& source);
  bool hasMonitor() const { return !settings_.monitor_channel.empty(); }
  const std::string& listening() const { return listening_; }
  // Talkback (IFB) to a remote guest: the talkback sources heard in that
  // guest's mix-minus, the rest of it dipped by kTalkbackDipDb so that the
  // producer is understood. Kept across a rebuild of the pipeline.
  void setTalkback(const std::string& guest, bool on);
  bool talkingTo(const std::string& guest) const;
  static constexpr double kTalkbackDipDb = -12.0;
  // A source's framing, in every tile it is shown in from the next frame on
  // (the program's and the preview's).
  void setFraming(const std::string& source, const Framing& framing);
  Framing framing(const std::string& source) const;
  // Lip sync: the source's sound delayed by `offset_ms` (0…2000), reached
  // without a gap (the sound slides to it, audio_delay.h).
  void setAudioOffset(const std::string& source, int offset_ms);
  int audioOffset(const std::string& source) const;
  // Silences the whole program (a "back soon" hold) without touching the
  // sources' own gain and mute.
  void setProgramSilenced(bool silenced);
  bool programSilenced() const { return silenced_; }

  void addConsumer(PacketSink* sink);
  // After this returns, `sink` receives no more packets.
  void removeConsumer(PacketSink* sink);

  // Statistics.
  std::uint64_t frames() const { return counters_->frames.load(); }
  std::uint64_t droppedFrames() const;
  double encoderFps() const { return encoder_fps_; }
  std::uint64_t encodedFrames() const { return counters_->encoded.load(); }
  std::int64_t runningTimeMs() const;
  std::map<std::string, AudioLevel> levels() const { return levels_; }  // "program" and source ids
  // The program's loudness meters (and the control stage's gain); nothing
  // before the first audio or while stopped.
  std::optional<LoudnessReading> loudness() const;
  FrameTap* tap(const std::string& name);  // "program", "preview", "source:<id>"
  const EncoderSettings& settings() const { return settings_; }
  // The program mixer (before graphics and the encoder), for diagnostics
  // and tests: a buffer probe on its src pad sees every program frame. Null
  // when stopped.
  GstElement* mixer() const { return compositor_; }

 signals:
  void levelsChanged();
  void failed(QString reason);

 private:
  struct Counters {
    std::atomic<std::uint64_t> frames{0};      // out of the program compositor
    std::atomic<std::uint64_t> to_encoder{0};  // out of the leaky queue
    std::atomic<std::uint64_t> encoded{0};
    std::atomic<std::uint64_t> gaps{0};  // frames the compositor skipped
    std::atomic<std::uint64_t> last_pts{GST_CLOCK_TIME_NONE};
  };
  struct SourcePads {
    GstPad* a = nullptr;  // program compositor pads (strong refs)
    GstPad* b = nullptr;
    GstElement* scale_a = nullptr;  // their yst-boxscale (owned by pipeline_)
    GstElement* scale_b = nullptr;
    GstPad* preview = nullptr;
    GstElement* scale_preview = nullptr;  // the preview pad's yst-boxscale
    GstPad* audio = nullptr;              // audiomixer pad
    GstElement* delay = nullptr;          // yst-audiodelay, lip sync (owned by pipeline_)
    // The same sound into each other guest's mix-minus (guest, strong ref):
    // gain, mute and hold apply there as on the program's pad.
    std::vector<std::pair<std::string, GstPad*>> minus;
    // Audio-follows-video: a volume whose value is ramped by a control
    // source (sample-accurate, no clicks) as the picture goes on and off air.
    GstElement* follow = nullptr;             // owned by pipeline_
    GstControlSource* follow_ramp = nullptr;  // strong ref
    bool heard = true;                        // where the ramp ends
  };
  // Whether a source's picture is in the program's scene.
  bool onAir(const std::string& source) const;
  // Ramps each source's follow volume to where the scene and its setting
  // want it, over `ramp_ms` (0: at once).
  void applyAudioFollow(int ramp_ms);
  // A cut's ramp: short enough to be a cut, long enough not to click.
  static constexpr int kCutRampMs = 30;

  void build();
  void onMessage(GstMessage* message);
  // A program mixer pad's next look. Staged by the controller thread and
  // put into effect by the mixer's thread just before it blends a frame, all
  // pads at once and only once every pad that is shown has a frame of the
  // right size: see onSamplesSelected().
  struct Slot {
    bool placed = false;  // false: hidden where it is (alpha 0), its scaler passing through
    int x = 0, y = 0, width = 0, height = 0;
    guint zorder = 0;
    double alpha = 0.0;
    GstElement* scaler = nullptr;
  };
  void applyScene(bool use_b, const Scene& scene, double alpha, int zbase);
  // The region of `source` that a tile of w×h shows (its framing).
  Rect regionFor(const std::string& source, int source_w, int source_h, int w, int h) const;
  void stageSlot(GstPad* pad, Slot slot);  // needs staged_mutex_
  static void onSamplesSelected(GstElement* mixer, GstSegment* segment, guint64 pts, guint64 dts,
                                guint64 duration, GstStructure* info, gpointer data);
  bool stagedFramesReady();  // needs staged_mutex_
  void applyPreview();
  void fadeStep();
  void fanOut(MediaKind kind, GstSample* sample);
  GstElement* addTap(GstElement* tee, const std::string& name, int width, int height, int fps);
  GstElement* addValve(GstElement* upstream);
  // The guests' return feed: the program's picture encoded once, and for
  // each guest slot a mix of every other source's sound (build()).
  void buildReturnFeed(GstElement* program_tee);
  void buildMixMinus(const std::map<std::string, GstElement*>& source_tees);
  // The monitor's selector and its way out to the monitor channel; then a
  // leaky branch from `from` into it for `source` ("" the program).
  void buildMonitor();
  void addMonitorInput(GstElement* from, const std::string& source);
  void applyListening();
  // What a source's pads on the mixers should be: its gain, muted when it is
  // muted or held; in a guest's mix-minus dipped while the talkback is on
  // for them, and a talkback source heard there only then.
  void applyAudioPad(const std::string& source);
  bool isTalkback(const std::string& source) const;

  // Turns the frames into black ones while `held` is set (a pad probe on
  // the program scalers' input).
  static void blackWhileHeld(GstElement* scaler, std::shared_ptr<std::atomic<bool>> held);

  EncoderSettings settings_;
  std::vector<ProgramSourceInput> sources_;
  // Per source: held off air (setHeld). Shared with the pad probes, which
  // read it on the source's streaming thread.
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> held_;
  std::set<std::string> talking_to_;  // the guests the talkback is on for
  // The monitor's input-selector (owned by pipeline_) and its pads (strong
  // refs): "" the program's, else each source's before its fader.
  GstElement* monitor_select_ = nullptr;
  std::map<std::string, GstPad*> monitor_pads_;
  std::string listening_;
  std::shared_ptr<ReturnFeed> return_feed_;
  ElementPtr pipeline_;
  GstElement* compositor_ = nullptr;  // owned by pipeline_
  GstElement* encoder_queue_ = nullptr;
  GstElement* program_volume_ = nullptr;  // owned by pipeline_
  GstElement* loudness_ = nullptr;        // owned by pipeline_
  bool silenced_ = false;
  std::shared_ptr<overlay::GraphicsLayer> graphics_;
  std::map<std::string, SourcePads> pads_;
  std::map<std::string, std::unique_ptr<FrameTap>> taps_;
  std::map<std::string, AudioLevel> levels_;
  Scene scene_;
  Scene preview_scene_;
  bool front_is_b_ = false;  // which pad set shows the current scene
  struct Fade {
    bool running = false;
    Scene from;
    int duration_ms = 0;
    QElapsedTimer clock;
  } fade_;
  QTimer fade_timer_;
  QTimer stats_timer_;  // also closes idle taps
  std::uint64_t encoded_at_tick_ = 0;
  double encoder_fps_ = 0;
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
  LifeToken life_ = std::make_shared<int>(0);

  std::mutex staged_mutex_;
  std::map<GstPad*, Slot> staged_;  // Guarded by staged_mutex_.
  int staged_waits_ = 0;            // Guarded by staged_mutex_.

  std::mutex consumers_mutex_;
  std::vector<PacketSink*> consumers_;  // Guarded by consumers_mutex_.
};

}  // namespace yst::streaming
