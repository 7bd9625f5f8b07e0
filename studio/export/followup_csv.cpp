#include "studio/export/followup_csv.h"

#include "studio/followup/followup.h"

namespace yst::exporter {

namespace {

struct FollowupWords {
  const char* header;
  const char* question;
  const char* commitment;
};

const FollowupWords kFollowupChinese = {
    "编号,类别,部门,状态,期限,节目时间,内容,提问网友,答复或办理情况,首次答复时间,满意,基本满意,"
    "不满意",
    "网友提问", "节目承诺"};
const FollowupWords kFollowupEnglish = {
    "No.,Kind,Department,Status,Due,Show time,Text,Asked by,Reply or progress,First reply at,"
    "Satisfied,Mostly satisfied,Dissatisfied",
    "Viewer question", "Promise made on air"};

std::string followupStatusWord(followup::Status status, followup::Kind kind, Language language) {
  if (language == Language::kChinese) return std::string(followup::statusLabel(status, kind));
  switch (status) {
    case followup::Status::kAwaitingReply:
      return "awaiting reply";
    case followup::Status::kAnswered:
      return "answered";
    case followup::Status::kInProgress:
      return "in progress";
    case followup::Status::kDone:
      return "done";
    case followup::Status::kOverdue:
      return kind == followup::Kind::kQuestion ? "overdue, no reply" : "overdue";
    case followup::Status::kInvalid:
      break;
  }
  return "";
}

}  // namespace

std::string followupCsv(const std::vector<store::FollowupItem>& items, followup::Date today,
                        Language language) {
  const FollowupWords& w = language == Language::kEnglish ? kFollowupEnglish : kFollowupChinese;
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel reads UTF-8
  out += w.header;
  out += "\r\n";
  for (const store::FollowupItem& item : items) {
    const std::vector<std::string> fields = {
        std::to_string(item.id),
        item.kind == followup::Kind::kQuestion ? w.question : w.commitment,
        item.department,
        followupStatusWord(followup::statusOf(item.state, item.due, today), item.kind, language),
        followup::formatDate(item.due),
        item.timeline_ms >= 0 ? timecode(item.timeline_ms) : "",
        item.text,
        item.asker,
        item.reply,
        item.replied_at,
        std::to_string(item.ratings.satisfied),
        std::to_string(item.ratings.basically_satisfied),
        std::to_string(item.ratings.dissatisfied)};
    out += csvRow(fields);
  }
  return out;
}

}  // namespace yst::exporter
