// The text record (图文实录): its head from the show file, its sections
// (the opening, then each question with what followed), each format with
// hostile names and questions, and a show where nothing was said.
#include "studio/export/text_record.h"

#include "studio/export/followup_csv.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/unit/studio/export/readers.h"

namespace yst::exporter {
namespace {

using nlohmann::json;
using store::TranscriptLine;

TranscriptLine said(const std::string& who, const std::string& text, std::int64_t start_ms) {
  TranscriptLine l;
  l.speaker_name = who;
  l.text = text;
  l.original_text = text;
  l.start_ms = start_ms;
  l.end_ms = start_ms + 1000;
  return l;
}

TranscriptLine asked(const std::string& text, std::int64_t start_ms, std::int64_t question_id) {
  TranscriptLine l = said("网友提问", text, start_ms);
  l.kind = "question";
  l.speaker = "question";
  l.question_id = question_id;
  return l;
}

// The lines of a Markdown record that are headings ("#…").
std::vector<std::string> headings(const std::string& md) {
  std::vector<std::string> out;
  for (const std::string& l : readers::splitLines(md)) {
    if (!l.empty() && l[0] == '#') out.push_back(l);
  }
  return out;
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
  for (const std::string& line : readers::splitLines(md)) {
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

TEST(HtmlRecord, APromiseIsMarkedAfterTheLineBeingSaidAtItsMoment) {
  const RecordHead head{"节目", "2026-11-27", "", {}};
  store::FollowupItem promise;
  promise.kind = followup::Kind::kCommitment;
  promise.text = "安置房办证<b>年底</b>全部办结";
  promise.department = "市住建局";
  promise.due = *followup::parseDate("2026-12-31");
  promise.timeline_ms = 2500;
  store::FollowupItem question = promise;
  question.kind = followup::Kind::kQuestion;
  question.text = "不是承诺";
  const std::string html =
      htmlRecord(head, {said("张三", "答一", 2000), said("张三", "答二", 3000)}, Language::kChinese,
                 {promise, question});
  const std::size_t mark = html.find("<p class=\"promise\">");
  ASSERT_NE(mark, std::string::npos) << html;
  EXPECT_GT(mark, html.find("答一"));
  EXPECT_LT(mark, html.find("答二"));
  EXPECT_NE(html.find("安置房办证&lt;b&gt;年底&lt;/b&gt;全部办结（市住建局 · 期限 2026-12-31）"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("不是承诺"), std::string::npos) << "a forwarded question is no promise";
}

TEST(FollowupCsv, StatusesAsOfTheDayAndCellsSafeForExcel) {
  store::FollowupItem overdue;
  overdue.id = 7;
  overdue.kind = followup::Kind::kQuestion;
  overdue.department = "市医保局";
  overdue.state = followup::State::kAwaitingReply;
  overdue.due = *followup::parseDate("2026-12-09");
  overdue.text = "=HYPERLINK(\"http://x\")";
  overdue.timeline_ms = 61000;
  const std::string csv =
      followupCsv({overdue}, *followup::parseDate("2026-12-10"), Language::kChinese);
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF编号,类别,部门,状态,期限", 0), 0u);
  EXPECT_NE(csv.find("\"7\",\"网友提问\",\"市医保局\",\"逾期未答复\",\"2026-12-09\",\"00:01:01\","
                     "\"'=HYPERLINK(\"\"http://x\"\")\""),
            std::string::npos)
      << csv;
  const std::string before =
      followupCsv({overdue}, *followup::parseDate("2026-12-09"), Language::kEnglish);
  EXPECT_NE(before.find(",\"awaiting reply\",\"2026-12-09\","), std::string::npos) << before;
}

TEST(MarkdownRecord, SectionsFollowTheQuestions) {
  const RecordHead head{"节目", "2026-11-27", "", {}};
  // The show opens with a question: no opening section.
  const std::vector<TranscriptLine> lines = {asked("第一问", 1000, 1), said("张三", "答一", 2000),
                                             asked("第二问", 3000, 2), asked("第三问", 4000, 3),
                                             said("张三", "答三", 5000)};
  const std::string md = markdownRecord(head, lines, Language::kChinese);
  EXPECT_EQ(headings(md),
            (std::vector<std::string>{"# 节目", "## 第一问", "## 第二问", "## 第三问"}));
  // What was said follows its question, in order.
  const std::size_t one = md.find("## 第一问"), answer_one = md.find("答一"),
                    two = md.find("## 第二问"), three = md.find("## 第三问"),
                    answer_three = md.find("答三");
  EXPECT_LT(one, answer_one);
  EXPECT_LT(answer_one, two);
  EXPECT_LT(three, answer_three);
  EXPECT_NE(md.find("## 第三问\n\n*00:00:04*\n\n**张三**（00:00:05）：答三\n\n"), std::string::npos)
      << md;
}

TEST(MarkdownRecord, AnEmptyShowIsItsHeadAlone) {
  const RecordHead head{"温网议事厅", "2026-11-27", "", {}};
  EXPECT_EQ(markdownRecord(head, {}, Language::kChinese), "# 温网议事厅\n\n- 日期：2026-11-27\n\n");
  EXPECT_EQ(markdownRecord({}, {}, Language::kEnglish), "# \n\n- Date: \n\n");
}

TEST(HtmlRecord, AnEmptyShowHasNoSections) {
  const std::string html = htmlRecord({"节目", "2026-11-27", "", {}}, {}, Language::kChinese);
  EXPECT_EQ(html.find("<h2>"), std::string::npos);
  EXPECT_NE(html.find("<h1>节目</h1>\n<p class=\"meta\">2026-11-27</p>\n</body>"),
            std::string::npos)
      << html;
}

TEST(HtmlRecord, HostileNamesAndLinesAreText) {
  const RecordHead head{"节目", "2026-11-27", "<img src=x onerror=alert(1)>", {"\"><script>"}};
  const std::string html =
      htmlRecord(head, {said("<b>王芳</b>", "a & b <i>", 1000)}, Language::kChinese);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_NE(
      html.find(" · 主持人 &lt;img src=x onerror=alert(1)&gt; · 嘉宾 &quot;&gt;&lt;script&gt;"),
      std::string::npos)
      << html;
  EXPECT_NE(
      html.find("<span class=\"speaker\">&lt;b&gt;王芳&lt;/b&gt;</span>：a &amp; b &lt;i&gt;</p>"),
      std::string::npos)
      << html;
}

Session show(const std::string& show_json) {
  Session s;
  s.id = 7;
  s.title = "温网议事厅 · 对话市医保局";
  s.started_at = "2026-11-27T12:00:00.000Z";
  s.show = json::parse(show_json, nullptr, false);
  return s;
}

TEST(RecordHead, FromTheShowFile) {
  const RecordHead head =
      recordHead(show(R"({"host":{"name":"王芳","title":"主持人"},)"
                      R"("guests":[{"name":"张三","title":"市医保局局长"},{"name":"李四"}]})"));
  EXPECT_EQ(head.title, "温网议事厅 · 对话市医保局");
  EXPECT_EQ(head.date, "2026-11-27");
  EXPECT_EQ(head.host, "王芳（主持人）");
  EXPECT_EQ(head.guests, (std::vector<std::string>{"张三（市医保局局长）", "李四"}));
}

TEST(RecordHead, WithoutPeopleOrAShowFile) {
  for (const char* show_json : {"{}", "not json", "[1,2]", R"({"host":"王芳","guests":{}})"}) {
    const RecordHead head = recordHead(show(show_json));
    EXPECT_EQ(head.host, "") << show_json;
    EXPECT_TRUE(head.guests.empty()) << show_json;
    EXPECT_EQ(head.date, "2026-11-27");
  }
  Session never_started = show("{}");
  never_started.started_at.clear();
  EXPECT_EQ(recordHead(never_started).date, "");
}

TEST(RecordHead, HostileNamesStayTextInMarkdown) {
  const RecordHead head = recordHead(
      show(R"json({"host":{"name":"[王芳](http://evil.example)","title":"# 主持人"},)json"
           R"json("guests":[{"name":"- 张三\n# 注入"}]})json"));
  const std::string md = markdownRecord(head, {}, Language::kChinese);
  EXPECT_EQ(headings(md), (std::vector<std::string>{"# 温网议事厅 · 对话市医保局"}));
  EXPECT_NE(md.find("- 主持人：\\[王芳\\](http\\://evil.example)（\\# 主持人）\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- 嘉宾：\\- 张三 \\# 注入\n"), std::string::npos) << md;
}

TEST(JsonRecord, EveryLineAsTypedAndAsCorrected) {
  Session s = show(R"({"host":{"name":"王芳"},"guests":[{"name":"张三","title":"局长"}]})");
  TranscriptLine corrected = said("张三", "先在网上备案。", 62000);
  corrected.id = 12;
  corrected.speaker = "guest1";
  corrected.original_text = "先在王上备案";
  s.lines = {asked("<script>\"\xE2\x80\xA8</script>", 61000, 5), corrected};
  const json record = json::parse(jsonRecord(s));
  EXPECT_EQ(record["session"], 7);
  EXPECT_EQ(record["title"], "温网议事厅 · 对话市医保局");
  EXPECT_EQ(record["host"], "王芳");
  EXPECT_EQ(record["guests"], json::array({"张三（局长）"}));
  EXPECT_TRUE(record["ended_at"].is_null()) << "the session did not end";
  ASSERT_EQ(record["lines"].size(), 2u);
  EXPECT_EQ(record["lines"][0]["text"], "<script>\"\xE2\x80\xA8</script>")
      << "JSON keeps it as a string";
  EXPECT_EQ(record["lines"][0]["kind"], "question");
  EXPECT_EQ(record["lines"][0]["question"], 5);
  EXPECT_EQ(record["lines"][1]["id"], 12);
  EXPECT_EQ(record["lines"][1]["speaker"], "guest1");
  EXPECT_EQ(record["lines"][1]["text"], "先在网上备案。");
  EXPECT_EQ(record["lines"][1]["original_text"], "先在王上备案");
  EXPECT_EQ(record["lines"][1]["start_ms"], 62000);
  EXPECT_EQ(record["lines"][1]["end_ms"], 63000);
  EXPECT_TRUE(record["lines"][1]["question"].is_null());

  s.ended_at = "2026-11-27T13:00:00.000Z";
  EXPECT_EQ(json::parse(jsonRecord(s))["ended_at"], "2026-11-27T13:00:00.000Z");
}

TEST(JsonRecord, AnEmptyShow) {
  const json record = json::parse(jsonRecord(show("{}")));
  EXPECT_EQ(record["lines"], json::array());
  EXPECT_EQ(record["guests"], json::array());
  EXPECT_EQ(record["host"], "");
}

}  // namespace
}  // namespace yst::exporter
