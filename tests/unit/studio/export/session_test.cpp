// The session as the export reads it: from a database the Store wrote, with
// the votes of merged questions counted where they were merged, and the
// people named from the show file, whatever shape it has.
#include "studio/export/session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "studio/export/export_error.h"
#include "tests/unit/studio/export/show_db.h"

namespace yst::exporter {
namespace {

using nlohmann::json;
using questions::Question;
using questions::Status;

Question asked(std::int64_t id, Status status, int own_votes) {
  Question q;
  q.id = id;
  q.viewer = "v" + std::to_string(id);
  q.nickname = "网友" + std::to_string(id);
  q.original_text = "问题" + std::to_string(id);
  q.status = status;
  q.own_votes = own_votes;
  q.received_utc = "2026-11-27T12:00:00Z";
  q.received_ms = id * 1000;
  return q;
}

class LoadSession : public testing_db::ShowDb {};

TEST_F(LoadSession, ReadsWhatTheStudioWrote) {
  const std::int64_t id = store_->beginSession("温网议事厅 · 对话市医保局",
                                               R"({"host":{"name":"王芳","title":"主持人"}})");
  store_->recordingStarted(id, "rec/part-001.mkv", 1500);
  store_->recordingEnded("rec/part-001.mkv", 1000);
  store_->recordingStarted(id, "rec/part-002.mkv", 90000);
  store_->recordEvent(id, 5000, "viewers.peak", R"({"viewers":321})");
  line(id, "王芳", "欢迎收看。", 2000);
  Question answered = asked(1, Status::kAnswered, 4);
  answered.aired_ms = 60000;
  answered.answered_ms = 80000;
  Question merged = asked(2, Status::kMerged, 3);
  merged.merged_into = 1;
  question(id, answered);
  question(id, merged);
  question(id, asked(3, Status::kPending, 0));
  commit();

  const Session s = loadSession(dbPath(), id);
  EXPECT_EQ(s.id, id);
  EXPECT_EQ(s.title, "温网议事厅 · 对话市医保局");
  EXPECT_EQ(hostLine(s), "王芳（主持人）");
  EXPECT_FALSE(s.started_at.empty());
  EXPECT_TRUE(s.ended_at.empty()) << "still running";
  ASSERT_EQ(s.recordings.size(), 2u);
  EXPECT_EQ(s.recordings[0].path, "rec/part-001.mkv");
  EXPECT_EQ(s.recordings[0].offset_ms, 1500);
  EXPECT_FALSE(s.recordings[0].ended_at.empty());
  EXPECT_TRUE(s.recordings[1].ended_at.empty()) << "did not end cleanly";
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].text, "欢迎收看。");
  ASSERT_EQ(s.questions.size(), 3u);
  EXPECT_EQ(s.votes.at(1), 7) << "its own 4 and the 3 of the question merged into it";
  EXPECT_EQ(s.votes.at(2), 3);
  EXPECT_EQ(s.votes.at(3), 0);
  EXPECT_EQ(s.peak_viewers, 321);
}

TEST_F(LoadSession, AnEmptyShow) {
  const std::int64_t id = store_->beginSession("空节目", "{}");
  store_->endSession(id);
  commit();
  const Session s = loadSession(dbPath(), id);
  EXPECT_EQ(s.title, "空节目");
  EXPECT_FALSE(s.ended_at.empty());
  EXPECT_TRUE(s.recordings.empty());
  EXPECT_TRUE(s.lines.empty());
  EXPECT_TRUE(s.questions.empty());
  EXPECT_TRUE(s.votes.empty());
  EXPECT_EQ(s.peak_viewers, 0);
}

TEST_F(LoadSession, SaysWhatIsNotThere) {
  commit();
  try {
    loadSession(dbPath(), 42);
    FAIL() << "no session 42";
  } catch (const ExportError& e) {
    EXPECT_EQ(std::string(e.what()), "no session 42 in " + dbPath());
  }
  EXPECT_THROW(loadSession((dir_ / "none" / "yishiting.db").string(), 1), ExportError);
}

TEST(VotesWithMerged, MergedVotesCountWhereTheyWereMerged) {
  std::vector<Question> list = {asked(1, Status::kApproved, 2), asked(2, Status::kMerged, 5),
                                asked(3, Status::kMerged, 1), asked(4, Status::kMerged, 9)};
  list[1].merged_into = 1;
  list[2].merged_into = 1;
  list[3].merged_into = 0;  // merged into nothing known: its votes stay its own
  const std::map<std::int64_t, int> votes = votesWithMerged(list);
  EXPECT_EQ(votes.at(1), 8);
  EXPECT_EQ(votes.at(2), 5);
  EXPECT_EQ(votes.at(4), 9);
  EXPECT_EQ(votes.count(0), 0u);
  EXPECT_TRUE(votesWithMerged({}).empty());
}

TEST(People, NamedFromTheShowFileWhateverItHolds) {
  EXPECT_EQ(personLine(json{{"name", "王芳"}, {"title", "主持人"}}), "王芳（主持人）");
  EXPECT_EQ(personLine(json{{"name", "王芳"}}), "王芳");
  EXPECT_EQ(personLine(json{{"name", "王芳"}, {"title", ""}}), "王芳");
  EXPECT_EQ(personLine(json("王芳")), "");
  EXPECT_EQ(personLine(json()), "");

  Session s;
  s.show = json::parse("not json", nullptr, false);
  EXPECT_EQ(hostLine(s), "");
  EXPECT_TRUE(guestLines(s).empty());
  s.show =
      json::parse(R"({"guests":[{"name":"张三","title":"局长"},"李四",{"name":"<b>王五</b>"}]})");
  EXPECT_EQ(hostLine(s), "");
  EXPECT_EQ(guestLines(s), (std::vector<std::string>{"张三（局长）", "", "<b>王五</b>"}))
      << "names are kept as typed; each file escapes them";
}

TEST(AiredQuestions, InTheOrderTheyWentOnAir) {
  Session s;
  s.questions = {asked(1, Status::kAnswered, 0), asked(2, Status::kPending, 0),
                 asked(3, Status::kAnswered, 0), asked(4, Status::kOnAir, 0)};
  s.questions[0].aired_ms = 90000;
  s.questions[2].aired_ms = 0;
  s.questions[3].aired_ms = 120000;
  std::vector<std::int64_t> ids;
  for (const Question* q : airedQuestions(s)) ids.push_back(q->id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{3, 1, 4})) << "on air at 0 counts; never on air not";
  EXPECT_TRUE(airedQuestions(Session{}).empty());
}

TEST(AwaitsFollowUp, WhatWasNotAnsweredOrSetAside) {
  EXPECT_TRUE(awaitsFollowUp(asked(1, Status::kPending, 0)));
  EXPECT_TRUE(awaitsFollowUp(asked(1, Status::kApproved, 0)));
  EXPECT_TRUE(awaitsFollowUp(asked(1, Status::kOnAir, 0)));
  EXPECT_FALSE(awaitsFollowUp(asked(1, Status::kAnswered, 0)));
  EXPECT_FALSE(awaitsFollowUp(asked(1, Status::kRejected, 0)));
  EXPECT_FALSE(awaitsFollowUp(asked(1, Status::kMerged, 0)));
}

}  // namespace
}  // namespace yst::exporter
