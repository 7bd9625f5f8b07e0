// The status desk: a snapshot from its parts, published whole to staff, bare
// to the public, and as Prometheus text; the audience's peak recorded only
// when it rises.
#include "studio/desks/status.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace yst::desks {
namespace {

using nlohmann::json;

json showStatus() {
  return {
      {"show", {{"title", "温网议事厅"}, {"session_id", 3}, {"timeline_ms", 61500}}},
      {"cue", {{"text", "请追问工期"}}},
      {"program", {{"frames", 1500}, {"dropped_frames", 2}}},
      {"encoder", {{"fps", 25.0}, {"frames", 1498}}},
      {"sources",
       {{{"id", "host"}, {"state", "live"}, {"frames", 1500}, {"reconnects", 0}},
        {{"id", "field"}, {"state", "retrying"}, {"frames", 10}, {"reconnects", 4}}}},
      {"destinations",
       {{{"id", "zjol"},
         {"state", "live"},
         {"url", "rtmp://push.example.cn/live/****"},
         {"bytes_sent", 123456},
         {"bitrate_kbps", 2500.5},
         {"reconnects", 1}}}},
      {"recording", {{"state", "recording"}, {"bytes", 99}, {"path", "/data/rec.mkv"}}},
      {"hls", {{"state", "running"}, {"playlist", "/hls/program.m3u8"}}},
      {"clients", 12},
      {"questions",
       {{"received", 40},
        {"pending", 5},
        {"approved", 3},
        {"on_air", 1},
        {"answered", 20},
        {"rejected", 10},
        {"merged", 1}}},
  };
}

// The value of one sample line ("name{labels} value"), or "" when absent.
std::string sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return line.substr(series.size() + 1);
  }
  return "";
}

class StatusBoardTest : public ::testing::Test {
 protected:
  StatusBoardTest()
      : board({[this](StatusBoard::Text status, StatusBoard::Text public_status,
                      StatusBoard::Text metrics) {
                 published.push_back({*status, *public_status, *metrics});
               },
               [this] { return connections; }, [this](std::size_t n) { peaks.push_back(n); }}) {}

  struct Published {
    std::string status, public_status, metrics;
  };
  std::size_t connections = 0;
  std::vector<Published> published;
  std::vector<std::size_t> peaks;
  StatusBoard board;
};

TEST_F(StatusBoardTest, PartsWriteTheSnapshotInOrder) {
  board.addPart([](json* s) { (*s)["show"] = {{"title", "first"}}; });
  board.addPart([](json* s) { (*s)["clients"] = 3; });
  board.addPart([](json* s) { (*s)["show"]["title"] = "second"; });
  EXPECT_EQ(board.snapshot(), (json{{"show", {{"title", "second"}}}, {"clients", 3}}));
}

TEST_F(StatusBoardTest, ThePublicSeesTheTitleAndHlsOnly) {
  board.addPart([](json* s) { *s = showStatus(); });
  const auto status = board.publish();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(json::parse(published[0].status), *status);
  const json pub = json::parse(published[0].public_status);
  EXPECT_EQ(pub, (json{{"show", {{"title", "温网议事厅"}}},
                       {"hls", {{"state", "running"}, {"playlist", "/hls/program.m3u8"}}}}));
  for (const char* secret : {"请追问工期", "rtmp://", "/data/rec.mkv", "zjol"}) {
    EXPECT_EQ(published[0].public_status.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(publicStatus(json::object())["hls"]["state"], "stopped");
}

TEST_F(StatusBoardTest, ThePeakIsRecordedWhenItRises) {
  board.addPart([](json* s) { *s = showStatus(); });
  for (std::size_t n : {3, 5, 5, 4, 7, 2}) {
    connections = n;
    board.publish();
  }
  EXPECT_EQ(peaks, (std::vector<std::size_t>{3, 5, 7}));
  EXPECT_EQ(board.peakConnections(), 7u);
}

TEST(MetricsTest, StatesAreOneHotAndEveryFamilyIsDescribed) {
  const std::string text = metricsText(showStatus());
  EXPECT_EQ(sample(text, "yst_program_frames_total"), "1500");
  EXPECT_EQ(sample(text, "yst_show_timeline_seconds"), "61.5");
  EXPECT_EQ(sample(text, "yst_source_state{source=\"field\",state=\"retrying\"}"), "1");
  EXPECT_EQ(sample(text, "yst_source_state{source=\"field\",state=\"live\"}"), "0");
  EXPECT_EQ(sample(text, "yst_source_reconnects_total{source=\"field\"}"), "4");
  EXPECT_EQ(sample(text, "yst_destination_state{destination=\"zjol\",state=\"live\"}"), "1");
  EXPECT_EQ(sample(text, "yst_destination_state{destination=\"zjol\",state=\"failed\"}"), "0");
  EXPECT_EQ(sample(text, "yst_destination_bytes_sent_total{destination=\"zjol\"}"), "123456");
  EXPECT_EQ(sample(text, "yst_recording_active"), "1");
  EXPECT_EQ(sample(text, "yst_hls_running"), "1");
  EXPECT_EQ(sample(text, "yst_connections"), "12");
  EXPECT_EQ(sample(text, "yst_questions{status=\"rejected\"}"), "10");
  // Every sample's family has HELP and TYPE before it.
  std::istringstream lines(text);
  std::string described;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ")) {
      described = line.substr(7, line.find(' ', 7) - 7);
    } else if (!line.starts_with("# TYPE ")) {
      EXPECT_TRUE(line.starts_with(described + "{") || line.starts_with(described + " ")) << line;
    }
  }
  EXPECT_EQ(text.find("rtmp://"), std::string::npos) << "no URLs in metrics";
}

TEST(MetricsTest, WithoutAProgramThereAreNoProgramFamilies) {
  json status = showStatus();
  status.erase("program");
  const std::string text = metricsText(status);
  EXPECT_EQ(text.find("yst_program_frames_total"), std::string::npos);
  EXPECT_EQ(sample(text, "yst_connections"), "12");
}

}  // namespace
}  // namespace yst::desks
