// An audience question and the words for it: its status, why it was
// rejected, its category, its edits, and the one table of moves a producer may
// make from each status. Plain data and names, no rules beyond that table:
// the QuestionDesk (question_desk.h) applies the moves, the store keeps the
// questions, the protocol's views (protocol/question_views.h) show them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace yst::questions {

enum class Status { kInvalid = 0, kPending, kApproved, kOnAir, kAnswered, kRejected, kMerged };
enum class RejectReason {
  kNone = 0,
  kOffTopic,
  kDuplicate,
  kAbusive,
  kPersonalInfo,
  kSpam,
  kOther
};

std::string_view statusName(Status status);
Status parseStatus(std::string_view name);  // kInvalid when unknown
std::string_view rejectReasonName(RejectReason reason);
RejectReason parseRejectReason(std::string_view name);  // kNone when unknown

enum class Category { kInvalid = 0, kQuestion, kSuggestion, kComplaint };
// "question", "suggestion", "complaint"; "invalid" for kInvalid.
std::string_view categoryName(Category category);
// The inverse of categoryName; kInvalid for anything else (case matters).
Category parseCategory(std::string_view name);

struct Edit {
  std::string text;
  std::string by;
  std::string utc;
  std::int64_t timeline_ms = 0;
};

struct Question {
  std::int64_t id = 0;
  std::string viewer;  // the asker's viewer id: never shown to anyone else
  // The asker's page's id for this submission, the same on every retry
  // ("" from older pages and typed in by producers): a question is stored
  // once per client id and session, and a retry is acknowledged with it.
  std::string client_id;
  std::string nickname;
  Category category = Category::kQuestion;
  std::string original_text;  // as received (after cleaning); never changes
  std::vector<Edit> edits;    // oldest first
  Status status = Status::kPending;
  RejectReason reject_reason = RejectReason::kNone;
  std::int64_t merged_into = 0;   // kMerged: the question it was merged into
  std::int64_t duplicate_of = 0;  // the earliest similar question at arrival, 0: none
  std::vector<std::string> matched_words;
  std::int64_t observer_id = 0;  // 0: an ordinary viewer
  std::string observer_name;
  double queue_key = 0;  // meaningful while approved
  int own_votes = 0;     // votes cast on this question itself
  std::string received_utc;
  std::int64_t received_ms = 0;
  std::string aired_utc;  // the last time it went on air; empty: never
  std::int64_t aired_ms = -1;
  std::string answered_utc;
  std::int64_t answered_ms = -1;

  // What is shown: the latest edit, or the text as received.
  const std::string& text() const { return edits.empty() ? original_text : edits.back().text; }
  bool isPublic() const {
    return status == Status::kApproved || status == Status::kOnAir || status == Status::kAnswered;
  }
};

struct Counters {
  std::int64_t received = 0;
  std::int64_t pending = 0;
  std::int64_t approved = 0;
  std::int64_t on_air = 0;
  std::int64_t answered = 0;
  std::int64_t rejected = 0;
  std::int64_t merged = 0;
};

enum class Action {
  kInvalid = 0,
  kApprove,
  kReject,
  kEdit,
  kMerge,
  kOnAir,
  kOffAir,
  kAnswered,
  kMove,
  kUndo,
};
// Every action, in the protocol's order.
inline constexpr std::array<Action, 9> kActions = {
    Action::kApprove, Action::kReject,   Action::kEdit, Action::kMerge, Action::kOnAir,
    Action::kOffAir,  Action::kAnswered, Action::kMove, Action::kUndo};
std::string_view actionName(Action action);  // "approve", "on_air", …
Action parseAction(std::string_view name);   // "approve" → kApprove; kInvalid when unknown
// The one table of moves a producer may make: whether `action` applies to a
// question in `status`. The producer's page shows a question's buttons from
// it (each question in the producer's view carries its allowed actions).
// Undo applies to the desk, not to one question: never allowed here.
bool actionAllowed(Action action, Status status);
// The actions allowed for a question in `status`, in kActionNames order.
std::vector<Action> allowedActions(Status status);

}  // namespace yst::questions
