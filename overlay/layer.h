// The graphics layer of the program: the graphics that are up, where, and
// how they come and go, blended into every program frame on the mixer's
// streaming thread (a buffer probe after the program compositor, so every
// destination, the archive, HLS and the program tap carry them).
//
// Graphics are drawn and converted elsewhere (the render thread) when their
// content changes; per frame this layer only computes each element's
// animation from the frame's timestamp and blends. An animation starts on
// the first frame after the change is applied and is timed by frame
// timestamps, not by the wall clock, so a slide lasts exactly its frames.
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "overlay/blend.h"
#include "overlay/theme.h"

namespace yst::overlay {

struct Animation {
  Motion motion = Motion::kFade;
  int duration_ms = 300;
  int distance_px = 0;  // how far a slide travels
};

// How a shown element takes new content.
enum class Replace { kInvalid = 0, kCut, kOutThenIn };

struct LayerChange {
  enum class Kind { kInvalid = 0, kShow, kHide };
  Kind kind = Kind::kInvalid;
  std::string id;
  GraphicPtr graphic;  // kShow: converted for matrix()
  // What `graphic` was converted from: kept so that it can be converted
  // again should the program's frames turn out to use another colour matrix.
  Image image;
  int x = 0, y = 0, z = 0;
  Animation animation;  // in for kShow, out for kHide
  Replace replace = Replace::kCut;
  // A crawl: the graphic scrolls right to left through this window.
  bool scroll = false;
  int window_x = 0, window_y = 0, window_width = 0;
  double speed_px_per_s = 0;
};

class GraphicsLayer {
 public:
  GraphicsLayer(int width, int height);
  ~GraphicsLayer();
  GraphicsLayer(const GraphicsLayer&) = delete;
  GraphicsLayer& operator=(const GraphicsLayer&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  // The colour matrix of the program's frames: the GStreamer default for the
  // height until the first frame's caps say otherwise.
  ColorMatrix matrix() const { return matrix_.load(); }
  void setMatrix(ColorMatrix matrix) { matrix_.store(matrix); }

  // Any thread. The changes take effect together, on the next frame.
  void apply(const std::vector<LayerChange>& changes);

  // Installs the blending probe on a pad carrying the program's I420 frames.
  // The probe holds a reference to `self`.
  static void attach(const std::shared_ptr<GraphicsLayer>& self, GstPad* pad);

  // Blends into one frame whose running time is `pts` (the probe's work;
  // public for tests and benchmarks). Returns false if nothing was drawn.
  bool process(GstVideoFrame* frame, GstClockTime pts);
  bool empty() const;  // nothing shown or animating

  // What an element looked like on the last frame: 0 hidden .. 1 fully in.
  double visibility(const std::string& id) const;

 private:
  enum class Phase { kHidden, kEntering, kShown, kLeaving };
  struct Element {
    GraphicPtr current;
    GraphicPtr next;  // waits for `current` to leave (Replace::kOutThenIn)
    Image current_image, next_image;
    int x = 0, y = 0, z = 0;
    int next_x = 0, next_y = 0, next_z = 0;
    Animation in, out, next_in;
    bool want_visible = false;
    Phase phase = Phase::kHidden;
    GstClockTime phase_start = GST_CLOCK_TIME_NONE;  // set by the first frame of the phase
    double progress = 0;                             // of the phase, on the last frame
    double visibility = 0;
    bool scroll = false;
    int window_x = 0, window_y = 0, window_width = 0;
    double speed_px_per_s = 0;
    GstClockTime scroll_start = GST_CLOCK_TIME_NONE;
  };
  struct Draw {
    GraphicPtr graphic;
    int x, y, z, alpha, src_x, src_w;
  };
  void step(Element& e, GstClockTime pts, std::vector<Draw>* draws);

  const int width_;
  const int height_;
  std::atomic<ColorMatrix> matrix_;
  mutable std::mutex mutex_;
  std::map<std::string, Element> elements_;  // Guarded by mutex_.
};

}  // namespace yst::overlay
