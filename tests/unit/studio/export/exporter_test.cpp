// The package of a show with no usable recording, made from a database the
// Store wrote: the text files are there, the media are not, and the result
// and the manifest say why. Shows with media are exported by the
// integration tests (tests/integration/test_export.py).
#include "studio/export/exporter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/studio/export/show_db.h"

namespace yst::exporter {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ExportSession : public testing_db::ShowDb {
 protected:
  ExportResult run(std::int64_t session_id, Language language = Language::kChinese) {
    commit();
    return exportSession({.data_dir = dir_.string(),
                          .session_id = session_id,
                          .out_dir = (dir_ / "out").string(),
                          .language = language});
  }
  json summary() { return json::parse(readFile(dir_ / "out" / "summary.json")); }
};

const std::vector<std::string> kTextFiles = {"transcript.md", "transcript.html", "transcript.json",
                                             "questions.csv", "followup.csv",    "summary.json"};

TEST_F(ExportSession, AnEmptyShowIsItsTextFilesAndAWarning) {
  const std::int64_t id = store_->beginSession("空节目", "{}");
  store_->endSession(id);
  const ExportResult result = run(id);
  EXPECT_EQ(result.files, kTextFiles);
  EXPECT_EQ(result.warnings,
            (std::vector<std::string>{
                "no recording: program.mp4, clips, subtitles and poster.jpg are missing"}));
  for (const std::string& name : kTextFiles) EXPECT_TRUE(fs::is_regular_file(dir_ / "out" / name));
  EXPECT_FALSE(fs::exists(dir_ / "out" / "clips"));
  EXPECT_FALSE(fs::exists(dir_ / "out" / "subtitles.vtt"));
  const json s = summary();
  EXPECT_EQ(s["session"], id);
  EXPECT_EQ(s["questions"], 0);
  EXPECT_TRUE(s["recording_ms"].is_null());
  EXPECT_EQ(s["warnings"], json(result.warnings));
  EXPECT_EQ(readFile(dir_ / "out" / "transcript.md").rfind("# 空节目\n", 0), 0u);
  EXPECT_EQ(json::parse(readFile(dir_ / "out" / "transcript.json"))["lines"], json::array());
  EXPECT_EQ(readFile(dir_ / "out" / "questions.csv").find("\r\n"),
            readFile(dir_ / "out" / "questions.csv").size() - 2)
      << "the header row alone";
}

TEST_F(ExportSession, AKilledShowWithItsRecordingsGoneStillHasItsText) {
  const std::int64_t id =
      store_->beginSession("<script>节目</script>", R"({"host":{"name":"王芳"}})");
  store_->recordingStarted(id, "rec/gone.mkv", 0);
  { std::ofstream(dir_ / "garbage.mkv") << "not a recording"; }
  store_->recordingStarted(id, (dir_ / "garbage.mkv").string(), 60000);
  line(id, "王芳", "欢迎收看。", 1000);
  line(id, "网友提问", "# 请问\n[点我](http://evil.example)", 61000, "question", 1);
  const ExportResult result = run(id, Language::kEnglish);
  EXPECT_EQ(result.files, kTextFiles);
  ASSERT_EQ(result.warnings.size(), 3u);
  EXPECT_EQ(result.warnings[0],
            "the session has no end: the studio did not close it (killed or still running)");
  EXPECT_EQ(result.warnings[1],
            "the recording rec/gone.mkv is missing: its part of the show is not in the video");
  EXPECT_EQ(result.warnings[2].rfind("the recording garbage.mkv cannot be read: cannot open ", 0),
            0u)
      << result.warnings[2];
  const json s = summary();
  EXPECT_EQ(s["source_recordings"], 2);
  EXPECT_EQ(s["recordings"], 0);
  EXPECT_EQ(s["transcript_lines"], 2);
  EXPECT_TRUE(s["ended_at"].is_null());
  const std::string html = readFile(dir_ / "out" / "transcript.html");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  const std::string md = readFile(dir_ / "out" / "transcript.md");
  EXPECT_NE(md.find("## \\# 请问 \\[点我\\](http\\://evil.example)\n"), std::string::npos) << md;
}

TEST_F(ExportSession, SaysWhatItCannotDo) {
  const std::int64_t id = store_->beginSession("节目", "{}");
  commit();
  auto message = [](const ExportOptions& options) -> std::string {
    try {
      exportSession(options);
    } catch (const ExportError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string data = dir_.string();
  const std::string out = (dir_ / "out").string();
  EXPECT_EQ(message({.data_dir = data, .session_id = id, .out_dir = ""}), "no output folder");
  EXPECT_EQ(
      message({.data_dir = data, .session_id = id, .out_dir = out, .language = Language::kInvalid}),
      "no such language (zh or en)");
  EXPECT_EQ(message({.data_dir = data + "/none", .session_id = id, .out_dir = out}),
            "no database in " + data + "/none");
  EXPECT_EQ(message({.data_dir = data, .session_id = id + 1, .out_dir = out}),
            "no session " + std::to_string(id + 1) + " in " + data + "/yishiting.db");
  EXPECT_FALSE(fs::exists(dir_ / "out")) << "nothing is written for a session that is not there";
}

}  // namespace
}  // namespace yst::exporter
