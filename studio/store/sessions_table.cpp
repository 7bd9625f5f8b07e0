#include "studio/store/sessions_table.h"

#include "studio/store/store.h"

namespace yst::store {

std::optional<SessionRow> loadSession(sqlite3* db, std::int64_t session_id) {
  StmtPtr q = prepare(db,
                      "SELECT title, show_json, started_at, coalesce(ended_at, '') FROM sessions "
                      "WHERE id = ?");
  sqlite3_bind_int64(q.get(), 1, session_id);
  const int rc = sqlite3_step(q.get());
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw StoreError(sqlite3_errmsg(db));
  return SessionRow{session_id, columnText(q.get(), 0), columnText(q.get(), 1),
                    columnText(q.get(), 2), columnText(q.get(), 3)};
}

std::vector<SessionRecording> sessionRecordings(sqlite3* db, std::int64_t session_id) {
  StmtPtr q = prepare(db,
                      "SELECT path, timeline_offset_ms, started_at, coalesce(ended_at, '') FROM "
                      "recordings WHERE session_id = ? ORDER BY id");
  sqlite3_bind_int64(q.get(), 1, session_id);
  std::vector<SessionRecording> out;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    out.push_back({columnText(q.get(), 0), sqlite3_column_int64(q.get(), 1), columnText(q.get(), 2),
                   columnText(q.get(), 3)});
  }
  if (rc != SQLITE_DONE) throw StoreError(sqlite3_errmsg(db));
  return out;
}

int peakViewers(sqlite3* db, std::int64_t session_id) {
  StmtPtr q = prepare(db,
                      "SELECT max(CAST(json_extract(payload_json, '$.viewers') AS INTEGER)) FROM "
                      "program_events WHERE session_id = ? AND kind = 'viewers.peak'");
  sqlite3_bind_int64(q.get(), 1, session_id);
  return sqlite3_step(q.get()) == SQLITE_ROW ? sqlite3_column_int(q.get(), 0) : 0;
}

std::vector<SessionListing> listSessions(sqlite3* db, std::int64_t only_id, int limit) {
  std::string sql =
      "SELECT s.id, s.title, s.show_json, s.started_at, coalesce(s.ended_at, ''), "
      "(SELECT count(*) FROM transcript_lines l WHERE l.session_id = s.id AND l.deleted = 0), "
      "(SELECT count(*) FROM questions q WHERE q.session_id = s.id AND q.aired_ms IS NOT NULL) "
      "FROM sessions s";
  sql += only_id > 0 ? " WHERE s.id = ?" : " ORDER BY s.id DESC LIMIT ?";
  StmtPtr q = prepare(db, sql.c_str());
  sqlite3_bind_int64(q.get(), 1, only_id > 0 ? only_id : limit);
  std::vector<SessionListing> out;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    out.push_back({{sqlite3_column_int64(q.get(), 0), columnText(q.get(), 1),
                    columnText(q.get(), 2), columnText(q.get(), 3), columnText(q.get(), 4)},
                   sqlite3_column_int64(q.get(), 5),
                   sqlite3_column_int64(q.get(), 6)});
  }
  if (rc != SQLITE_DONE) throw StoreError(sqlite3_errmsg(db));
  return out;
}

std::vector<SessionPackaging> sessionsToPackage(sqlite3* db, std::int64_t except_id) {
  StmtPtr q = prepare(db,
                      "SELECT s.id, coalesce(s.ended_at, ''), (SELECT count(*) FROM recordings r "
                      "WHERE r.session_id = s.id) FROM sessions s WHERE s.id != ? ORDER BY s.id "
                      "DESC");
  sqlite3_bind_int64(q.get(), 1, except_id);
  std::vector<SessionPackaging> out;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    out.push_back({sqlite3_column_int64(q.get(), 0), columnText(q.get(), 1),
                   sqlite3_column_int64(q.get(), 2)});
  }
  if (rc != SQLITE_DONE) throw StoreError(sqlite3_errmsg(db));
  return out;
}

int schemaVersion(sqlite3* db) {
  StmtPtr s = prepare(db, "PRAGMA user_version");
  return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int(s.get(), 0) : 0;
}

}  // namespace yst::store
