// Reading a recording: what FFmpeg says when a file cannot be read comes
// back as an ExportError that names the file. (Recordings that can be read
// are exported by the integration tests, tests/integration/test_export.py.)
#include "studio/export/media_input.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "studio/export/export_error.h"

namespace yst::exporter {
namespace {

namespace fs = std::filesystem;

std::string failure(const std::string& path) {
  try {
    probe(path);
  } catch (const ExportError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Probe, AMissingFileIsNamed) {
  const std::string path = "/nonexistent/yst/part-001.mkv";
  EXPECT_EQ(failure(path), "cannot open " + path + ": No such file or directory");
}

TEST(Probe, AFileThatIsNoRecordingIsNamed) {
  const fs::path path =
      fs::temp_directory_path() / ("yst-probe-test-" + std::to_string(::getpid()) + ".mkv");
  { std::ofstream(path) << "这不是录像\n"; }
  const std::string message = failure(path.string());
  fs::remove(path);
  EXPECT_EQ(message.rfind("cannot open " + path.string() + ": ", 0), 0u) << message;
}

TEST(Check, NegativeCodesAreErrorsWithFfmpegsWords) {
  EXPECT_NO_THROW(check(0, "fine"));
  EXPECT_NO_THROW(check(12, "a count"));
  try {
    check(-2, "cannot open x");  // AVERROR(ENOENT)
    FAIL();
  } catch (const ExportError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot open x: No such file or directory");
  }
}

}  // namespace
}  // namespace yst::exporter
