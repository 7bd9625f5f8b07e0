// Blending into I420 and the graphics layer's frame-timed animations, on
// real GstVideoFrames.
#include "overlay/layer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "overlay/blend.h"

namespace yst::overlay {
namespace {

class Frame {
 public:
  Frame(int w, int h, std::uint8_t y = 128, std::uint8_t u = 128, std::uint8_t v = 128) {
    gst_init(nullptr, nullptr);
    gst_video_info_set_format(&info_, GST_VIDEO_FORMAT_I420, w, h);
    buffer_ = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info_), nullptr);
    gst_video_frame_map(&frame_, &info_, buffer_, GST_MAP_READWRITE);
    for (int r = 0; r < h; ++r) std::memset(row(0, r), y, w);
    for (int r = 0; r < h / 2; ++r) {
      std::memset(row(1, r), u, w / 2);
      std::memset(row(2, r), v, w / 2);
    }
  }
  ~Frame() {
    gst_video_frame_unmap(&frame_);
    gst_buffer_unref(buffer_);
  }
  std::uint8_t* row(int plane, int r) {
    return static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame_, plane)) +
           r * GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, plane);
  }
  int Y(int x, int y) { return row(0, y)[x]; }
  int U(int x, int y) { return row(1, y / 2)[x / 2]; }
  int V(int x, int y) { return row(2, y / 2)[x / 2]; }
  GstVideoFrame* get() { return &frame_; }
  I420Planes planes() {
    return {row(0, 0),
            row(1, 0),
            row(2, 0),
            GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 0),
            GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 1),
            GST_VIDEO_FRAME_PLANE_STRIDE(&frame_, 2),
            GST_VIDEO_INFO_WIDTH(&info_),
            GST_VIDEO_INFO_HEIGHT(&info_)};
  }

 private:
  GstVideoInfo info_;
  GstBuffer* buffer_ = nullptr;
  GstVideoFrame frame_;
};

// A solid rectangle of one straight colour and alpha.
Image solid(int w, int h, double r, double g, double b, double a) {
  Image image(w, h);
  cairo_t* cr = cairo_create(image.surface());
  cairo_set_source_rgba(cr, r, g, b, a);
  cairo_paint(cr);
  cairo_destroy(cr);
  return image;
}

TEST(Blend, OpaqueRedIsBt709Red) {
  Frame f(64, 32);
  const GraphicPtr red = toYuva(solid(16, 8, 1, 0, 0, 1), ColorMatrix::kBt709);
  blendI420(f.planes(), *red, 8, 4, 255);
  // BT.709 limited range red: Y 63, Cb 102, Cr 240.
  EXPECT_NEAR(f.Y(10, 6), 63, 1);
  EXPECT_NEAR(f.U(10, 6), 102, 1);
  EXPECT_NEAR(f.V(10, 6), 240, 1);
  // Untouched outside.
  EXPECT_EQ(f.Y(7, 6), 128);
  EXPECT_EQ(f.Y(24, 6), 128);
  EXPECT_EQ(f.Y(10, 3), 128);
  EXPECT_EQ(f.Y(10, 12), 128);
}

TEST(Blend, HalfAlphaAndGlobalAlphaMixWithTheFrame) {
  Frame f(32, 16, 16);  // black
  const GraphicPtr white_half = toYuva(solid(8, 8, 1, 1, 1, 0.5), ColorMatrix::kBt709);
  blendI420(f.planes(), *white_half, 0, 0, 255);
  EXPECT_NEAR(f.Y(2, 2), (16 + 235) / 2, 2);
  Frame g(32, 16, 16);
  const GraphicPtr white = toYuva(solid(8, 8, 1, 1, 1, 1), ColorMatrix::kBt709);
  blendI420(g.planes(), *white, 0, 0, 128);
  EXPECT_NEAR(g.Y(2, 2), (16 + 235) / 2, 2);
  EXPECT_NEAR(g.U(2, 2), 128, 1);
}

TEST(Blend, ClipsAtEveryEdgeOfTheFrame) {
  Frame f(32, 16);
  const GraphicPtr white = toYuva(solid(20, 10, 1, 1, 1, 1), ColorMatrix::kBt601);
  blendI420(f.planes(), *white, -10, -4, 255);   // top-left, partly outside
  blendI420(f.planes(), *white, 26, 12, 255);    // bottom-right, partly outside
  blendI420(f.planes(), *white, 100, 100, 255);  // wholly outside: nothing
  EXPECT_EQ(f.Y(0, 0), 235);
  EXPECT_EQ(f.Y(9, 5), 235);
  EXPECT_EQ(f.Y(10, 5), 128);
  EXPECT_EQ(f.Y(31, 15), 235);
  EXPECT_EQ(f.Y(25, 15), 128);
}

TEST(Blend, ACropWindowDrawsOnlyThoseColumns) {
  Frame f(64, 8, 16);
  // Left half white, right half transparent.
  Image image(40, 8);
  cairo_t* cr = cairo_create(image.surface());
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, 20, 8);
  cairo_fill(cr);
  cairo_destroy(cr);
  const GraphicPtr g = toYuva(image, ColorMatrix::kBt709);
  blendI420(f.planes(), *g, 30, 0, 255, 10, 20);  // columns 10..30 of the graphic at x 30
  EXPECT_EQ(f.Y(29, 2), 16);
  EXPECT_EQ(f.Y(30, 2), 235);  // graphic column 10: white
  EXPECT_EQ(f.Y(39, 2), 235);  // column 19
  EXPECT_EQ(f.Y(40, 2), 16);   // column 20: transparent
  EXPECT_EQ(f.Y(50, 2), 16);   // past the window
}

constexpr GstClockTime kFrame = GST_SECOND / 30;

TEST(GraphicsLayer, AFadeTakesItsFramesAndALeaveReturnsTheFrame) {
  GraphicsLayer layer(64, 32);
  EXPECT_TRUE(layer.empty());
  LayerChange show;
  show.kind = LayerChange::Kind::kShow;
  show.id = "card";
  show.graphic = toYuva(solid(16, 8, 1, 1, 1, 1), layer.matrix());
  show.x = 8;
  show.y = 8;
  show.animation = {Motion::kFade, 300, 0};
  layer.apply({show});
  std::vector<int> luma;
  GstClockTime pts = 10 * GST_SECOND;
  for (int i = 0; i < 12; ++i, pts += kFrame) {
    Frame f(64, 32, 16);
    layer.process(f.get(), pts);
    luma.push_back(f.Y(10, 10));
  }
  EXPECT_EQ(luma[0], 16);  // the first frame starts the clock
  EXPECT_GT(luma[3], 16);  // 100 ms in: partly there
  EXPECT_LT(luma[3], 235);
  EXPECT_EQ(luma[9], 235);  // 300 ms: fully in, and stays
  EXPECT_EQ(luma[11], 235);
  for (int i = 1; i < 9; ++i) EXPECT_LE(luma[i], luma[i + 1]);
  EXPECT_DOUBLE_EQ(layer.visibility("card"), 1.0);

  LayerChange hide;
  hide.kind = LayerChange::Kind::kHide;
  hide.id = "card";
  hide.animation = {Motion::kFade, 300, 0};
  layer.apply({hide});
  for (int i = 0; i < 11; ++i, pts += kFrame) {
    Frame f(64, 32, 16);
    layer.process(f.get(), pts);
    if (i == 10) {
      EXPECT_EQ(f.Y(10, 10), 16);
    }
  }
  EXPECT_TRUE(layer.empty());
}

TEST(GraphicsLayer, ChangingItsMindMidAnimationHasNoJump) {
  // Hidden while still coming in, shown again while going out: it turns
  // round where it is, at any point of the stream (also its first frames).
  for (GstClockTime start : {GstClockTime{0}, GstClockTime{10 * GST_SECOND}}) {
    GraphicsLayer layer(64, 32);
    LayerChange show;
    show.kind = LayerChange::Kind::kShow;
    show.id = "card";
    show.graphic = toYuva(solid(16, 8, 1, 1, 1, 1), layer.matrix());
    show.animation = {Motion::kFade, 300, 0};
    LayerChange hide;
    hide.kind = LayerChange::Kind::kHide;
    hide.id = "card";
    hide.animation = {Motion::kFade, 300, 0};
    layer.apply({show});
    std::vector<int> luma;
    GstClockTime pts = start;
    for (int i = 0; i < 24; ++i, pts += kFrame) {
      if (i == 4) layer.apply({hide});
      if (i == 7) layer.apply({show});
      Frame f(64, 32, 16);
      layer.process(f.get(), pts);
      luma.push_back(f.Y(2, 2));
    }
    for (std::size_t i = 1; i < luma.size(); ++i) {
      EXPECT_LE(std::abs(luma[i] - luma[i - 1]), 80)
          << "a jump at frame " << i << " from " << start;
    }
    EXPECT_LT(luma[6], luma[4]) << "it did not turn round to leave";
    EXPECT_EQ(luma.back(), 235) << "it did not come back in";
  }
}

TEST(GraphicsLayer, ASlideEndsAtItsPlace) {
  GraphicsLayer layer(128, 64);
  LayerChange show;
  show.kind = LayerChange::Kind::kShow;
  show.id = "lower_third";
  show.graphic = toYuva(solid(16, 8, 1, 1, 1, 1), layer.matrix());
  show.x = 40;
  show.y = 40;
  show.animation = {Motion::kSlideLeft, 200, 40};
  layer.apply({show});
  GstClockTime pts = 0;
  Frame f0(128, 64, 16);
  layer.process(f0.get(), pts);
  Frame f1(128, 64, 16);
  layer.process(f1.get(), pts += 100 * GST_MSECOND);
  // Half-way: left of its place.
  EXPECT_EQ(f1.Y(55, 44), 16);
  Frame f2(128, 64, 16);
  layer.process(f2.get(), pts += 100 * GST_MSECOND);
  EXPECT_EQ(f2.Y(40, 44), 235);
  EXPECT_EQ(f2.Y(55, 44), 235);
  EXPECT_EQ(f2.Y(39, 44), 16);
  EXPECT_EQ(f2.Y(56, 44), 16);
}

TEST(GraphicsLayer, NewContentGoesOutThenIn) {
  GraphicsLayer layer(64, 32);
  LayerChange show;
  show.kind = LayerChange::Kind::kShow;
  show.id = "card";
  show.graphic = toYuva(solid(16, 8, 1, 1, 1, 1), layer.matrix());
  show.animation = {Motion::kFade, 100, 0};
  show.replace = Replace::kOutThenIn;
  layer.apply({show});
  GstClockTime pts = 0;
  auto frame = [&](int x, int y) {
    Frame f(64, 32, 16);
    layer.process(f.get(), pts);
    pts += kFrame;
    return f.Y(x, y);
  };
  for (int i = 0; i < 5; ++i) frame(0, 0);
  EXPECT_EQ(frame(2, 2), 235);
  show.graphic = toYuva(solid(16, 8, 0, 0, 0, 1), layer.matrix());  // black
  layer.apply({show});
  std::vector<int> seen;
  for (int i = 0; i < 10; ++i) seen.push_back(frame(2, 2));
  // White fades down to the frame's black, then the black card comes in:
  // at no frame is there a cut from white straight to the new card.
  EXPECT_EQ(seen.back(), 16);
  EXPECT_LT(seen[2], 235);
  EXPECT_DOUBLE_EQ(layer.visibility("card"), 1.0);
}

TEST(GraphicsLayer, ATickerCrawlsThroughItsWindowOnly) {
  GraphicsLayer layer(128, 16);
  LayerChange show;
  show.kind = LayerChange::Kind::kShow;
  show.id = "ticker_text";
  show.graphic = toYuva(solid(20, 8, 1, 1, 1, 1), layer.matrix());
  show.animation = {Motion::kFade, 0, 0};
  show.scroll = true;
  show.window_x = 40;
  show.window_y = 4;
  show.window_width = 60;
  show.speed_px_per_s = 300;  // 10 px per frame
  layer.apply({show});
  GstClockTime pts = 0;
  int first_lit = -1;
  for (int i = 0; i < 4; ++i) {
    Frame f(128, 16, 16);
    layer.process(f.get(), pts);
    pts += kFrame;
    for (int x = 0; x < 128; ++x) {
      if (x < 40 || x >= 100) {
        ASSERT_EQ(f.Y(x, 6), 16) << "outside the window at " << x;
      }
    }
    if (i == 3) {
      for (int x = 40; x < 100; ++x) {
        if (f.Y(x, 6) == 235) {
          first_lit = x;
          break;
        }
      }
    }
  }
  // Enters from the right edge of the window, 30 px in after 3 frames.
  EXPECT_EQ(first_lit, 100 - 30);
}

}  // namespace
}  // namespace yst::overlay
