// The box scaler that puts cameras into side-by-side slots (2:1) and the
// picture-in-picture inset (4:1): its SIMD paths against the plain ones, its
// crop rule, and the element in a real pipeline (frames in, scaled frames
// and caps out, pass-through otherwise).
#include "streaming/boxscale.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "streaming/gst_ptr.h"
#include "streaming/layout.h"

namespace yst::streaming {
namespace {

using PlaneScaler = void (*)(const std::uint8_t*, int, std::uint8_t*, int, int, int);

void expectSimdMatchesScalar(PlaneScaler fast_fn, PlaneScaler slow_fn, int factor) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255);
  // Widths around the 16-pixel vector step, so the scalar tail is covered.
  for (int width : {1, 2, 15, 16, 17, 31, 32, 33, 316, 632, 948}) {
    const int height = 5;
    const int src_stride = factor * width + 7;  // strides wider than the picture
    const int dst_stride = width + 3;
    std::vector<std::uint8_t> src(static_cast<size_t>(src_stride) * factor * height);
    for (auto& b : src) b = static_cast<std::uint8_t>(byte(random));
    std::vector<std::uint8_t> fast(static_cast<size_t>(dst_stride) * height, 0xAB);
    std::vector<std::uint8_t> slow = fast;
    fast_fn(src.data(), src_stride, fast.data(), dst_stride, width, height);
    slow_fn(src.data(), src_stride, slow.data(), dst_stride, width, height);
    EXPECT_EQ(fast, slow) << factor << ":1, width " << width;
    // Nothing written past the picture in a row's padding.
    for (int y = 0; y < height; ++y) {
      for (int x = width; x < dst_stride; ++x) {
        EXPECT_EQ(fast[static_cast<size_t>(y) * dst_stride + x], 0xAB);
      }
    }
  }
}

TEST(BoxScale, SimdMatchesTheScalarReferenceOnAnyWidth) {
  expectSimdMatchesScalar(halvePlane, halvePlaneScalar, 2);
  expectSimdMatchesScalar(quarterPlane, quarterPlaneScalar, 4);
}

TEST(BoxScale, AveragesEachTwoByTwoBlockRounded) {
  const std::uint8_t src[] = {0, 1, 255, 255,  //
                              1, 1, 255, 254};
  std::uint8_t dst[2] = {};
  halvePlane(src, 4, dst, 2, 2, 1);
  EXPECT_EQ(dst[0], 1);    // (0+1+1+1+2)/4
  EXPECT_EQ(dst[1], 255);  // (255+255+255+254+2)/4, no overflow
}

TEST(BoxScale, AveragesEachFourByFourBlockRounded) {
  // Two blocks side by side: sums 8 (rounds up to 1) and 16 × 255 - 1.
  std::vector<std::uint8_t> src(8 * 4, 0);
  for (int y = 0; y < 4; ++y) {
    for (int x = 4; x < 8; ++x) src[y * 8 + x] = 255;
  }
  for (int i : {0, 1, 8, 9, 16, 17, 24, 25}) src[i] = 1;
  src[4] = 254;
  for (PlaneScaler scale : {quarterPlane, quarterPlaneScalar}) {
    std::uint8_t dst[2] = {};
    scale(src.data(), 8, dst, 2, 2, 1);
    EXPECT_EQ(dst[0], 1);    // (8+8)/16
    EXPECT_EQ(dst[1], 255);  // (4079+8)/16, no overflow
  }
}

TEST(BoxScale, CropsAtMostAThirtySecondToMakeTheRatioExact) {
  BoxCrop crop;
  // The 2×2 grid's tiles of 720p and 1080p programs.
  for (auto [w, h] : {std::pair{1280, 720}, std::pair{1920, 1080}, std::pair{640, 360}}) {
    const Rect tile = layoutTiles(Layout::kGrid, 4, w, h)[0].rect;
    ASSERT_TRUE(boxCrop(w, h, tile.width, tile.height, &crop)) << w;
    EXPECT_EQ(crop.x % 2, 0);
    EXPECT_EQ(crop.y % 2, 0);
    EXPECT_EQ(crop.factor, 2);
    EXPECT_LE(crop.x + 2 * tile.width, w);
    EXPECT_LE(crop.y + 2 * tile.height, h);
    // The picture-in-picture inset: exactly a quarter.
    const Rect inset = layoutTiles(Layout::kPip, 2, w, h)[1].rect;
    ASSERT_TRUE(boxCrop(w, h, inset.width, inset.height, &crop)) << w;
    EXPECT_EQ(crop.factor, 4);
    EXPECT_EQ(crop.x, 0);
    EXPECT_EQ(crop.y, 0);
  }
  ASSERT_TRUE(boxCrop(1280, 720, 632, 354, &crop));
  EXPECT_EQ(crop.x, 8);
  EXPECT_EQ(crop.y, 6);
  EXPECT_TRUE(boxCrop(1280, 720, 640, 360, &crop));
  EXPECT_EQ(crop.x, 0);
  EXPECT_EQ(crop.factor, 2);
  ASSERT_TRUE(boxCrop(1280, 720, 316, 176, &crop));
  EXPECT_EQ(crop.factor, 4);
  EXPECT_EQ(crop.x, 8);
  EXPECT_EQ(crop.y, 8);
  // Neither: full frame, a third, too much lost, odd sides, nothing.
  EXPECT_FALSE(boxCrop(1280, 720, 1280, 720, &crop));
  EXPECT_FALSE(boxCrop(1280, 720, 426, 240, &crop));
  EXPECT_FALSE(boxCrop(1280, 720, 300, 170, &crop));
  EXPECT_FALSE(boxCrop(1280, 720, 600, 340, &crop));
  EXPECT_FALSE(boxCrop(1280, 720, 639, 360, &crop));
  EXPECT_FALSE(boxCrop(1280, 720, 0, 0, &crop));
}

struct Pipeline {
  ElementPtr pipeline;
  GstElement* scaler = nullptr;
  GstElement* sink = nullptr;
};

// videotestsrc (I420 1280×720) -> yst-boxscale -> appsink
// (`frames` frames; the appsink holds one at a time, so a property set
// between two pulls reaches all but the next two frames.)
Pipeline makePipeline(const std::string& format, int frames = 3) {
  gst_init(nullptr, nullptr);
  registerBoxScale();
  GError* error = nullptr;
  const std::string description =
      "videotestsrc pattern=smpte num-buffers=" + std::to_string(frames) +
      " ! video/x-raw,format=" + format +
      ",width=1280,height=720,framerate=30/1 ! yst-boxscale name=scale ! "
      "appsink name=sink sync=false max-buffers=1";
  Pipeline p;
  p.pipeline = holdElement(gst_parse_launch(description.c_str(), &error));
  EXPECT_EQ(error, nullptr) << (error ? error->message : "");
  if (error) g_error_free(error);
  p.scaler = gst_bin_get_by_name(GST_BIN(p.pipeline.get()), "scale");
  p.sink = gst_bin_get_by_name(GST_BIN(p.pipeline.get()), "sink");
  return p;
}

GstSample* firstSample(Pipeline& p) {
  gst_element_set_state(p.pipeline.get(), GST_STATE_PLAYING);
  GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(p.sink), 5 * GST_SECOND);
  return sample;
}

void finish(Pipeline& p) {
  gst_element_set_state(p.pipeline.get(), GST_STATE_NULL);
  gst_object_unref(p.scaler);
  gst_object_unref(p.sink);
}

// The same test picture through the element twice: whole (no slot), then
// into a slot. The scaled frame is the whole one, cut by boxCrop() and
// box-filtered plane by plane, to the byte.
void expectBoxFilteredInto(int target_width, int target_height) {
  SCOPED_TRACE(std::to_string(target_width) + "x" + std::to_string(target_height));
  Pipeline whole = makePipeline("I420");
  SamplePtr reference(firstSample(whole));
  ASSERT_TRUE(reference);
  Pipeline p = makePipeline("I420");
  g_object_set(p.scaler, "target-width", target_width, "target-height", target_height, nullptr);
  SamplePtr sample(firstSample(p));
  ASSERT_TRUE(sample);

  GstVideoInfo info, ref_info;
  ASSERT_TRUE(gst_video_info_from_caps(&info, gst_sample_get_caps(sample.get())));
  ASSERT_TRUE(gst_video_info_from_caps(&ref_info, gst_sample_get_caps(reference.get())));
  EXPECT_EQ(GST_VIDEO_INFO_WIDTH(&info), target_width);
  EXPECT_EQ(GST_VIDEO_INFO_HEIGHT(&info), target_height);
  EXPECT_EQ(GST_VIDEO_INFO_FORMAT(&info), GST_VIDEO_FORMAT_I420);
  // Only the size changes: the mixer must not need to convert colours.
  EXPECT_TRUE(gst_video_colorimetry_is_equal(&info.colorimetry, &ref_info.colorimetry));
  GstBuffer* buffer = gst_sample_get_buffer(sample.get());
  EXPECT_EQ(gst_buffer_get_size(buffer), info.size);
  EXPECT_EQ(GST_BUFFER_PTS(buffer), 0u);

  BoxCrop crop;
  ASSERT_TRUE(boxCrop(1280, 720, target_width, target_height, &crop));
  const PlaneScaler reference_scaler = crop.factor == 4 ? quarterPlaneScalar : halvePlaneScalar;
  GstVideoFrame frame, ref;
  ASSERT_TRUE(gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ));
  ASSERT_TRUE(
      gst_video_frame_map(&ref, &ref_info, gst_sample_get_buffer(reference.get()), GST_MAP_READ));
  for (guint plane = 0; plane < 3; ++plane) {
    const int shift = plane == 0 ? 0 : 1;
    const int w = GST_VIDEO_FRAME_COMP_WIDTH(&frame, plane);
    const int h = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, plane);
    const int ref_stride = GST_VIDEO_FRAME_PLANE_STRIDE(&ref, plane);
    const auto* src = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&ref, plane)) +
                      (crop.y >> shift) * ref_stride + (crop.x >> shift);
    std::vector<std::uint8_t> expected(static_cast<size_t>(w) * h);
    reference_scaler(src, ref_stride, expected.data(), w, w, h);
    const auto* got = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, plane));
    int differing = 0;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        differing += got[y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane) + x] !=
                     expected[static_cast<size_t>(y) * w + x];
      }
    }
    EXPECT_EQ(differing, 0) << "plane " << plane;
  }
  gst_video_frame_unmap(&ref);
  gst_video_frame_unmap(&frame);
  finish(p);
  finish(whole);
}

TEST(BoxScaleElement, HalvesIntoASideBySideSlot) {
  expectBoxFilteredInto(632, 354);
}

TEST(BoxScaleElement, QuartersIntoThePictureInPictureInset) {
  expectBoxFilteredInto(320, 180);
}

TEST(BoxScaleElement, PassesThroughWhatItHasNoTileFor) {
  for (auto [format, w, h] : {std::tuple{"I420", 1280, 720}, std::tuple{"I420", 0, 0},
                              std::tuple{"I420", 427, 240}, std::tuple{"NV12", 632, 354}}) {
    Pipeline p = makePipeline(format);
    g_object_set(p.scaler, "target-width", w, "target-height", h, nullptr);
    SamplePtr sample(firstSample(p));
    ASSERT_TRUE(sample);
    GstVideoInfo info;
    ASSERT_TRUE(gst_video_info_from_caps(&info, gst_sample_get_caps(sample.get())));
    EXPECT_EQ(GST_VIDEO_INFO_WIDTH(&info), 1280) << format << " " << w;
    EXPECT_EQ(GST_VIDEO_INFO_HEIGHT(&info), 720);
    finish(p);
  }
}

// The frame's plane `plane` as rows of bytes (no stride padding).
std::vector<std::uint8_t> planeBytes(GstSample* sample, guint plane, int* width, int* height) {
  GstVideoInfo info;
  EXPECT_TRUE(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)));
  GstVideoFrame frame;
  EXPECT_TRUE(gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ));
  *width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, plane);
  *height = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, plane);
  std::vector<std::uint8_t> out;
  const auto* data = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, plane));
  for (int y = 0; y < *height; ++y) {
    const auto* row = data + y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane);
    out.insert(out.end(), row, row + *width);
  }
  gst_video_frame_unmap(&frame);
  return out;
}

TEST(BoxScaleElement, ARegionOfTheTilesSizeIsCutOutExactly) {
  // Side by side: the middle 8:9 of the camera, one to one.
  Pipeline whole = makePipeline("I420");
  SamplePtr reference(firstSample(whole));
  ASSERT_TRUE(reference);
  Pipeline p = makePipeline("I420");
  g_object_set(p.scaler, "target-width", 638, "target-height", 720, "crop-x", 320, "crop-y", 0,
               "crop-width", 638, "crop-height", 720, nullptr);
  SamplePtr sample(firstSample(p));
  ASSERT_TRUE(sample);
  for (guint plane = 0; plane < 3; ++plane) {
    int w = 0, h = 0, rw = 0, rh = 0;
    const auto got = planeBytes(sample.get(), plane, &w, &h);
    const auto all = planeBytes(reference.get(), plane, &rw, &rh);
    ASSERT_EQ(w, plane == 0 ? 638 : 319);
    ASSERT_EQ(h, plane == 0 ? 720 : 360);
    const int x0 = plane == 0 ? 320 : 160;
    int differing = 0;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x)
        differing += got[size_t(y * w + x)] != all[size_t(y * rw + x0 + x)];
    }
    EXPECT_EQ(differing, 0) << "plane " << plane;
  }
  finish(p);
  finish(whole);
}

TEST(BoxScaleElement, AnyOtherRegionIsScaledIntoTheTileWithoutStretching) {
  // The SMPTE bars' left half (the first three and a half bars) into a
  // 3×2 grid's tile: the region's colours in the region's places.
  Pipeline whole = makePipeline("I420");
  SamplePtr reference(firstSample(whole));
  ASSERT_TRUE(reference);
  Pipeline p = makePipeline("I420");
  g_object_set(p.scaler, "target-width", 424, "target-height", 358, "crop-x", 0, "crop-y", 0,
               "crop-width", 640, "crop-height", 540, nullptr);
  SamplePtr sample(firstSample(p));
  ASSERT_TRUE(sample);
  GstVideoInfo info;
  ASSERT_TRUE(gst_video_info_from_caps(&info, gst_sample_get_caps(sample.get())));
  EXPECT_EQ(GST_VIDEO_INFO_WIDTH(&info), 424);
  EXPECT_EQ(GST_VIDEO_INFO_HEIGHT(&info), 358);
  int w = 0, h = 0, rw = 0, rh = 0;
  const auto got = planeBytes(sample.get(), 0, &w, &h);
  const auto all = planeBytes(reference.get(), 0, &rw, &rh);
  // Each bar's middle, mapped back into the source, has the source's luma.
  const double sx = 640.0 / 424, sy = 540.0 / 358;
  for (int x : {20, 90, 160, 230, 300}) {
    const int source_x = int(x * sx), source_y = int(150 * sy);
    EXPECT_NEAR(got[size_t(150 * w + x)], all[size_t(source_y * rw + source_x)], 3) << x;
  }
  // Nothing of the right half: the fifth bar (magenta) never shows.
  const std::uint8_t magenta = all[size_t(200 * rw + 4 * 1280 / 7 + 90)];
  for (int x = 0; x < w; x += 8) EXPECT_NE(got[size_t(150 * w + x)], magenta) << x;
  finish(p);
  finish(whole);
}

TEST(BoxScaleElement, ANewRegionOfTheSameSizeTakesEffectWithoutNewCaps) {
  Pipeline p = makePipeline("I420", 6);
  g_object_set(p.scaler, "target-width", 640, "target-height", 360, nullptr);
  SamplePtr first(firstSample(p));
  ASSERT_TRUE(first);
  g_object_set(p.scaler, "crop-x", 640, "crop-y", 0, "crop-width", 640, "crop-height", 720,
               nullptr);
  SamplePtr third;
  for (int i = 0; i < 5; ++i) {
    SamplePtr next(gst_app_sink_try_pull_sample(GST_APP_SINK(p.sink), 5 * GST_SECOND));
    if (next) third = std::move(next);
  }
  ASSERT_TRUE(third);
  GstVideoInfo info;
  ASSERT_TRUE(gst_video_info_from_caps(&info, gst_sample_get_caps(third.get())));
  EXPECT_EQ(GST_VIDEO_INFO_WIDTH(&info), 640);
  EXPECT_EQ(GST_VIDEO_INFO_HEIGHT(&info), 360);
  int w = 0, h = 0;
  const auto a = planeBytes(first.get(), 0, &w, &h);
  const auto c = planeBytes(third.get(), 0, &w, &h);
  EXPECT_NE(a, c) << "the right half of the bars, not the whole picture";
  finish(p);
}

}  // namespace
}  // namespace yst::streaming
