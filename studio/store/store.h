// The studio's database: one SQLite file in the data directory, WAL mode,
// schema versioned with PRAGMA user_version.
//
// All writes go through one writer thread. Jobs queue up (bounded) and the
// writer runs whatever has accumulated in one transaction: group commit, so a
// flood of small writes costs one WAL commit (and one fsync) per batch instead
// of one per row. A job's completion callback runs on the owner's thread
// (handed over by the `PostDone` the owner gives; the studio's is its Qt
// loop) *after* its transaction committed, which is what lets the audience
// gateway acknowledge only what is durable. Neither a crash of the studio nor
// a power cut loses a committed transaction (WAL + synchronous=FULL).
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "studio/base/work_queue.h"

namespace yst::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;
// A read-only connection to the studio's database (search, export, the
// archive page: readers beside the writer, which WAL never makes wait), or
// StoreError "cannot open <path>: <SQLite's reason>".
DbPtr openReadOnly(const std::string& path, int busy_timeout_ms = 5000);

// Prepares or throws StoreError with SQLite's message.
StmtPtr prepare(sqlite3* db, const char* sql);
// Executes statements without results, or throws.
void exec(sqlite3* db, const char* sql);
void bindText(sqlite3_stmt* s, int index, const std::string& value);  // copied by SQLite
// Steps a statement that returns no rows, or throws with SQLite's message.
void stepDone(sqlite3* db, sqlite3_stmt* s);
// A text column; NULL reads as "".
std::string columnText(sqlite3_stmt* s, int index);

// The schema version this build migrates to.
inline constexpr int kSchemaVersion = 7;
// Brings `db` from whatever version it has to `version` (kSchemaVersion; an
// earlier one makes the database an older build wrote, for tests), one step
// per transaction; throws on a database newer than this build.
void migrate(sqlite3* db, int version = kSchemaVersion);

// The secret named `name` (schema v4's studio_keys), made of `bytes` random
// bytes the first time it is asked for and the same ever after. Runs in a
// job or runSync; throws StoreError.
std::string studioKey(sqlite3* db, const std::string& name, std::size_t bytes);

class Store {
 public:
  // Runs on the writer thread inside a transaction; throw to roll the batch's
  // job back (the others in the batch still commit).
  using Job = std::function<void(sqlite3*)>;
  // Runs on the application thread after the commit; ok=false with SQLite's
  // message when the job failed.
  using Done = std::function<void(bool ok, const std::string& error)>;
  // Runs on the writer thread as soon as the job's transaction has ended,
  // just after `done` is posted; error is empty when the job committed. For
  // what must not wait for the application thread (an acknowledgement to a
  // client): whatever the client then sends is queued to the application
  // thread behind `done`. Short and thread-safe.
  using Committed = std::function<void(const std::string& error)>;

  // Hands a job's `done` to the owner's thread (queued, in order). Without
  // one, `done` runs on the writer thread (tools and tests with no loop).
  using PostDone = std::function<void(std::function<void()> done)>;

  // Opens (creating) the database and migrates it. Throws StoreError.
  explicit Store(const std::string& path, PostDone post_done = {},
                 std::size_t max_queued_jobs = 100000);
  ~Store();  // runs what is queued, then closes
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // False when the queue is full (the caller reports "busy"; nothing is lost
  // silently).
  bool submit(Job job, Done done = {}, Committed committed = {});
  // Runs `job` and waits for its commit; throws StoreError with the job's or
  // the commit's error. For start-up and shutdown only.
  void runSync(const Job& job);

  std::uint64_t committedJobs() const;

  // --- the show's own records ---
  std::int64_t beginSession(const std::string& title, const std::string& show_json);
  // The latest session with this title, if it never ended (the studio was
  // killed in it): {id, started_at}, or id 0. An older killed session is
  // not offered: a show of this title ran after it and ended, so it is
  // history, not the show being continued.
  std::pair<std::int64_t, std::string> unfinishedSession(const std::string& title);
  void endSession(std::int64_t session_id);
  void recordEvent(std::int64_t session_id, std::int64_t timeline_ms, const std::string& kind,
                   const std::string& payload_json);
  void recordingStarted(std::int64_t session_id, const std::string& path,
                        std::int64_t timeline_offset_ms);
  void recordingEnded(const std::string& path, std::uint64_t bytes);

 private:
  struct Task {
    Job job;
    Done done;
    Committed committed;
  };
  // The writer thread: one transaction for the batch, a savepoint per job.
  void commitBatch(std::vector<Task>& batch);

  const PostDone post_done_;
  DbPtr db_;  // used only by the writer thread after construction
  std::atomic<std::uint64_t> committed_{0};
  std::unique_ptr<WorkQueue<Task>> writer_;  // last: started once the database is open
};

// "2026-11-26T21:40:00.123Z"
std::string utcNowIso();
// Milliseconds from a utcNowIso() time until now; -1 when it does not parse.
std::int64_t msSinceIso(const std::string& iso);

}  // namespace yst::store
