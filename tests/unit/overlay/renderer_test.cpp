// Golden images of every graphic, in both shipped themes, at 720p and 1080p.
//
// Tolerance: a pixel matches when no channel differs by more than 24 (of
// 255); an image matches when its size is the golden's, 99.5 % of its
// pixels match, the mean channel difference is under 1.5, and no 16x16 tile
// holds more than 32 pixels that do not match. That absorbs anti-aliasing
// noise between FreeType builds (a few pixels along each glyph's edge), not
// a moved or recoloured element, and not a missing line of text: a line is
// a small share of a frame (a slate's subtitle is 0.2 % of its pixels) but
// fills the tiles it crosses. YST_UPDATE_GOLDEN=1 rewrites the goldens
// (look at them first: tests/artifacts/overlay/ holds every render and a
// composite per theme); under CI=true it is refused, so that no CI run
// passes by rewriting what it compares with.
#include "overlay/renderer.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "overlay/theme.h"
#include "streaming/layout.h"

namespace yst::overlay {
namespace {

const std::filesystem::path kSource = YST_SOURCE_DIR;
const std::filesystem::path kGolden = kSource / "tests" / "golden" / "overlay";
const std::filesystem::path kArtifacts = kSource / "tests" / "artifacts" / "overlay";

constexpr int kChannelTolerance = 24;
constexpr double kMinMatching = 0.995;
constexpr double kMaxMeanDiff = 1.5;
constexpr int kTile = 16;
constexpr int kMaxWrongPerTile = 32;  // of 256

struct Comparison {
  bool same_size = false;
  double matching = 0;  // fraction of pixels within tolerance
  double mean_diff = 0;
  int worst_tile_wrong = 0;  // pixels out of tolerance in the worst tile
  int worst_tile_x = 0, worst_tile_y = 0;

  bool matches() const {
    return same_size && matching >= kMinMatching && mean_diff < kMaxMeanDiff &&
           worst_tile_wrong <= kMaxWrongPerTile;
  }
};

Comparison compare(const Image& a, const Image& b) {
  Comparison c;
  c.same_size = a.width() == b.width() && a.height() == b.height();
  if (!c.same_size) return c;
  const int tiles_x = (a.width() + kTile - 1) / kTile;
  std::vector<int> wrong_in_tile(static_cast<std::size_t>(tiles_x) *
                                 ((a.height() + kTile - 1) / kTile));
  std::size_t ok = 0;
  double sum = 0;
  for (int y = 0; y < a.height(); ++y) {
    for (int x = 0; x < a.width(); ++x) {
      const std::uint32_t p = a.pixel(x, y);
      const std::uint32_t q = b.pixel(x, y);
      int worst = 0;
      for (int shift = 0; shift < 32; shift += 8) {
        const int d =
            std::abs(static_cast<int>((p >> shift) & 0xff) - static_cast<int>((q >> shift) & 0xff));
        worst = std::max(worst, d);
        sum += d;
      }
      if (worst <= kChannelTolerance) {
        ++ok;
      } else {
        ++wrong_in_tile[static_cast<std::size_t>(y / kTile) * tiles_x + x / kTile];
      }
    }
  }
  const double pixels = static_cast<double>(a.width()) * a.height();
  c.matching = ok / pixels;
  c.mean_diff = sum / (pixels * 4);
  for (std::size_t i = 0; i < wrong_in_tile.size(); ++i) {
    if (wrong_in_tile[i] > c.worst_tile_wrong) {
      c.worst_tile_wrong = wrong_in_tile[i];
      c.worst_tile_x = static_cast<int>(i % tiles_x) * kTile;
      c.worst_tile_y = static_cast<int>(i / tiles_x) * kTile;
    }
  }
  return c;
}

// YST_UPDATE_GOLDEN=1 outside CI: the goldens are rewritten.
bool updatingGoldens() {
  if (!std::getenv("YST_UPDATE_GOLDEN")) return false;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    ADD_FAILURE() << "YST_UPDATE_GOLDEN is set under CI=true: goldens are never rewritten by "
                     "CI; they are compared";
    return false;
  }
  return true;
}

void expectGolden(const Image& image, const std::string& name) {
  ASSERT_FALSE(image.empty()) << name;
  std::filesystem::create_directories((kArtifacts / name).parent_path());
  image.savePng((kArtifacts / (name + ".png")).string());
  const std::filesystem::path golden = kGolden / (name + ".png");
  if (updatingGoldens()) {
    std::filesystem::create_directories(golden.parent_path());
    ASSERT_TRUE(image.savePng(golden.string()));
    return;
  }
  std::string error;
  const Image expected = Image::fromPng(golden.string(), &error);
  ASSERT_FALSE(expected.empty()) << error << " (YST_UPDATE_GOLDEN=1 creates it)";
  const Comparison c = compare(image, expected);
  EXPECT_TRUE(c.same_size) << name << ": " << image.width() << "x" << image.height() << ", golden "
                           << expected.width() << "x" << expected.height();
  if (c.same_size) {
    EXPECT_GE(c.matching, kMinMatching) << name << ": " << c.matching * 100 << " % of pixels match";
    EXPECT_LT(c.mean_diff, kMaxMeanDiff) << name;
    EXPECT_LE(c.worst_tile_wrong, kMaxWrongPerTile)
        << name << ": " << c.worst_tile_wrong << " of " << kTile * kTile
        << " pixels differ in the tile at (" << c.worst_tile_x << ", " << c.worst_tile_y
        << "): a piece of the picture (a line of text?) is not the golden's; compare "
        << (kArtifacts / (name + ".png")).string() << " with " << golden.string();
  }
}

Theme theme(const std::string& id) {
  return loadTheme((kSource / "assets" / "themes").string(), id);
}

// Every element of one theme at one size, as the program would carry them.
struct Set {
  Placed lower_third, card, observer_card, long_card, bug, clock, qr, ticker;
  Image strip, starting, hold, lost;
};

Set renderAll(const Renderer& r) {
  Set s;
  s.lower_third = r.lowerThird({"张三", "温州市医疗保障局局长"});
  s.card = r.questionCard({12, "请问局长：异地就医备案以后，医保卡在外地住院能直接结算吗？",
                           "瓯海小李", "question", ""});
  s.observer_card = r.questionCard(
      {3, "建议在社区卫生服务中心增设医保窗口，老人办事不用跑远路。", "", "suggestion", "陈晓敏"});
  std::string long_text;
  for (int i = 0; i < 6; ++i) {
    long_text += "我父亲在上海做手术，已经等了三个月还没有拿到报销的钱，打了好几次电话都说在审核，";
  }
  s.long_card = r.questionCard({27, long_text + "到底要等多久？", "着急的儿子", "complaint", ""});
  s.bug = r.bug("温网议事厅 · 对话市医保局");
  s.clock = r.clock("20:15:08");
  s.qr = r.qr("https://wzrb.example.cn/q", "扫码提问");
  s.ticker = r.tickerBar();
  s.strip = r.tickerStrip("扫码提问 · 12345 政务服务热线 · 温网议事厅每周五晚 8 点直播");
  s.starting = r.slate({SlateKind::kStarting, "温网议事厅 · 对话市医保局", "04:59"});
  s.hold = r.slate({SlateKind::kHold, "温网议事厅 · 对话市医保局", ""});
  s.lost = r.slate({SlateKind::kSignalLost, "", "嘉宾机位"});
  return s;
}

// A composite over a mid-grey frame (for people looking at the artifacts).
Image composite(const Renderer& r, const Set& s) {
  Image frame(r.frameWidth(), r.frameHeight());
  cairo_t* cr = cairo_create(frame.surface());
  cairo_set_source_rgb(cr, 0.35, 0.42, 0.38);
  cairo_paint(cr);
  auto place = [&](const Placed& p) {
    cairo_set_source_surface(cr, p.image.surface(), p.x, p.y);
    cairo_paint(cr);
  };
  for (const Placed* p : {&s.bug, &s.clock, &s.qr, &s.lower_third, &s.card, &s.ticker}) place(*p);
  const Renderer::Window w = r.tickerWindow();
  cairo_rectangle(cr, w.x, w.y, w.width, w.height);
  cairo_clip(cr);
  cairo_set_source_surface(cr, s.strip.surface(), w.x, w.y);
  cairo_paint(cr);
  cairo_destroy(cr);
  return frame;
}

class Goldens : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(Goldens, EveryElementMatchesItsGolden) {
  const auto& [theme_id, height] = GetParam();
  const Renderer r(theme(theme_id), height * 16 / 9, height);
  const Set s = renderAll(r);
  const std::string p = theme_id + "/" + std::to_string(height) + "p_";
  std::filesystem::create_directories(kArtifacts);
  composite(r, s).savePng(
      (kArtifacts / (theme_id + "_" + std::to_string(height) + "p.png")).string());
  expectGolden(s.lower_third.image, p + "lower_third");
  expectGolden(s.card.image, p + "card");
  expectGolden(s.observer_card.image, p + "card_observer");
  expectGolden(s.long_card.image, p + "card_long");
  expectGolden(s.bug.image, p + "bug");
  expectGolden(s.clock.image, p + "clock");
  expectGolden(s.qr.image, p + "qr");
  expectGolden(s.ticker.image, p + "ticker");
  expectGolden(s.strip, p + "ticker_text");
  expectGolden(s.starting, p + "slate_starting");
  expectGolden(s.hold, p + "slate_hold");
  expectGolden(s.lost, p + "slate_signal_lost");
}

INSTANTIATE_TEST_SUITE_P(Themes, Goldens,
                         ::testing::Combine(::testing::Values("default", "cinnabar"),
                                            ::testing::Values(720, 1080)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" +
                                  std::to_string(std::get<1>(info.param)) + "p";
                         });

// Each layout as the program shows it: its tiles (a flat colour for each
// camera, with a disc at the tile's centre, so a moved or resized tile shows)
// and the people's names on them: a name bar in each tile of a panel layout,
// the lower-third in the others (two, the second mirrored, side by side), as
// the show's graphics place them.
class LayoutGoldens : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(LayoutGoldens, EveryLayoutMatchesItsGolden) {
  const auto& [theme_id, height] = GetParam();
  const Renderer r(theme(theme_id), height * 16 / 9, height);
  const Person people[] = {{"王芳", "主持人"},
                           {"张三", "温州市医疗保障局局长"},
                           {"李建国", "温州市交通运输局副局长"},
                           {"陈晓敏", "市民网络观察员"},
                           {"周海燕", "鹿城区副区长"},
                           {"林小红", "温州市卫生健康委员会主任"}};
  const double colours[][3] = {{0.55, 0.35, 0.30}, {0.25, 0.45, 0.60}, {0.35, 0.55, 0.35},
                               {0.60, 0.55, 0.30}, {0.50, 0.35, 0.55}, {0.30, 0.50, 0.55}};
  using streaming::Layout;
  for (Layout layout : {Layout::kSingle, Layout::kSideBySide, Layout::kPip, Layout::kGrid,
                        Layout::kHostPlus, Layout::kRow3}) {
    const int count = layout == Layout::kGrid ? 6 : streaming::tileRange(layout).max;
    std::vector<streaming::Tile> tiles =
        streaming::layoutTiles(layout, count, r.frameWidth(), r.frameHeight());
    ASSERT_EQ(tiles.size(), static_cast<size_t>(count));
    Image frame(r.frameWidth(), r.frameHeight());
    cairo_t* cr = cairo_create(frame.surface());
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_paint(cr);
    for (size_t i = 0; i < tiles.size(); ++i) {  // in order: the pip inset comes last, on top
      const streaming::Rect& t = tiles[i].rect;
      cairo_set_source_rgb(cr, colours[i][0], colours[i][1], colours[i][2]);
      cairo_rectangle(cr, t.x, t.y, t.width, t.height);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
      cairo_arc(cr, t.x + t.width / 2.0, t.y + t.height / 2.0, t.height / 8.0, 0, 2 * M_PI);
      cairo_fill(cr);
    }
    auto place = [&](const Placed& p) {
      cairo_set_source_surface(cr, p.image.surface(), p.x, p.y);
      cairo_paint(cr);
    };
    if (layout == Layout::kGrid || layout == Layout::kHostPlus || layout == Layout::kRow3) {
      for (size_t i = 0; i < tiles.size(); ++i) {
        const streaming::Rect& t = tiles[i].rect;
        place(r.nameBar(people[i], t.x, t.y, t.width, t.height));
      }
    } else {
      place(r.lowerThird(people[0]));
      if (layout == Layout::kSideBySide) {
        Placed right = r.lowerThird(people[1]);
        right.x = (r.frameWidth() - right.x - right.image.width()) & ~1;
        place(right);
      }
    }
    cairo_destroy(cr);
    const std::string name = std::string(streaming::layoutName(layout));
    std::filesystem::create_directories(kArtifacts);
    frame.savePng(
        (kArtifacts / (theme_id + "_" + std::to_string(height) + "p_layout_" + name + ".png"))
            .string());
    expectGolden(frame, theme_id + "/" + std::to_string(height) + "p_layout_" + name);
  }
}

INSTANTIATE_TEST_SUITE_P(Themes, LayoutGoldens,
                         ::testing::Combine(::testing::Values("default", "cinnabar"),
                                            ::testing::Values(720, 1080)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" +
                                  std::to_string(std::get<1>(info.param)) + "p";
                         });

TEST(Renderer, ANameBarStaysInsideItsTileAndCutsALongTitle) {
  const Renderer r(theme("default"), 1280, 720);
  const Placed bar =
      r.nameBar({"张三", "温州市医疗保障局局长兼党组书记兼市委副秘书长"}, 856, 0, 424, 358);
  EXPECT_GE(bar.x, 856);
  EXPECT_LE(bar.x + bar.image.width(), 856 + 424);
  EXPECT_LE(bar.y + bar.image.height(), 358 + 4);
  EXPECT_GT(bar.y, 358 / 2) << "in the tile's lower part";
  const Placed lower_third = r.lowerThird({"张三", "温州市医疗保障局局长"});
  EXPECT_LT(bar.image.height(), lower_third.image.height()) << "smaller than a lower-third";
}

// The comparison is worth something only if it fails when a piece of text
// is missing: one line blanked on a slate leaves 99.8 % of its pixels right,
// which the whole-image figures let through, but not the tiles.
Image withoutThinnestTextLine(const Image& image, int* band_top, int* band_height) {
  // Rows with ink: pixels unlike the row's own left edge (the background).
  auto ink = [&](int y) {
    int n = 0;
    const std::uint32_t background = image.pixel(2, y);
    for (int x = 0; x < image.width(); ++x) {
      const std::uint32_t p = image.pixel(x, y);
      for (int shift = 0; shift < 24; shift += 8) {
        if (std::abs(static_cast<int>((p >> shift) & 0xff) -
                     static_cast<int>((background >> shift) & 0xff)) > kChannelTolerance) {
          ++n;
          break;
        }
      }
    }
    return n;
  };
  // Bands of rows with ink; the text line is the band with the least ink
  // that is at least 8 rows high and not a rule across the frame.
  int best_top = -1, best_height = 0, best_ink = 0;
  for (int y = 0; y < image.height();) {
    if (ink(y) == 0) {
      ++y;
      continue;
    }
    int top = y, total = 0, widest = 0;
    for (; y < image.height() && ink(y) > 0; ++y) {
      total += ink(y);
      widest = std::max(widest, ink(y));
    }
    const int height = y - top;
    if (height >= 8 && widest < image.width() / 2 && (best_top < 0 || total < best_ink)) {
      best_top = top;
      best_height = height;
      best_ink = total;
    }
  }
  *band_top = best_top;
  *band_height = best_height;
  Image out(image.width(), image.height());
  cairo_t* cr = cairo_create(out.surface());
  cairo_set_source_surface(cr, image.surface(), 0, 0);
  cairo_paint(cr);
  if (best_top >= 0) {
    const std::uint32_t b = image.pixel(2, best_top);
    cairo_set_source_rgba(cr, ((b >> 16) & 0xff) / 255.0, ((b >> 8) & 0xff) / 255.0,
                          (b & 0xff) / 255.0, ((b >> 24) & 0xff) / 255.0);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_rectangle(cr, 0, best_top, image.width(), best_height);
    cairo_fill(cr);
  }
  cairo_destroy(cr);
  cairo_surface_flush(out.surface());
  return out;
}

TEST(GoldenCompare, AMissingLineOfTextFailsThoughAlmostEveryPixelMatches) {
  const Renderer r(theme("default"), 1280, 720);
  const Image slate = r.slate({SlateKind::kStarting, "温网议事厅 · 对话市医保局", "04:59"});
  std::string error;
  const Image golden =
      Image::fromPng((kGolden / "default" / "720p_slate_starting.png").string(), &error);
  ASSERT_FALSE(golden.empty()) << error;
  ASSERT_TRUE(compare(slate, golden).matches()) << "the render must match its golden first";

  int top = 0, height = 0;
  const Image blanked = withoutThinnestTextLine(slate, &top, &height);
  ASSERT_GE(top, 0) << "no line of text found on the slate";
  std::filesystem::create_directories(kArtifacts);
  blanked.savePng((kArtifacts / "slate_without_a_line.png").string());
  const Comparison c = compare(blanked, golden);
  std::printf(
      "slate with rows %d-%d blanked: %.2f %% of pixels match, mean difference %.2f, "
      "%d of %d pixels wrong in the worst tile\n",
      top, top + height - 1, c.matching * 100, c.mean_diff, c.worst_tile_wrong, kTile * kTile);
  // The whole-image figures alone would call it a match ...
  EXPECT_GE(c.matching, kMinMatching) << "rows " << top << "+" << height;
  EXPECT_LT(c.mean_diff, kMaxMeanDiff) << "rows " << top << "+" << height;
  // ... the tiles do not.
  EXPECT_GT(c.worst_tile_wrong, kMaxWrongPerTile)
      << "rows " << top << "+" << height << " blanked, worst tile at (" << c.worst_tile_x << ", "
      << c.worst_tile_y << ")";
  EXPECT_FALSE(c.matches());
}

TEST(GoldenCompare, RewritingGoldensUnderCiFails) {
  const Renderer r(theme("default"), 1280, 720);
  const Image hold = r.slate({SlateKind::kHold, "温网议事厅 · 对话市医保局", ""});
  const char* ci = std::getenv("CI");
  const std::string saved_ci = ci ? ci : "";
  const bool had_update = std::getenv("YST_UPDATE_GOLDEN") != nullptr;
  ::setenv("CI", "true", 1);
  ::setenv("YST_UPDATE_GOLDEN", "1", 1);
  EXPECT_NONFATAL_FAILURE(expectGolden(hold, "default/720p_slate_hold"), "CI=true");
  if (ci) {
    ::setenv("CI", saved_ci.c_str(), 1);
  } else {
    ::unsetenv("CI");
  }
  if (!had_update) ::unsetenv("YST_UPDATE_GOLDEN");
}

// 720p and 1080p look the same: every element is 1.5 times the size and sits
// 1.5 times as far from the corner.
TEST(Renderer, GraphicsScaleWithTheProgram) {
  for (const std::string id : {"default", "cinnabar"}) {
    const Renderer small(theme(id), 1280, 720);
    const Renderer large(theme(id), 1920, 1080);
    const Set a = renderAll(small);
    const Set b = renderAll(large);
    const std::pair<const Placed*, const Placed*> pairs[] = {{&a.lower_third, &b.lower_third},
                                                             {&a.card, &b.card},
                                                             {&a.bug, &b.bug},
                                                             {&a.clock, &b.clock},
                                                             {&a.ticker, &b.ticker}};
    for (const auto& [p720, p1080] : pairs) {
      EXPECT_NEAR(p1080->image.width() / double(p720->image.width()), 1.5, 0.08) << id;
      EXPECT_NEAR(p1080->image.height() / double(p720->image.height()), 1.5, 0.08) << id;
      EXPECT_NEAR(p1080->x, p720->x * 1.5, 12) << id;  // 0.6 % of the width
      EXPECT_NEAR(p1080->y, p720->y * 1.5, 6) << id;
    }
    // The QR code is drawn in whole pixels per module (crisp through the
    // encoder), so it scales to within one module.
    EXPECT_NEAR(b.qr.image.width() / double(a.qr.image.width()), 1.5, 0.2) << id;
    EXPECT_NEAR(b.qr.y, a.qr.y * 1.5, 6) << id;
  }
}

TEST(Renderer, TheTwoThemesLookClearlyDifferent) {
  const Renderer a(theme("default"), 1280, 720);
  const Renderer b(theme("cinnabar"), 1280, 720);
  const Placed ca = a.questionCard({1, "同一个问题", "", "question", ""});
  const Placed cb = b.questionCard({1, "同一个问题", "", "question", ""});
  // The panel's colour, sampled inside the card.
  const std::uint32_t pa = ca.image.pixel(ca.image.width() / 2, ca.image.height() - 8);
  const std::uint32_t pb = cb.image.pixel(cb.image.width() / 2, cb.image.height() - 8);
  int distance = 0;
  for (int shift = 0; shift < 24; shift += 8) {
    distance +=
        std::abs(static_cast<int>((pa >> shift) & 0xff) - static_cast<int>((pb >> shift) & 0xff));
  }
  EXPECT_GT(distance, 300);
}

TEST(Renderer, QrCodeRefusesWhatItCannotEncode) {
  const Renderer r(builtinTheme(), 1280, 720);
  std::string error;
  const Placed placed = r.qr(std::string(8000, 'a'), "扫码提问", &error);
  EXPECT_TRUE(placed.image.empty());
  EXPECT_FALSE(error.empty());
}

TEST(Theme, RefusesUnknownKeysAndBadValuesWithTheLine) {
  try {
    parseTheme("name = \"x\"\n[colors]\npanel = \"blue\"\n", "x", "/tmp", "x/theme.toml");
    FAIL() << "accepted a bad colour";
  } catch (const ThemeError& e) {
    EXPECT_STREQ(e.what(),
                 "x/theme.toml:3: colors.panel: expected a colour \"#rrggbb\" or \"#rrggbbaa\"");
  }
  EXPECT_THROW(parseTheme("[card]\nwidht = 0.5\n", "x", "/tmp", "t"), ThemeError);
  EXPECT_THROW(parseTheme("[card]\nmotion = \"spin\"\n", "x", "/tmp", "t"), ThemeError);
  EXPECT_THROW(parseTheme("logo = \"missing.png\"\n", "x", "/tmp", "t"), ThemeError);
  EXPECT_THROW(loadTheme((kSource / "assets" / "themes").string(), "../etc"), ThemeError);
  EXPECT_THROW(loadTheme((kSource / "assets" / "themes").string(), "no-such-theme"), ThemeError);
}

TEST(Theme, ShippedThemesLoad) {
  for (const std::string id : {"default", "cinnabar"}) {
    const Theme t = theme(id);
    EXPECT_FALSE(t.name.empty());
    EXPECT_FALSE(t.logo.empty());
  }
  EXPECT_EQ(theme("cinnabar").card.motion, Motion::kFade);
}

}  // namespace
}  // namespace yst::overlay
