#include "studio/store/questions_table.h"

#include <nlohmann/json.hpp>

#include <map>

#include "studio/store/store.h"

namespace yst::store {
namespace {

void bindOptionalText(sqlite3_stmt* s, int i, const std::string& v) {
  if (v.empty()) {
    sqlite3_bind_null(s, i);
  } else {
    bindText(s, i, v);
  }
}

void bindOptionalId(sqlite3_stmt* s, int i, std::int64_t v) {
  if (v == 0) {
    sqlite3_bind_null(s, i);
  } else {
    sqlite3_bind_int64(s, i, v);
  }
}

void bindOptionalMs(sqlite3_stmt* s, int i, std::int64_t v) {
  if (v < 0) {
    sqlite3_bind_null(s, i);
  } else {
    sqlite3_bind_int64(s, i, v);
  }
}

std::int64_t columnMs(sqlite3_stmt* s, int i) {
  return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, i);
}

}  // namespace

void saveQuestion(sqlite3* db, std::int64_t session_id, const questions::Question& q) {
  StmtPtr s = prepare(db,
                      "INSERT INTO questions(id, session_id, viewer, nickname, category, "
                      "original_text, text, status, reject_reason, merged_into, duplicate_of, "
                      "matched_words, observer_id, observer_name, queue_key, votes, received_at, "
                      "received_ms, aired_at, aired_ms, answered_at, answered_ms, client_id) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                      "ON CONFLICT(id) DO UPDATE SET text=excluded.text, status=excluded.status, "
                      "reject_reason=excluded.reject_reason, merged_into=excluded.merged_into, "
                      "queue_key=excluded.queue_key, votes=excluded.votes, "
                      "aired_at=excluded.aired_at, aired_ms=excluded.aired_ms, "
                      "answered_at=excluded.answered_at, answered_ms=excluded.answered_ms");
  sqlite3_stmt* st = s.get();
  sqlite3_bind_int64(st, 1, q.id);
  sqlite3_bind_int64(st, 2, session_id);
  bindText(st, 3, q.viewer);
  bindText(st, 4, q.nickname);
  bindText(st, 5, std::string(questions::categoryName(q.category)));
  bindText(st, 6, q.original_text);
  bindText(st, 7, q.text());
  bindText(st, 8, std::string(questions::statusName(q.status)));
  bindOptionalText(st, 9, std::string(questions::rejectReasonName(q.reject_reason)));
  bindOptionalId(st, 10, q.merged_into);
  bindOptionalId(st, 11, q.duplicate_of);
  bindText(st, 12, nlohmann::json(q.matched_words).dump());
  bindOptionalId(st, 13, q.observer_id);
  bindOptionalText(st, 14, q.observer_name);
  if (q.status == questions::Status::kApproved) {
    sqlite3_bind_double(st, 15, q.queue_key);
  } else {
    sqlite3_bind_null(st, 15);
  }
  sqlite3_bind_int(st, 16, q.own_votes);
  bindText(st, 17, q.received_utc);
  sqlite3_bind_int64(st, 18, q.received_ms);
  bindOptionalText(st, 19, q.aired_utc);
  bindOptionalMs(st, 20, q.aired_ms);
  bindOptionalText(st, 21, q.answered_utc);
  bindOptionalMs(st, 22, q.answered_ms);
  bindOptionalText(st, 23, q.client_id);  // NULL: not in the unique index
  stepDone(db, st);
}

StoredSubmission storeSubmission(sqlite3* db, std::int64_t session_id, const questions::Question& q,
                                 const std::string& actor) {
  if (!q.client_id.empty()) {
    // The writer thread is the only writer: nothing can come between this
    // look-up and the insert (and the unique index would refuse it if it did).
    StmtPtr s =
        prepare(db, "SELECT id, viewer FROM questions WHERE session_id = ? AND client_id = ?");
    sqlite3_bind_int64(s.get(), 1, session_id);
    bindText(s.get(), 2, q.client_id);
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      return {Stored::kAlreadyStored, sqlite3_column_int64(s.get(), 0), columnText(s.get(), 1)};
    }
  }
  saveQuestion(db, session_id, q);
  logModeration(db, session_id, q.id, "received", actor, "{}", q.received_utc, q.received_ms);
  return {Stored::kInserted, q.id, q.viewer};
}

void saveEdit(sqlite3* db, std::int64_t question_id, const questions::Edit& edit) {
  StmtPtr s = prepare(db,
                      "INSERT INTO question_edits(question_id, text, editor, edited_at, "
                      "timeline_ms) VALUES(?,?,?,?,?)");
  sqlite3_bind_int64(s.get(), 1, question_id);
  bindText(s.get(), 2, edit.text);
  bindText(s.get(), 3, edit.by);
  bindText(s.get(), 4, edit.utc);
  sqlite3_bind_int64(s.get(), 5, edit.timeline_ms);
  stepDone(db, s.get());
}

void saveVote(sqlite3* db, std::int64_t question_id, const std::string& viewer,
              const std::string& utc, int own_votes) {
  StmtPtr s = prepare(
      db, "INSERT OR IGNORE INTO question_votes(question_id, viewer, voted_at) VALUES(?,?,?)");
  sqlite3_bind_int64(s.get(), 1, question_id);
  bindText(s.get(), 2, viewer);
  bindText(s.get(), 3, utc);
  stepDone(db, s.get());
  StmtPtr u = prepare(db, "UPDATE questions SET votes = ? WHERE id = ?");
  sqlite3_bind_int(u.get(), 1, own_votes);
  sqlite3_bind_int64(u.get(), 2, question_id);
  stepDone(db, u.get());
}

void logModeration(sqlite3* db, std::int64_t session_id, std::int64_t question_id,
                   const std::string& action, const std::string& actor,
                   const std::string& detail_json, const std::string& utc,
                   std::int64_t timeline_ms) {
  StmtPtr s = prepare(db,
                      "INSERT INTO moderation_log(session_id, question_id, action, actor, "
                      "detail_json, utc, timeline_ms) VALUES(?,?,?,?,?,?,?)");
  sqlite3_bind_int64(s.get(), 1, session_id);
  bindOptionalId(s.get(), 2, question_id);
  bindText(s.get(), 3, action);
  bindText(s.get(), 4, actor);
  bindText(s.get(), 5, detail_json);
  bindText(s.get(), 6, utc);
  sqlite3_bind_int64(s.get(), 7, timeline_ms);
  stepDone(db, s.get());
}

LoadedQuestions loadQuestions(sqlite3* db, std::int64_t session_id) {
  LoadedQuestions loaded;
  std::map<std::int64_t, std::size_t> index;
  {
    StmtPtr s = prepare(db,
                        "SELECT id, viewer, nickname, category, original_text, status, "
                        "reject_reason, merged_into, duplicate_of, matched_words, observer_id, "
                        "observer_name, queue_key, votes, received_at, received_ms, aired_at, "
                        "aired_ms, answered_at, answered_ms, client_id FROM questions "
                        "WHERE session_id = ? ORDER BY id");
    sqlite3_bind_int64(s.get(), 1, session_id);
    sqlite3_stmt* st = s.get();
    while (sqlite3_step(st) == SQLITE_ROW) {
      questions::Question q;
      q.id = sqlite3_column_int64(st, 0);
      q.viewer = columnText(st, 1);
      q.nickname = columnText(st, 2);
      q.category = questions::parseCategory(columnText(st, 3));
      if (q.category == questions::Category::kInvalid) q.category = questions::Category::kQuestion;
      q.original_text = columnText(st, 4);
      q.status = questions::parseStatus(columnText(st, 5));
      if (q.status == questions::Status::kInvalid) q.status = questions::Status::kPending;
      q.reject_reason = questions::parseRejectReason(columnText(st, 6));
      q.merged_into = sqlite3_column_int64(st, 7);
      q.duplicate_of = sqlite3_column_int64(st, 8);
      try {
        q.matched_words = nlohmann::json::parse(columnText(st, 9)).get<std::vector<std::string>>();
      } catch (const std::exception&) {
        q.matched_words.clear();
      }
      q.observer_id = sqlite3_column_int64(st, 10);
      q.observer_name = columnText(st, 11);
      q.queue_key = sqlite3_column_double(st, 12);
      q.own_votes = sqlite3_column_int(st, 13);
      q.received_utc = columnText(st, 14);
      q.received_ms = sqlite3_column_int64(st, 15);
      q.aired_utc = columnText(st, 16);
      q.aired_ms = columnMs(st, 17);
      q.answered_utc = columnText(st, 18);
      q.answered_ms = columnMs(st, 19);
      q.client_id = columnText(st, 20);
      index[q.id] = loaded.questions.size();
      loaded.questions.push_back(std::move(q));
    }
  }
  {
    StmtPtr s = prepare(db,
                        "SELECT e.question_id, e.text, e.editor, e.edited_at, e.timeline_ms "
                        "FROM question_edits e JOIN questions q ON q.id = e.question_id "
                        "WHERE q.session_id = ? ORDER BY e.id");
    sqlite3_bind_int64(s.get(), 1, session_id);
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      auto it = index.find(sqlite3_column_int64(s.get(), 0));
      if (it == index.end()) continue;
      loaded.questions[it->second].edits.push_back({columnText(s.get(), 1), columnText(s.get(), 2),
                                                    columnText(s.get(), 3),
                                                    sqlite3_column_int64(s.get(), 4)});
    }
  }
  {
    StmtPtr s = prepare(db,
                        "SELECT v.question_id, v.viewer FROM question_votes v "
                        "JOIN questions q ON q.id = v.question_id WHERE q.session_id = ?");
    sqlite3_bind_int64(s.get(), 1, session_id);
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      loaded.votes.emplace_back(sqlite3_column_int64(s.get(), 0), columnText(s.get(), 1));
    }
  }
  {
    StmtPtr s = prepare(db, "SELECT coalesce(max(id), 0) + 1 FROM questions");
    if (sqlite3_step(s.get()) == SQLITE_ROW) loaded.next_id = sqlite3_column_int64(s.get(), 0);
  }
  return loaded;
}

std::int64_t addObserver(sqlite3* db, const std::string& name, const std::string& token_sha256) {
  StmtPtr s = prepare(db, "INSERT INTO observers(name, token_sha256, created_at) VALUES(?,?,?)");
  bindText(s.get(), 1, name);
  bindText(s.get(), 2, token_sha256);
  bindText(s.get(), 3, utcNowIso());
  stepDone(db, s.get());
  return sqlite3_last_insert_rowid(db);
}

bool revokeObserver(sqlite3* db, std::int64_t id) {
  StmtPtr s =
      prepare(db, "UPDATE observers SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  bindText(s.get(), 1, utcNowIso());
  sqlite3_bind_int64(s.get(), 2, id);
  stepDone(db, s.get());
  return sqlite3_changes(db) > 0;
}

std::vector<Observer> listObservers(sqlite3* db, bool include_revoked) {
  std::vector<Observer> observers;
  StmtPtr s = prepare(db, include_revoked
                              ? "SELECT id, name, token_sha256, created_at, revoked_at IS NOT NULL "
                                "FROM observers ORDER BY id"
                              : "SELECT id, name, token_sha256, created_at, 0 FROM observers "
                                "WHERE revoked_at IS NULL ORDER BY id");
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    observers.push_back({sqlite3_column_int64(s.get(), 0), columnText(s.get(), 1),
                         columnText(s.get(), 2), columnText(s.get(), 3),
                         sqlite3_column_int(s.get(), 4) != 0});
  }
  return observers;
}

}  // namespace yst::store
