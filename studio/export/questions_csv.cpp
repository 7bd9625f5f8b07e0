#include "studio/export/questions_csv.h"

#include "studio/export/session.h"
#include "studio/questions/question.h"

namespace yst::exporter {

using questions::Question;
using questions::Status;

namespace {

// The words the sheet adds, in its language.
struct Words {
  const char* csv_header;
  const char* yes;
  const char* no;
  const char* follow_up;      // an unanswered question, for the departments
  const char* categories[3];  // question, suggestion, complaint
  std::map<std::string, std::string> statuses;
  std::map<std::string, std::string> reasons;
};

const Words kChinese = {
    "编号,收到时间,节目时间,昵称,类别,市民观察员,原文,最终文本,是否编辑,状态,未采纳原因,点赞,"
    "上屏时间,回答时间,跟进",
    "是",
    "否",
    "待部门跟进答复",
    {"提问", "建议", "投诉"},
    {{"pending", "待审"},
     {"approved", "已通过未回答"},
     {"on_air", "正在回答"},
     {"answered", "已回答"},
     {"rejected", "未采纳"},
     {"merged", "已合并"}},
    {{"off_topic", "离题"},
     {"duplicate", "重复"},
     {"abusive", "不当言论"},
     {"personal_info", "涉及个人信息"},
     {"spam", "广告/灌水"},
     {"other", "其他"}}};

const Words kEnglish = {
    "No.,Received at,Show time,Nickname,Category,Citizen observer,Original text,Final text,"
    "Edited,Status,Reason not taken,Votes,On air at,Answered at,Follow-up",
    "yes",
    "no",
    "awaiting the department's reply",
    {"Question", "Suggestion", "Complaint"},
    {{"pending", "pending"},
     {"approved", "approved, not answered"},
     {"on_air", "on air"},
     {"answered", "answered"},
     {"rejected", "not taken"},
     {"merged", "merged"}},
    {{"off_topic", "Off topic"},
     {"duplicate", "Duplicate"},
     {"abusive", "Abusive"},
     {"personal_info", "Personal information"},
     {"spam", "Spam"},
     {"other", "Other"}}};

const Words& wordsFor(Language language) {
  return language == Language::kEnglish ? kEnglish : kChinese;
}

std::string lookup(const std::map<std::string, std::string>& words, const std::string& key) {
  const auto it = words.find(key);
  return it == words.end() ? key : it->second;
}

}  // namespace

std::string questionsCsv(const std::vector<Question>& questions,
                         const std::map<std::int64_t, int>& votes, Language language) {
  const Words& w = wordsFor(language);
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel reads UTF-8
  out += w.csv_header;
  out += "\r\n";
  for (const Question& q : questions) {
    const int category =
        static_cast<int>(q.category) - static_cast<int>(questions::Category::kQuestion);
    const std::vector<std::string> fields = {
        std::to_string(q.id),
        q.received_utc,
        timecode(q.received_ms),
        q.nickname,
        category >= 0 && category < 3 ? w.categories[category]
                                      : std::string(questions::categoryName(q.category)),
        q.observer_name,
        q.original_text,
        q.text(),
        q.edits.empty() ? w.no : w.yes,
        lookup(w.statuses, std::string(questions::statusName(q.status))),
        q.status == Status::kRejected
            ? lookup(w.reasons, std::string(questions::rejectReasonName(q.reject_reason)))
            : "",
        std::to_string(votes.count(q.id) ? votes.at(q.id) : 0),
        q.aired_ms >= 0 ? timecode(q.aired_ms) : "",
        q.answered_ms >= 0 ? timecode(q.answered_ms) : "",
        awaitsFollowUp(q) ? w.follow_up : ""};
    out += csvRow(fields);
  }
  return out;
}

}  // namespace yst::exporter
