// [program]: the layout's message as the README documents it, unknown keys.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

TEST(ShowConfigTest, LayoutErrorReadsAsDocumented) {
  const std::string text = withMinimal("[program]\nlayout = \"mosaic\"\n");
  const ConfigError e = refusal(text);
  EXPECT_EQ(std::string(e.what()),
            "demo.toml:" + std::to_string(lineOf(text, "layout")) +
                ": program.layout: expected one of single, side_by_side, pip, grid, host_plus or "
                "row3; got \"mosaic\"");
  EXPECT_EQ(e.file(), "demo.toml");
  EXPECT_EQ(e.key(), "program.layout");
  EXPECT_EQ(e.line(), lineOf(text, "layout"));
  EXPECT_EQ(e.problem(),
            "expected one of single, side_by_side, pip, grid, host_plus or row3; got \"mosaic\"");
}

TEST(ShowConfigTest, UnknownKeyInProgram) {
  const std::string text = withMinimal("[program]\nwidth = 640\nframerate = 25\n");
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "program.framerate");
  EXPECT_EQ(e.line(), lineOf(text, "framerate"));
  EXPECT_NE(std::string(e.what()).find("demo.toml:" + std::to_string(e.line()) +
                                       ": program.framerate: unknown key"),
            std::string::npos)
      << e.what();
}

}  // namespace
}  // namespace yst::config
