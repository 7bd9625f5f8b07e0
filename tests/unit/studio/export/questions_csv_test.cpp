// questions.csv as Excel reads it: every question a row, in the package's
// language, and nothing a viewer typed ever a formula.
#include "studio/export/questions_csv.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/spreadsheet_formulas.h"
#include "tests/unit/studio/export/readers.h"

namespace yst::exporter {
namespace {

using questions::Question;
using questions::Status;

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
      question(1, "@SUM(1)", test::kSpreadsheetFormulas[0], questions::Category::kQuestion),
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
    const std::vector<std::vector<std::string>> rows = readers::parseCsv(csv.substr(3));
    ASSERT_EQ(rows.size(), 6u);
    for (const std::vector<std::string>& row : rows) ASSERT_EQ(row.size(), 15u);
    const bool zh = language == Language::kChinese;
    EXPECT_EQ(rows[0][0], zh ? "编号" : "No.");
    EXPECT_EQ(rows[0][4], zh ? "类别" : "Category");
    // Nicknames (column 3), original (6) and final text (7).
    EXPECT_EQ(rows[1][3], "'@SUM(1)");
    EXPECT_EQ(rows[1][6], "'" + test::kSpreadsheetFormulas[0]);
    EXPECT_EQ(rows[1][7], "'" + test::kSpreadsheetFormulas[0]);
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

TEST(QuestionsCsv, AShowWithoutQuestionsIsItsHeaderRow) {
  for (const Language language : {Language::kChinese, Language::kEnglish}) {
    const std::string csv = questionsCsv({}, {}, language);
    ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
    const std::vector<std::vector<std::string>> rows = readers::parseCsv(csv.substr(3));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].size(), 15u);
    EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
  }
}

TEST(QuestionsCsv, WhatBecameOfEachQuestion) {
  std::vector<Question> list = {question(1, "甲", "一", questions::Category::kQuestion),
                                question(2, "乙", "二", questions::Category::kQuestion),
                                question(3, "丙", "三", questions::Category::kQuestion),
                                question(4, "丁", "四", questions::Category::kQuestion),
                                question(5, "戊", "五", questions::Category::kQuestion)};
  list[1].status = Status::kApproved;
  list[2].status = Status::kOnAir;
  list[2].aired_ms = 3600000;
  list[3].status = Status::kAnswered;
  list[3].aired_ms = 59999;
  list[3].answered_ms = 3599999;
  list[4].status = Status::kMerged;
  list[4].merged_into = 4;
  list[4].observer_name = "市民观察员 老陈";
  const std::map<std::int64_t, int> votes = {{4, 7}};
  const std::vector<std::vector<std::string>> rows =
      readers::parseCsv(questionsCsv(list, votes, Language::kChinese).substr(3));
  ASSERT_EQ(rows.size(), 6u);
  // Status (9), votes (11), on air (12), answered (13), follow-up (14).
  EXPECT_EQ(rows[1][9], "待审");
  EXPECT_EQ(rows[1][14], "待部门跟进答复");
  EXPECT_EQ(rows[2][9], "已通过未回答");
  EXPECT_EQ(rows[2][14], "待部门跟进答复");
  EXPECT_EQ(rows[3][9], "正在回答");
  EXPECT_EQ(rows[3][12], "01:00:00");
  EXPECT_EQ(rows[3][14], "待部门跟进答复") << "still on air when the show ended";
  EXPECT_EQ(rows[4][9], "已回答");
  EXPECT_EQ(rows[4][12], "00:00:59");
  EXPECT_EQ(rows[4][13], "00:59:59");
  EXPECT_EQ(rows[4][14], "");
  EXPECT_EQ(rows[4][11], "7");
  EXPECT_EQ(rows[5][9], "已合并");
  EXPECT_EQ(rows[5][5], "市民观察员 老陈");
  EXPECT_EQ(rows[5][11], "0") << "a question without votes counts 0";
  EXPECT_EQ(rows[5][10], "") << "a reason only for what was not taken";
  EXPECT_EQ(rows[1][12], "") << "never on air";
  EXPECT_EQ(rows[1][2], "00:00:01") << "received on the show's clock";
}

TEST(QuestionsCsv, ControlCharactersInNamesStayInsideTheirCell) {
  // A nickname with a line break, a quote and a comma: one cell still.
  std::vector<Question> list = {
      question(1, "甲\r\n,\"乙", "问\n题", questions::Category::kQuestion)};
  const std::vector<std::vector<std::string>> rows =
      readers::parseCsv(questionsCsv(list, {}, Language::kEnglish).substr(3));
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[1].size(), 15u);
  EXPECT_EQ(rows[1][3], "甲\r\n,\"乙");
  EXPECT_EQ(rows[1][6], "问\n题");
}

}  // namespace
}  // namespace yst::exporter
