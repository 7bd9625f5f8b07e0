// The sessions as the archive and the exporter read them, written through the
// Store as the studio writes them.
#include "studio/store/sessions_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "studio/store/store.h"

namespace yst::store {
namespace {

namespace fs = std::filesystem;

class SessionsTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("yst-sessions-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "yishiting.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
};

TEST_F(SessionsTableTest, ReadsBackWhatTheStudioWrote) {
  std::int64_t first = 0, second = 0;
  {
    Store store(path_);
    first = store.beginSession("对话市医保局", R"({"host":{"name":"王芳"}})");
    store.recordingStarted(first, "/rec/part-001.mkv", 0);
    store.recordingStarted(first, "/rec/part-002.mkv", 61000);
    store.recordingEnded("/rec/part-001.mkv", 1000);
    store.recordEvent(first, 5000, "viewers.peak", R"({"viewers":120})");
    store.recordEvent(first, 9000, "viewers.peak", R"({"viewers":340})");
    store.recordEvent(first, 9500, "program.changed", R"({"viewers":9999})");
    store.endSession(first);
    second = store.beginSession("对话市交通局", "{}");
  }  // everything queued is committed
  DbPtr db = openReadOnly(path_);

  const std::optional<SessionRow> row = loadSession(db.get(), first);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->title, "对话市医保局");
  EXPECT_EQ(row->show_json, R"({"host":{"name":"王芳"}})");
  EXPECT_FALSE(row->started_at.empty());
  EXPECT_FALSE(row->ended_at.empty());
  EXPECT_TRUE(loadSession(db.get(), second)->ended_at.empty()) << "still running";
  EXPECT_FALSE(loadSession(db.get(), 999));

  const auto recordings = sessionRecordings(db.get(), first);
  ASSERT_EQ(recordings.size(), 2u);
  EXPECT_EQ(recordings[0].path, "/rec/part-001.mkv");
  EXPECT_FALSE(recordings[0].ended_at.empty());
  EXPECT_EQ(recordings[1].timeline_offset_ms, 61000);
  EXPECT_TRUE(recordings[1].ended_at.empty()) << "did not end cleanly";

  EXPECT_EQ(peakViewers(db.get(), first), 340) << "only viewers.peak events count";
  EXPECT_EQ(peakViewers(db.get(), second), 0);

  const auto listed = listSessions(db.get(), 0, 10);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].session.id, second) << "newest first";
  EXPECT_EQ(listed[1].session.title, "对话市医保局");
  EXPECT_EQ(listSessions(db.get(), 0, 1).size(), 1u);
  ASSERT_EQ(listSessions(db.get(), first, 10).size(), 1u);
  EXPECT_EQ(listSessions(db.get(), first, 10)[0].lines, 0);

  const auto to_package = sessionsToPackage(db.get(), second);
  ASSERT_EQ(to_package.size(), 1u) << "the running session is left out";
  EXPECT_EQ(to_package[0].id, first);
  EXPECT_EQ(to_package[0].recordings, 2);

  EXPECT_GE(schemaVersion(db.get()), 3);
}

}  // namespace
}  // namespace yst::store
