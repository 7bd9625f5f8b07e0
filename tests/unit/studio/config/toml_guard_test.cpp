// The guard in front of toml++: what toml++ 3.3 must not see is refused first,
// with its line and column; what is valid TOML beyond ASCII passes.
#include "studio/config/toml_guard.h"

#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

// toml++ 3.3 has undefined behaviour on these (found by tests/fuzz/show_fuzz):
// they are refused before it sees them, with the line and column.
TEST(ShowConfigTest, KeysBeyondAsciiAreRefusedBeforeTheTomlParser) {
  for (const std::string& line : {std::string("标题 = \"温网议事厅\""), std::string("[节目]"),
                                  std::string("show.标题 = 1"), std::string("x = { ä = 1 }")}) {
    const std::string text = withMinimal("\n" + line + "\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.line(), lineOf(text, line)) << line;
    EXPECT_EQ(e.problem().rfind("unexpected '", 0), 0u) << line << ": " << e.problem();
    EXPECT_NE(e.problem().find("a text goes in quotes"), std::string::npos) << e.problem();
  }
  const ConfigError e = refusal(withMinimal("\n标题 = 1\n"));
  EXPECT_NE(e.problem().find("'标' (column 1)"), std::string::npos) << e.problem();
}

TEST(ShowConfigTest, TableNamesThatStartWithNoKeyAreRefusedBeforeTheTomlParser) {
  for (const std::string header : {"[!]", "[.a]", "[[!]]", "[ =]", "[\x1f]", "[\n"}) {
    const std::string text = withMinimal("\n" + header + "\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.line(), lineOf(text, header)) << header;
    EXPECT_EQ(e.problem().rfind("a table name must start with", 0), 0u) << e.problem();
  }
}

TEST(ShowConfigTest, TextBeyondAsciiInStringsCommentsAndArraysIsFine) {
  const std::string text = "\xEF\xBB\xBF# 演示节目\n" + kMinimal +
                           "label = '主持人'  # 机位\n"
                           "[overlay]\n"
                           "ticker = \"\"\"扫码提问 \\\n"
                           "  [!] 不是表头\"\"\"\n"
                           "[audience]\n"
                           "trusted_proxies = [\n"
                           "  \"10.0.0.0/8\", # 代理\n"
                           "  '''127.0.0.1''',\n"
                           "]\n";
  const ShowConfig c = parseShow(text, "demo.toml", kNoEnv);
  EXPECT_EQ(c.sources[0].label, "主持人");
  EXPECT_EQ(c.overlay.ticker, "扫码提问 [!] 不是表头");
}

TEST(FindTomlTrapTest, ValidTomlHasNone) {
  for (const std::string text :
       {"", "a = 1\n", "\xEF\xBB\xBF[show]\ntitle = \"节目\"\n", "[ \"标题\" ]\n", "[[a.b]]\n",
        "x = [\n  [1, 2],\n  [3],\n]\n", "y = [\n  [{ a = 1 }],\n  [ \"b\" ],\n]\n",
        "t = { a = [ [1] ] }\n[ok]\n", "# [!] 标题\nk = 'v'\n", "s = '''\n[!]\n名'''\n"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(findTomlTrap(text), std::nullopt);
  }
}

TEST(FindTomlTrapTest, TheLineAndTheColumnInCharacters) {
  std::optional<TomlTrap> trap = findTomlTrap("a = \"标题\"\n\n  é = 1\n");
  ASSERT_TRUE(trap.has_value());
  EXPECT_EQ(trap->line, 3);
  EXPECT_EQ(trap->problem.rfind("unexpected 'é' (column 3)", 0), 0u) << trap->problem;
  // A multi-byte character before it counts as one column.
  trap = findTomlTrap("x = { \"键\" = 1, 名 = 2 }\n");
  ASSERT_TRUE(trap.has_value());
  EXPECT_EQ(trap->line, 1);
  EXPECT_NE(trap->problem.find("(column 16)"), std::string::npos) << trap->problem;
  trap = findTomlTrap("[ok]\n[[ !x]]\n");
  ASSERT_TRUE(trap.has_value());
  EXPECT_EQ(trap->line, 2);
  EXPECT_EQ(trap->problem,
            "a table name must start with a letter, digit, '-', '_' or a quote (column 4)");
}

TEST(FindTomlTrapTest, OtherErrorsAreLeftToToml) {
  // A string left open at the end of its line, bytes that are not UTF-8, an
  // empty table name: toml++ reports these itself.
  for (const std::string text : {"a = \"open\n名 = 1\n", "a = 1\n\xFF\xFE = 2\n", "[]\n"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(findTomlTrap(text), std::nullopt);
  }
}

}  // namespace
}  // namespace yst::config
