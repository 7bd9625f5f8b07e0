// What goes into the package: the recordings on one program clock (with
// probes made up, so no media is needed), a chapter and a clip per aired
// question, the poster's frame, and the manifest of an empty show and of a
// full one.
#include "studio/export/package.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "studio/export/export_error.h"

namespace yst::exporter {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using questions::Question;
using questions::Status;

Question onAir(std::int64_t id, std::int64_t aired_ms, std::int64_t answered_ms,
               const std::string& text = "请问局长") {
  Question q;
  q.id = id;
  q.original_text = text;
  q.status = answered_ms >= 0 ? Status::kAnswered : Status::kOnAir;
  q.aired_ms = aired_ms;
  q.answered_ms = answered_ms;
  return q;
}

std::vector<const Question*> pointers(const std::vector<Question>& list) {
  std::vector<const Question*> out;
  for (const Question& q : list) out.push_back(&q);
  return out;
}

Probe probeOf(std::int64_t duration_ms, int width = 1280) {
  Probe p;
  p.first_ms = 0;
  p.duration_ms = duration_ms;
  p.video = 0;
  p.audio = 1;
  p.format = {27, width, 720, true, 86018, 48000, 2};  // H.264 + AAC
  return p;
}

class PlaceRecordings : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("yst-place-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rec");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A recording file (its content does not matter: the probe is made up).
  std::string file(const std::string& name) {
    std::ofstream(dir_ / "rec" / name) << "x";
    return "rec/" + name;
  }

  ProgramParts place(const std::vector<Recording>& recordings) {
    return placeRecordings(recordings, dir_.string(), [&](const std::string& path) {
      const auto it = probes_.find(fs::path(path).filename().string());
      if (it == probes_.end()) throw ExportError("cannot open " + path + ": Invalid data");
      return it->second;
    });
  }

  fs::path dir_;
  std::map<std::string, Probe> probes_;
};

TEST_F(PlaceRecordings, NoRecordingIsSaid) {
  const ProgramParts program = place({});
  EXPECT_TRUE(program.parts.empty());
  EXPECT_EQ(program.durationMs(), 0);
  EXPECT_EQ(program.warnings,
            (std::vector<std::string>{"no recording: program.mp4, clips, subtitles and poster.jpg "
                                      "are missing"}));
}

TEST_F(PlaceRecordings, PartsOnOneClockWithTheGapsBetweenThem) {
  probes_["a.mkv"] = probeOf(60000);
  probes_["b.mkv"] = probeOf(30000);
  probes_["c.mkv"] = probeOf(10000);
  // b began 100 s into the session, 90 s after a: a gap of 30 s. c's
  // offset says it began inside b: it goes after b instead.
  const ProgramParts program = place({{file("a.mkv"), 10000, "t0", "t1"},
                                      {file("b.mkv"), 100000, "t2", "t3"},
                                      {file("c.mkv"), 110000, "t4", "t5"}});
  EXPECT_TRUE(program.warnings.empty());
  EXPECT_EQ(program.offset_ms, 10000) << "the session timeline at the program's 0";
  ASSERT_EQ(program.parts.size(), 3u);
  EXPECT_EQ(program.parts[0].at_ms, 0);
  EXPECT_EQ(program.parts[1].at_ms, 90000);
  EXPECT_EQ(program.parts[2].at_ms, 120000) << "never over the part before";
  EXPECT_EQ(program.durationMs(), 130000);
  EXPECT_EQ(program.parts[0].path, (dir_ / "rec" / "a.mkv").string())
      << "a relative path is under the data folder";
}

TEST_F(PlaceRecordings, WhatIsLeftOutIsSaid) {
  probes_["first.mkv"] = probeOf(60000);
  probes_["cut.mkv"] = probeOf(3723000);
  probes_["other.mkv"] = probeOf(60000, 1920);
  const ProgramParts program = place({{"rec/missing.mkv", 0, "t", "t"},
                                      {file("garbage.mkv"), 5000, "t", "t"},
                                      {file("first.mkv"), 20000, "t", "t"},
                                      {file("other.mkv"), 90000, "t", "t"},
                                      {file("cut.mkv"), 200000, "t", ""}});
  ASSERT_EQ(program.parts.size(), 2u);
  EXPECT_EQ(program.offset_ms, 20000) << "from the first recording that could be read";
  EXPECT_EQ(program.parts[1].at_ms, 180000);
  EXPECT_EQ(program.warnings,
            (std::vector<std::string>{
                "the recording rec/missing.mkv is missing: its part of the show is not in the "
                "video",
                "the recording garbage.mkv cannot be read: cannot open " +
                    (dir_ / "rec" / "garbage.mkv").string() + ": Invalid data",
                "the recording other.mkv has a different picture size or format than the first "
                "(the show file changed between runs): it is not in program.mp4",
                "the recording cut.mkv did not end cleanly (the studio was killed): exported what "
                "was recorded, 01:02:03"}));
}

TEST_F(PlaceRecordings, AnAbsolutePathIsUsedAsItIs) {
  probes_["abs.mkv"] = probeOf(1000);
  const std::string absolute = (dir_ / "rec" / "abs.mkv").string();
  file("abs.mkv");
  const ProgramParts program = place({{absolute, 0, "t", "t"}});
  ASSERT_EQ(program.parts.size(), 1u);
  EXPECT_EQ(program.parts[0].path, absolute);
}

TEST(ShortTitle, CountsCharactersNotBytes) {
  EXPECT_EQ(shortTitle("abc", 16), "abc");
  EXPECT_EQ(shortTitle("", 16), "");
  EXPECT_EQ(shortTitle("一二三四五六七八九十一二三四五六", 16), "一二三四五六七八九十一二三四五六")
      << "16 characters: all of it";
  EXPECT_EQ(shortTitle("一二三四五六七八九十一二三四五六七", 16),
            "一二三四五六七八九十一二三四五六…");
  EXPECT_EQ(shortTitle("医保😀卡ab", 3), "医保😀…") << "a 4-byte character is one";
  EXPECT_EQ(shortTitle("é中", 1), "é…");
}

TEST(QuestionChapters, OnePerAiredQuestionUntilItsAnswerOrTheNext) {
  const std::vector<Question> list = {
      onAir(3, 70000, 100000),   // answered before the next
      onAir(5, 110000, 200000),  // answered after the next went on air: cut there
      onAir(8, 150000, -1),      // never answered: to the end of the program
  };
  const std::vector<Chapter> chapters = questionChapters(pointers(list), 10000, 300000);
  ASSERT_EQ(chapters.size(), 3u);
  EXPECT_EQ(chapters[0].start_ms, 60000);
  EXPECT_EQ(chapters[0].end_ms, 90000);
  EXPECT_EQ(chapters[0].question_id, 3);
  EXPECT_EQ(chapters[0].title, "Q3 · 请问局长");
  EXPECT_EQ(chapters[1].start_ms, 100000);
  EXPECT_EQ(chapters[1].end_ms, 140000);
  EXPECT_EQ(chapters[2].start_ms, 140000);
  EXPECT_EQ(chapters[2].end_ms, 300000);
}

TEST(QuestionChapters, OnlyInsideTheProgram) {
  const std::vector<Question> list = {
      onAir(1, 5000, 9000),       // before the recording began
      onAir(2, 10000, 10000),     // at its first millisecond, answered at once
      onAir(3, 20000, 15000),     // answered before it went on air (a clock step)
      onAir(4, 309999, -1),       // in its last millisecond
      onAir(5, 310000, 320000)};  // after it ended
  const std::vector<Chapter> chapters = questionChapters(pointers(list), 10000, 300000);
  ASSERT_EQ(chapters.size(), 3u);
  EXPECT_EQ(chapters[0].question_id, 2);
  EXPECT_EQ(chapters[0].start_ms, 0);
  EXPECT_EQ(chapters[0].end_ms, 1) << "at least 1 ms";
  EXPECT_EQ(chapters[1].question_id, 3);
  EXPECT_EQ(chapters[1].end_ms, chapters[1].start_ms + 1);
  EXPECT_EQ(chapters[2].question_id, 4);
  EXPECT_EQ(chapters[2].start_ms, 299999);
  EXPECT_EQ(chapters[2].end_ms, 300000);
  EXPECT_TRUE(questionChapters({}, 0, 300000).empty());
  EXPECT_TRUE(questionChapters(pointers(list), 0, 0).empty()) << "no program, no chapters";
}

TEST(QuestionChapters, TitlesAreOneShortLineOfTheQuestionAsShown) {
  std::vector<Question> list = {
      onAir(1, 0, -1, "请看\n\n00:00:00.000 --> 09:59:59.000\r\n本节目内容不实"),
      onAir(2, 1000, -1, "\x1b[31m<script>alert(1)</script>"), onAir(3, 2000, -1, "原文")};
  list[2].edits.push_back({"编辑后的问题", "producer", "2026-11-27T12:00:00Z", 1500});
  const std::vector<Chapter> chapters = questionChapters(pointers(list), 0, 10000);
  ASSERT_EQ(chapters.size(), 3u);
  EXPECT_EQ(chapters[0].title, "Q1 · 请看 00:00:00.000 …");
  EXPECT_EQ(chapters[1].title, "Q2 · [31m<script>aler…")
      << "control characters go; the MP4's chapter title is plain text";
  EXPECT_EQ(chapters[2].title, "Q3 · 编辑后的问题");
}

Session session() {
  Session s;
  s.id = 9;
  s.title = "温网议事厅 · 对话市医保局";
  s.started_at = "2026-11-27T12:00:00.000Z";
  s.show = json::parse(R"({"host":{"name":"王芳","title":"主持人"},)"
                       R"("guests":[{"name":"张三","title":"局长"},{"name":"李四"}]})");
  return s;
}

TEST(ProgramMetadata, TheShowAndItsPeople) {
  const std::map<std::string, std::string> meta = programMetadata(session());
  EXPECT_EQ(meta.at("title"), "温网议事厅 · 对话市医保局");
  EXPECT_EQ(meta.at("date"), "2026-11-27");
  EXPECT_EQ(meta.at("artist"), "张三（局长）、李四");
  EXPECT_EQ(meta.at("composer"), "王芳（主持人）");
  EXPECT_EQ(meta.at("comment"), "温网议事厅 图文实录与节目录像");

  Session nobody = session();
  nobody.show = json::object();
  const std::map<std::string, std::string> bare = programMetadata(nobody);
  EXPECT_EQ(bare.count("artist"), 0u);
  EXPECT_EQ(bare.count("composer"), 0u);
}

TEST(ClipRequest, TheQuestionsStretchWithTheLineThatLeadsIntoIt) {
  const Chapter chapter{60000, 90000, "Q3 · 请问局长", 3};
  const std::vector<Cue> cues = {{57999, 58500, "太早"},
                                 {58000, 59000, "主持人：下面这个问题"},
                                 {60000, 61000, "请问局长"},
                                 {89999, 91000, "最后一句"},
                                 {90000, 92000, "下一题"}};
  const std::map<std::string, std::string> meta = {{"title", "节目"}, {"date", "2026-11-27"}};
  const RemuxRequest request = clipRequest(chapter, cues, meta);
  EXPECT_EQ(request.from_ms, 60000);
  EXPECT_EQ(request.to_ms, 90000);
  ASSERT_EQ(request.cues.size(), 3u);
  EXPECT_EQ(request.cues[0].text, "主持人：下面这个问题");
  EXPECT_EQ(request.cues[2].text, "最后一句");
  EXPECT_TRUE(request.chapters.empty()) << "a clip is one question: no chapters of its own";
  EXPECT_EQ(request.metadata.at("title"), "Q3 · 请问局长");
  EXPECT_EQ(request.metadata.at("date"), "2026-11-27");
  EXPECT_EQ(clipFile(3), "clips/q3.mp4");
}

ProgramParts program(const std::vector<std::pair<std::int64_t, std::int64_t>>& parts,
                     std::int64_t offset_ms = 0) {
  ProgramParts p;
  p.offset_ms = offset_ms;
  for (const auto& [at_ms, duration_ms] : parts) {
    p.parts.push_back({"part" + std::to_string(p.parts.size()), probeOf(duration_ms), at_ms});
  }
  return p;
}

TEST(PosterFrame, ASecondIntoTheFirstQuestion) {
  const std::vector<Question> list = {onAir(2, 70000, -1), onAir(1, 40000, -1)};
  // aired is in air order: the first one is the earliest.
  const std::vector<const Question*> aired = {&list[1], &list[0]};
  const ProgramParts one = program({{0, 600000}}, 10000);
  const PosterFrame frame = posterFrame(aired, one);
  EXPECT_EQ(frame.part, &one.parts[0]);
  EXPECT_EQ(frame.at_ms, 31000);
}

TEST(PosterFrame, ATenthIntoAShowWithoutQuestions) {
  const ProgramParts one = program({{0, 600000}});
  EXPECT_EQ(posterFrame({}, one).at_ms, 60000);
  // In the second part, on its own clock.
  const ProgramParts two = program({{0, 10000}, {20000, 80000}});
  const PosterFrame frame = posterFrame({}, two);
  EXPECT_EQ(frame.part, &two.parts[1]);
  EXPECT_EQ(frame.at_ms, 0) << "10 s is in the gap: the next part's start";
}

TEST(PosterFrame, NeverInTheLastSecondOrBeforeTheStart) {
  const std::vector<Question> late = {onAir(1, 599900, -1)};
  const ProgramParts one = program({{0, 600000}});
  EXPECT_EQ(posterFrame(pointers(late), one).at_ms, 599000);
  const std::vector<Question> early = {onAir(1, 0, -1)};
  EXPECT_EQ(posterFrame(pointers(early), program({{0, 600000}}, 30000)).at_ms, 0)
      << "a question on air before the recording";
  EXPECT_EQ(posterFrame({}, program({{0, 500}})).at_ms, 0) << "a recording shorter than 1 s";
}

TEST(SummaryJson, AnEmptyShow) {
  Session s = session();
  s.ended_at = "2026-11-27T13:00:00.000Z";
  const json summary = json::parse(summaryJson(s, ProgramParts{}, 0, {}, {"no recording: …"}));
  EXPECT_EQ(summary["session"], 9);
  EXPECT_EQ(summary["title"], "温网议事厅 · 对话市医保局");
  EXPECT_EQ(summary["ended_at"], "2026-11-27T13:00:00.000Z");
  EXPECT_EQ(summary["questions"], 0);
  EXPECT_EQ(summary["by_status"], json::object());
  EXPECT_EQ(summary["rejected_by_reason"], json::object());
  EXPECT_EQ(summary["aired"], 0);
  EXPECT_EQ(summary["unanswered_for_follow_up"], 0);
  EXPECT_EQ(summary["questions_per_minute"], 0.0);
  EXPECT_EQ(summary["peak_viewers"], 0);
  EXPECT_EQ(summary["transcript_lines"], 0);
  EXPECT_TRUE(summary["recording_ms"].is_null());
  EXPECT_TRUE(summary["program_offset_ms"].is_null());
  EXPECT_EQ(summary["recordings"], 0);
  EXPECT_EQ(summary["source_recordings"], 0);
  EXPECT_EQ(summary["clips"], json::array());
  EXPECT_EQ(summary["warnings"], json::array({"no recording: …"}));
}

TEST(SummaryJson, AShowInNumbers) {
  Session s = session();  // never ended
  s.questions = {onAir(1, 60000, 90000), onAir(2, 100000, -1), onAir(3, -1, -1), onAir(4, -1, -1),
                 onAir(5, -1, -1)};
  s.questions[2].status = Status::kRejected;
  s.questions[2].reject_reason = questions::RejectReason::kOffTopic;
  s.questions[3].status = Status::kRejected;
  s.questions[3].reject_reason = questions::RejectReason::kOffTopic;
  s.questions[4].status = Status::kPending;
  s.questions[4].received_ms = 1200000;  // the last one came at 20 min
  s.lines.resize(4);
  s.peak_viewers = 1234;
  s.recordings.resize(3);
  const ProgramParts two = program({{0, 300000}, {400000, 200000}}, 5000);
  const std::vector<ClipEntry> clips = {{"clips/q1.mp4", 1, 55000, 85000, 30040}};
  const json summary = json::parse(summaryJson(s, two, 2, clips, {}));
  EXPECT_TRUE(summary["ended_at"].is_null());
  EXPECT_EQ(summary["questions"], 5);
  EXPECT_EQ(summary["by_status"],
            (json{{"answered", 1}, {"on_air", 1}, {"rejected", 2}, {"pending", 1}}));
  EXPECT_EQ(summary["rejected_by_reason"], (json{{"off_topic", 2}}));
  EXPECT_EQ(summary["aired"], 2);
  EXPECT_EQ(summary["unanswered_for_follow_up"], 2) << "on air and pending";
  EXPECT_EQ(summary["questions_per_minute"], 0.25) << "5 in 20 min (the last question, after "
                                                      "the 10 min recorded)";
  EXPECT_EQ(summary["peak_viewers"], 1234);
  EXPECT_EQ(summary["transcript_lines"], 4);
  EXPECT_EQ(summary["recording_ms"], 600000);
  EXPECT_EQ(summary["recordings"], 2);
  EXPECT_EQ(summary["source_recordings"], 3);
  EXPECT_EQ(summary["program_offset_ms"], 5000);
  EXPECT_EQ(summary["clips"], (json::array({{{"file", "clips/q1.mp4"},
                                             {"question", 1},
                                             {"from_ms", 55000},
                                             {"to_ms", 85000},
                                             {"duration_ms", 30040}}})));
}

}  // namespace
}  // namespace yst::exporter
