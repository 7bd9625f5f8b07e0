// The sensitive-word filter: how a list is read, what counts as a match, and
// that the sample list shipped in assets/ loads.
#include "studio/text/word_filter.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "studio/text/text.h"

namespace yst::text {
namespace {

using Words = std::vector<std::string>;

// From the source tree, wherever the tests run from.
const std::filesystem::path kSampleList =
    std::filesystem::path(YST_SOURCE_DIR) / "assets/words/sample.txt";

std::string errorOf(std::string_view list, std::string_view name) {
  try {
    WordFilter::fromText(list, name);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << list;
  return "";
}

TEST(WordFilter, FindsListedWordsInListOrderAsWritten) {
  const WordFilter filter = WordFilter::fromText("赌博\n代开发票\nFuck\n", "test");
  EXPECT_EQ(filter.size(), 3u);
  EXPECT_EQ(filter.matches("有人fuck在群里说可以代开发票，还能赌博"),
            (Words{"赌博", "代开发票", "Fuck"}));
  EXPECT_EQ(filter.matches("请问医保卡怎么办理？"), Words{});
  EXPECT_EQ(filter.matches(""), Words{});
}

TEST(WordFilter, SeparatorsWidthAndCaseDoNotHideAWord) {
  const WordFilter filter = WordFilter::fromText("赌博\nfuck\n", "test");
  for (const char* text : {"赌 博", "赌.博", "赌＊博", "赌\u3000博", "赌😀博", "赌\u200B博"}) {
    EXPECT_EQ(filter.matches(text), Words{"赌博"}) << text;
  }
  for (const char* text : {"ＦＵＣＫ", "f-u-c-k", "F U C K", "what the f.u.c.k"}) {
    EXPECT_EQ(filter.matches(text), Words{"fuck"}) << text;
  }
}

TEST(WordFilter, ReportsEachWordOnce) {
  const WordFilter filter = WordFilter::fromText("赌博\n", "test");
  EXPECT_EQ(filter.matches("赌博赌博 赌博"), Words{"赌博"});
}

TEST(WordFilter, FindsOverlappingAndNestedWords) {
  // The classic Aho–Corasick example: in "ushers", "she", "he" and "hers"
  // overlap and "he" is a suffix of "she".
  const WordFilter filter = WordFilter::fromText("he\nshe\nhis\nhers\n", "test");
  EXPECT_EQ(filter.matches("ushers"), (Words{"he", "she", "hers"}));
  const WordFilter nested = WordFilter::fromText("六合彩\n合彩\n彩\n六合彩票\n", "test");
  EXPECT_EQ(nested.matches("买六合彩"), (Words{"六合彩", "合彩", "彩"}));
  EXPECT_EQ(nested.matches("六合彩票"), (Words{"六合彩", "合彩", "彩", "六合彩票"}));
}

TEST(WordFilter, FindsAWordAfterAFailedPartialMatch) {
  const WordFilter filter = WordFilter::fromText("abcd\nbce\n", "test");
  EXPECT_EQ(filter.matches("abce"), Words{"bce"});
  EXPECT_EQ(filter.matches("ababcd"), Words{"abcd"});
}

TEST(WordFilter, IgnoresCommentsBlankLinesAndByteOrderMark) {
  const WordFilter filter = WordFilter::fromText(
      "\xEF\xBB\xBF# header comment\n\n   \n赌博  # gambling\r\n  代开发票\r\n#fuck\n", "test");
  EXPECT_EQ(filter.size(), 2u);
  EXPECT_EQ(filter.matches("赌博 代开发票 fuck"), (Words{"赌博", "代开发票"}));
}

TEST(WordFilter, SkipsWordsThatNormaliseToNothingOrToAnEarlierWord) {
  const WordFilter filter = WordFilter::fromText("!!!\n★☆\nfuck\nFUCK\nf u c k\n😀\n", "test");
  EXPECT_EQ(filter.size(), 1u);
  EXPECT_EQ(filter.matches("FUCK!!!"), Words{"fuck"});
  EXPECT_EQ(filter.matches("!!! ★ 😀"), Words{});
}

TEST(WordFilter, AnEmptyFilterMatchesNothing) {
  EXPECT_EQ(WordFilter().matches("赌博"), Words{});
  EXPECT_EQ(WordFilter().size(), 0u);
  EXPECT_EQ(WordFilter::fromText("", "empty").size(), 0u);
}

TEST(WordFilter, InvalidUtf8InTheListNamesTheLine) {
  EXPECT_EQ(errorOf("赌博\n# fine\n\xC0\x80\n", "words.txt"), "words.txt:3: invalid UTF-8");
  EXPECT_EQ(errorOf("\xE8\xB5", "w"), "w:1: invalid UTF-8");
}

TEST(WordFilter, FromFileNamesAnUnreadableFile) {
  const std::string missing = "/nonexistent/words.txt";
  try {
    WordFilter::fromFile(missing);
    ADD_FAILURE() << "accepted a missing file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  EXPECT_THROW(WordFilter::fromFile(std::filesystem::temp_directory_path().string()),
               std::runtime_error);
}

TEST(WordFilter, FromFileNamesTheFileAndLineOfInvalidUtf8) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("yst_words_" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream out(path, std::ios::binary);
    out << "赌博\n\xFF\n";
  }
  try {
    WordFilter::fromFile(path.string());
    ADD_FAILURE() << "accepted invalid UTF-8";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ":2: invalid UTF-8");
  }
  std::filesystem::remove(path);
}

TEST(WordFilter, TheSampleListLoadsAndCatchesTypicalAbuse) {
  const WordFilter filter = WordFilter::fromFile(kSampleList.string());
  EXPECT_GE(filter.size(), 15u);
  EXPECT_EQ(filter.matches("加微信，代 开 发 票，网.赌也行"), (Words{"网赌", "代开发票"}));
  EXPECT_EQ(filter.matches("你个傻＊逼"), Words{"傻逼"});
  EXPECT_EQ(filter.matches("F*U*C*K this"), Words{"fuck"});
  EXPECT_EQ(filter.matches("请问异地就医怎么备案？报销比例是多少？"), Words{});
}

TEST(WordFilter, ThousandsOfWordsAgainstLongTexts) {
  // Correctness at scale against a naive search; no timing is asserted.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, 199);  // a small alphabet: many shared prefixes
  const auto randomText = [&](int length) {
    std::u32string s;
    for (int i = 0; i < length; ++i) s.push_back(static_cast<char32_t>(0x4E00 + pick(rng)));
    return s;
  };
  std::string list;
  std::vector<std::u32string> distinct_words;  // in list order, repeats left out
  std::set<std::u32string> seen;
  for (int i = 0; i < 5000; ++i) {
    const std::u32string word = randomText(2 + i % 4);
    list += encodeUtf8(word) + "\n";
    if (seen.insert(word).second) distinct_words.push_back(word);
  }
  const WordFilter filter = WordFilter::fromText(list, "random");
  EXPECT_EQ(filter.size(), distinct_words.size());
  for (int t = 0; t < 50; ++t) {
    const std::u32string text = randomText(300);
    Words expected;
    for (const std::u32string& word : distinct_words) {
      if (text.find(word) != std::u32string::npos) expected.push_back(encodeUtf8(word));
    }
    EXPECT_EQ(filter.matches(encodeUtf8(text)), expected);
  }
}

}  // namespace
}  // namespace yst::text
