// Cleaning and measuring what people type: the UTF-8 gate, the cleaning that
// stands between a browser and the program, and the loose form that the word
// filter and duplicate detection compare.
#include "studio/text/text.h"

#include <gtest/gtest.h>

#include <string>

namespace yst::text {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// The normalised form as UTF-8, so that a failure prints readably.
std::string norm(std::string_view s) {
  return encodeUtf8(normalizeForMatch(s));
}

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain ASCII"));
  EXPECT_TRUE(isValidUtf8(std::string("nul\0inside", 10)));
  EXPECT_TRUE(isValidUtf8("温网议事厅 · 对话市医保局"));
  EXPECT_TRUE(isValidUtf8("😀👍🏽"));
  EXPECT_TRUE(isValidUtf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(isValidUtf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(isValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(isValidUtf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(isValidUtf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(isValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
}

TEST(Utf8, RefusesOverlongForms) {
  EXPECT_FALSE(isValidUtf8("\xC0\x80"));  // NUL in two bytes, a classic filter bypass
  EXPECT_FALSE(isValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(
      isValidUtf8("\xC0\xBC"
                  "script"));  // '<'
  EXPECT_FALSE(isValidUtf8("\xE0\x80\x80"));
  EXPECT_FALSE(isValidUtf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(isValidUtf8("\xF0\x80\x80\x80"));
  EXPECT_FALSE(isValidUtf8("\xF0\x8F\xBF\xBF"));
}

TEST(Utf8, RefusesSurrogatesAndValuesAboveTheLastCodePoint) {
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(isValidUtf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(isValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 pair for U+1F600
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));          // U+110000
  EXPECT_FALSE(isValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(isValidUtf8("\xFF"));
  EXPECT_FALSE(isValidUtf8("\xFE"));
}

TEST(Utf8, RefusesTruncatedAndStraySequences) {
  EXPECT_FALSE(isValidUtf8("\xE4\xB8"));  // 中 without its last byte
  EXPECT_FALSE(
      isValidUtf8("\xE4\xB8"
                  "abc"));                    // … followed by ASCII
  EXPECT_FALSE(isValidUtf8("\xF0\x9F\x98"));  // 😀 without its last byte
  EXPECT_FALSE(isValidUtf8("abc\x80"));       // a continuation byte alone
  EXPECT_FALSE(isValidUtf8("\xC3"));
  EXPECT_FALSE(isValidUtf8("\xE4\xB8\xAD\xAD"));  // one continuation too many
}

TEST(Utf8, EncodeAndDecodeRoundTripEveryCodePoint) {
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const std::string bytes = encodeUtf8(std::u32string(1, c));
    ASSERT_TRUE(isValidUtf8(bytes)) << std::hex << static_cast<unsigned>(c);
    ASSERT_EQ(decodeUtf8(bytes), std::u32string(1, c)) << std::hex << static_cast<unsigned>(c);
    ASSERT_EQ(countChars(bytes), 1u);
  }
}

TEST(Utf8, NeverProducesOrReadsPastInvalidSequences) {
  EXPECT_EQ(encodeUtf8(U"a\xD800"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(encodeUtf8(std::u32string(1, char32_t{0x110000})), "\xEF\xBF\xBD");
  EXPECT_EQ(decodeUtf8("a\xFF"
                       "b"),
            U"a\xFFFD"
            "b");
  EXPECT_EQ(decodeUtf8("\xE4\xB8"), U"\xFFFD\xFFFD");
}

TEST(Utf8, CountsCodePointsNotBytes) {
  EXPECT_EQ(countChars(""), 0u);
  EXPECT_EQ(countChars("abc"), 3u);
  EXPECT_EQ(countChars("医保"), 2u);
  EXPECT_EQ(countChars("😀"), 1u);
  EXPECT_EQ(countChars(repeat("汉", 300)), 300u);
}

TEST(CleanText, KeepsOrdinaryTextAsItIs) {
  const std::string question = "请问异地就医怎么备案？What about Zhejiang Province?";
  const CleanedText cleaned = cleanText(question, 300, true);
  EXPECT_EQ(cleaned.problem, TextProblem::kNone);
  EXPECT_EQ(cleaned.text, question);
  EXPECT_EQ(cleaned.chars, countChars(question));
}

TEST(CleanText, KeepsMarkupVerbatimBecauseEscapingIsThePagesJob) {
  const std::string xss = "<script>alert('x')</script> & <img src=x onerror=alert(1)>";
  EXPECT_EQ(cleanText(xss, 300, true).text, xss);
}

TEST(CleanText, StripsControlCharacters) {
  EXPECT_EQ(cleanText("a\x01"
                      "b\x7F"
                      "c\x1B[31m",
                      300, true)
                .text,
            "abc[31m");
  EXPECT_EQ(cleanText(std::string("a\0b", 3), 300, true).text, "ab");
  EXPECT_EQ(cleanText("a\xC2\x85"
                      "b\xC2\x9F"
                      "c",
                      300, true)
                .text,
            "abc");  // C1: NEL, APC
  EXPECT_EQ(cleanText("a\tb", 300, true).text, "a b");
  EXPECT_EQ(cleanText("a\r\nb", 300, true).text, "a\nb");
  EXPECT_EQ(cleanText("a\r\nb", 300, false).text, "a b");
  EXPECT_EQ(cleanText("a\nb", 300, false).text, "a b");
}

TEST(CleanText, StripsBidiControlsAndInvisibleCharacters) {
  EXPECT_EQ(cleanText("abc\u202Egnp.exe", 300, true).text, "abcgnp.exe");
  EXPECT_EQ(cleanText("\u2066a\u2067b\u2068c\u2069\u202Ad\u202C", 300, true).text, "abcd");
  EXPECT_EQ(cleanText("\xEF\xBB\xBF"
                      "赌\u200B博\u200C\u200D\u2060",
                      300, true)
                .text,
            "赌博");
  EXPECT_EQ(cleanText("a\u00ADb\U000E0041c", 300, true).text, "abc");  // soft hyphen, tag 'A'
}

TEST(CleanText, StripsNoncharacters) {
  EXPECT_EQ(cleanText("a\uFDD0b\uFFFEc\U0001FFFFd\U0010FFFF", 300, true).text, "abcd");
}

TEST(CleanText, CollapsesEveryKindOfSpace) {
  EXPECT_EQ(cleanText("  a   b  ", 300, true).text, "a b");
  EXPECT_EQ(cleanText("a\u3000\u3000b", 300, true).text, "a b");
  EXPECT_EQ(cleanText("a\u00A0\u2003\u202F\u205Fb", 300, true).text, "a b");
  EXPECT_EQ(cleanText("a \u200B b", 300, true).text, "a b");  // invisible inside a run
}

TEST(CleanText, KeepsAtMostOneBlankLine) {
  EXPECT_EQ(cleanText("a\nb", 300, true).text, "a\nb");
  EXPECT_EQ(cleanText("a\n\n\n\n\nb", 300, true).text, "a\n\nb");
  EXPECT_EQ(cleanText("a  \n \t \n  b", 300, true).text, "a\n\nb");
  EXPECT_EQ(cleanText("\n\n a \n\n", 300, true).text, "a");
  EXPECT_EQ(cleanText("a\u2028b\u2029c", 300, true).text, "a\nb\nc");
  EXPECT_EQ(cleanText("a\nb", 300, true).chars, 3u);  // a newline is a character
}

TEST(CleanText, RefusesInvalidUtf8) {
  const CleanedText cleaned = cleanText("ok\xC0\x80", 300, true);
  EXPECT_EQ(cleaned.problem, TextProblem::kInvalidUtf8);
  EXPECT_EQ(cleaned.text, "");
  EXPECT_EQ(cleaned.chars, 0u);
}

TEST(CleanText, NothingVisibleIsEmpty) {
  EXPECT_EQ(cleanText("", 300, true).problem, TextProblem::kEmpty);
  EXPECT_EQ(cleanText(" \t\u3000\n\r\n ", 300, true).problem, TextProblem::kEmpty);
  EXPECT_EQ(cleanText("\x01\x02\x7F\u200B\u202E\uFEFF", 300, true).problem, TextProblem::kEmpty);
}

TEST(CleanText, CountsCodePointsAgainstTheLimit) {
  const CleanedText at_limit = cleanText(repeat("汉", 300), 300, true);
  EXPECT_EQ(at_limit.problem, TextProblem::kNone);
  EXPECT_EQ(at_limit.chars, 300u);

  const CleanedText emoji = cleanText(repeat("😀", 300), 300, true);
  EXPECT_EQ(emoji.problem, TextProblem::kNone);
  EXPECT_EQ(emoji.chars, 300u);

  const CleanedText over = cleanText(repeat("汉", 301), 300, true);
  EXPECT_EQ(over.problem, TextProblem::kTooLong);
  EXPECT_EQ(over.chars, 301u);
  EXPECT_EQ(over.text, repeat("汉", 301));  // still returned, cleaned

  // Removed characters and collapsed spaces do not count.
  EXPECT_EQ(cleanText(repeat("汉\u200B  ", 300), 599, true).problem, TextProblem::kNone);
}

TEST(CleanText, IsIdempotent) {
  const std::string samples[] = {
      "  请问\t\t医保\u3000卡\r\n\n\n\n怎么办？\u202E  ",
      "a \n b \n\n\n c",
      "\u2028\u2029x\u2028 \u2029y",
      "😀\u200D😀 \uFE0F",
  };
  for (const std::string& sample : samples) {
    for (bool keep_newlines : {true, false}) {
      const std::string once = cleanText(sample, 300, keep_newlines).text;
      EXPECT_EQ(cleanText(once, 300, keep_newlines).text, once) << sample;
    }
  }
}

TEST(NormalizeForMatch, SeparatorsDoNotHideAWord) {
  for (const char* variant :
       {"赌博", "赌 博", "赌.博", "赌＊博", "赌\u3000博", "赌·博", "赌•博", "赌★博", "赌☆博",
        "赌※博", "赌😀博", "赌\u200B博", "【赌】《博》", "赌，博。", "赌\u2014博", "赌\uFE0F博"}) {
    EXPECT_EQ(norm(variant), "赌博") << variant;
  }
  for (const char* variant : {"fuck", "FUCK", "ＦＵＣＫ", "Ｆｕｃｋ", "f-u-c-k", "F U C K",
                              "f.u.c.k!", "f\u0301u\u0336c\u0336k", "f_u_c_k"}) {
    EXPECT_EQ(norm(variant), "fuck") << variant;
  }
}

TEST(NormalizeForMatch, KeepsLettersAndDigitsOfEveryScript) {
  EXPECT_EQ(norm("Ab1"), "ab1");
  EXPECT_EQ(norm("２０２６年"), "2026年");
  EXPECT_EQ(norm("二〇二六"), "二〇二六");
  EXPECT_EQ(norm("人々"), "人々");
  EXPECT_EQ(norm("ありがとう カタカナ ﾊﾝｶｸ"), "ありがとうカタカナﾊﾝｶｸ");
  EXPECT_EQ(norm("안녕하세요"), "안녕하세요");
  EXPECT_EQ(norm("Ελλάδα Москва"), "ΕλλάδαМосква");  // only ASCII is folded
}

TEST(NormalizeForMatch, PunctuationSymbolsAndEmojiAloneNormaliseToNothing) {
  EXPECT_EQ(norm("!!! ？？？ …… 😀👍🏽 ★☆ ※ ·•、。「」"), "");
  EXPECT_EQ(norm(""), "");
}

TEST(NormalizeForMatch, CleaningFirstChangesNothing) {
  const std::string samples[] = {
      "  请问\t医保\u3000卡\r\n\n怎么办？\u202E  ",
      "Ｆ\u200Bｕ\u00ADck\U000E0041",
      "a\uFDD0b\x01\xC2\x85"
      "c",
  };
  for (const std::string& sample : samples) {
    EXPECT_EQ(norm(cleanText(sample, 300, true).text), norm(sample)) << sample;
    EXPECT_EQ(norm(cleanText(sample, 300, false).text), norm(sample)) << sample;
  }
}

}  // namespace
}  // namespace yst::text

namespace yst::text {
namespace {

TEST(CleanTextZalgo, StackedCombiningMarksAreCappedAtThree) {
  std::string zalgo = "a";
  for (int i = 0; i < 200; ++i) zalgo += "\u0301";  // combining acute accent
  zalgo += "b\u0301\u0302";
  const CleanedText cleaned = cleanText(zalgo, 300, false);
  EXPECT_EQ(cleaned.problem, TextProblem::kNone);
  EXPECT_EQ(cleaned.text, "a\u0301\u0301\u0301b\u0301\u0302");
  EXPECT_EQ(cleaned.chars, 7u);
}

}  // namespace
}  // namespace yst::text
