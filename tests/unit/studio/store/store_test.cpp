// The writer thread's commit hook: what a client is told "stored" must be
// readable by anyone by then, and a job that failed is never reported as
// stored.
#include "studio/store/store.h"

#include <gtest/gtest.h>

#include <QMetaObject>

#include <unistd.h>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "tests/unit/qt_test_app.h"

namespace yst::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("yst-store-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "yishiting.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void insertSession(sqlite3* db, const std::string& title) {
    StmtPtr s = prepare(db, "INSERT INTO sessions(title, show_json, started_at) VALUES(?,'{}',?)");
    bindText(s.get(), 1, title);
    bindText(s.get(), 2, "2026-11-27T08:00:00Z");
    stepDone(db, s.get());
  }
  std::int64_t sessionsTitled(const std::string& title) const {
    DbPtr db = openReadOnly(path_);
    StmtPtr s = prepare(db.get(), "SELECT count(*) FROM sessions WHERE title = ?");
    bindText(s.get(), 1, title);
    return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int64(s.get(), 0) : -1;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreTest, CommittedRunsOnTheWriterThreadOnceTheRowIsReadable) {
  Store store(path_);
  std::mutex mutex;
  std::condition_variable cv;
  int calls = 0;
  std::int64_t seen = -1;
  std::thread::id thread;
  ASSERT_TRUE(store.submit([](sqlite3* db) { insertSession(db, "温网议事厅"); }, {},
                           [&](const std::string& error) {
                             EXPECT_EQ(error, "");
                             // Another connection sees the row: the commit is done.
                             const std::int64_t n = sessionsTitled("温网议事厅");
                             std::lock_guard lock(mutex);
                             seen = n;
                             thread = std::this_thread::get_id();
                             ++calls;
                             cv.notify_all();
                           }));
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return calls == 1; }));
  EXPECT_EQ(seen, 1);
  EXPECT_NE(thread, std::this_thread::get_id());
}

// A viewer told "received" from `committed` may hand the question's id to a
// producer at once; the producer's command reaches the application thread
// through its event queue, and must find `done` (which puts the question on
// the desk) ahead of it.
TEST_F(StoreTest, DoneIsQueuedBeforeCommittedTellsAnyone) {
  QCoreApplication* app = qt_test::app();
  Store store(path_, [app](std::function<void()> done) {
    QMetaObject::invokeMethod(app, std::move(done), Qt::QueuedConnection);
  });
  std::vector<std::string> order;  // application thread only
  ASSERT_TRUE(store.submit([](sqlite3* db) { insertSession(db, "admitted"); },
                           [&](bool ok, const std::string&) {
                             EXPECT_TRUE(ok);
                             order.push_back("done");
                           },
                           [&, app](const std::string&) {
                             // What the client's next message does: a post to
                             // the application thread.
                             QMetaObject::invokeMethod(
                                 app, [&] { order.push_back("client"); }, Qt::QueuedConnection);
                           }));
  qt_test::spinUntil([&] { return order.size() == 2; }, 5000);
  EXPECT_EQ(order, (std::vector<std::string>{"done", "client"}));
}

TEST_F(StoreTest, AFailedJobIsReportedWithItsErrorAndTheOthersInItsBatchCommit) {
  Store store(path_);
  std::mutex mutex;
  std::vector<std::string> committed;
  std::string failure;
  auto note = [&](std::string name) {
    return [&, name](const std::string& error) {
      std::lock_guard lock(mutex);
      if (error.empty()) {
        committed.push_back(name);
      } else {
        failure = name + ": " + error;
      }
    };
  };
  // Queued together, they most likely share a transaction; the failing one
  // rolls back alone either way.
  ASSERT_TRUE(store.submit([](sqlite3* db) { insertSession(db, "first"); }, {}, note("first")));
  ASSERT_TRUE(store.submit(
      [](sqlite3* db) {
        insertSession(db, "failed");
        throw StoreError("refused");
      },
      {}, note("failed")));
  ASSERT_TRUE(store.submit([](sqlite3* db) { insertSession(db, "third"); }, {}, note("third")));
  store.runSync([](sqlite3*) {});  // returns after its commit, so the earlier ones' too
  std::lock_guard lock(mutex);
  EXPECT_EQ(committed, (std::vector<std::string>{"first", "third"}));
  EXPECT_EQ(failure, "failed: refused");
  EXPECT_EQ(sessionsTitled("failed"), 0);
  EXPECT_EQ(sessionsTitled("third"), 1);
}

TEST_F(StoreTest, RunSyncReturnsAfterTheCommitAndThrowsTheJobsError) {
  Store store(path_);
  store.runSync([](sqlite3* db) { insertSession(db, "sync"); });
  EXPECT_EQ(sessionsTitled("sync"), 1);  // another connection sees it at once
  EXPECT_THROW(store.runSync([](sqlite3*) { throw StoreError("no"); }), StoreError);
}

// The viewer-id key: made once, random, and the same after the studio
// opens its database again (a viewer's id outlives a restart).
TEST_F(StoreTest, AStudioKeyIsMadeOnceAndKept) {
  std::string first, again, other;
  {
    Store store(path_);
    store.runSync([&](sqlite3* db) {
      first = studioKey(db, "viewer_ids", 32);
      again = studioKey(db, "viewer_ids", 32);
      other = studioKey(db, "something_else", 32);
    });
  }
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  EXPECT_NE(first, std::string(32, '\0'));
  Store reopened(path_);
  std::string kept;
  reopened.runSync([&](sqlite3* db) { kept = studioKey(db, "viewer_ids", 32); });
  EXPECT_EQ(kept, first);
  // A stored key shorter than asked for is an error, not a weak key.
  EXPECT_THROW(reopened.runSync([](sqlite3* db) { studioKey(db, "viewer_ids", 64); }), StoreError);
}

}  // namespace
}  // namespace yst::store
