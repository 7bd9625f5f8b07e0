// The show file's typed getters and shared checks, on parsed TOML: a value of
// the wrong type, a missing key, a key that is not known, an integer out of
// range or an id given twice is a ConfigError with the file, the value's line
// and the key's dotted path, and never the value itself.
#include "studio/config/toml_reading.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace yst::config {
namespace {

// The ConfigError that `read` throws; a test failure when it throws none.
ConfigError thrownBy(const std::function<void()>& read) {
  try {
    read();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError";
  return ConfigError("", -1, "", "");
}

const std::string kText = R"(top = "t"
[a]
text = "hello"
count = 42
ratio = 0.5
whole = 2
flag = true
quoted = "7"
"b c" = 1
list = [
  "x",
  3,
]
names = ["p", "q"]
odd = 3
multi = [
  "u",
  "v",
]
[[items]]
id = "one"
[[items]]
id = "two"
)";

class TomlReadingTest : public ::testing::Test {
 protected:
  const TomlReader reader{"show.toml"};
  const toml::table root = reader.parse(kText);
  const toml::table& a = *root.get("a")->as_table();
};

TEST_F(TomlReadingTest, ValuesOfTheirTypeAndTheirLines) {
  int line = 0;
  EXPECT_EQ(reader.get<std::string>(a, "a", "text", &line), "hello");
  EXPECT_EQ(line, 3);
  EXPECT_EQ(reader.get<std::int64_t>(a, "a", "count", &line), 42);
  EXPECT_EQ(line, 4);
  EXPECT_EQ(reader.get<double>(a, "a", "ratio"), 0.5);
  EXPECT_EQ(reader.get<double>(a, "a", "whole"), 2.0);  // an integer is a fine number
  EXPECT_EQ(reader.get<bool>(a, "a", "flag"), true);
  EXPECT_EQ(reader.file(), "show.toml");
}

TEST_F(TomlReadingTest, AMissingKeyIsNothingAndLeavesTheLine) {
  int line = 99;
  EXPECT_EQ(reader.get<std::string>(a, "a", "absent", &line), std::nullopt);
  EXPECT_EQ(reader.get<std::int64_t>(a, "a", "absent", &line), std::nullopt);
  EXPECT_EQ(reader.get<bool>(a, "a", "absent", &line), std::nullopt);
  EXPECT_EQ(reader.get<double>(a, "a", "absent", &line), std::nullopt);
  EXPECT_EQ(line, 99);
  EXPECT_EQ(reader.getTable(root, "", "absent"), nullptr);
  EXPECT_EQ(reader.getTableArray(root, "", "absent"), nullptr);
  EXPECT_TRUE(reader.getStringArray(a, "a", "absent").empty());
  EXPECT_EQ(reader.intInRange(a, "a", "absent", 0, 10, 7), 7);
}

TEST_F(TomlReadingTest, AWrongTypeNamesTheKeyPathTheLineAndBothTypes) {
  struct Case {
    std::function<void()> read;
    std::string key;
    int line;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {[&] { reader.get<std::int64_t>(a, "a", "text"); }, "a.text", 3,
       "expected an integer; got a string (remove the quotes)"},
      {[&] { reader.get<std::string>(a, "a", "count"); }, "a.count", 4,
       "expected a string; got an integer"},
      {[&] { reader.get<std::int64_t>(a, "a", "ratio"); }, "a.ratio", 5,
       "expected an integer; got a float"},
      {[&] { reader.get<bool>(a, "a", "whole"); }, "a.whole", 6,
       "expected a boolean (true or false); got an integer"},
      {[&] { reader.get<double>(a, "a", "flag"); }, "a.flag", 7,
       "expected a number; got a boolean"},
      {[&] { reader.get<bool>(a, "a", "quoted"); }, "a.quoted", 8,
       "expected a boolean (true or false); got a string (remove the quotes)"},
      {[&] { reader.get<std::string>(a, "a", "b c"); }, "a.\"b c\"", 9,
       "expected a string; got an integer"},
      {[&] { reader.getTable(root, "", "top"); }, "top", 1, "expected a table; got a string"},
      {[&] { reader.getTableArray(root, "", "a"); }, "a", 2,
       "expected an array of tables ([[a]]); got a table"},
      {[&] { reader.getTableArray(a, "a", "names"); }, "a.names[0]", 14,
       "expected a table; got a string"},
      {[&] { reader.getStringArray(a, "a", "count"); }, "a.count", 4,
       "expected an array of strings; got an integer"},
      {[&] { reader.getStringArray(a, "a", "list"); }, "a.list[1]", 12,
       "expected a string; got an integer"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    const ConfigError e = thrownBy(c.read);
    EXPECT_EQ(e.file(), "show.toml");
    EXPECT_EQ(e.key(), c.key);
    EXPECT_EQ(e.line(), c.line);
    EXPECT_EQ(e.problem(), c.problem);
    EXPECT_EQ(std::string(e.what()),
              "show.toml:" + std::to_string(c.line) + ": " + c.key + ": " + c.problem);
  }
  // The value itself is never in the message (the same getters read keys).
  EXPECT_EQ(std::string(thrownBy([&] { reader.get<bool>(a, "a", "text"); }).what()).find("hello"),
            std::string::npos);
}

TEST_F(TomlReadingTest, ArraysAndTablesWithTheirLines) {
  const auto names = reader.getStringArray(a, "a", "names");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].first, "p");
  EXPECT_EQ(names[1].second, 14);
  const auto multi = reader.getStringArray(a, "a", "multi");
  ASSERT_EQ(multi.size(), 2u);
  EXPECT_EQ(multi[0], std::make_pair(std::string("u"), 17));
  EXPECT_EQ(multi[1], std::make_pair(std::string("v"), 18));
  const toml::array* items = reader.getTableArray(root, "", "items");
  ASSERT_NE(items, nullptr);
  EXPECT_EQ(items->size(), 2u);
  EXPECT_NE(reader.getTable(root, "", "a"), nullptr);
}

TEST_F(TomlReadingTest, IntegersInTheirRange) {
  EXPECT_EQ(reader.intInRange(a, "a", "count", 42, 42, 0), 42);
  EXPECT_EQ(reader.intInRange(a, "a", "whole", 0, 10, 0, Parity::kEven), 2);
  ConfigError e = thrownBy([&] { reader.intInRange(a, "a", "count", 0, 41, 0); });
  EXPECT_EQ(e.key(), "a.count");
  EXPECT_EQ(e.line(), 4);
  EXPECT_EQ(e.problem(), "expected an integer in 0..41; got 42");
  e = thrownBy([&] { reader.intInRange(a, "a", "count", 43, 50, 0); });
  EXPECT_EQ(e.problem(), "expected an integer in 43..50; got 42");
  e = thrownBy([&] { reader.intInRange(a, "a", "odd", 0, 10, 0, Parity::kEven); });
  EXPECT_EQ(e.problem(), "expected an even integer in 0..10; got 3");
  EXPECT_EQ(e.line(), 15);
}

TEST_F(TomlReadingTest, UnknownKeysInFileOrderWithAGuess) {
  ConfigError e = thrownBy([&] {
    reader.refuseUnknownKeys(a, "a", {"text", "count", "ratio", "whole", "flag", "b c", "list"});
  });
  EXPECT_EQ(e.key(), "a.quoted");  // line 8, before "names" and "odd" (alphabetically first)
  EXPECT_EQ(e.line(), 8);
  EXPECT_EQ(e.problem(),
            "unknown key (a takes: text, count, ratio, whole, flag, b c, list)");  // no guess
  e = thrownBy([&] { reader.refuseUnknownKeys(root, "", {"tops", "a", "item"}); });
  EXPECT_EQ(e.key(), "top");
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.problem(), "unknown key; did you mean \"tops\"? (top level takes: tops, a, item)");
  EXPECT_NO_THROW(reader.refuseUnknownKeys(root, "", {"top", "a", "items"}));
}

TEST_F(TomlReadingTest, IdsAreShortPlainAndUnique) {
  IdsSeen seen;
  reader.checkId("cam-1_a", 3, "sources[0].id", &seen, "sources[0]");
  ConfigError e = thrownBy([&] { reader.checkId("cam-1_a", 7, "sources[1].id", &seen, "x"); });
  EXPECT_EQ(e.key(), "sources[1].id");
  EXPECT_EQ(e.line(), 7);
  EXPECT_EQ(e.problem(), "\"cam-1_a\" is already the id of sources[0] (line 3)");
  for (const std::string& id :
       std::vector<std::string>{"", "Cam", "a b", "a.b", std::string(33, 'a')}) {
    SCOPED_TRACE(id);
    e = thrownBy([&] { reader.checkId(id, 9, "k", &seen, "o"); });
    EXPECT_EQ(e.line(), 9);
    EXPECT_EQ(e.problem().rfind("must be 1..32 characters", 0), 0u) << e.problem();
  }
  EXPECT_NO_THROW(reader.checkId(std::string(32, 'z'), 9, "k", &seen, "o"));
}

TEST(TomlReaderParseTest, SyntaxErrorsAndTrapsHaveTheirLine) {
  const TomlReader reader("bad.toml");
  ConfigError e = thrownBy([&] { reader.parse("a = 1\nb = = 2\n"); });
  EXPECT_EQ(e.file(), "bad.toml");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.key(), "");
  EXPECT_NE(e.problem().find("(column "), std::string::npos) << e.problem();
  e = thrownBy([&] { reader.parse("a = 1\n\n名 = 2\n"); });
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.problem().rfind("unexpected '名' (column 1)", 0), 0u) << e.problem();
}

TEST(TomlReaderParseTest, PathsAreBesideTheShowFile) {
  const TomlReader reader("/srv/shows/demo.toml");
  EXPECT_EQ(reader.besideFile("words.txt"), std::filesystem::path("/srv/shows/words.txt"));
  EXPECT_EQ(reader.besideFile("themes/red"), std::filesystem::path("/srv/shows/themes/red"));
  EXPECT_EQ(reader.besideFile("/etc/words.txt"), std::filesystem::path("/etc/words.txt"));
}

TEST(TomlPathTest, DottedPathsQuoteOddKeys) {
  EXPECT_EQ(joinPath("", "show"), "show");
  EXPECT_EQ(joinPath("show", "host"), "show.host");
  EXPECT_EQ(joinPath("a", "b c"), "a.\"b c\"");
  EXPECT_EQ(joinPath("", ""), "\"\"");
  EXPECT_EQ(indexPath("sources", 1), "sources[1]");
  EXPECT_EQ(typeName(toml::node_type::date_time), "a date-time");
}

}  // namespace
}  // namespace yst::config
