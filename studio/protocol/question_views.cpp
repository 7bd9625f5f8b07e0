#include "studio/protocol/question_views.h"

namespace yst::protocol {

using nlohmann::json;
using questions::Question;

namespace {

json nullable(const std::string& s) {
  return s.empty() ? json() : json(s);
}
json nullableMs(std::int64_t ms) {
  return ms < 0 ? json() : json(ms);
}
json nullableId(std::int64_t id) {
  return id == 0 ? json() : json(id);
}

}  // namespace

// Sent to every viewer for every approved question (at 10,000 viewers that is
// most of the studio's traffic), so fields at their usual value are left out:
// `votes` when 0, `observer` for an ordinary viewer.
json publicView(const Question& q, int votes) {
  json view = {{"id", q.id},
               {"text", q.text()},
               {"nickname", q.nickname},
               {"category", questions::categoryName(q.category)},
               {"status", questions::statusName(q.status)}};
  if (votes > 0) view["votes"] = votes;
  if (!q.observer_name.empty()) view["observer"] = q.observer_name;
  if (q.status == questions::Status::kApproved) view["position"] = q.queue_key;
  return view;
}

json ownView(const Question& q, int votes) {
  json view = {{"id", q.id},
               {"text", q.original_text},
               {"nickname", q.nickname},
               {"category", questions::categoryName(q.category)},
               {"status", questions::statusName(q.status)},
               {"votes", votes},
               {"observer", nullable(q.observer_name)},
               {"received_utc", q.received_utc}};
  if (q.status == questions::Status::kMerged) view["merged_into"] = q.merged_into;
  // The asker's page matches it with the submission it still waits for (an
  // acknowledgement lost with a connection comes back in hello.ok's `mine`).
  if (!q.client_id.empty()) view["client_id"] = q.client_id;
  return view;
}

json producerView(const Question& q, int votes) {
  json edits = json::array();
  for (const questions::Edit& e : q.edits) {
    edits.push_back({{"text", e.text}, {"by", e.by}, {"utc", e.utc}});
  }
  json flags = json::array();
  if (!q.matched_words.empty()) flags.push_back("sensitive");
  if (q.duplicate_of != 0) flags.push_back("duplicate");
  if (q.observer_id != 0) flags.push_back("observer");
  // What the producer may do with it now: the page shows these buttons.
  json actions = json::array();
  for (questions::Action action : questions::allowedActions(q.status)) {
    actions.push_back(questions::actionName(action));
  }
  return {{"id", q.id},
          {"text", q.text()},
          {"original_text", q.original_text},
          {"edited", !q.edits.empty()},
          {"edits", edits},
          {"nickname", q.nickname},
          {"category", questions::categoryName(q.category)},
          {"status", questions::statusName(q.status)},
          {"actions", actions},
          {"votes", votes},
          {"observer", nullable(q.observer_name)},
          {"flags", flags},
          {"matched_words", q.matched_words},
          {"duplicate_of", nullableId(q.duplicate_of)},
          {"merged_into", nullableId(q.merged_into)},
          {"reject_reason", nullable(std::string(questions::rejectReasonName(q.reject_reason)))},
          {"position", q.status == questions::Status::kApproved ? json(q.queue_key) : json()},
          {"received_utc", q.received_utc},
          {"received_ms", q.received_ms},
          {"aired_utc", nullable(q.aired_utc)},
          {"aired_ms", nullableMs(q.aired_ms)},
          {"answered_utc", nullable(q.answered_utc)},
          {"answered_ms", nullableMs(q.answered_ms)}};
}

json hostView(const Question& q, int votes) {
  return {{"id", q.id},
          {"text", q.text()},
          {"nickname", q.nickname},
          {"category", questions::categoryName(q.category)},
          {"observer", nullable(q.observer_name)},
          {"votes", votes}};
}

}  // namespace yst::protocol
