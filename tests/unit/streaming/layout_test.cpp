#include "streaming/layout.h"

#include <gtest/gtest.h>

namespace yst::streaming {
namespace {

TEST(Layout, NamesRoundTrip) {
  for (Layout l : {Layout::kSingle, Layout::kSideBySide, Layout::kPip}) {
    auto parsed = parseLayout(layoutName(l));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, l);
  }
  EXPECT_FALSE(parseLayout("grid").has_value());
  EXPECT_FALSE(parseLayout("").has_value());
  EXPECT_FALSE(parseLayout("Single").has_value());
}

TEST(Layout, SingleFillsTheFrame) {
  const LayoutGeometry g = layoutGeometry(Layout::kSingle, 1280, 720);
  EXPECT_EQ(g.primary, (Rect{0, 0, 1280, 720}));
  EXPECT_FALSE(g.secondary.has_value());
}

TEST(Layout, SideBySideHalvesKeepAspectAndDoNotOverlap) {
  for (auto [w, h] : {std::pair{1280, 720}, std::pair{1920, 1080}, std::pair{640, 360}}) {
    const LayoutGeometry g = layoutGeometry(Layout::kSideBySide, w, h);
    ASSERT_TRUE(g.secondary.has_value());
    EXPECT_EQ(g.primary.x, 0);
    EXPECT_EQ(g.secondary->x + g.secondary->width, w);
    EXPECT_LT(g.primary.x + g.primary.width, g.secondary->x) << "a gutter between the two";
    EXPECT_EQ(g.primary.width, g.secondary->width);
    EXPECT_NEAR(double(g.primary.width) / g.primary.height, double(w) / h, 0.02);
    EXPECT_EQ(g.primary.y, g.secondary->y);
    EXPECT_NEAR(g.primary.y * 2 + g.primary.height, h, 2) << "centred vertically";
    for (const Rect& r : {g.primary, *g.secondary}) {
      EXPECT_EQ(r.x % 2, 0);
      EXPECT_EQ(r.y % 2, 0);
      EXPECT_EQ(r.width % 2, 0);
      EXPECT_EQ(r.height % 2, 0);
    }
  }
}

TEST(Layout, PipInsetSitsInsideTheSafeAreaOnTop) {
  const LayoutGeometry g = layoutGeometry(Layout::kPip, 1920, 1080);
  EXPECT_EQ(g.primary, (Rect{0, 0, 1920, 1080}));
  ASSERT_TRUE(g.secondary.has_value());
  EXPECT_TRUE(g.secondary_on_top);
  EXPECT_EQ(g.secondary->width, 480);
  EXPECT_EQ(g.secondary->height, 270);
  EXPECT_LE(g.secondary->x + g.secondary->width, 1920 - 1920 / 20);
  EXPECT_LE(g.secondary->y + g.secondary->height, 1080 - 1080 / 20);
}

TEST(Layout, ScalesWithResolution) {
  const LayoutGeometry a = layoutGeometry(Layout::kPip, 1280, 720);
  const LayoutGeometry b = layoutGeometry(Layout::kPip, 1920, 1080);
  EXPECT_NEAR(a.secondary->x / 1280.0, b.secondary->x / 1920.0, 0.005);
  EXPECT_NEAR(a.secondary->width / 1280.0, b.secondary->width / 1920.0, 0.005);
}

}  // namespace
}  // namespace yst::streaming
