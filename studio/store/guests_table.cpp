#include "studio/store/guests_table.h"

#include "studio/store/store.h"

namespace yst::store {

namespace guests_table {

constexpr const char* kColumns =
    "id, source, name, title, created_at, expires_at, revoked_at IS NOT NULL";

GuestInvitation rowOf(sqlite3_stmt* s) {
  return {sqlite3_column_int64(s, 0),
          columnText(s, 1),
          columnText(s, 2),
          columnText(s, 3),
          columnText(s, 4),
          sqlite3_column_int64(s, 5),
          sqlite3_column_int(s, 6) != 0};
}

}  // namespace guests_table

std::int64_t addGuest(sqlite3* db, const std::string& source, const std::string& name,
                      const std::string& title, const std::string& token_sha256,
                      std::int64_t expires_at) {
  StmtPtr s = prepare(db,
                      "INSERT INTO guests(source, name, title, token_sha256, created_at, "
                      "expires_at) VALUES(?,?,?,?,?,?)");
  bindText(s.get(), 1, source);
  bindText(s.get(), 2, name);
  bindText(s.get(), 3, title);
  bindText(s.get(), 4, token_sha256);
  bindText(s.get(), 5, utcNowIso());
  sqlite3_bind_int64(s.get(), 6, expires_at);
  stepDone(db, s.get());
  return sqlite3_last_insert_rowid(db);
}

bool revokeGuest(sqlite3* db, std::int64_t id) {
  StmtPtr s = prepare(db, "UPDATE guests SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  bindText(s.get(), 1, utcNowIso());
  sqlite3_bind_int64(s.get(), 2, id);
  stepDone(db, s.get());
  return sqlite3_changes(db) > 0;
}

std::vector<GuestInvitation> listGuests(sqlite3* db, bool include_ended, std::int64_t now) {
  std::vector<GuestInvitation> guests;
  const std::string sql = std::string("SELECT ") + guests_table::kColumns + " FROM guests" +
                          (include_ended ? "" : " WHERE revoked_at IS NULL AND expires_at > ?") +
                          " ORDER BY id";
  StmtPtr s = prepare(db, sql.c_str());
  if (!include_ended) sqlite3_bind_int64(s.get(), 1, now);
  while (sqlite3_step(s.get()) == SQLITE_ROW) guests.push_back(guests_table::rowOf(s.get()));
  return guests;
}

std::optional<GuestInvitation> guestByToken(sqlite3* db, const std::string& token_sha256,
                                            std::int64_t now) {
  const std::string sql = std::string("SELECT ") + guests_table::kColumns +
                          " FROM guests WHERE token_sha256 = ? AND revoked_at IS NULL AND "
                          "expires_at > ?";
  StmtPtr s = prepare(db, sql.c_str());
  bindText(s.get(), 1, token_sha256);
  sqlite3_bind_int64(s.get(), 2, now);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return guests_table::rowOf(s.get());
}

}  // namespace yst::store
