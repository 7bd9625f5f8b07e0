// The show's sessions as the archive and the exporter read them: one row per
// show run (sessions), its recording parts (recordings), and what its events
// say (program_events). Runs on a connection of the caller's (read-only is
// enough); throws StoreError when SQLite fails.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace yst::store {

struct SessionRow {
  std::int64_t id = 0;
  std::string title;
  std::string show_json;  // the show file as the session began with it
  std::string started_at;
  std::string ended_at;  // empty: running, or killed
};

struct SessionRecording {
  std::string path;
  std::int64_t timeline_offset_ms = 0;
  std::string started_at;
  std::string ended_at;  // empty: did not end cleanly
};

// A session as the archive lists it.
struct SessionListing {
  SessionRow session;
  std::int64_t lines = 0;  // transcript lines not deleted
  std::int64_t aired = 0;  // questions that went on air
};

// A session as packaging decides about it.
struct SessionPackaging {
  std::int64_t id = 0;
  std::string ended_at;
  std::int64_t recordings = 0;
};

std::optional<SessionRow> loadSession(sqlite3* db, std::int64_t session_id);
// In the order they were made.
std::vector<SessionRecording> sessionRecordings(sqlite3* db, std::int64_t session_id);
// The most viewers at once, from the session's viewers.peak events; 0 without.
int peakViewers(sqlite3* db, std::int64_t session_id);
// Session `only_id`, or with only_id 0 the latest `limit`, newest first.
std::vector<SessionListing> listSessions(sqlite3* db, std::int64_t only_id, int limit);
// Every session but `except_id` (the one running), newest first.
std::vector<SessionPackaging> sessionsToPackage(sqlite3* db, std::int64_t except_id);
// PRAGMA user_version: the schema this database has.
int schemaVersion(sqlite3* db);

}  // namespace yst::store
