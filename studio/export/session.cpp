#include "studio/export/session.h"

#include <algorithm>
#include <optional>

#include "studio/export/export_error.h"
#include "studio/store/questions_table.h"
#include "studio/store/sessions_table.h"
#include "studio/store/store.h"

namespace yst::exporter {

using nlohmann::json;
using questions::Question;
using questions::Status;

Session loadSession(const std::string& db_path, std::int64_t session_id) {
  store::DbPtr db;
  try {
    db = store::openReadOnly(db_path);
  } catch (const store::StoreError& e) {
    throw ExportError(e.what());
  }
  Session s;
  s.id = session_id;
  const std::optional<store::SessionRow> row = store::loadSession(db.get(), session_id);
  if (!row) throw ExportError("no session " + std::to_string(session_id) + " in " + db_path);
  s.title = row->title;
  s.show = json::parse(row->show_json, nullptr, false);
  s.started_at = row->started_at;
  s.ended_at = row->ended_at;
  for (store::SessionRecording& r : store::sessionRecordings(db.get(), session_id)) {
    s.recordings.push_back(
        {std::move(r.path), r.timeline_offset_ms, std::move(r.started_at), std::move(r.ended_at)});
  }
  s.peak_viewers = store::peakViewers(db.get(), session_id);
  s.lines = store::sessionLines(db.get(), session_id);
  store::LoadedQuestions loaded = store::loadQuestions(db.get(), session_id);
  s.questions = std::move(loaded.questions);
  s.votes = votesWithMerged(s.questions);
  if (store::schemaVersion(db.get()) >= 6) {
    store::ItemQuery query;
    query.session_id = session_id;
    query.limit = 1000;
    s.followups = store::listItems(db.get(), query);
    std::reverse(s.followups.begin(), s.followups.end());
  }
  return s;
}

std::map<std::int64_t, int> votesWithMerged(const std::vector<Question>& questions) {
  std::map<std::int64_t, int> votes;
  for (const Question& q : questions) votes[q.id] += q.own_votes;
  for (const Question& q : questions) {
    if (q.status == Status::kMerged && q.merged_into != 0) votes[q.merged_into] += q.own_votes;
  }
  return votes;
}

std::string personLine(const json& person) {
  if (!person.is_object()) return "";
  const std::string name = person.value("name", "");
  const std::string title = person.value("title", "");
  return title.empty() ? name : name + "（" + title + "）";
}

std::vector<std::string> guestLines(const Session& s) {
  std::vector<std::string> out;
  if (s.show.is_object() && s.show.contains("guests") && s.show["guests"].is_array()) {
    for (const json& g : s.show["guests"]) out.push_back(personLine(g));
  }
  return out;
}

std::string hostLine(const Session& s) {
  return s.show.is_object() && s.show.contains("host") ? personLine(s.show["host"]) : "";
}

std::vector<const Question*> airedQuestions(const Session& s) {
  std::vector<const Question*> out;
  for (const Question& q : s.questions) {
    if (q.aired_ms >= 0) out.push_back(&q);
  }
  std::sort(out.begin(), out.end(),
            [](const Question* a, const Question* b) { return a->aired_ms < b->aired_ms; });
  return out;
}

bool awaitsFollowUp(const Question& q) {
  return q.status == Status::kPending || q.status == Status::kApproved ||
         q.status == Status::kOnAir;
}

}  // namespace yst::exporter
