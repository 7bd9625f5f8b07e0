// The questions' rows: a submission is stored once per client id and
// session, and a retry names the question stored first (and whose it is);
// a database of the schema before client ids opens with every row kept.
#include "studio/store/questions_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "studio/store/store.h"

namespace yst::store {
namespace {

namespace fs = std::filesystem;
using questions::Question;

class QuestionsTable : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yst-questions-table-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "yishiting.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void session(sqlite3* db, std::int64_t id) {
    StmtPtr s =
        prepare(db, "INSERT INTO sessions(id, title, show_json, started_at) VALUES(?, ?, '{}', ?)");
    sqlite3_bind_int64(s.get(), 1, id);
    bindText(s.get(), 2, "温网议事厅 · 对话市医保局");
    bindText(s.get(), 3, "2026-11-27T12:00:00.000Z");
    stepDone(db, s.get());
  }
  static Question question(std::int64_t id, const std::string& viewer,
                           const std::string& client_id) {
    Question q;
    q.id = id;
    q.viewer = viewer;
    q.original_text = "医保卡异地就医怎么备案？" + std::to_string(id);
    q.client_id = client_id;
    q.received_utc = "2026-11-27T12:01:00.000Z";
    q.received_ms = 60000 + id;
    return q;
  }
  static std::int64_t count(sqlite3* db, const std::string& sql) {
    StmtPtr s = prepare(db, sql.c_str());
    return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int64(s.get(), 0) : -1;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(QuestionsTable, ASubmissionIsStoredOncePerClientId) {
  Store store(path_);
  store.runSync([](sqlite3* db) {
    session(db, 1);
    const StoredSubmission first =
        storeSubmission(db, 1, question(10, "viewer-a", "c_7Hq2xPz9LmN4"), "viewer");
    EXPECT_EQ(first.result, Stored::kInserted);
    EXPECT_EQ(first.question_id, 10);
    // The retry (a new id reserved for it, the same client id): the first one.
    const StoredSubmission again =
        storeSubmission(db, 1, question(11, "viewer-a", "c_7Hq2xPz9LmN4"), "viewer");
    EXPECT_EQ(again.result, Stored::kAlreadyStored);
    EXPECT_EQ(again.question_id, 10);
    EXPECT_EQ(again.viewer, "viewer-a");
    // Someone else with that client id is told whose it is (the caller refuses them).
    const StoredSubmission other =
        storeSubmission(db, 1, question(12, "viewer-b", "c_7Hq2xPz9LmN4"), "viewer");
    EXPECT_EQ(other.result, Stored::kAlreadyStored);
    EXPECT_EQ(other.viewer, "viewer-a");
    EXPECT_EQ(count(db, "SELECT count(*) FROM questions"), 1);
    EXPECT_EQ(count(db, "SELECT count(*) FROM moderation_log WHERE action = 'received'"), 1);
  });
}

TEST_F(QuestionsTable, WithoutAClientIdEverySubmissionIsNewAndIdsArePerSession) {
  Store store(path_);
  store.runSync([](sqlite3* db) {
    session(db, 1);
    session(db, 2);
    EXPECT_EQ(storeSubmission(db, 1, question(1, "viewer-a", ""), "viewer").result,
              Stored::kInserted);
    EXPECT_EQ(storeSubmission(db, 1, question(2, "viewer-a", ""), "viewer").result,
              Stored::kInserted);
    EXPECT_EQ(count(db, "SELECT count(*) FROM questions WHERE client_id IS NULL"), 2);
    // The same client id in the next show is another question.
    EXPECT_EQ(storeSubmission(db, 1, question(3, "viewer-a", "same-client-id"), "viewer").result,
              Stored::kInserted);
    EXPECT_EQ(storeSubmission(db, 2, question(4, "viewer-a", "same-client-id"), "viewer").result,
              Stored::kInserted);
    // The index holds even for a writer that does not look first.
    EXPECT_THROW(saveQuestion(db, 2, question(5, "viewer-a", "same-client-id")), StoreError);
    // An update of a stored question keeps its client id.
    Question q = question(3, "viewer-a", "same-client-id");
    q.status = questions::Status::kApproved;
    saveQuestion(db, 1, q);
    const LoadedQuestions loaded = loadQuestions(db, 1);
    ASSERT_EQ(loaded.questions.size(), 3u);
    EXPECT_EQ(loaded.questions[0].client_id, "");
    EXPECT_EQ(loaded.questions[2].client_id, "same-client-id");
    EXPECT_EQ(loaded.questions[2].status, questions::Status::kApproved);
  });
}

// A database file as the build before client ids left it (schema 4, its
// rows written with that build's columns) opens in this one: upgraded, every
// row kept, and client ids work from then on.
TEST_F(QuestionsTable, ADatabaseOfTheSchemaBeforeIsUpgradedWithEveryRowKept) {
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    DbPtr db(raw);
    exec(db.get(), "PRAGMA journal_mode=WAL");
    migrate(db.get(), 4);
    ASSERT_EQ(count(db.get(), "PRAGMA user_version"), 4);
    session(db.get(), 1);
    // Schema 4's saveQuestion, column for column.
    for (int id = 1; id <= 3; ++id) {
      StmtPtr s = prepare(db.get(),
                          "INSERT INTO questions(id, session_id, viewer, nickname, category, "
                          "original_text, text, status, matched_words, votes, received_at, "
                          "received_ms) VALUES(?, 1, 'old-viewer', '老王', 'question', ?, ?, "
                          "'approved', '[]', 2, '2026-11-27T12:01:00.000Z', ?)");
      sqlite3_bind_int64(s.get(), 1, id);
      bindText(s.get(), 2, "老问题 " + std::to_string(id));
      bindText(s.get(), 3, "老问题 " + std::to_string(id));
      sqlite3_bind_int64(s.get(), 4, 1000 * id);
      stepDone(db.get(), s.get());
    }
    exec(db.get(),
         "INSERT INTO question_votes(question_id, viewer, voted_at) VALUES(2, 'voter', "
         "'2026-11-27T12:02:00.000Z')");
  }
  Store store(path_);  // migrates
  store.runSync([](sqlite3* db) {
    EXPECT_EQ(count(db, "PRAGMA user_version"), kSchemaVersion);
    EXPECT_EQ(count(db, "SELECT count(*) FROM questions"), 3);
    EXPECT_EQ(count(db, "SELECT count(*) FROM question_votes"), 1);
    const LoadedQuestions loaded = loadQuestions(db, 1);
    ASSERT_EQ(loaded.questions.size(), 3u);
    EXPECT_EQ(loaded.questions[1].original_text, "老问题 2");
    EXPECT_EQ(loaded.questions[1].own_votes, 2);
    EXPECT_EQ(loaded.questions[1].client_id, "");
    EXPECT_EQ(loaded.next_id, 4);
    EXPECT_EQ(storeSubmission(db, 1, question(4, "viewer-a", "after-the-upgrade"), "viewer").result,
              Stored::kInserted);
    EXPECT_EQ(storeSubmission(db, 1, question(5, "viewer-a", "after-the-upgrade"), "viewer").result,
              Stored::kAlreadyStored);
  });
}

TEST_F(QuestionsTable, ADatabaseOfANewerBuildIsRefused) {
  {
    Store store(path_);
    store.runSync([](sqlite3* db) { exec(db, "PRAGMA user_version = 99"); });
  }
  try {
    Store store(path_);
    FAIL() << "opened a database of schema 99";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace yst::store
