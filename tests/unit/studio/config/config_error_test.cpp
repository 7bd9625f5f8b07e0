// How a ConfigError reads: file, line, key and problem, the parts that are
// there.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

TEST(ShowConfigTest, ConfigErrorFormatting) {
  EXPECT_STREQ(ConfigError("f.toml", 3, "a.b", "bad").what(), "f.toml:3: a.b: bad");
  EXPECT_STREQ(ConfigError("f.toml", 0, "a.b", "missing").what(), "f.toml: a.b: missing");
  EXPECT_STREQ(ConfigError("f.toml", 7, "", "syntax").what(), "f.toml:7: syntax");
  EXPECT_STREQ(ConfigError("f.toml", 0, "", "unreadable").what(), "f.toml: unreadable");
}

}  // namespace
}  // namespace yst::config
