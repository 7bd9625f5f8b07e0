// 问政跟踪's rows: a forwarded question carries the viewers of the questions
// merged into it; a department writes only to its own items (another's is
// "not found"); a reply is kept in every revision; a citizen rates once, and
// only their own; statuses, filters, search and the per-department figures
// read against a given date.
#include "studio/store/followup_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "studio/store/questions_table.h"
#include "studio/store/store.h"

namespace yst::store {
namespace {

namespace fs = std::filesystem;
using followup::Date;
using followup::Kind;
using followup::parseDate;
using followup::Rating;
using followup::State;
using followup::Status;
using questions::Question;

Date d(const char* text) {
  return parseDate(text).value();
}

class FollowupTable : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yst-followup-table-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::make_unique<Store>((dir_ / "yishiting.db").string());
    store_->runSync([](sqlite3* db) {
      StmtPtr s = prepare(
          db, "INSERT INTO sessions(id, title, show_json, started_at) VALUES(1, ?, '{}', ?)");
      bindText(s.get(), 1, "温网议事厅 · 对话市住建局");
      bindText(s.get(), 2, "2026-11-27T12:00:00.000Z");
      stepDone(db, s.get());
    });
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void question(std::int64_t id, const std::string& viewer, questions::Status status,
                std::int64_t merged_into = 0) {
    Question q;
    q.id = id;
    q.viewer = viewer;
    q.nickname = "网友" + std::to_string(id);
    q.original_text = "安置房什么时候能办证？" + std::to_string(id);
    q.status = status;
    q.merged_into = merged_into;
    q.received_utc = "2026-11-27T12:01:00.000Z";
    q.received_ms = 60000 + id;
    store_->runSync([&](sqlite3* db) { saveQuestion(db, 1, q); });
  }
  template <typename F>
  auto run(F f) {
    decltype(f(nullptr)) result{};
    store_->runSync([&](sqlite3* db) { result = f(db); });
    return result;
  }
  // The refusal's code, or "" when it went through.
  template <typename F>
  std::string refusal(F f) {
    std::string code;
    store_->runSync([&](sqlite3* db) {
      try {
        f(db);
      } catch (const FollowupRefusal& r) {
        code = r.code();
      }
    });
    return code;
  }
  std::int64_t forward(std::int64_t question_id, std::int64_t department, const char* due) {
    return run([&](sqlite3* db) {
      return forwardQuestion(db, {question_id, department, d(due), 7, "制片人", utcNowIso()});
    });
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(FollowupTable, AForwardedQuestionCarriesTheAskersMergedIntoIt) {
  const auto housing = run([](sqlite3* db) { return addDepartment(db, "市住建局", "aa"); });
  question(1, "viewer-a", questions::Status::kApproved);
  question(2, "viewer-b", questions::Status::kMerged, 1);
  question(3, "viewer-c", questions::Status::kAnswered);
  question(4, "viewer-d", questions::Status::kRejected);
  // Forwarding the merged one forwards the one it was merged into.
  const std::int64_t item = forward(2, housing, "2026-12-08");
  const auto loaded = run([&](sqlite3* db) { return loadItem(db, item); });
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->question_id, 1);
  EXPECT_EQ(loaded->kind, Kind::kQuestion);
  EXPECT_EQ(loaded->state, State::kAwaitingReply);
  EXPECT_EQ(loaded->department, "市住建局");
  EXPECT_EQ(loaded->session_title, "温网议事厅 · 对话市住建局");
  EXPECT_EQ(run([](sqlite3* db) { return itemsOfViewer(db, "viewer-b", 10).size(); }), 1u);
  EXPECT_EQ(run([](sqlite3* db) { return itemsOfViewer(db, "viewer-a", 10).size(); }), 1u);
  EXPECT_EQ(refusal([&](sqlite3* db) {
              forwardQuestion(db, {1, housing, d("2026-12-08"), 7, "p", utcNowIso()});
            }),
            "conflict");
  EXPECT_EQ(refusal([&](sqlite3* db) {
              forwardQuestion(db, {3, housing, d("2026-12-08"), 7, "p", utcNowIso()});
            }),
            "invalid")
      << "answered on air";
  EXPECT_EQ(refusal([&](sqlite3* db) {
              forwardQuestion(db, {4, housing, d("2026-12-08"), 7, "p", utcNowIso()});
            }),
            "invalid")
      << "rejected";
  EXPECT_EQ(refusal([&](sqlite3* db) {
              forwardQuestion(db, {99, housing, d("2026-12-08"), 7, "p", utcNowIso()});
            }),
            "not_found");
}

TEST_F(FollowupTable, ADepartmentWritesOnlyToItsOwnAndEveryRevisionIsKept) {
  const auto housing = run([](sqlite3* db) { return addDepartment(db, "市住建局", "aa"); });
  const auto health = run([](sqlite3* db) { return addDepartment(db, "市医保局", "bb"); });
  question(1, "viewer-a", questions::Status::kPending);
  const std::int64_t item = forward(1, housing, "2026-12-08");
  const Stamp when{utcNowIso(), d("2026-12-03")};
  EXPECT_EQ(refusal([&](sqlite3* db) {
              replyToItem(db, item, {"市医保局", health}, "不是我们的", when);
            }),
            "not_found");
  EXPECT_EQ(refusal([&](sqlite3* db) {
              reportProgress(db, item, {"市住建局", housing}, State::kDone, "x", when);
            }),
            "invalid")
      << "a question is replied to, not reported done";
  EXPECT_EQ(refusal([&](sqlite3* db) {
              replyToItem(db, item, {"市住建局", housing}, "第一稿", when);
            }),
            "");
  EXPECT_EQ(refusal([&](sqlite3* db) {
              replyToItem(db, item, {"市住建局", housing}, "修改后的答复",
                          {utcNowIso(), d("2026-12-10")});
            }),
            "");
  const auto loaded = run([&](sqlite3* db) { return loadItem(db, item); });
  EXPECT_EQ(loaded->state, State::kAnswered);
  EXPECT_EQ(loaded->reply, "修改后的答复");
  EXPECT_EQ(loaded->replied_date, "2026-12-03") << "the first reply's date stays";
  const auto history = run([&](sqlite3* db) { return itemHistory(db, item); });
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].action, "forward");
  EXPECT_EQ(history[1].action, "reply");
  EXPECT_NE(history[1].detail_json.find("第一稿"), std::string::npos);
  EXPECT_EQ(history[2].action, "reply_revised");
  EXPECT_EQ(history[2].actor, "市住建局");
}

TEST_F(FollowupTable, ACommitmentRunsUntilDoneAndTurnsOverdueAfterItsDate) {
  const auto housing = run([](sqlite3* db) { return addDepartment(db, "市住建局", "aa"); });
  const std::int64_t item = run([&](sqlite3* db) {
    return markCommitment(db, {1, 0, housing, "安置房办证难到年底要全部办结", d("2026-12-31"), 0,
                               3723000, "速记员", utcNowIso()});
  });
  ItemQuery overdue;
  overdue.status = Status::kOverdue;
  overdue.today = d("2026-12-31");
  EXPECT_TRUE(run([&](sqlite3* db) { return listItems(db, overdue); }).empty());
  overdue.today = d("2027-01-01");
  ASSERT_EQ(run([&](sqlite3* db) { return listItems(db, overdue); }).size(), 1u);
  EXPECT_EQ(refusal([&](sqlite3* db) {
              reportProgress(db, item, {"市住建局", housing}, State::kInProgress, "已办结六成",
                             {utcNowIso(), d("2026-12-20")});
            }),
            "");
  EXPECT_EQ(refusal([&](sqlite3* db) {
              reportProgress(db, item, {"市住建局", housing}, State::kDone, "全部办结",
                             {utcNowIso(), d("2027-01-05")});
            }),
            "");
  EXPECT_EQ(run([&](sqlite3* db) { return listItems(db, overdue); }).size(), 0u);
  const auto loaded = run([&](sqlite3* db) { return loadItem(db, item); });
  EXPECT_EQ(loaded->state, State::kDone);
  EXPECT_EQ(loaded->timeline_ms, 3723000);
  EXPECT_EQ(refusal([&](sqlite3* db) {
              reportProgress(db, item, {"市住建局", housing}, State::kInProgress, "?",
                             {utcNowIso(), d("2027-01-06")});
            }),
            "invalid");
  // Done late: closed, not on time.
  const auto stats = run([](sqlite3* db) { return departmentStats(db, d("2027-01-06")); });
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].closed, 1);
  EXPECT_EQ(stats[0].closed_on_time, 0);
  EXPECT_DOUBLE_EQ(stats[0].on_time_pct, 0);
}

TEST_F(FollowupTable, OnlyTheAskerRatesAndOnlyOnceAfterAReply) {
  const auto housing = run([](sqlite3* db) { return addDepartment(db, "市住建局", "aa"); });
  question(1, "viewer-a", questions::Status::kApproved);
  question(2, "viewer-b", questions::Status::kMerged, 1);
  const std::int64_t item = forward(1, housing, "2026-12-08");
  auto rate = [&](const std::string& viewer, Rating rating, const std::string& comment) {
    return refusal(
        [&](sqlite3* db) { rateItem(db, item, viewer, rating, comment, true, utcNowIso()); });
  };
  EXPECT_EQ(rate("viewer-a", Rating::kSatisfied, ""), "invalid") << "no reply yet";
  store_->runSync([&](sqlite3* db) {
    replyToItem(db, item, {"市住建局", housing}, "月底前办结", {utcNowIso(), d("2026-12-04")});
  });
  EXPECT_EQ(rate("viewer-x", Rating::kSatisfied, ""), "forbidden");
  EXPECT_EQ(rate("viewer-a", Rating::kSatisfied, ""), "");
  EXPECT_EQ(rate("viewer-a", Rating::kDissatisfied, ""), "conflict");
  EXPECT_EQ(rate("viewer-b", Rating::kDissatisfied, "<script>alert(1)</script>还没办"), "");
  const auto pending = run([](sqlite3* db) { return pendingComments(db, 10); });
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_TRUE(run([&](sqlite3* db) { return itemRatings(db, item, true); }).empty());
  EXPECT_TRUE(run([&](sqlite3* db) {
    return moderateRatingComment(db, pending[0].id, true, "制片人", utcNowIso());
  }));
  EXPECT_EQ(run([&](sqlite3* db) { return itemRatings(db, item, true); }).size(), 1u);
  const auto loaded = run([&](sqlite3* db) { return loadItem(db, item); });
  EXPECT_EQ(loaded->ratings.satisfied, 1);
  EXPECT_EQ(loaded->ratings.dissatisfied, 1);
  const auto stats = run([](sqlite3* db) { return departmentStats(db, d("2026-12-05")); });
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_DOUBLE_EQ(stats[0].satisfaction_pct, 50);
  EXPECT_DOUBLE_EQ(stats[0].on_time_pct, 100);
  EXPECT_GE(stats[0].median_days_to_reply, 0);
}

TEST_F(FollowupTable, FiltersAndSearchOfShortAndLongWords) {
  const auto housing = run([](sqlite3* db) { return addDepartment(db, "市住建局", "aa"); });
  const auto health = run([](sqlite3* db) { return addDepartment(db, "市医保局", "bb"); });
  question(1, "viewer-a", questions::Status::kApproved);
  forward(1, housing, "2026-12-08");
  store_->runSync([&](sqlite3* db) {
    markCommitment(
        db, {1, 0, health, "异地就医备案本月上线", d("2026-12-31"), 0, -1, "p", utcNowIso()});
  });
  ItemQuery q;
  q.today = d("2026-12-09");
  EXPECT_EQ(run([&](sqlite3* db) { return listItems(db, q); }).size(), 2u);
  q.department_id = health;
  EXPECT_EQ(run([&](sqlite3* db) { return listItems(db, q); }).size(), 1u);
  q.department_id = 0;
  q.status = Status::kOverdue;
  ASSERT_EQ(run([&](sqlite3* db) { return listItems(db, q); }).size(), 1u);
  EXPECT_EQ(run([&](sqlite3* db) { return listItems(db, q); })[0].department, "市住建局");
  q.status = Status::kInvalid;
  q.q = "备案";  // two characters: no trigram
  ASSERT_EQ(run([&](sqlite3* db) { return listItems(db, q); }).size(), 1u);
  q.q = "安置房";
  ASSERT_EQ(run([&](sqlite3* db) { return listItems(db, q); }).size(), 1u);
  q.q = "\"OR 1=1 --";
  EXPECT_TRUE(run([&](sqlite3* db) { return listItems(db, q); }).empty());
  q.q = "";
  q.kind = Kind::kCommitment;
  EXPECT_EQ(run([&](sqlite3* db) { return listItems(db, q); }).size(), 1u);
}

TEST_F(FollowupTable, ARemovedDepartmentTakesNoNewItemsAndItsLinkStops) {
  const auto housing = run([](sqlite3* db) { return addDepartment(db, "市住建局", "aa"); });
  EXPECT_EQ(refusal([](sqlite3* db) { addDepartment(db, "市住建局", "cc"); }), "conflict");
  EXPECT_TRUE(run([](sqlite3* db) { return departmentByToken(db, "aa").has_value(); }));
  EXPECT_TRUE(run([&](sqlite3* db) { return removeDepartment(db, housing); }));
  EXPECT_FALSE(run([](sqlite3* db) { return departmentByToken(db, "aa").has_value(); }));
  question(1, "viewer-a", questions::Status::kApproved);
  EXPECT_EQ(refusal([&](sqlite3* db) {
              forwardQuestion(db, {1, housing, d("2026-12-08"), 7, "p", utcNowIso()});
            }),
            "not_found");
  // The name is free again; ensureDepartment finds the live one.
  const auto again = run([](sqlite3* db) { return ensureDepartment(db, "市住建局"); });
  EXPECT_NE(again, housing);
  EXPECT_EQ(run([](sqlite3* db) { return ensureDepartment(db, "市住建局"); }), again);
}

}  // namespace
}  // namespace yst::store
