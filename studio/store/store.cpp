#include "studio/store/store.h"

#include "studio/base/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <random>
#include <vector>

namespace yst::store {

StmtPtr prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("SQL prepare failed: ") + sqlite3_errmsg(db));
  }
  return StmtPtr(stmt);
}

void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw StoreError("SQL failed: " + text);
  }
}

void bindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void stepDone(sqlite3* db, sqlite3_stmt* s) {
  if (sqlite3_step(s) != SQLITE_DONE)
    throw StoreError(std::string("SQL step: ") + sqlite3_errmsg(db));
}

DbPtr openReadOnly(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    throw StoreError("cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  return db;
}

std::string columnText(sqlite3_stmt* s, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
              : std::string();
}

namespace {

// Each entry takes the schema from version i to i+1.
const char* const kMigrations[] = {
    // 0 → 1: the show itself.
    R"sql(
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  show_json TEXT NOT NULL,          -- the show file as loaded, secrets removed
  started_at TEXT NOT NULL,         -- UTC ISO 8601
  ended_at TEXT
);
CREATE TABLE recordings (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  path TEXT NOT NULL UNIQUE,
  timeline_offset_ms INTEGER NOT NULL,  -- session timeline at the recording's first frame
  started_at TEXT NOT NULL,
  ended_at TEXT,
  bytes INTEGER
);
CREATE TABLE program_events (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  utc TEXT NOT NULL,
  timeline_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,               -- program.changed, source.changed, destination.changed, …
  payload_json TEXT NOT NULL
);
CREATE INDEX program_events_session ON program_events(session_id, timeline_ms);
)sql",
    // 1 → 2: audience questions, their moderation, citizen observers.
    R"sql(
CREATE TABLE observers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  token_sha256 TEXT NOT NULL UNIQUE,  -- hex; the token itself is never stored
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE questions (
  id INTEGER PRIMARY KEY,           -- assigned by the moderation desk, unique across sessions
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  viewer TEXT NOT NULL,             -- the asker's viewer id
  nickname TEXT NOT NULL,
  category TEXT NOT NULL,           -- question | suggestion | complaint
  original_text TEXT NOT NULL,      -- as received; never updated
  text TEXT NOT NULL,               -- as shown: the latest edit, or the original
  status TEXT NOT NULL,             -- pending | approved | on_air | answered | rejected | merged
  reject_reason TEXT,
  merged_into INTEGER,
  duplicate_of INTEGER,
  matched_words TEXT NOT NULL DEFAULT '[]',  -- JSON array of sensitive words found
  observer_id INTEGER REFERENCES observers(id),
  observer_name TEXT,
  queue_key REAL,                   -- order in the air queue (lower first) while approved
  votes INTEGER NOT NULL DEFAULT 0, -- votes cast on this question itself
  received_at TEXT NOT NULL,
  received_ms INTEGER NOT NULL,     -- show timeline
  aired_at TEXT,
  aired_ms INTEGER,
  answered_at TEXT,
  answered_ms INTEGER
);
CREATE INDEX questions_session ON questions(session_id, id);
CREATE TABLE question_edits (
  id INTEGER PRIMARY KEY,
  question_id INTEGER NOT NULL REFERENCES questions(id),
  text TEXT NOT NULL,
  editor TEXT NOT NULL,
  edited_at TEXT NOT NULL,
  timeline_ms INTEGER NOT NULL
);
CREATE INDEX question_edits_question ON question_edits(question_id, id);
CREATE TABLE question_votes (
  question_id INTEGER NOT NULL REFERENCES questions(id),
  viewer TEXT NOT NULL,
  voted_at TEXT NOT NULL,
  PRIMARY KEY (question_id, viewer)
) WITHOUT ROWID;
CREATE TABLE moderation_log (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  question_id INTEGER,
  action TEXT NOT NULL,             -- received, approve, reject, edit, merge, on_air, …, undo
  actor TEXT NOT NULL,              -- producer name, "viewer", "observer"
  detail_json TEXT NOT NULL,
  utc TEXT NOT NULL,
  timeline_ms INTEGER NOT NULL
);
CREATE INDEX moderation_log_session ON moderation_log(session_id, id);
)sql",
    // 2 → 3: the live transcript and its search indexes (transcript_table.h).
    R"sql(
CREATE TABLE transcript_lines (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  speaker TEXT NOT NULL,            -- host, guest1…, narration, question
  speaker_name TEXT NOT NULL,       -- as shown when it was said
  text TEXT NOT NULL,               -- the latest edit
  original_text TEXT NOT NULL,      -- as committed; never changes
  start_ms INTEGER NOT NULL,        -- session timeline: typing began
  end_ms INTEGER NOT NULL,          -- committed (automatic lines: answered)
  utc TEXT NOT NULL,
  kind TEXT NOT NULL,               -- typed | question
  question_id INTEGER,
  by TEXT NOT NULL,                 -- the typist, or "studio"
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX transcript_lines_session ON transcript_lines(session_id, start_ms);
CREATE TABLE transcript_edits (
  id INTEGER PRIMARY KEY,
  line_id INTEGER NOT NULL REFERENCES transcript_lines(id),
  text TEXT NOT NULL,
  by TEXT NOT NULL,
  utc TEXT NOT NULL
);
CREATE INDEX transcript_edits_line ON transcript_edits(line_id, id);
-- Queries of 3+ characters: trigrams of the line's text.
CREATE VIRTUAL TABLE transcript_trigram USING fts5(
  text, content='transcript_lines', content_rowid='id', tokenize='trigram');
CREATE TRIGGER transcript_trigram_insert AFTER INSERT ON transcript_lines BEGIN
  INSERT INTO transcript_trigram(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER transcript_trigram_update AFTER UPDATE OF text ON transcript_lines BEGIN
  INSERT INTO transcript_trigram(transcript_trigram, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO transcript_trigram(rowid, text) VALUES (new.id, new.text);
END;
-- Queries of 1–2 characters: one token per character (kept by transcript_table.cpp).
CREATE VIRTUAL TABLE transcript_chars USING fts5(text, content='', tokenize='unicode61');
)sql",
    // 3 → 4: secrets the studio keeps for itself, such as the key that signs
    // viewer ids (so that an id it issued is still its own after a restart).
    R"sql(
CREATE TABLE studio_keys (
  name TEXT PRIMARY KEY,            -- what the key is for: "viewer_ids"
  secret BLOB NOT NULL,             -- random bytes; never sent or logged
  created_at TEXT NOT NULL
);
)sql",
    // 4 → 5: a submission's client id (the asker's page makes one per
    // question and sends it again with every retry, through any edge): one
    // question per client id and session. Rows of earlier versions have none.
    R"sql(
ALTER TABLE questions ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX questions_client_id ON questions(session_id, client_id)
  WHERE client_id IS NOT NULL;
)sql",
    // 5 → 6: 问政跟踪 (followup_table.h): departments, follow-up items, the
    // viewers each answers, their history and the citizens' ratings.
    R"sql(
CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  token_sha256 TEXT UNIQUE,         -- hex of the sign-in link's token; NULL: no link
  created_at TEXT NOT NULL,
  removed_at TEXT
);
CREATE UNIQUE INDEX departments_name ON departments(name) WHERE removed_at IS NULL;
CREATE TABLE followup_items (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,               -- question | commitment
  session_id INTEGER REFERENCES sessions(id),
  question_id INTEGER,              -- the forwarded question, or the one on air at a commitment
  department_id INTEGER NOT NULL REFERENCES departments(id),
  text TEXT NOT NULL,               -- the question as shown, or what was promised
  asker TEXT NOT NULL DEFAULT '',   -- the asker's nickname (questions)
  timeline_ms INTEGER,              -- the moment in the show
  state TEXT NOT NULL,              -- awaiting_reply | answered | in_progress | done
  due TEXT NOT NULL,                -- civil date, YYYY-MM-DD: the last day in time
  working_days INTEGER NOT NULL DEFAULT 0,  -- how due was set; 0: given as a date
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  reply TEXT NOT NULL DEFAULT '',   -- the latest reply, or what was done
  replied_at TEXT,                  -- the first reply (or done), UTC
  replied_date TEXT,                -- its civil date
  reply_days REAL,                  -- days from created_at to the first reply (statistics)
  updated_at TEXT NOT NULL,
  reassign_reason TEXT NOT NULL DEFAULT ''
);
-- The per-department statistics read these two indexes only (50,000 items:
-- scripts/bench-followup).
CREATE INDEX followup_items_department
  ON followup_items(department_id, state, due, replied_date);
CREATE INDEX followup_items_reply_days ON followup_items(department_id, reply_days)
  WHERE reply_days IS NOT NULL;
CREATE INDEX followup_items_state ON followup_items(state, due);
CREATE INDEX followup_items_session ON followup_items(session_id, id);
CREATE UNIQUE INDEX followup_items_question ON followup_items(question_id)
  WHERE kind = 'question';
CREATE TABLE followup_askers (
  item_id INTEGER NOT NULL REFERENCES followup_items(id),
  viewer TEXT NOT NULL,
  question_id INTEGER NOT NULL,
  PRIMARY KEY (item_id, viewer)
) WITHOUT ROWID;
CREATE INDEX followup_askers_viewer ON followup_askers(viewer, item_id);
CREATE TABLE followup_history (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES followup_items(id),
  utc TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,             -- forward, commit, reply, progress, due, reassign, …
  detail_json TEXT NOT NULL
);
CREATE INDEX followup_history_item ON followup_history(item_id, id);
CREATE TABLE followup_ratings (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES followup_items(id),
  viewer TEXT NOT NULL,
  rating TEXT NOT NULL,             -- satisfied | basically_satisfied | dissatisfied
  comment TEXT NOT NULL DEFAULT '',
  comment_status TEXT NOT NULL DEFAULT '',  -- pending | approved | rejected | '' (none)
  rated_at TEXT NOT NULL,
  UNIQUE (item_id, viewer)
);
CREATE INDEX followup_ratings_pending ON followup_ratings(comment_status, id);
-- Search of 3+ characters over the item and its reply (as the transcript's).
CREATE VIRTUAL TABLE followup_trigram USING fts5(
  text, reply, content='followup_items', content_rowid='id', tokenize='trigram');
CREATE TRIGGER followup_trigram_insert AFTER INSERT ON followup_items BEGIN
  INSERT INTO followup_trigram(rowid, text, reply) VALUES (new.id, new.text, new.reply);
END;
CREATE TRIGGER followup_trigram_update AFTER UPDATE OF text, reply ON followup_items BEGIN
  INSERT INTO followup_trigram(followup_trigram, rowid, text, reply)
    VALUES ('delete', old.id, old.text, old.reply);
  INSERT INTO followup_trigram(rowid, text, reply) VALUES (new.id, new.text, new.reply);
END;
)sql",
    // v7: invitations of remote guests (a browser link /g/<token> into a
    // webrtc:// slot); the token itself is never stored.
    R"sql(
CREATE TABLE guests (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,              -- the webrtc:// slot's source id
  name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL,       -- Unix seconds
  revoked_at TEXT
);
)sql",
};

}  // namespace

void migrate(sqlite3* db, int target) {
  int version = 0;
  {
    StmtPtr s = prepare(db, "PRAGMA user_version");
    if (sqlite3_step(s.get()) == SQLITE_ROW) version = sqlite3_column_int(s.get(), 0);
  }
  static_assert(std::size(kMigrations) == kSchemaVersion);
  if (target < 0 || target > kSchemaVersion) {
    throw StoreError("no schema " + std::to_string(target) + " (this build knows up to " +
                     std::to_string(kSchemaVersion) + ")");
  }
  if (version > kSchemaVersion) {
    throw StoreError("the database was written by a newer Yishiting Studio (schema " +
                     std::to_string(version) + ", this build knows " +
                     std::to_string(kSchemaVersion) + ")");
  }
  for (; version < target; ++version) {
    exec(db, "BEGIN IMMEDIATE");
    try {
      exec(db, kMigrations[version]);
      exec(db, ("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
      exec(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

std::string studioKey(sqlite3* db, const std::string& name, std::size_t bytes) {
  {
    StmtPtr s = prepare(db, "SELECT secret FROM studio_keys WHERE name = ?");
    bindText(s.get(), 1, name);
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(s.get(), 0));
      const int size = sqlite3_column_bytes(s.get(), 0);
      if (data && static_cast<std::size_t>(size) >= bytes) return std::string(data, size);
      throw StoreError("the key \"" + name + "\" in the database is too short");
    }
  }
  // The kernel's CSPRNG, as for the generated tokens (config/env_secrets.cpp).
  std::random_device device("/dev/urandom");
  std::string secret(bytes, '\0');
  for (char& c : secret) c = static_cast<char>(device() & 0xff);
  StmtPtr s = prepare(db, "INSERT INTO studio_keys (name, secret, created_at) VALUES (?, ?, ?)");
  bindText(s.get(), 1, name);
  sqlite3_bind_blob(s.get(), 2, secret.data(), static_cast<int>(secret.size()), SQLITE_TRANSIENT);
  bindText(s.get(), 3, utcNowIso());
  stepDone(db, s.get());
  return secret;
}

std::string utcNowIso() {
  return yst::utcNowIso();
}

std::int64_t msSinceIso(const std::string& iso) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t secs = timegm(&tm);
  if (secs == static_cast<std::time_t>(-1)) return -1;
  const std::int64_t then_ms = static_cast<std::int64_t>(secs) * 1000 + ms;
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  return now_ms - then_ms;
}

Store::Store(const std::string& path, PostDone post_done, std::size_t max_queued_jobs)
    : post_done_(std::move(post_done)) {
  sqlite3* opened = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  db_.reset(opened);  // closed by its handle, whatever happens next
  if (rc != SQLITE_OK) {
    const std::string message = opened ? sqlite3_errmsg(opened) : "out of memory";
    throw StoreError("cannot open database " + path + ": " + message);
  }
  sqlite3* db = db_.get();
  sqlite3_busy_timeout(db, 5000);
  // FULL: a question is acknowledged after its commit, and in WAL mode
  // NORMAL does not sync the log at commit, so a power cut could lose
  // acknowledged questions (an application crash cannot). The writer
  // commits in groups, so the fsync is paid per batch, not per question.
  exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  migrate(db);
  constexpr std::size_t kMaxBatch = 512;
  writer_ = std::make_unique<WorkQueue<Task>>(
      WorkQueue<Task>::Options{"yst-store", max_queued_jobs, kMaxBatch},
      [this](std::vector<Task>& batch) { commitBatch(batch); });
}

Store::~Store() {
  writer_.reset();  // runs what is queued, before the handle closes
}

bool Store::submit(Job job, Done done, Committed committed) {
  return writer_->post(Task{std::move(job), std::move(done), std::move(committed)});
}

void Store::runSync(const Job& job) {
  std::promise<std::string> finished;
  auto result = finished.get_future();
  const bool queued = submit([&job](sqlite3* db) { job(db); }, {},
                             [&finished](const std::string& error) { finished.set_value(error); });
  if (!queued) throw StoreError("the database queue is full");
  const std::string error = result.get();
  if (!error.empty()) throw StoreError(error);
}

std::uint64_t Store::committedJobs() const {
  return committed_.load();
}

void Store::commitBatch(std::vector<Task>& batch) {
  struct Result {
    Done done;
    Committed committed;
    std::string error;  // "" = ok
  };
  std::vector<Result> results;
  bool began = sqlite3_exec(db_.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  for (Task& task : batch) {
    std::string error;
    // Each job in its own savepoint: one bad job rolls back alone.
    sqlite3_exec(db_.get(), "SAVEPOINT job", nullptr, nullptr, nullptr);
    try {
      task.job(db_.get());
      sqlite3_exec(db_.get(), "RELEASE job", nullptr, nullptr, nullptr);
    } catch (const std::exception& e) {
      error = e.what();
      sqlite3_exec(db_.get(), "ROLLBACK TO job; RELEASE job", nullptr, nullptr, nullptr);
    }
    results.push_back({std::move(task.done), std::move(task.committed), std::move(error)});
  }
  if (began && sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string message = std::string("commit failed: ") + sqlite3_errmsg(db_.get());
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    for (Result& r : results) {
      if (r.error.empty()) r.error = message;
    }
  }
  committed_ += batch.size();
  for (auto& [done, committed, error] : results) {
    // `done` is queued first: a client that acts on what `committed` told
    // it (a viewer's question id handed to a producer's question.approve)
    // has its message queued to the owner's thread behind `done`, so it
    // finds the question on the desk, never "no question".
    if (done && post_done_) {
      post_done_([done = std::move(done), error] { done(error.empty(), error); });
    } else if (done) {
      done(error.empty(), error);
    }
    if (committed) committed(error);
  }
}

std::int64_t Store::beginSession(const std::string& title, const std::string& show_json) {
  std::int64_t id = 0;
  runSync([&](sqlite3* db) {
    StmtPtr s = prepare(db, "INSERT INTO sessions(title, show_json, started_at) VALUES(?,?,?)");
    bindText(s.get(), 1, title);
    bindText(s.get(), 2, show_json);
    bindText(s.get(), 3, utcNowIso());
    stepDone(db, s.get());
    id = sqlite3_last_insert_rowid(db);
  });
  return id;
}

std::pair<std::int64_t, std::string> Store::unfinishedSession(const std::string& title) {
  std::pair<std::int64_t, std::string> found{0, ""};
  runSync([&](sqlite3* db) {
    StmtPtr s = prepare(db,
                        "SELECT id, started_at, ended_at IS NULL FROM sessions WHERE title = ? "
                        "ORDER BY id DESC LIMIT 1");
    bindText(s.get(), 1, title);
    if (sqlite3_step(s.get()) == SQLITE_ROW && sqlite3_column_int(s.get(), 2) != 0) {
      found.first = sqlite3_column_int64(s.get(), 0);
      found.second = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
    }
  });
  return found;
}

void Store::endSession(std::int64_t session_id) {
  runSync([&](sqlite3* db) {
    StmtPtr s = prepare(db, "UPDATE sessions SET ended_at = ? WHERE id = ?");
    bindText(s.get(), 1, utcNowIso());
    sqlite3_bind_int64(s.get(), 2, session_id);
    stepDone(db, s.get());
  });
}

void Store::recordEvent(std::int64_t session_id, std::int64_t timeline_ms, const std::string& kind,
                        const std::string& payload_json) {
  submit([=, utc = utcNowIso()](sqlite3* db) {
    StmtPtr s =
        prepare(db,
                "INSERT INTO program_events(session_id, utc, timeline_ms, kind, payload_json) "
                "VALUES(?,?,?,?,?)");
    sqlite3_bind_int64(s.get(), 1, session_id);
    bindText(s.get(), 2, utc);
    sqlite3_bind_int64(s.get(), 3, timeline_ms);
    bindText(s.get(), 4, kind);
    bindText(s.get(), 5, payload_json);
    stepDone(db, s.get());
  });
}

void Store::recordingStarted(std::int64_t session_id, const std::string& path,
                             std::int64_t timeline_offset_ms) {
  submit([=, utc = utcNowIso()](sqlite3* db) {
    StmtPtr s = prepare(db,
                        "INSERT OR IGNORE INTO recordings(session_id, path, timeline_offset_ms, "
                        "started_at) VALUES(?,?,?,?)");
    sqlite3_bind_int64(s.get(), 1, session_id);
    bindText(s.get(), 2, path);
    sqlite3_bind_int64(s.get(), 3, timeline_offset_ms);
    bindText(s.get(), 4, utc);
    stepDone(db, s.get());
  });
}

void Store::recordingEnded(const std::string& path, std::uint64_t bytes) {
  submit([=, utc = utcNowIso()](sqlite3* db) {
    StmtPtr s = prepare(db, "UPDATE recordings SET ended_at = ?, bytes = ? WHERE path = ?");
    bindText(s.get(), 1, utc);
    sqlite3_bind_int64(s.get(), 2, static_cast<sqlite3_int64>(bytes));
    bindText(s.get(), 3, path);
    stepDone(db, s.get());
  });
}

}  // namespace yst::store
