// Near-duplicate questions: what counts as the same question, ties, removal,
// and the index against a linear scan with a session's worth of questions.
#include "studio/text/duplicates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "studio/text/text.h"

namespace yst::text {
namespace {

TEST(Similarity, IsDiceOverBigramsOfTheNormalisedText) {
  EXPECT_DOUBLE_EQ(similarity("医保卡丢了怎么补办？", "医保卡丢了怎么补办？"), 1.0);
  EXPECT_DOUBLE_EQ(similarity("abcd", "abxy"), 2.0 * 1 / (3 + 3));  // shares "ab"
  EXPECT_DOUBLE_EQ(similarity("abab", "ab"), 2.0 * 1 / (2 + 1));    // sets: {ab, ba} and {ab}
}

TEST(Similarity, OneCharacterTextsCompareAsUnigrams) {
  EXPECT_DOUBLE_EQ(similarity("好", "好！"), 1.0);
  EXPECT_DOUBLE_EQ(similarity("好", "好的"), 0.0);
  EXPECT_DOUBLE_EQ(similarity("", ""), 0.0);
  EXPECT_DOUBLE_EQ(similarity("？？", "!!"), 0.0);  // both normalise to nothing
}

TEST(DuplicateIndex, FindsTheSameText) {
  DuplicateIndex index;
  index.add(1, "医保卡丢了怎么补办？");
  index.add(2, "请问异地就医怎么备案？");
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.findSimilar("医保卡丢了怎么补办？"), 1);
  EXPECT_EQ(index.findSimilar("请问异地就医怎么备案？"), 2);
}

TEST(DuplicateIndex, IgnoresPunctuationSpacesWidthAndCase) {
  DuplicateIndex index;
  index.add(1, "医保卡丢了怎么补办？");
  index.add(2, "How do I register for out-of-town medical treatment?");
  EXPECT_EQ(index.findSimilar("医保卡 丢了，怎么补办！！"), 1);
  EXPECT_EQ(index.findSimilar("医保卡丢了怎么补办😭😭"), 1);
  EXPECT_EQ(index.findSimilar("ＨＯＷ ＤＯ Ｉ register for out of town medical treatment"), 2);
}

TEST(DuplicateIndex, FindsAReorderedOrSlightlyEditedQuestion) {
  DuplicateIndex index;
  index.add(1, "请问异地就医怎么备案？");
  index.add(2, "How do I register for out-of-town medical treatment?");
  index.add(3, "请问门诊慢特病的报销比例是多少");
  EXPECT_EQ(index.findSimilar("异地就医，怎么备案呢？"), 1);
  EXPECT_EQ(index.findSimilar("How can I register for medical treatment out of town?"), 2);
  EXPECT_EQ(index.findSimilar("门诊慢特病报销比例是多少？"), 3);
}

TEST(DuplicateIndex, DifferentQuestionsOnTheSameTopicAreNotDuplicates) {
  DuplicateIndex index;
  index.add(1, "请问异地就医怎么备案？");
  index.add(2, "医保卡丢了怎么补办？");
  index.add(3, "请问门诊慢特病的报销比例是多少");
  EXPECT_EQ(index.findSimilar("请问异地就医报销比例是多少？"), std::nullopt);
  EXPECT_EQ(index.findSimilar("医保卡里的钱可以取出来吗？"), std::nullopt);
  EXPECT_EQ(index.findSimilar("门诊慢特病怎么申请？"), std::nullopt);
}

TEST(DuplicateIndex, ThresholdDecides) {
  DuplicateIndex index;
  index.add(1, "abcd");  // {ab, bc, cd}
  // "abcx" shares {ab, bc}: 2·2 / 6.
  EXPECT_EQ(index.findSimilar("abcx", 0.66), 1);
  EXPECT_EQ(index.findSimilar("abcx", 0.67), std::nullopt);
  EXPECT_EQ(index.findSimilar("abcx"), std::nullopt);  // default 0.7
}

TEST(DuplicateIndex, PrefersTheMostSimilarThenTheEarliest) {
  DuplicateIndex index;
  index.add(10, "abcdefgh");
  index.add(5, "abcdefgx");
  index.add(7, "abcdefgx");
  index.add(3, "abcdefgy");
  EXPECT_EQ(index.findSimilar("abcdefgx"), 5);  // exact beats near; 5 was added before 7
  EXPECT_EQ(index.findSimilar("abcdefg"), 10);  // all tie: the first added
}

TEST(DuplicateIndex, RemovedQuestionsAreNotFound) {
  DuplicateIndex index;
  index.add(1, "医保卡丢了怎么补办？");
  index.add(2, "医保卡丢了，怎么补办");
  index.remove(1);
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.findSimilar("医保卡丢了怎么补办"), 2);
  index.remove(2);
  index.remove(2);   // twice is harmless
  index.remove(99);  // unknown is harmless
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.findSimilar("医保卡丢了怎么补办"), std::nullopt);
  index.add(3, "医保卡丢了怎么补办");  // a freed slot is reused
  EXPECT_EQ(index.findSimilar("医保卡丢了怎么补办"), 3);
}

TEST(DuplicateIndex, AddingAnIdAgainReplacesItsText) {
  DuplicateIndex index;
  index.add(1, "医保卡丢了怎么补办？");
  index.add(1, "请问异地就医怎么备案？");  // a producer's edit
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.findSimilar("医保卡丢了怎么补办？"), std::nullopt);
  EXPECT_EQ(index.findSimilar("请问异地就医怎么备案？"), 1);
}

TEST(DuplicateIndex, TextsWithoutLettersNeverMatch) {
  DuplicateIndex index;
  index.add(1, "？？？");
  index.add(2, "😀😀😀");
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.findSimilar("？？？"), std::nullopt);
  EXPECT_EQ(index.findSimilar("😀"), std::nullopt);
}

TEST(DuplicateIndex, OneCharacterQuestions) {
  DuplicateIndex index;
  index.add(1, "好");
  EXPECT_EQ(index.findSimilar("好！"), 1);
  EXPECT_EQ(index.findSimilar("好的"), std::nullopt);
}

std::vector<std::uint64_t> bigramsOf(std::string_view text) {
  const std::u32string chars = normalizeForMatch(text);
  std::vector<std::uint64_t> grams;
  for (std::size_t i = 1; i < chars.size(); ++i) {
    grams.push_back(std::uint64_t{chars[i - 1]} << 32 | chars[i]);
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

// A session's worth of questions: random texts over a few hundred common
// characters, plus a bigram that every text shares (like "请问") so that the
// lookup budget is exercised. Checked against a linear scan; no timing is
// asserted (the machine may be a loaded CI runner under ASan).
TEST(DuplicateIndex, TwentyThousandQuestionsAgreeWithALinearScan) {
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> pick(0, 499);
  std::uniform_int_distribution<int> length(8, 60);
  const auto randomText = [&] {
    std::u32string s = U"请问";
    const int n = length(rng);
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char32_t>(0x4E00 + pick(rng)));
    return encodeUtf8(s);
  };

  DuplicateIndex index;
  std::vector<std::string> texts;
  for (int id = 0; id < 20000; ++id) {
    texts.push_back(randomText());
    index.add(id, texts.back());
  }
  EXPECT_EQ(index.size(), 20000u);

  // The oracle: Dice over sorted bigram lists, every indexed text compared.
  std::vector<std::vector<std::uint64_t>> grams;
  for (const std::string& text : texts) grams.push_back(bigramsOf(text));
  const auto linearScan = [&](const std::string& query, double threshold) {
    const std::vector<std::uint64_t> query_grams = bigramsOf(query);
    std::optional<std::int64_t> best;
    double best_score = 0;
    for (std::size_t id = 0; id < texts.size(); ++id) {
      if (texts[id].empty()) continue;
      std::size_t shared = 0;
      for (std::uint64_t gram : query_grams) {
        shared += std::binary_search(grams[id].begin(), grams[id].end(), gram) ? 1 : 0;
      }
      const double score = 2.0 * static_cast<double>(shared) /
                           static_cast<double>(query_grams.size() + grams[id].size());
      if (score >= threshold && score > best_score) {
        best = static_cast<std::int64_t>(id);
        best_score = score;
      }
    }
    return best;
  };

  for (int id = 0; id < 20000; id += 401) {
    EXPECT_EQ(index.findSimilar(texts[id]), id);
    // The same question with one character changed and punctuation added.
    std::u32string edited = decodeUtf8(texts[id]);
    edited[edited.size() / 2] = U'医';
    const std::string query = encodeUtf8(edited) + "？";
    EXPECT_EQ(index.findSimilar(query), linearScan(query, 0.7)) << id;
  }
  for (int i = 0; i < 20; ++i) {
    const std::string query = randomText();
    EXPECT_EQ(index.findSimilar(query, 0.3), linearScan(query, 0.3)) << query;
  }

  const std::vector<std::string> all = texts;
  for (int id = 0; id < 20000; id += 2) {
    index.remove(id);
    texts[id].clear();  // out of the linear scan too
  }
  EXPECT_EQ(index.size(), 10000u);
  for (int id = 0; id < 20000; id += 401) {
    if (id % 2 == 1) {
      EXPECT_EQ(index.findSimilar(all[id]), id);
    } else {
      EXPECT_EQ(index.findSimilar(all[id]), linearScan(all[id], 0.7)) << id;
    }
  }
}

}  // namespace
}  // namespace yst::text
