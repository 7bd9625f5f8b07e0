// Text set in a box: fits, wraps by Chinese rules, shrinks, then cuts, and
// never shows a missing-glyph box.
#include "overlay/text_block.h"

#include <gtest/gtest.h>

#include <string>

#include "overlay/renderer.h"
#include "overlay/theme.h"

namespace yst::overlay {
namespace {

std::string repeat(const std::string& unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

// Exactly n code points of a realistic question (cycled).
std::string question(int n) {
  static const char32_t* kText =
      U"请问局长，异地就医备案以后，医保卡在外地住院能直接结算吗？如果不能，报销要多久？"
      U"我父亲在上海做手术，已经等了三个月还没有拿到钱。另外，个人账户的钱能不能给家人用？";
  std::u32string text;
  const std::u32string base(kText);
  for (int i = 0; i < n; ++i) text += base[i % base.size()];
  std::string utf8;
  for (char32_t c : text) {
    if (c < 0x80) {
      utf8 += static_cast<char>(c);
    } else if (c < 0x800) {
      utf8 += static_cast<char>(0xc0 | (c >> 6));
      utf8 += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      utf8 += static_cast<char>(0xe0 | (c >> 12));
      utf8 += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      utf8 += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return utf8;
}

// Closing punctuation that must never start a line (GB/T 15834 line rules).
bool startsWithClosingPunctuation(const std::string& line) {
  static const char* kClosers[] = {"，", "。", "、", "；", "：", "？", "！", "）", "」", "』",
                                   "》", "〉", "】", "”",  "’",  "…",  ",",  ".",  ")"};
  for (const char* c : kClosers) {
    if (line.rfind(c, 0) == 0) return true;
  }
  return false;
}

const FontSpec kBody{"Noto Sans CJK SC", 500, 32};
const TextBox kCardBox{900, 220, 0, 21, Align::kLeft};

TEST(TextBlock, FitsEveryLengthOfQuestionInTheCardBox) {
  for (int n : {1, 30, 120, 300}) {
    SCOPED_TRACE(n);
    const TextBlock block(question(n), kBody, kCardBox);
    const TextFit& fit = block.fit();
    EXPECT_LE(fit.height_px, kCardBox.height_px);
    EXPECT_LE(fit.width_px, kCardBox.width_px);
    EXPECT_GE(fit.size_px, kCardBox.min_size_px);
    EXPECT_LE(fit.size_px, kBody.size_px);
    EXPECT_EQ(fit.replaced_characters, 0);
    for (const std::string& line : fit.line_texts) {
      EXPECT_FALSE(startsWithClosingPunctuation(line)) << "line starts with punctuation: " << line;
    }
  }
  // Short text keeps the full size; 120 characters shrink; 300 are cut.
  EXPECT_EQ(TextBlock(question(30), kBody, kCardBox).fit().size_px, 32);
  EXPECT_FALSE(TextBlock(question(30), kBody, kCardBox).fit().ellipsized);
  const TextFit long_fit = TextBlock(question(300), kBody, kCardBox).fit();
  EXPECT_EQ(long_fit.size_px, 21);
  EXPECT_TRUE(long_fit.ellipsized);
}

TEST(TextBlock, ShrinksBeforeItCuts) {
  const TextFit fit = TextBlock(question(120), kBody, kCardBox).fit();
  EXPECT_LT(fit.size_px, 32);
  EXPECT_GE(fit.size_px, 21);
  EXPECT_FALSE(fit.ellipsized);
  // The chosen size is the largest that fits: one pixel more does not.
  const FontSpec bigger{kBody.family, kBody.weight, fit.size_px + 1};
  const TextBox no_shrink{kCardBox.width_px, kCardBox.height_px, 0, fit.size_px + 1, Align::kLeft};
  EXPECT_TRUE(TextBlock(question(120), bigger, no_shrink).fit().ellipsized);
}

TEST(TextBlock, PunctuationNeverStartsALine) {
  // Every kind of closing punctuation, after runs of text of every length,
  // so that each falls at a line end somewhere.
  const std::string marks[] = {"，", "。", "、", "；", "：", "？",
                               "！", "）", "」", "》", "”",  "…"};
  for (int run = 1; run <= 40; ++run) {
    std::string text;
    for (const std::string& m : marks) text += repeat("医", run) + m;
    const TextBlock block(text, kBody, kCardBox);
    for (std::size_t i = 0; i < block.fit().line_texts.size(); ++i) {
      EXPECT_FALSE(startsWithClosingPunctuation(block.fit().line_texts[i]))
          << "run " << run << " line " << i << ": " << block.fit().line_texts[i];
    }
  }
}

TEST(TextBlock, ALongUnbrokenUrlBreaksInsideTheBox) {
  const std::string url =
      "https://www.wenzhou.gov.cn/art/2026/11/27/"
      "art_1229117803_59102345_very_long_path_without_any_spaces_at_all_1234567890.html";
  const TextBlock block(url, kBody, kCardBox);
  EXPECT_LE(block.fit().width_px, kCardBox.width_px);
  EXPECT_GT(block.fit().lines, 1);
  EXPECT_LE(block.fit().height_px, kCardBox.height_px);
}

TEST(TextBlock, EmojiAndRareCharactersHaveGlyphs) {
  // Emoji (colour font fallback), CJK Extension A and B characters used in
  // real names, traditional forms, full-width Latin, a combining mark.
  const std::string samples[] = {"看病太难了😭🙏👍🏻",
                                 "我叫王𬌗，住在䶮山路",
                                 "𠮷野家的𠀋",
                                 "醫療保障局 臺灣 喆",
                                 "ＡＢＣ１２３",
                                 "Café résumé",
                                 "温州·瓯海区"};
  for (const std::string& s : samples) {
    EXPECT_EQ(missingGlyphs(s, kBody), 0) << s;
    EXPECT_EQ(TextBlock(s, kBody, kCardBox).fit().replaced_characters, 0) << s;
  }
}

TEST(TextBlock, ACharacterNoFontHasIsDrawnAsTheMissingMark) {
  // U+E000 is a private-use code point: no installed font has it.
  const std::string text = "问题\xee\x80\x80结束";
  const TextBlock block(text, kBody, kCardBox);
  EXPECT_EQ(block.fit().replaced_characters, 1);
  EXPECT_EQ(block.fit().line_texts.at(0), "问题〓结束");
}

TEST(TextBlock, OneLineBoxesEllipsizeAtTheirMinimum) {
  const TextBox line{300, 0, 1, 20, Align::kLeft};
  const TextFit fit = TextBlock(question(80), kBody, line).fit();
  EXPECT_EQ(fit.lines, 1);
  EXPECT_TRUE(fit.ellipsized);
  EXPECT_LE(fit.width_px, 300);
}

TEST(QuestionCard, EveryTestStringFitsTheCardAt720pAnd1080p) {
  const std::string texts[] = {question(1),
                               question(30),
                               question(120),
                               question(300),
                               repeat("，。！？", 75),
                               "👍🏻😭🙏🎉" + question(50),
                               "https://example.org/" + repeat("abcdefghij", 25),
                               "<script>alert(1)</script>&amp;"};
  for (int height : {720, 1080}) {
    const Renderer renderer(builtinTheme(), height * 16 / 9, height);
    const int max_h = static_cast<int>(renderer.theme().card.max_height * height) + 1;
    for (const std::string& text : texts) {
      TextFit fit;
      QuestionCardContent card{7, text, "温州小李", "question", ""};
      const Placed placed = renderer.questionCard(card, &fit);
      SCOPED_TRACE(text);
      EXPECT_LE(placed.image.height(), max_h + 8);
      EXPECT_GE(placed.x, 0);
      EXPECT_GE(placed.y, 0);
      EXPECT_LE(placed.x + placed.image.width(), renderer.frameWidth());
      EXPECT_LE(placed.y + placed.image.height(), renderer.frameHeight());
      EXPECT_GE(fit.size_px, renderer.theme().sizes.card_text_min * height - 1);
      EXPECT_EQ(fit.replaced_characters, 0);
    }
  }
}

}  // namespace
}  // namespace yst::overlay
