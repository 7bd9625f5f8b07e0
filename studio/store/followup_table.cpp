#include "studio/store/followup_table.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "studio/store/store.h"
#include "studio/text/text.h"

namespace yst::store {

using followup::Date;
using followup::Kind;
using followup::State;
using followup::Status;
using nlohmann::json;

namespace {

void bindId(sqlite3_stmt* s, int i, std::int64_t v) {
  sqlite3_bind_int64(s, i, v);
}

void bindIdOrNull(sqlite3_stmt* s, int i, std::int64_t v) {
  if (v == 0) {
    sqlite3_bind_null(s, i);
  } else {
    sqlite3_bind_int64(s, i, v);
  }
}

std::int64_t columnIdOrZero(sqlite3_stmt* s, int i) {
  return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, i);
}

void addHistory(sqlite3* db, std::int64_t item_id, const std::string& utc, const std::string& actor,
                const std::string& action, const json& detail) {
  StmtPtr s = prepare(db,
                      "INSERT INTO followup_history(item_id, utc, actor, action, detail_json) "
                      "VALUES(?,?,?,?,?)");
  bindId(s.get(), 1, item_id);
  bindText(s.get(), 2, utc);
  bindText(s.get(), 3, actor);
  bindText(s.get(), 4, action);
  bindText(s.get(), 5, detail.dump());
  stepDone(db, s.get());
}

// Items read with their department, show and ratings.
constexpr const char* kItemColumns =
    "i.id, i.kind, i.session_id, COALESCE(s.title, ''), i.question_id, i.department_id, d.name, "
    "i.text, i.asker, i.timeline_ms, i.state, i.due, i.working_days, i.created_at, i.created_by, "
    "i.reply, i.replied_at, i.replied_date, i.updated_at, i.reassign_reason, "
    "(SELECT count(*) FROM followup_ratings r WHERE r.item_id = i.id AND r.rating = 'satisfied'), "
    "(SELECT count(*) FROM followup_ratings r WHERE r.item_id = i.id AND "
    "r.rating = 'basically_satisfied'), "
    "(SELECT count(*) FROM followup_ratings r WHERE r.item_id = i.id AND r.rating = "
    "'dissatisfied')";
constexpr const char* kItemFrom =
    " FROM followup_items i JOIN departments d ON d.id = i.department_id "
    "LEFT JOIN sessions s ON s.id = i.session_id";

FollowupItem readItem(sqlite3_stmt* s) {
  FollowupItem item;
  item.id = sqlite3_column_int64(s, 0);
  item.kind = followup::kindFromName(columnText(s, 1));
  item.session_id = columnIdOrZero(s, 2);
  item.session_title = columnText(s, 3);
  item.question_id = columnIdOrZero(s, 4);
  item.department_id = sqlite3_column_int64(s, 5);
  item.department = columnText(s, 6);
  item.text = columnText(s, 7);
  item.asker = columnText(s, 8);
  item.timeline_ms = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 9);
  item.state = followup::stateFromName(columnText(s, 10));
  item.due = followup::parseDate(columnText(s, 11)).value_or(Date{});
  item.working_days = sqlite3_column_int(s, 12);
  item.created_at = columnText(s, 13);
  item.created_by = columnText(s, 14);
  item.reply = columnText(s, 15);
  item.replied_at = columnText(s, 16);
  item.replied_date = columnText(s, 17);
  item.updated_at = columnText(s, 18);
  item.reassign_reason = columnText(s, 19);
  item.ratings.satisfied = sqlite3_column_int(s, 20);
  item.ratings.basically_satisfied = sqlite3_column_int(s, 21);
  item.ratings.dissatisfied = sqlite3_column_int(s, 22);
  return item;
}

Department readDepartment(sqlite3_stmt* s) {
  Department d;
  d.id = sqlite3_column_int64(s, 0);
  d.name = columnText(s, 1);
  d.created_at = columnText(s, 2);
  d.has_link = sqlite3_column_type(s, 3) != SQLITE_NULL;
  d.removed = sqlite3_column_type(s, 4) != SQLITE_NULL;
  return d;
}

constexpr const char* kDepartmentColumns = "id, name, created_at, token_sha256, removed_at";

// The item as its writer may change it: it exists, and a department writes
// only to its own.
FollowupItem itemForWriting(sqlite3* db, std::int64_t item_id, const Actor& actor) {
  std::optional<FollowupItem> item = loadItem(db, item_id);
  if (!item || (actor.department_id != 0 && item->department_id != actor.department_id)) {
    // Another department's item is "not found" too: its existence is no
    // business of this one's.
    throw FollowupRefusal("not_found", "no follow-up item " + std::to_string(item_id));
  }
  return *item;
}

void activeDepartment(sqlite3* db, std::int64_t id) {
  std::optional<Department> d = findDepartment(db, id);
  if (!d || d->removed) {
    throw FollowupRefusal("not_found", "no department " + std::to_string(id));
  }
}

// An FTS5 phrase: the text in double quotes, its own quotes doubled.
std::string ftsPhrase(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

// --- departments ---

std::int64_t addDepartment(sqlite3* db, const std::string& name, const std::string& token_sha256) {
  {
    StmtPtr s = prepare(db, "SELECT id FROM departments WHERE name = ? AND removed_at IS NULL");
    bindText(s.get(), 1, name);
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      throw FollowupRefusal("conflict", "a department named \"" + name + "\" exists already (" +
                                            std::to_string(sqlite3_column_int64(s.get(), 0)) + ")");
    }
  }
  StmtPtr s = prepare(db, "INSERT INTO departments(name, token_sha256, created_at) VALUES(?,?,?)");
  bindText(s.get(), 1, name);
  if (token_sha256.empty()) {
    sqlite3_bind_null(s.get(), 2);
  } else {
    bindText(s.get(), 2, token_sha256);
  }
  bindText(s.get(), 3, utcNowIso());
  stepDone(db, s.get());
  return sqlite3_last_insert_rowid(db);
}

std::int64_t ensureDepartment(sqlite3* db, const std::string& name) {
  StmtPtr s = prepare(db, "SELECT id FROM departments WHERE name = ? AND removed_at IS NULL");
  bindText(s.get(), 1, name);
  if (sqlite3_step(s.get()) == SQLITE_ROW) return sqlite3_column_int64(s.get(), 0);
  return addDepartment(db, name, "");
}

bool relinkDepartment(sqlite3* db, std::int64_t id, const std::string& token_sha256) {
  StmtPtr s =
      prepare(db, "UPDATE departments SET token_sha256 = ? WHERE id = ? AND removed_at IS NULL");
  bindText(s.get(), 1, token_sha256);
  bindId(s.get(), 2, id);
  stepDone(db, s.get());
  return sqlite3_changes(db) > 0;
}

bool removeDepartment(sqlite3* db, std::int64_t id) {
  StmtPtr s = prepare(db,
                      "UPDATE departments SET token_sha256 = NULL, removed_at = ? "
                      "WHERE id = ? AND removed_at IS NULL");
  bindText(s.get(), 1, utcNowIso());
  bindId(s.get(), 2, id);
  stepDone(db, s.get());
  return sqlite3_changes(db) > 0;
}

std::vector<Department> listDepartments(sqlite3* db, bool with_removed) {
  const std::string sql = std::string("SELECT ") + kDepartmentColumns + " FROM departments" +
                          (with_removed ? "" : " WHERE removed_at IS NULL") + " ORDER BY id";
  StmtPtr s = prepare(db, sql.c_str());
  std::vector<Department> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(readDepartment(s.get()));
  return out;
}

std::optional<Department> departmentByToken(sqlite3* db, const std::string& token_sha256) {
  const std::string sql = std::string("SELECT ") + kDepartmentColumns +
                          " FROM departments WHERE token_sha256 = ? AND removed_at IS NULL";
  StmtPtr s = prepare(db, sql.c_str());
  bindText(s.get(), 1, token_sha256);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return readDepartment(s.get());
}

std::optional<Department> findDepartment(sqlite3* db, std::int64_t id) {
  const std::string sql =
      std::string("SELECT ") + kDepartmentColumns + " FROM departments WHERE id = ?";
  StmtPtr s = prepare(db, sql.c_str());
  bindId(s.get(), 1, id);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return readDepartment(s.get());
}

// --- items ---

std::int64_t forwardQuestion(sqlite3* db, const ForwardQuestion& forward) {
  activeDepartment(db, forward.department_id);
  std::int64_t question_id = forward.question_id;
  std::int64_t session_id = 0;
  std::string text, nickname, status;
  std::int64_t received_ms = -1;
  // A question merged into another is followed as that other.
  for (int hops = 0;; ++hops) {
    StmtPtr s = prepare(db,
                        "SELECT session_id, text, nickname, status, merged_into, received_ms "
                        "FROM questions WHERE id = ?");
    bindId(s.get(), 1, question_id);
    if (sqlite3_step(s.get()) != SQLITE_ROW) {
      throw FollowupRefusal("not_found", "no question " + std::to_string(question_id));
    }
    status = columnText(s.get(), 3);
    const std::int64_t merged_into = columnIdOrZero(s.get(), 4);
    if (status == "merged" && merged_into != 0 && hops < 8) {
      question_id = merged_into;
      continue;
    }
    session_id = sqlite3_column_int64(s.get(), 0);
    text = columnText(s.get(), 1);
    nickname = columnText(s.get(), 2);
    received_ms = sqlite3_column_int64(s.get(), 5);
    break;
  }
  if (status == "answered") {
    throw FollowupRefusal("invalid",
                          "question " + std::to_string(question_id) + " was answered on air");
  }
  if (status == "rejected") {
    throw FollowupRefusal("invalid", "question " + std::to_string(question_id) + " was rejected");
  }
  if (status != "pending" && status != "approved" && status != "on_air") {
    throw FollowupRefusal("invalid", "question " + std::to_string(question_id) + " is " + status);
  }
  {
    StmtPtr s = prepare(db,
                        "SELECT id FROM followup_items WHERE kind = 'question' AND "
                        "question_id = ?");
    bindId(s.get(), 1, question_id);
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      throw FollowupRefusal("conflict", "question " + std::to_string(question_id) +
                                            " was forwarded already (item " +
                                            std::to_string(sqlite3_column_int64(s.get(), 0)) + ")");
    }
  }
  StmtPtr s = prepare(db,
                      "INSERT INTO followup_items(kind, session_id, question_id, department_id, "
                      "text, asker, timeline_ms, state, due, working_days, created_at, "
                      "created_by, updated_at) VALUES('question',?,?,?,?,?,?,?,?,?,?,?,?)");
  bindId(s.get(), 1, session_id);
  bindId(s.get(), 2, question_id);
  bindId(s.get(), 3, forward.department_id);
  bindText(s.get(), 4, text);
  bindText(s.get(), 5, nickname);
  bindId(s.get(), 6, received_ms);
  bindText(s.get(), 7, std::string(followup::stateName(State::kAwaitingReply)));
  bindText(s.get(), 8, followup::formatDate(forward.due));
  sqlite3_bind_int(s.get(), 9, forward.working_days);
  bindText(s.get(), 10, forward.utc);
  bindText(s.get(), 11, forward.by);
  bindText(s.get(), 12, forward.utc);
  stepDone(db, s.get());
  const std::int64_t item_id = sqlite3_last_insert_rowid(db);
  // Its askers: the question's own viewer and those whose questions were
  // merged into it (they asked the same thing).
  StmtPtr askers = prepare(db,
                           "INSERT OR IGNORE INTO followup_askers(item_id, viewer, question_id) "
                           "SELECT ?, viewer, id FROM questions WHERE id = ? OR merged_into = ?");
  bindId(askers.get(), 1, item_id);
  bindId(askers.get(), 2, question_id);
  bindId(askers.get(), 3, question_id);
  stepDone(db, askers.get());
  addHistory(db, item_id, forward.utc, forward.by, "forward",
             {{"question", question_id},
              {"department", forward.department_id},
              {"due", followup::formatDate(forward.due)},
              {"working_days", forward.working_days}});
  return item_id;
}

std::int64_t markCommitment(sqlite3* db, const MarkCommitment& c) {
  activeDepartment(db, c.department_id);
  if (c.question_id != 0) {
    StmtPtr s = prepare(db, "SELECT 1 FROM questions WHERE id = ?");
    bindId(s.get(), 1, c.question_id);
    if (sqlite3_step(s.get()) != SQLITE_ROW) {
      throw FollowupRefusal("not_found", "no question " + std::to_string(c.question_id));
    }
  }
  StmtPtr s = prepare(db,
                      "INSERT INTO followup_items(kind, session_id, question_id, department_id, "
                      "text, timeline_ms, state, due, working_days, created_at, created_by, "
                      "updated_at) VALUES('commitment',?,?,?,?,?,?,?,?,?,?,?)");
  bindIdOrNull(s.get(), 1, c.session_id);
  bindIdOrNull(s.get(), 2, c.question_id);
  bindId(s.get(), 3, c.department_id);
  bindText(s.get(), 4, c.text);
  if (c.timeline_ms < 0) {
    sqlite3_bind_null(s.get(), 5);
  } else {
    bindId(s.get(), 5, c.timeline_ms);
  }
  bindText(s.get(), 6, std::string(followup::stateName(State::kInProgress)));
  bindText(s.get(), 7, followup::formatDate(c.due));
  sqlite3_bind_int(s.get(), 8, c.working_days);
  bindText(s.get(), 9, c.utc);
  bindText(s.get(), 10, c.by);
  bindText(s.get(), 11, c.utc);
  stepDone(db, s.get());
  const std::int64_t item_id = sqlite3_last_insert_rowid(db);
  addHistory(db, item_id, c.utc, c.by, "commit",
             {{"text", c.text},
              {"department", c.department_id},
              {"due", followup::formatDate(c.due)},
              {"question", c.question_id == 0 ? json() : json(c.question_id)},
              {"timeline_ms", c.timeline_ms < 0 ? json() : json(c.timeline_ms)}});
  return item_id;
}

namespace {

// Sets the reply (and state), the first reply's time and date once.
void writeReply(sqlite3* db, std::int64_t item_id, State state, const std::string& text,
                const Stamp& when, bool closes) {
  StmtPtr s = prepare(db,
                      "UPDATE followup_items SET state = ?, reply = ?, updated_at = ?, "
                      "replied_at = CASE WHEN ? AND replied_at IS NULL THEN ? ELSE replied_at END, "
                      "replied_date = CASE WHEN ? AND replied_date IS NULL THEN ? "
                      "ELSE replied_date END, "
                      "reply_days = CASE WHEN ? AND reply_days IS NULL "
                      "THEN julianday(?) - julianday(created_at) ELSE reply_days END WHERE id = ?");
  bindText(s.get(), 1, std::string(followup::stateName(state)));
  bindText(s.get(), 2, text);
  bindText(s.get(), 3, when.utc);
  sqlite3_bind_int(s.get(), 4, closes ? 1 : 0);
  bindText(s.get(), 5, when.utc);
  sqlite3_bind_int(s.get(), 6, closes ? 1 : 0);
  bindText(s.get(), 7, followup::formatDate(when.date));
  sqlite3_bind_int(s.get(), 8, closes ? 1 : 0);
  bindText(s.get(), 9, when.utc);
  bindId(s.get(), 10, item_id);
  stepDone(db, s.get());
}

}  // namespace

void replyToItem(sqlite3* db, std::int64_t item_id, const Actor& actor, const std::string& text,
                 const Stamp& when) {
  const FollowupItem item = itemForWriting(db, item_id, actor);
  if (item.kind != Kind::kQuestion) {
    throw FollowupRefusal("invalid", "item " + std::to_string(item_id) +
                                         " is a commitment: report its progress instead");
  }
  writeReply(db, item_id, State::kAnswered, text, when, true);
  addHistory(db, item_id, when.utc, actor.name,
             item.state == State::kAnswered ? "reply_revised" : "reply", {{"text", text}});
}

void reportProgress(sqlite3* db, std::int64_t item_id, const Actor& actor, State state,
                    const std::string& text, const Stamp& when) {
  const FollowupItem item = itemForWriting(db, item_id, actor);
  if (item.kind != Kind::kCommitment) {
    throw FollowupRefusal(
        "invalid", "item " + std::to_string(item_id) + " is a question: write its reply instead");
  }
  if (state != State::kInProgress && state != State::kDone) {
    throw FollowupRefusal("invalid", "state is in_progress or done");
  }
  if (state == State::kInProgress && item.state == State::kDone) {
    throw FollowupRefusal("invalid", "item " + std::to_string(item_id) +
                                         " is done already; report done again to revise it");
  }
  writeReply(db, item_id, state, text, when, state == State::kDone);
  addHistory(db, item_id, when.utc, actor.name, "progress",
             {{"state", followup::stateName(state)}, {"text", text}});
}

void requestReassign(sqlite3* db, std::int64_t item_id, const Actor& actor,
                     const std::string& reason, const std::string& utc) {
  const FollowupItem item = itemForWriting(db, item_id, actor);
  if (!followup::isOpen(item.state)) {
    throw FollowupRefusal("invalid", "item " + std::to_string(item_id) + " is closed");
  }
  StmtPtr s =
      prepare(db, "UPDATE followup_items SET reassign_reason = ?, updated_at = ? WHERE id = ?");
  bindText(s.get(), 1, reason);
  bindText(s.get(), 2, utc);
  bindId(s.get(), 3, item_id);
  stepDone(db, s.get());
  addHistory(db, item_id, utc, actor.name, "reassign_request", {{"reason", reason}});
}

void reassignItem(sqlite3* db, std::int64_t item_id, std::int64_t department_id,
                  const std::string& by, const std::string& utc) {
  const FollowupItem item = itemForWriting(db, item_id, Actor{by, 0});
  activeDepartment(db, department_id);
  StmtPtr s = prepare(db,
                      "UPDATE followup_items SET department_id = ?, reassign_reason = '', "
                      "updated_at = ? WHERE id = ?");
  bindId(s.get(), 1, department_id);
  bindText(s.get(), 2, utc);
  bindId(s.get(), 3, item_id);
  stepDone(db, s.get());
  addHistory(db, item_id, utc, by, "reassign",
             {{"from", item.department_id}, {"to", department_id}});
}

void setDue(sqlite3* db, std::int64_t item_id, Date due, int working_days, const std::string& by,
            const std::string& utc) {
  const FollowupItem item = itemForWriting(db, item_id, Actor{by, 0});
  StmtPtr s = prepare(db,
                      "UPDATE followup_items SET due = ?, working_days = ?, updated_at = ? "
                      "WHERE id = ?");
  bindText(s.get(), 1, followup::formatDate(due));
  sqlite3_bind_int(s.get(), 2, working_days);
  bindText(s.get(), 3, utc);
  bindId(s.get(), 4, item_id);
  stepDone(db, s.get());
  addHistory(db, item_id, utc, by, "due",
             {{"from", followup::formatDate(item.due)}, {"to", followup::formatDate(due)}});
}

std::int64_t rateItem(sqlite3* db, std::int64_t item_id, const std::string& viewer,
                      followup::Rating rating, const std::string& comment, bool comment_held,
                      const std::string& utc) {
  const std::optional<FollowupItem> item = loadItem(db, item_id);
  if (!item) throw FollowupRefusal("not_found", "no follow-up item " + std::to_string(item_id));
  {
    StmtPtr s = prepare(db, "SELECT 1 FROM followup_askers WHERE item_id = ? AND viewer = ?");
    bindId(s.get(), 1, item_id);
    bindText(s.get(), 2, viewer);
    if (sqlite3_step(s.get()) != SQLITE_ROW) {
      throw FollowupRefusal("forbidden", "only the citizen who asked rates the reply");
    }
  }
  if (item->replied_at.empty()) {
    throw FollowupRefusal("invalid", "item " + std::to_string(item_id) + " has no reply yet");
  }
  if (ratingBy(db, item_id, viewer)) {
    throw FollowupRefusal("conflict", "you rated this reply already");
  }
  StmtPtr s = prepare(db,
                      "INSERT INTO followup_ratings(item_id, viewer, rating, comment, "
                      "comment_status, rated_at) VALUES(?,?,?,?,?,?)");
  bindId(s.get(), 1, item_id);
  bindText(s.get(), 2, viewer);
  bindText(s.get(), 3, std::string(followup::ratingName(rating)));
  bindText(s.get(), 4, comment);
  bindText(s.get(), 5, comment.empty() ? "" : comment_held ? "pending" : "approved");
  bindText(s.get(), 6, utc);
  stepDone(db, s.get());
  const std::int64_t id = sqlite3_last_insert_rowid(db);
  // The history names no viewer: it is public.
  addHistory(db, item_id, utc, "citizen", "rate",
             {{"rating", followup::ratingName(rating)}, {"with_comment", !comment.empty()}});
  return id;
}

bool moderateRatingComment(sqlite3* db, std::int64_t rating_id, bool approve, const std::string& by,
                           const std::string& utc) {
  StmtPtr s = prepare(db,
                      "UPDATE followup_ratings SET comment_status = ? WHERE id = ? AND "
                      "comment != ''");
  bindText(s.get(), 1, approve ? "approved" : "rejected");
  bindId(s.get(), 2, rating_id);
  stepDone(db, s.get());
  if (sqlite3_changes(db) == 0) return false;
  StmtPtr item = prepare(db, "SELECT item_id FROM followup_ratings WHERE id = ?");
  bindId(item.get(), 1, rating_id);
  if (sqlite3_step(item.get()) == SQLITE_ROW) {
    addHistory(db, sqlite3_column_int64(item.get(), 0), utc, by,
               approve ? "comment_approved" : "comment_rejected", {{"rating", rating_id}});
  }
  return true;
}

std::optional<FollowupItem> loadItem(sqlite3* db, std::int64_t id) {
  const std::string sql = std::string("SELECT ") + kItemColumns + kItemFrom + " WHERE i.id = ?";
  StmtPtr s = prepare(db, sql.c_str());
  bindId(s.get(), 1, id);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return readItem(s.get());
}

std::vector<HistoryEntry> itemHistory(sqlite3* db, std::int64_t id) {
  StmtPtr s = prepare(db,
                      "SELECT utc, actor, action, detail_json FROM followup_history "
                      "WHERE item_id = ? ORDER BY id");
  bindId(s.get(), 1, id);
  std::vector<HistoryEntry> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    out.push_back({columnText(s.get(), 0), columnText(s.get(), 1), columnText(s.get(), 2),
                   columnText(s.get(), 3)});
  }
  return out;
}

namespace {

RatingRow readRating(sqlite3_stmt* s) {
  RatingRow r;
  r.id = sqlite3_column_int64(s, 0);
  r.item_id = sqlite3_column_int64(s, 1);
  r.rating = followup::ratingFromName(columnText(s, 2));
  r.comment = columnText(s, 3);
  r.comment_status = columnText(s, 4);
  r.rated_at = columnText(s, 5);
  return r;
}

constexpr const char* kRatingColumns = "id, item_id, rating, comment, comment_status, rated_at";

}  // namespace

std::vector<RatingRow> itemRatings(sqlite3* db, std::int64_t id, bool approved_only) {
  const std::string sql =
      std::string("SELECT ") + kRatingColumns + " FROM followup_ratings WHERE item_id = ?" +
      (approved_only ? " AND comment_status = 'approved'" : "") + " ORDER BY id";
  StmtPtr s = prepare(db, sql.c_str());
  bindId(s.get(), 1, id);
  std::vector<RatingRow> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(readRating(s.get()));
  return out;
}

std::vector<RatingRow> pendingComments(sqlite3* db, int limit) {
  const std::string sql = std::string("SELECT ") + kRatingColumns +
                          " FROM followup_ratings WHERE comment_status = 'pending' "
                          "ORDER BY id LIMIT ?";
  StmtPtr s = prepare(db, sql.c_str());
  sqlite3_bind_int(s.get(), 1, limit);
  std::vector<RatingRow> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(readRating(s.get()));
  return out;
}

std::optional<RatingRow> ratingBy(sqlite3* db, std::int64_t item_id, const std::string& viewer) {
  const std::string sql = std::string("SELECT ") + kRatingColumns +
                          " FROM followup_ratings WHERE item_id = ? AND viewer = ?";
  StmtPtr s = prepare(db, sql.c_str());
  bindId(s.get(), 1, item_id);
  bindText(s.get(), 2, viewer);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return readRating(s.get());
}

std::vector<FollowupItem> listItems(sqlite3* db, const ItemQuery& query) {
  // Two steps: the ids, chosen and ordered from the indexes (a few thousand
  // candidates sorted as ids, not as whole rows), then those items in full.
  std::string sql = "SELECT i.id FROM followup_items i";
  std::vector<std::string> where;
  const std::string q = trimmed(query.q);
  const bool long_query = !q.empty() && text::countChars(q) >= 3;
  if (long_query) {
    sql += " JOIN followup_trigram f ON f.rowid = i.id";
    where.push_back("followup_trigram MATCH ?");
  } else if (!q.empty()) {
    // One or two characters: trigrams cannot find them (DESIGN.md); a scan
    // of the texts, narrowed first by the other conditions.
    where.push_back("(instr(i.text, ?) > 0 OR instr(i.reply, ?) > 0)");
  }
  if (query.department_id != 0) where.push_back("i.department_id = ?");
  if (query.session_id != 0) where.push_back("i.session_id = ?");
  if (query.kind != Kind::kInvalid) where.push_back("i.kind = ?");
  if (query.before_id != 0) where.push_back("i.id < ?");
  if (query.replied_only) where.push_back("i.replied_at IS NOT NULL");
  switch (query.status) {
    case Status::kOverdue:
      where.push_back("i.state IN ('awaiting_reply', 'in_progress') AND i.due < ?");
      break;
    case Status::kAwaitingReply:
      where.push_back("i.state = 'awaiting_reply' AND i.due >= ?");
      break;
    case Status::kInProgress:
      where.push_back("i.state = 'in_progress' AND i.due >= ?");
      break;
    case Status::kAnswered:
      where.push_back("i.state = 'answered'");
      break;
    case Status::kDone:
      where.push_back("i.state = 'done'");
      break;
    case Status::kInvalid:
      break;
  }
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  std::string order;
  if (query.open_first) {
    // Open items first, the most overdue on top; then the closed, newest first.
    order =
        " ORDER BY i.state IN ('awaiting_reply', 'in_progress') DESC, "
        "CASE WHEN i.state IN ('awaiting_reply', 'in_progress') THEN i.due END, i.id DESC";
  } else if (query.replied_only) {
    order = " ORDER BY i.updated_at DESC, i.id DESC";
  } else {
    order = " ORDER BY i.id DESC";
  }
  // FTS5 walks its rowids backwards without sorting all the matches.
  sql += long_query && !query.open_first && !query.replied_only ? " ORDER BY f.rowid DESC" : order;
  sql += " LIMIT ?";
  sql = std::string("SELECT ") + kItemColumns + kItemFrom + " WHERE i.id IN (" + sql + ")" + order;
  StmtPtr s = prepare(db, sql.c_str());
  int n = 1;
  if (long_query) {
    bindText(s.get(), n++, ftsPhrase(q));
  } else if (!q.empty()) {
    bindText(s.get(), n++, q);
    bindText(s.get(), n++, q);
  }
  if (query.department_id != 0) bindId(s.get(), n++, query.department_id);
  if (query.session_id != 0) bindId(s.get(), n++, query.session_id);
  if (query.kind != Kind::kInvalid)
    bindText(s.get(), n++, std::string(followup::kindName(query.kind)));
  if (query.before_id != 0) bindId(s.get(), n++, query.before_id);
  if (query.status == Status::kOverdue || query.status == Status::kAwaitingReply ||
      query.status == Status::kInProgress) {
    bindText(s.get(), n++, followup::formatDate(query.today));
  }
  sqlite3_bind_int(s.get(), n, std::clamp(query.limit, 1, 1000));
  std::vector<FollowupItem> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(readItem(s.get()));
  return out;
}

std::vector<FollowupItem> itemsOfViewer(sqlite3* db, const std::string& viewer, int limit) {
  const std::string sql = std::string("SELECT ") + kItemColumns + kItemFrom +
                          " WHERE i.id IN (SELECT item_id FROM followup_askers WHERE viewer = ?) "
                          "ORDER BY i.id DESC LIMIT ?";
  StmtPtr s = prepare(db, sql.c_str());
  bindText(s.get(), 1, viewer);
  sqlite3_bind_int(s.get(), 2, limit);
  std::vector<FollowupItem> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(readItem(s.get()));
  return out;
}

std::vector<DepartmentStats> departmentStats(sqlite3* db, Date today) {
  std::map<std::int64_t, DepartmentStats> by_id;
  std::map<std::int64_t, std::string> names;  // removed ones too: their items stay
  {
    StmtPtr s = prepare(db, "SELECT id, name, removed_at IS NULL FROM departments");
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      const std::int64_t id = sqlite3_column_int64(s.get(), 0);
      names[id] = columnText(s.get(), 1);
      if (sqlite3_column_int(s.get(), 2) != 0) {
        by_id[id].department_id = id;
        by_id[id].department = names[id];
      }
    }
  }
  const std::string today_text = followup::formatDate(today);
  {
    // From followup_items_department alone (no table rows read).
    StmtPtr s =
        prepare(db,
                "SELECT department_id, count(*), sum(state IN ('awaiting_reply', 'in_progress')), "
                "sum(state IN ('awaiting_reply', 'in_progress') AND due < ?), "
                "sum(state IN ('answered', 'done') AND replied_date <= due) "
                "FROM followup_items GROUP BY department_id");
    bindText(s.get(), 1, today_text);
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      const std::int64_t id = sqlite3_column_int64(s.get(), 0);
      DepartmentStats& d = by_id[id];
      d.department_id = id;
      d.department = names[id];
      d.items = sqlite3_column_int(s.get(), 1);
      d.open = sqlite3_column_int(s.get(), 2);
      d.overdue = sqlite3_column_int(s.get(), 3);
      d.closed = d.items - d.open;
      d.closed_on_time = sqlite3_column_int(s.get(), 4);
      // Judged: the closed, and the open ones already late.
      const int judged = d.closed + d.overdue;
      if (judged > 0) d.on_time_pct = 100.0 * d.closed_on_time / judged;
    }
  }
  {
    // Days from forwarding to the first reply, per department, in order
    // (followup_items_reply_days): the median is the middle one.
    StmtPtr s = prepare(db,
                        "SELECT department_id, reply_days FROM followup_items "
                        "WHERE reply_days IS NOT NULL ORDER BY department_id, reply_days");
    std::map<std::int64_t, std::vector<double>> days;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      days[sqlite3_column_int64(s.get(), 0)].push_back(sqlite3_column_double(s.get(), 1));
    }
    for (auto& [id, list] : days) {
      auto it = by_id.find(id);
      if (it == by_id.end() || list.empty()) continue;
      const std::size_t n = list.size();
      it->second.median_days_to_reply =
          n % 2 == 1 ? list[n / 2] : (list[n / 2 - 1] + list[n / 2]) / 2;
    }
  }
  {
    StmtPtr s = prepare(db,
                        "SELECT i.department_id, r.rating, count(*) FROM followup_ratings r "
                        "JOIN followup_items i ON i.id = r.item_id GROUP BY 1, 2");
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      auto it = by_id.find(sqlite3_column_int64(s.get(), 0));
      if (it == by_id.end()) continue;
      const int count = sqlite3_column_int(s.get(), 2);
      switch (followup::ratingFromName(columnText(s.get(), 1))) {
        case followup::Rating::kSatisfied:
          it->second.ratings.satisfied += count;
          break;
        case followup::Rating::kBasicallySatisfied:
          it->second.ratings.basically_satisfied += count;
          break;
        case followup::Rating::kDissatisfied:
          it->second.ratings.dissatisfied += count;
          break;
        case followup::Rating::kInvalid:
          break;
      }
    }
  }
  std::vector<DepartmentStats> out;
  for (auto& [id, d] : by_id) {
    if (d.ratings.total() > 0) {
      d.satisfaction_pct =
          100.0 * (d.ratings.satisfied + d.ratings.basically_satisfied) / d.ratings.total();
    }
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const DepartmentStats& a, const DepartmentStats& b) {
    return a.department < b.department;
  });
  return out;
}

}  // namespace yst::store
