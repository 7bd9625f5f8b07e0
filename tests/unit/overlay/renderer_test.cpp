// Golden images of every graphic, in both shipped themes, at 720p and 1080p.
//
// Tolerance: a pixel matches when no channel differs by more than 24 (of
// 255); an image matches when 99.5 % of its pixels do and the mean channel
// difference is under 1.5, and its size is the golden's. That absorbs
// anti-aliasing noise between FreeType builds, not a moved or recoloured
// element. YST_UPDATE_GOLDEN=1 rewrites the goldens (look at them first:
// tests/artifacts/overlay/ holds every render and a composite per theme).
#include "overlay/renderer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "overlay/theme.h"

namespace yst::overlay {
namespace {

const std::filesystem::path kSource = YST_SOURCE_DIR;
const std::filesystem::path kGolden = kSource / "tests" / "golden" / "overlay";
const std::filesystem::path kArtifacts = kSource / "tests" / "artifacts" / "overlay";

struct Comparison {
  bool same_size = false;
  double matching = 0;  // fraction of pixels within tolerance
  double mean_diff = 0;
};

Comparison compare(const Image& a, const Image& b) {
  Comparison c;
  c.same_size = a.width() == b.width() && a.height() == b.height();
  if (!c.same_size) return c;
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
      ok += worst <= 24;
    }
  }
  const double pixels = static_cast<double>(a.width()) * a.height();
  c.matching = ok / pixels;
  c.mean_diff = sum / (pixels * 4);
  return c;
}

void expectGolden(const Image& image, const std::string& name) {
  ASSERT_FALSE(image.empty()) << name;
  std::filesystem::create_directories((kArtifacts / name).parent_path());
  image.savePng((kArtifacts / (name + ".png")).string());
  const std::filesystem::path golden = kGolden / (name + ".png");
  if (std::getenv("YST_UPDATE_GOLDEN")) {
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
    EXPECT_GE(c.matching, 0.995) << name << ": " << c.matching * 100 << " % of pixels match";
    EXPECT_LT(c.mean_diff, 1.5) << name;
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
