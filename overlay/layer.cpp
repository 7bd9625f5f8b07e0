#include "overlay/layer.h"

#include <algorithm>
#include <cmath>

namespace yst::overlay {

namespace {

double easeOut(double p) {
  const double q = 1 - p;
  return 1 - q * q * q;
}

double easeIn(double p) {
  return p * p * p;
}

// `ms` before `pts`, never before the stream's start (GstClockTime is unsigned).
GstClockTime earlier(GstClockTime pts, double ms) {
  const auto back = static_cast<GstClockTime>(ms * GST_MSECOND);
  return back > pts ? 0 : pts - back;
}

}  // namespace

GraphicsLayer::GraphicsLayer(int width, int height)
    : width_(width), height_(height), matrix_(defaultMatrix(height)) {}

GraphicsLayer::~GraphicsLayer() = default;

void GraphicsLayer::apply(const std::vector<LayerChange>& changes) {
  std::lock_guard lock(mutex_);
  for (const LayerChange& c : changes) {
    Element& e = elements_[c.id];
    if (c.kind == LayerChange::Kind::kHide) {
      e.want_visible = false;
      e.out = c.animation;
      e.next.reset();
      e.next_image = {};
      continue;
    }
    if (c.kind != LayerChange::Kind::kShow || !c.graphic) continue;
    e.scroll = c.scroll;
    e.window_x = c.window_x;
    e.window_y = c.window_y;
    e.window_width = c.window_width;
    e.speed_px_per_s = c.speed_px_per_s;
    const bool up = e.phase != Phase::kHidden;
    if (up && c.replace == Replace::kOutThenIn && e.current != c.graphic) {
      // Out with the old, then in with the new (the next frames do it).
      e.next = c.graphic;
      e.next_image = c.image;
      e.next_x = c.x;
      e.next_y = c.y;
      e.next_z = c.z;
      e.next_in = c.animation;
      e.out = c.animation;
    } else {
      e.current = c.graphic;
      e.current_image = c.image;
      e.x = c.x;
      e.y = c.y;
      e.z = c.z;
      e.next.reset();
      e.next_image = {};
      if (e.scroll && !up) e.scroll_start = GST_CLOCK_TIME_NONE;
    }
    e.in = c.animation;
    e.want_visible = true;
  }
}

bool GraphicsLayer::empty() const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, e] : elements_) {
    if (e.want_visible || e.phase != Phase::kHidden) return false;
  }
  return true;
}

double GraphicsLayer::visibility(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = elements_.find(id);
  return it == elements_.end() ? 0.0 : it->second.visibility;
}

// Advances one element to the frame at `pts` and says how to draw it.
void GraphicsLayer::step(Element& e, GstClockTime pts, std::vector<Draw>* draws) {
  auto elapsedMs = [&](GstClockTime since) {
    return since == GST_CLOCK_TIME_NONE || pts < since
               ? 0.0
               : static_cast<double>(pts - since) / GST_MSECOND;
  };
  auto begin = [&](Phase phase) {
    e.phase = phase;
    e.phase_start = pts;
    e.progress = 0;
  };
  const bool leave = !e.want_visible || e.next;
  switch (e.phase) {
    case Phase::kHidden:
      if (e.want_visible && e.current) begin(Phase::kEntering);
      break;
    case Phase::kEntering:
      if (leave) {
        // Leave from where the entrance got to.
        const double done = e.progress;
        begin(Phase::kLeaving);
        e.progress = 1 - done;
        e.phase_start = earlier(pts, (1 - done) * e.out.duration_ms);
      }
      break;
    case Phase::kShown:
      if (leave) begin(Phase::kLeaving);
      break;
    case Phase::kLeaving:
      if (!leave) {
        const double gone = e.progress;
        begin(Phase::kEntering);
        e.phase_start = earlier(pts, (1 - gone) * e.in.duration_ms);
      }
      break;
  }
  const Animation& anim = e.phase == Phase::kLeaving ? e.out : e.in;
  if (e.phase == Phase::kEntering || e.phase == Phase::kLeaving) {
    e.progress =
        anim.duration_ms <= 0 ? 1.0 : std::min(1.0, elapsedMs(e.phase_start) / anim.duration_ms);
  }
  double v = 0;
  switch (e.phase) {
    case Phase::kHidden:
      v = 0;
      break;
    case Phase::kEntering:
      v = easeOut(e.progress);
      break;
    case Phase::kShown:
      v = 1;
      break;
    case Phase::kLeaving:
      v = 1 - easeIn(e.progress);
      break;
  }
  e.visibility = v;
  if (e.phase != Phase::kHidden && e.current) {
    // Drawn before the frames' colour matrix was known: convert again, once.
    const ColorMatrix m = matrix_.load();
    if (e.current->matrix != m && !e.current_image.empty()) e.current = toYuva(e.current_image, m);
    int dx = 0, dy = 0;
    const int travel = static_cast<int>(std::lround((1 - v) * anim.distance_px));
    switch (anim.motion) {
      case Motion::kSlideUp:
        dy = travel;
        break;
      case Motion::kSlideDown:
        dy = -travel;
        break;
      case Motion::kSlideLeft:
        dx = -travel;
        break;
      case Motion::kSlideRight:
        dx = travel;
        break;
      default:
        break;
    }
    const int alpha = static_cast<int>(std::lround(255 * v));
    if (alpha > 0) {
      Draw d{e.current, e.x + dx, e.y + dy, e.z, alpha, 0, -1};
      if (e.scroll && e.window_width > 0 && e.speed_px_per_s > 0) {
        if (e.scroll_start == GST_CLOCK_TIME_NONE) e.scroll_start = pts;
        const double period = e.current->width + e.window_width;
        const double offset =
            std::fmod(elapsedMs(e.scroll_start) / 1000.0 * e.speed_px_per_s, period);
        const int strip_x = e.window_x + e.window_width - static_cast<int>(offset);
        const int from = std::max(strip_x, e.window_x);
        const int to = std::min(strip_x + e.current->width, e.window_x + e.window_width);
        if (to > from) {
          d.x = from;
          d.y = e.window_y + dy;
          d.src_x = from - strip_x;
          d.src_w = to - from;
          draws->push_back(d);
        }
      } else {
        draws->push_back(d);
      }
    }
  }
  // Phase ends.
  if (e.progress >= 1.0) {
    if (e.phase == Phase::kEntering) {
      e.phase = Phase::kShown;
    } else if (e.phase == Phase::kLeaving) {
      e.phase = Phase::kHidden;
      e.progress = 0;
      if (e.next) {
        e.current = std::move(e.next);
        e.current_image = std::move(e.next_image);
        e.next.reset();
        e.next_image = {};
        e.x = e.next_x;
        e.y = e.next_y;
        e.z = e.next_z;
        e.in = e.next_in;
        e.scroll_start = GST_CLOCK_TIME_NONE;
      } else if (!e.want_visible) {
        e.current.reset();  // nothing holds a hidden graphic's memory
        e.current_image = {};
      }
    }
  }
}

bool GraphicsLayer::process(GstVideoFrame* frame, GstClockTime pts) {
  std::vector<Draw> draws;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : elements_) step(e, pts, &draws);
  }
  if (draws.empty()) return false;
  std::stable_sort(draws.begin(), draws.end(),
                   [](const Draw& a, const Draw& b) { return a.z < b.z; });
  I420Planes planes{static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(frame, 0)),
                    static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(frame, 1)),
                    static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(frame, 2)),
                    GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0),
                    GST_VIDEO_FRAME_PLANE_STRIDE(frame, 1),
                    GST_VIDEO_FRAME_PLANE_STRIDE(frame, 2),
                    GST_VIDEO_FRAME_WIDTH(frame),
                    GST_VIDEO_FRAME_HEIGHT(frame)};
  for (const Draw& d : draws) blendI420(planes, *d.graphic, d.x, d.y, d.alpha, d.src_x, d.src_w);
  return true;
}

void GraphicsLayer::attach(const std::shared_ptr<GraphicsLayer>& self, GstPad* pad) {
  struct Probe {
    std::shared_ptr<GraphicsLayer> layer;
    GstVideoInfo info;
    bool have_info = false;
    bool warned = false;
  };
  auto* probe = new Probe{self, {}, false, false};
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad* pad, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        auto* p = static_cast<Probe*>(data);
        if (p->layer->empty()) return GST_PAD_PROBE_OK;
        if (!p->have_info) {
          GstCaps* caps = gst_pad_get_current_caps(pad);
          if (!caps) return GST_PAD_PROBE_OK;
          p->have_info = gst_video_info_from_caps(&p->info, caps);
          gst_caps_unref(caps);
          if (!p->have_info) return GST_PAD_PROBE_OK;
          if (GST_VIDEO_INFO_FORMAT(&p->info) != GST_VIDEO_FORMAT_I420) {
            if (!p->warned) g_warning("graphics layer: program frames are not I420; no graphics");
            p->warned = true;
            p->have_info = false;
            return GST_PAD_PROBE_OK;
          }
          // Sources decide the compositor's colorimetry (a 720p program of
          // BT.601 cameras is BT.601): graphics follow the frames.
          p->layer->setMatrix(p->info.colorimetry.matrix == GST_VIDEO_COLOR_MATRIX_BT601
                                  ? ColorMatrix::kBt601
                                  : ColorMatrix::kBt709);
        }
        GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
        GST_PAD_PROBE_INFO_DATA(info) = buffer;
        GstVideoFrame frame;
        if (!gst_video_frame_map(&frame, &p->info, buffer, GST_MAP_READWRITE))
          return GST_PAD_PROBE_OK;
        p->layer->process(&frame, GST_BUFFER_PTS(buffer));
        gst_video_frame_unmap(&frame);
        return GST_PAD_PROBE_OK;
      },
      probe, [](gpointer data) { delete static_cast<Probe*>(data); });
}

}  // namespace yst::overlay
