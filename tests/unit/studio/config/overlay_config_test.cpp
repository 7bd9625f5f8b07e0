// [overlay]: defaults, values, and bad values with their key and line.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

TEST(ShowConfigOverlay, DefaultsAndValues) {
  const ShowConfig plain = parseShow(kMinimal, "s.toml");
  EXPECT_EQ(plain.overlay.theme, "default");
  EXPECT_TRUE(plain.overlay.bug && plain.overlay.clock && plain.overlay.qr);
  EXPECT_TRUE(plain.overlay.ticker.empty());
  const ShowConfig set = parseShow(
      withMinimal("[overlay]\ntheme = \"cinnabar\"\nclock = false\nticker = \"扫码提问\"\n"
                  "auto_lower_thirds = false\n"),
      "s.toml");
  EXPECT_EQ(set.overlay.theme, "cinnabar");
  EXPECT_FALSE(set.overlay.clock);
  EXPECT_EQ(set.overlay.ticker, "扫码提问");
  EXPECT_FALSE(set.overlay.auto_lower_thirds);
}

TEST(ShowConfigOverlay, BadValuesNameTheKeyAndLine) {
  std::string text = withMinimal("[overlay]\ntheme = \"../etc\"\n");
  ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "overlay.theme");
  EXPECT_EQ(e.line(), lineOf(text, "theme ="));
  text = withMinimal("[overlay]\ntheme = \"no/such/folder\"\n");
  EXPECT_EQ(refusal(text).key(), "overlay.theme");
  std::string long_ticker;
  for (int i = 0; i < 201; ++i) long_ticker += "长";
  text = withMinimal("[overlay]\nticker = \"" + long_ticker + "\"\n");
  EXPECT_EQ(refusal(text).key(), "overlay.ticker");
  text = withMinimal("[overlay]\nlogo = true\n");
  EXPECT_EQ(refusal(text).key(), "overlay.logo");
}

TEST(ShowConfigOverlay, AThemeFolderIsFoundBesideTheShowFile) {
  const ShowFolder folder("yst-overlay-config-test");
  folder.write("themes/mine/theme.toml", "");
  const std::string show_file = (folder.path() / "show.toml").string();
  const ShowConfig relative =
      parseShow(withMinimal("[overlay]\ntheme = \"themes/mine\"\n"), show_file, kNoEnv);
  EXPECT_EQ(relative.overlay.theme_dir, (folder.path() / "themes/mine").string());
  EXPECT_EQ(relative.overlay.theme, "mine");
  const ShowConfig absolute = parseShow(
      withMinimal("[overlay]\ntheme = \"" + (folder.path() / "themes/mine").string() + "\"\n"),
      "/elsewhere/show.toml", kNoEnv);
  EXPECT_EQ(absolute.overlay.theme_dir, relative.overlay.theme_dir);
  // Relative to the show file, not to the folder the studio runs in.
  const std::string text = withMinimal("[overlay]\ntheme = \"themes/mine\"\n");
  try {
    parseShow(text, "/elsewhere/show.toml", kNoEnv);
    ADD_FAILURE() << "found a theme that is not beside the show file";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "overlay.theme");
    EXPECT_EQ(e.problem(), "no theme.toml in \"/elsewhere/themes/mine\"");
  }
}

}  // namespace
}  // namespace yst::config
