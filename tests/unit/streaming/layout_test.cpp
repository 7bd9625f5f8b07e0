#include "streaming/layout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yst::streaming {
namespace {

const Layout kAll[] = {Layout::kSingle, Layout::kSideBySide, Layout::kPip,
                       Layout::kGrid,   Layout::kHostPlus,   Layout::kRow3};

bool overlap(const Rect& a, const Rect& b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

TEST(Layout, NamesRoundTrip) {
  for (Layout l : kAll) {
    auto parsed = parseLayout(layoutName(l));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, l);
  }
  EXPECT_FALSE(parseLayout("grid9").has_value());
  EXPECT_FALSE(parseLayout("").has_value());
  EXPECT_FALSE(parseLayout("Single").has_value());
}

TEST(Layout, SingleFillsTheFrame) {
  const std::vector<Tile> t = layoutTiles(Layout::kSingle, 1, 1280, 720);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].rect, (Rect{0, 0, 1280, 720}));
}

TEST(Layout, EveryPanelFillsTheFrameWithoutOverlapOnEvenPixels) {
  for (auto [w, h] : {std::pair{1280, 720}, std::pair{1920, 1080}, std::pair{640, 360}}) {
    for (Layout l : kAll) {
      const TileRange range = tileRange(l);
      for (int n = range.min; n <= range.max; ++n) {
        SCOPED_TRACE(std::string(layoutName(l)) + " " + std::to_string(n) + " at " +
                     std::to_string(h) + "p");
        const std::vector<Tile> tiles = layoutTiles(l, n, w, h);
        ASSERT_EQ(tiles.size(), static_cast<size_t>(n));
        long area = 0;
        for (size_t i = 0; i < tiles.size(); ++i) {
          const Rect& r = tiles[i].rect;
          EXPECT_GE(r.x, 0);
          EXPECT_GE(r.y, 0);
          EXPECT_LE(r.x + r.width, w);
          EXPECT_LE(r.y + r.height, h);
          for (int v : {r.x, r.y, r.width, r.height}) EXPECT_EQ(v % 2, 0);
          if (l != Layout::kPip) {
            for (size_t j = 0; j < i; ++j) EXPECT_FALSE(overlap(r, tiles[j].rect)) << i << j;
          }
          area += long(r.width) * r.height;
        }
        if (l == Layout::kPip) continue;
        // Filled: only the gutters (and a short last row's sides) are left.
        const double filled = double(area) / (long(w) * h);
        if (l == Layout::kGrid && (n == 3 || n == 5)) {
          EXPECT_GT(filled, n == 3 ? 0.70 : 0.78);
        } else {
          EXPECT_GT(filled, 0.975);
        }
      }
    }
  }
}

TEST(Layout, SideBySideCutsEachCameraToItsHalf) {
  const std::vector<Tile> t = layoutTiles(Layout::kSideBySide, 2, 1280, 720);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].rect.height, 720) << "full height, not letterboxed";
  EXPECT_EQ(t[0].rect.x, 0);
  EXPECT_EQ(t[1].rect.x + t[1].rect.width, 1280);
  EXPECT_EQ(t[0].rect.width, t[1].rect.width);
  EXPECT_LT(t[0].rect.x + t[0].rect.width, t[1].rect.x) << "a gutter between the two";
  EXPECT_NEAR(double(t[0].rect.width) / t[0].rect.height, 8.0 / 9.0, 0.01);
}

TEST(Layout, PanelsPutTheirTilesWhereAPanelShowWould) {
  // 2×2 for four, 3×2 for six; a short bottom row is centred.
  std::vector<Tile> g = layoutTiles(Layout::kGrid, 4, 1280, 720);
  EXPECT_EQ(g[0].rect.y, g[1].rect.y);
  EXPECT_LT(g[0].rect.x, g[1].rect.x);
  EXPECT_GT(g[2].rect.y, g[0].rect.y);
  EXPECT_NEAR(double(g[0].rect.width) / g[0].rect.height, 16.0 / 9.0, 0.02);
  g = layoutTiles(Layout::kGrid, 5, 1280, 720);
  EXPECT_EQ(g[0].rect.y, g[2].rect.y) << "three on top";
  const int middle = g[3].rect.x + (g[4].rect.x + g[4].rect.width - g[3].rect.x) / 2;
  EXPECT_NEAR(middle, 640, 2) << "two centred below";
  g = layoutTiles(Layout::kGrid, 3, 1920, 1080);
  EXPECT_NEAR(g[2].rect.x + g[2].rect.width / 2, 960, 2);
  // The host large on the left, the guests in a column on the right.
  for (int n = 3; n <= 5; ++n) {
    const std::vector<Tile> h = layoutTiles(Layout::kHostPlus, n, 1280, 720);
    EXPECT_EQ(h[0].rect, (Rect{0, 0, h[0].rect.width, 720}));
    EXPECT_GE(h[0].rect.width, 1280 * 2 / 3 - 8);
    for (int i = 1; i < n; ++i) {
      EXPECT_EQ(h[size_t(i)].rect.x + h[size_t(i)].rect.width, 1280);
      EXPECT_LT(h[size_t(i)].rect.width, h[0].rect.width);
    }
    EXPECT_EQ(h[size_t(n - 1)].rect.y + h[size_t(n - 1)].rect.height, 720);
  }
  const std::vector<Tile> r = layoutTiles(Layout::kRow3, 3, 1280, 720);
  EXPECT_EQ(r[0].rect.height, 720);
  EXPECT_EQ(r[2].rect.x + r[2].rect.width, 1280);
  EXPECT_EQ(r[1].rect.x - (r[0].rect.x + r[0].rect.width),
            r[2].rect.x - (r[1].rect.x + r[1].rect.width))
      << "even gutters";
}

TEST(Layout, PipInsetSitsInsideTheSafeAreaOnTop) {
  const std::vector<Tile> t = layoutTiles(Layout::kPip, 2, 1920, 1080);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].rect, (Rect{0, 0, 1920, 1080}));
  EXPECT_GT(t[1].z, t[0].z);
  EXPECT_EQ(t[1].rect.width, 480);
  EXPECT_EQ(t[1].rect.height, 270);
  EXPECT_LE(t[1].rect.x + t[1].rect.width, 1920 - 1920 / 20);
  EXPECT_LE(t[1].rect.y + t[1].rect.height, 1080 - 1080 / 20);
}

TEST(Layout, TooFewOrTooManySources) {
  EXPECT_TRUE(layoutTiles(Layout::kGrid, 2, 1280, 720).empty());
  EXPECT_TRUE(layoutTiles(Layout::kGrid, 7, 1280, 720).empty());
  EXPECT_TRUE(layoutTiles(Layout::kInvalid, 1, 1280, 720).empty());
  EXPECT_EQ(tilesShown(Layout::kGrid, 9), 6);
  EXPECT_EQ(tilesShown(Layout::kGrid, 2), 0);
  EXPECT_EQ(tilesShown(Layout::kSingle, 4), 1);
  EXPECT_EQ(tilesShown(Layout::kHostPlus, 9), 5);
}

TEST(Scene, ShowsTheFirstTilesAndPlacesSourcesWithoutRepeats) {
  Scene s{Layout::kRow3, {"a", "b", "c", "d"}};
  EXPECT_EQ(s.shown(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.tileOf("c"), 2);
  EXPECT_EQ(s.tileOf("d"), -1) << "listed but not shown";
  EXPECT_EQ(s.tile(9), "");
  placeInTile(&s.tiles, 0, "d");
  EXPECT_EQ(s.tiles, (std::vector<std::string>{"d", "b", "c", "a"}));
  placeInTile(&s.tiles, 1, "x");  // not listed: what was there is kept at the end
  EXPECT_EQ(s.tiles, (std::vector<std::string>{"d", "x", "c", "a", "b"}));
  placeInTile(&s.tiles, 7, "c");
  EXPECT_EQ(s.tiles, (std::vector<std::string>{"d", "x", "a", "b", "c"}));
}

TEST(Framing, TheDefaultShowsTheTilesShapeAsLargeAsItFitsInTheMiddle) {
  EXPECT_EQ(framedRegion({}, 1280, 720, 1280, 720), (Rect{0, 0, 1280, 720}));
  EXPECT_EQ(framedRegion({}, 1280, 720, 320, 180), (Rect{0, 0, 1280, 720}));
  // Side by side: the middle 8:9 of the camera, one to one.
  EXPECT_EQ(framedRegion({}, 1280, 720, 638, 720), (Rect{320, 0, 638, 720}));
  // A wide tile: the full width, cut top and bottom.
  const Rect wide = framedRegion({}, 1280, 720, 426, 176);
  EXPECT_EQ(wide.width, 1280);
  EXPECT_NEAR(double(wide.width) / wide.height, 426.0 / 176, 0.02);
  EXPECT_NEAR(wide.y * 2 + wide.height, 720, 2);
}

TEST(Framing, AZoomAroundACentreStaysInsideThePicture) {
  Framing f;
  f.zoom = 2.0;
  f.center_x = 0.5;
  f.center_y = 0.4;
  Rect r = framedRegion(f, 1280, 720, 1280, 720);
  EXPECT_EQ(r.width, 640);
  EXPECT_EQ(r.height, 360);
  EXPECT_EQ(r.x, 320);
  EXPECT_EQ(r.y, 108);  // 288 - 180
  f.center_x = 0.0;     // pushed against the edge, never past it
  f.center_y = 1.0;
  r = framedRegion(f, 1280, 720, 1280, 720);
  EXPECT_EQ(r.x, 0);
  EXPECT_EQ(r.y + r.height, 720);
  // In an 8:9 tile: 8:9 of the zoomed area.
  f = Framing{};
  f.zoom = 1.5;
  r = framedRegion(f, 1280, 720, 640, 720);
  EXPECT_EQ(r.height, 480);
  EXPECT_NEAR(double(r.width) / r.height, 8.0 / 9.0, 0.01);
}

TEST(Framing, ACropIsKeptAndCutToTheTilesShapeAroundItsMiddle) {
  Framing f;
  f.has_crop = true;
  f.crop_x = 0.5;
  f.crop_y = 0.0;
  f.crop_width = 0.5;
  f.crop_height = 1.0;  // the right half: 640×720
  Rect r = framedRegion(f, 1280, 720, 640, 720);
  EXPECT_EQ(r, (Rect{640, 0, 640, 720}));
  r = framedRegion(f, 1280, 720, 1280, 720);  // 16:9 from a tall area: its full width
  EXPECT_EQ(r.width, 640);
  EXPECT_EQ(r.height, 360);
  EXPECT_EQ(r.x, 640);
  EXPECT_EQ(r.y, 180);
}

TEST(Framing, ValuesOutOfRangeAreNamed) {
  Framing f;
  EXPECT_EQ(framingError(f), "");
  f.zoom = 0.9;
  EXPECT_EQ(framingError(f), "zoom is 1…4");
  f = Framing{};
  f.center_x = -0.1;
  EXPECT_NE(framingError(f), "");
  f = Framing{};
  f.has_crop = true;
  f.crop_x = 0.6;
  f.crop_width = 0.5;
  EXPECT_NE(framingError(f), "");
  f.crop_x = 0.5;
  EXPECT_EQ(framingError(f), "");
}

}  // namespace
}  // namespace yst::streaming
