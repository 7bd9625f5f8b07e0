// Transcript rows and the search over them: 1-, 2- and 3+-character
// Chinese queries, edits and deletions kept in step with both indexes.
#include "studio/store/transcript_table.h"

#include <gtest/gtest.h>

#include "studio/store/store.h"

namespace yst::store {
namespace {

class TranscriptTable : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    migrate(db_);
    session(1, "温网议事厅 · 对话市医保局");
    session(2, "温网议事厅 · 对话市住建局");
  }
  void TearDown() override { sqlite3_close(db_); }

  void session(std::int64_t id, const std::string& title) {
    const std::string sql = "INSERT INTO sessions(id, title, show_json, started_at) VALUES(" +
                            std::to_string(id) + ", '" + title + "', '{}', '2026-11-2" +
                            std::to_string(id) + "T12:00:00Z')";
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  std::int64_t line(std::int64_t session, const std::string& speaker, const std::string& text,
                    std::int64_t start_ms) {
    TranscriptLine l;
    l.session_id = session;
    l.speaker = speaker;
    l.speaker_name = speaker == "host" ? "王芳" : "张三";
    l.text = text;
    l.start_ms = start_ms;
    l.end_ms = start_ms + 3000;
    l.utc = "2026-11-27T12:00:00Z";
    l.by = "typist";
    return insertLine(db_, l);
  }
  std::vector<std::int64_t> ids(const std::string& query, std::int64_t session_id = 0) {
    std::vector<std::int64_t> out;
    for (const SearchHit& h : searchTranscripts(db_, query, {session_id, 50})) {
      out.push_back(h.line_id);
    }
    return out;
  }

  sqlite3* db_ = nullptr;
};

TEST_F(TranscriptTable, CharacterTokensSplitChineseAndKeepLatinWords) {
  EXPECT_EQ(characterTokens("医保卡，异地 5G Wi-Fi"), "医 保 卡 ， 异 地 5g wi fi");
  EXPECT_EQ(characterTokens(""), "");
}

TEST_F(TranscriptTable, FindsOneTwoAndLongerChineseQueries) {
  const auto a = line(1, "guest1", "异地就医备案以后，医保卡可以直接结算。", 1000);
  const auto b = line(1, "host", "下一个问题是关于房租补贴的。", 5000);
  const auto c = line(2, "guest1", "保障性住房明年开工三千套。", 1000);
  const auto d = line(2, "host", "医，保持安静。", 9000);   // 医 and 保 split by punctuation
  EXPECT_EQ(ids("房"), (std::vector<std::int64_t>{c, b}));  // newest first
  EXPECT_EQ(ids("医保"), (std::vector<std::int64_t>{a}));   // not "医，保"
  EXPECT_EQ(ids("医保卡"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("直接结算"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("保"), (std::vector<std::int64_t>{d, c, a}));
  EXPECT_EQ(ids("房", 1), (std::vector<std::int64_t>{b}));
  EXPECT_TRUE(ids("教育局").empty());
  EXPECT_TRUE(ids("   ").empty());
  EXPECT_TRUE(ids("").empty());
  EXPECT_TRUE(ids("，").empty());
}

TEST_F(TranscriptTable, HitsCarrySessionSpeakerTimeAndASnippet) {
  line(1, "guest1", "我们今年已经把异地就医备案改成了线上办理，医保卡在外地住院可以直接结算。",
       65000);
  const auto hits = searchTranscripts(db_, "医保卡", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].session_id, 1);
  EXPECT_EQ(hits[0].session_title, "温网议事厅 · 对话市医保局");
  EXPECT_EQ(hits[0].speaker, "guest1");
  EXPECT_EQ(hits[0].speaker_name, "张三");
  EXPECT_EQ(hits[0].start_ms, 65000);
  EXPECT_NE(hits[0].snippet.find("\x02医保卡\x03"), std::string::npos) << hits[0].snippet;
}

TEST_F(TranscriptTable, LatinIsCaseInsensitiveAndQuotesAreText) {
  const auto a = line(1, "host", "The ICU beds: 5G \"smart\" wards", 1000);
  EXPECT_EQ(ids("icu"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("5g"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("\"smart\""), (std::vector<std::int64_t>{a}));
  EXPECT_TRUE(ids("smart OR x").empty());  // FTS syntax is text, not operators
  EXPECT_TRUE(ids("\"").empty());
}

TEST_F(TranscriptTable, EditsAndDeletionsKeepTheIndexesInStep) {
  const auto a = line(1, "guest1", "医保卡可以直接结算", 1000);
  editLine(db_, a, "社保卡可以直接结算", "typist", "2026-11-27T12:01:00Z");
  EXPECT_TRUE(ids("医保").empty());
  EXPECT_TRUE(ids("医保卡").empty());
  EXPECT_EQ(ids("社保"), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids("社保卡"), (std::vector<std::int64_t>{a}));
  const auto found = findLine(db_, a);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->original_text, "医保卡可以直接结算");
  EXPECT_EQ(found->edits, 1);
  deleteLine(db_, a);
  EXPECT_TRUE(ids("社保").empty());
  EXPECT_TRUE(sessionLines(db_, 1).empty());
  EXPECT_EQ(sessionLines(db_, 1, true).size(), 1u);
}

}  // namespace
}  // namespace yst::store
